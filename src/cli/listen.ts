/**
 * `wappush listen --smsc URL [--register apps.json]` (docs/cli.md): bind as receiver and print
 * one JSON line per push - the decode JSON plus `registration` (the application it went to)
 * or `"unrouted": true` with the reason. Each registration's outcome is a line
 * `{"register":{...}}`. Without --register every push is printed, as decode prints it.
 * `--store PATH | redis://HOST:PORT[/DB] | memory` (default ./wappush-state) keeps concatenated
 * segments and registrations across restarts and shares them between nodes (docs/state.md).
 * Several `--smsc URL` and `--binds N` bind several sessions that share one reassembler and store.
 */
import { readFileSync, statSync } from 'node:fs';
import { PushClient, type UnroutedPush } from '../cai/client.js';
import type { PushEvent } from '../cai/pushEvent.js';
import type { Registration } from '../cai/registration.js';
import type { RegistrationRequest } from '../cai/types.js';
import { openStore, parseStoreSpec } from '../store/open.js';
import type { ReassemblyBounds } from '../store/options.js';
import type { Store } from '../store/types.js';
import { datagramJson } from '../wdp/collect.js';
import type { ReassemblerOptions } from '../wdp/reassembler.js';
import { EsmeLink } from '../wdp/smpp/link.js';
import { nonNegativeInteger, optionalNumber } from './args.js';
import type { Command } from './command.js';
import { errorJson, fail, line } from './output.js';
import { OTA_HTTP_HELP, OTA_HTTP_OPTIONS, otaHttpOptions } from './otaHttpFlags.js';
import { secretFileHelp } from './secrets.js';
import { list, runService, SERVICE_FLAGS, SERVICE_OPTIONS, serviceSetup, str, type ServiceSetup } from './service.js';
import type { FlagValues } from '../ops/config/schema.js';
import type { Logger } from '../ops/log.js';
import { maskUrl } from '../security/maskUrl.js';
import { smscWithTls, TLS_CLIENT_HELP, TLS_CLIENT_OPTIONS, tlsClientValues } from './tlsFlags.js';
import { STORE_SYNC_HELP, STORE_SYNC_OPTIONS, storeSyncFlag, warnWeakSync } from './storeSync.js';

function pushLine(event: PushEvent): Record<string, unknown> {
  try {
    return event.toJSON();
  } catch (e) {
    return {
      ...(event.datagram ? { wdp: datagramJson(event.datagram) } : {}),
      contentType: event.contentType,
      applicationId: event.applicationId,
      error: errorJson(e),
    };
  }
}

export function registrationRef(r: Registration): Record<string, unknown> {
  return r.applicationId === undefined
    ? { pushApplicationId: r.pushApplicationId }
    : { applicationId: r.applicationId, pushApplicationId: r.pushApplicationId };
}

export function loadApps(path: string): RegistrationRequest[] {
  let apps: unknown;
  try {
    apps = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(new Error(`--register ${path}: ${(e as Error).message}`));
  }
  if (!Array.isArray(apps)) fail(new Error(`--register ${path}: expected a JSON array of registration requests`));
  return apps as RegistrationRequest[];
}

/** Registers each request and prints its outcome line; returns once every outcome is known. */
export async function registerAll(
  client: PushClient,
  apps: RegistrationRequest[],
  print: (record: Record<string, unknown>) => void,
): Promise<void> {
  await Promise.all(
    apps.map(async (request, index) => {
      const base = {
        index,
        pushApplicationId: request?.pushApplicationId,
        ...(request?.applicationId ? { applicationId: request.applicationId } : {}),
      };
      const r = await client.register(request);
      if (r.status === 'rejected') {
        print({
          register: {
            ...base,
            status: 'rejected',
            reason: r.reason,
            ...(r.option ? { option: r.option } : {}),
            message: r.message,
          },
        });
        return;
      }
      const done = await r.completed;
      print({ register: { ...base, id: r.registration.id, ...done } });
    }),
  );
}

const options = {
  smsc: { type: 'string', multiple: true },
  'smsc-file': { type: 'string' },
  'store-file': { type: 'string' },
  binds: { type: 'string' },
  register: { type: 'string' },
  store: { type: 'string' },
  ...STORE_SYNC_OPTIONS,
  'reassembly-timeout': { type: 'string' },
  'max-pending': { type: 'string' },
  'max-pending-bytes': { type: 'string' },
  'max-pending-per-originator': { type: 'string' },
  'max-pending-bytes-per-originator': { type: 'string' },
  ...OTA_HTTP_OPTIONS,
  ...TLS_CLIENT_OPTIONS,
  ...SERVICE_OPTIONS,
} as const;

/** The reassembler's bounds from the flags; the reassembler checks each and names the one out of range. */
function reassemblyBounds(values: FlagValues): ReassemblerOptions {
  return {
    timeoutMs: optionalNumber(str(values, 'reassembly-timeout')),
    maxPendingMessages: optionalNumber(str(values, 'max-pending')),
    maxPendingBytes: optionalNumber(str(values, 'max-pending-bytes')),
    maxPendingMessagesPerOriginator: optionalNumber(str(values, 'max-pending-per-originator')),
    maxPendingBytesPerOriginator: optionalNumber(str(values, 'max-pending-bytes-per-originator')),
  };
}

/** The store listen keeps its state in when --store is not given. */
export const DEFAULT_STATE = './wappush-state';

/** Most sessions one listen binds (--smsc URLs times --binds). */
const MAX_BINDS = 64;

/**
 * What --store names: a store spec, or (a path to a file) an old registrations file, read into
 * the default store when that holds none.
 */
export function stateSpec(store: string | undefined): { spec: string; legacyRegistrations?: string } {
  const spec = store ?? DEFAULT_STATE;
  if (parseStoreSpec(spec).backend !== 'lmdb') return { spec };
  let file = false;
  try {
    file = statSync(spec).isFile();
  } catch {
    // Not there yet: the store creates it.
  }
  return file ? { spec: DEFAULT_STATE, legacyRegistrations: spec } : { spec };
}

/** The store's bounds from the same flags (a store has no per-originator byte bound). */
function storeBounds(r: ReassemblerOptions): ReassemblyBounds {
  return {
    timeoutMs: r.timeoutMs,
    maxPendingMessages: r.maxPendingMessages,
    maxPendingBytes: r.maxPendingBytes,
    maxPendingPerOriginator: r.maxPendingMessagesPerOriginator,
  };
}

/** Each --smsc URL, --binds times, in order; the first is the PushClient's own link. */
export function bindUrls(smsc: string[], binds: number | undefined): string[] {
  const n = binds ?? 1;
  if (n < 1 || smsc.length * n > MAX_BINDS)
    throw new RangeError(
      `--binds: 1 to ${MAX_BINDS} sessions in all (--smsc URLs times --binds), not ${smsc.length * n}`,
    );
  return smsc.flatMap((url) => Array.from({ length: n }, () => url));
}

async function start(setup: ServiceSetup) {
  const { values, log, metrics } = setup;
  const smscUrls = list(values, 'smsc') ?? [];
  const urls = bindUrls(smscUrls, nonNegativeInteger(str(values, 'binds'), '--binds'));
  const register = str(values, 'register');
  const apps = register ? loadApps(register) : undefined;
  const reassembly = reassemblyBounds(values);
  const { spec, legacyRegistrations } = stateSpec(str(values, 'store'));
  const sync = storeSyncFlag(values);
  const opened: Store | undefined =
    spec === 'memory' ? undefined : await openStore(spec, { reassembly: storeBounds(reassembly), sync });
  if (opened) warnWeakSync(log, opened, sync);
  const store = opened && metrics ? metrics.observeStore(opened) : opened;
  log.info(
    { event: 'config', smsc: smscUrls.map(maskUrl), binds: urls.length, store: maskUrl(spec), register },
    'starting',
  );
  const client = new PushClient({
    smsc: smscWithTls(urls[0], tlsClientValues(values)),
    store,
    legacyRegistrations,
    linkOptions: { reassembly, bindName: maskUrl(`${urls[0]}#1`) },
    otaHttp: otaHttpOptions(values),
    metrics,
  });
  const first = client.link!;
  // The other binds share the first one's reassembler and store, and hand up to the same client.
  const links = [
    first,
    ...urls.slice(1).map(
      (url, i) =>
        new EsmeLink({
          smsc: smscWithTls(url, tlsClientValues(values)),
          store,
          reassembler: first.reassembler,
          bindName: maskUrl(`${url}#${i + 2}`),
          onDatagram: (d) => first.onDatagram(d),
        }),
    ),
  ];
  for (const link of links.slice(1)) metrics?.observe(link);
  client.on('restore-failed', ({ request, response }) =>
    line({ restore: { pushApplicationId: request?.pushApplicationId, ...response } }),
  );
  client.on('push', (event: PushEvent, r: Registration) =>
    line({ ...pushLine(event), registration: registrationRef(r) }),
  );
  client.on('unrouted', (u: UnroutedPush) => {
    if (u.event) {
      line(apps ? { ...pushLine(u.event), unrouted: true, reason: u.reason } : pushLine(u.event));
    } else {
      line({
        ...(u.datagram ? { wdp: datagramJson(u.datagram) } : {}),
        error: errorJson(u.error),
        ...(apps ? { unrouted: true, reason: u.reason } : {}),
      });
    }
  });
  client.on('handler-error', ({ error }) =>
    log.error({ event: 'handler-error', error: errorJson(error) }, 'handler failed'),
  );
  client.on('store-error', (e) => log.error({ event: 'store-error', error: errorJson(e) }, 'registration store'));
  for (const link of links) logLink(log, link);
  if (store) {
    // Registrations made on other nodes, followed here: their pushes go to their node's queue.
    client.on('registration-followed', ({ change, registration }) =>
      log.info({ event: 'followed', followed: { change, ...registrationRef(registration) } }, 'registration followed'),
    );
    store.on('unavailable', (e) =>
      log.error({ event: 'store', store: { available: false, error: errorJson(e) } }, 'store unavailable'),
    );
    store.on('available', () => log.info({ event: 'store', store: { available: true } }, 'store available'));
  }
  await runService(
    setup,
    () => ({ bound: links.some((l) => l.bound), store: store?.available ?? true }),
    async (drainTimeoutMs) => {
      // Stop taking deliver_sm, let what is in flight settle and be answered, then unbind.
      const drained = await Promise.all(links.map((l) => l.drain(drainTimeoutMs)));
      if (!drained.every(Boolean))
        log.warn({ event: 'drain', drainTimeoutMs }, 'left unanswered for the SMSC to resend');
      await Promise.all([client.close(), ...links.slice(1).map((l) => l.close())]);
      await store?.close();
    },
  );
  await client.start();
  await Promise.all(links.slice(1).map((l) => l.start()));
  if (apps) await registerAll(client, apps, line);
}

/** One log line per event of a bind: bind, unbind, reconnect and its delay, refusals, losses. */
function logLink(log: Logger, link: EsmeLink): void {
  const bind = maskUrl(link.bindName);
  link.on('bound', () => log.info({ event: 'bind', bind, systemId: link.systemId }, 'bound'));
  link.on('disconnected', () => log.info({ event: 'unbind', bind }, 'connection closed'));
  link.on('reconnecting', ({ delayMs, attempt }) =>
    log.info({ event: 'reconnect', bind, delayMs, attempt }, 'reconnecting'),
  );
  link.on('bind-failed', ({ status }) =>
    log.error({ event: 'bind-refused', bind, status: `0x${status.toString(16).padStart(8, '0')}` }, 'bind refused'),
  );
  link.on('connection-error', (e) =>
    log.warn({ event: 'connection-error', bind, error: e.message }, 'connection error'),
  );
  link.on('dead-link', ({ unansweredMs }) => log.warn({ event: 'dead-link', bind, unansweredMs }, 'dead link'));
  link.on('undecodable', ({ error }) =>
    log.warn({ event: 'undecodable', bind, undecodable: errorJson(error) }, 'undecodable deliver_sm'),
  );
  // A concatenated push that will never complete is reported, never dropped in silence.
  link.on('lost', (lost) => log.warn({ event: 'lost', lost }, `push lost: ${lost.reason}`));
  link.on('handler-error', (e) => log.error({ event: 'handler-error', bind, error: errorJson(e) }, 'handler failed'));
  link.on('store-error', (e) => log.error({ event: 'store-error', bind, error: errorJson(e) }, 'store write failed'));
}

export const listen: Command = {
  name: 'listen',
  usage: `  wappush listen --smsc smpp://ID:PASSWORD@HOST:PORT [--smsc URL...] [--binds N] [--register apps.json]
                 [--store PATH | redis://HOST:PORT[/DB] | memory]
                                                    bind as receiver; print each push received, one JSON line
`,
  flags: `listen:
  --register FILE     a JSON array of registration requests: each outcome is printed as a line
                      {"register":...}, then each push with its registration or "unrouted": true
  --smsc URL          an SMSC to bind to; repeat it for several, all sharing one reassembler and store
  --binds N           sessions per --smsc URL (1); segments of one push may arrive over any of them
  --store SPEC        where concatenated segments and registrations are kept (docs/state.md):
                      a directory (./wappush-state, the default: survives a crash), redis://HOST:PORT[/DB]
                      (shared by several listen nodes), or memory (nothing kept). A segment is
                      acknowledged only once stored. An old registrations file is read into the store.
${STORE_SYNC_HELP}
  --reassembly-timeout MS       a concatenated push not complete MS after its first segment is lost (120000)
  --max-pending N               concatenated pushes held at once (10000); at the bound the oldest of
                                the originator holding the most is lost
  --max-pending-bytes N         user-data octets held at once (16777216)
  --max-pending-per-originator N        pushes one originator may hold (1000)
  --max-pending-bytes-per-originator N  octets one originator may hold (1048576)
                      Each push lost before it completed is a log line {"event":"lost","lost":{reason,...}} on stderr.
${OTA_HTTP_HELP}${secretFileHelp('smsc', 'store')}${TLS_CLIENT_HELP}
${SERVICE_FLAGS}`,
  options,
  run(argv) {
    const setup = serviceSetup('listen', argv, options);
    if (!list(setup.values, 'smsc')?.length) fail(new Error('listen needs --smsc smpp://ID:PASSWORD@HOST:PORT'));
    start(setup).catch(fail);
  },
};
