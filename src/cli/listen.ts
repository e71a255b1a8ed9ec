/**
 * `wappush listen --smsc URL [--register apps.json]` (docs/cli.md): bind as receiver and print
 * one JSON line per push - the decode JSON plus `registration` (the application it went to)
 * or `"unrouted": true` with the reason. Each registration's outcome is a line
 * `{"register":{...}}`. Without --register every push is printed, as decode prints it.
 * `--store FILE` keeps registrations across restarts; restored ones deliver as before.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PushClient, type UnroutedPush } from '../cai/client.js';
import type { PushEvent } from '../cai/pushEvent.js';
import type { Registration } from '../cai/registration.js';
import type { RegistrationRequest } from '../cai/types.js';
import { datagramJson } from '../wdp/collect.js';
import type { ReassemblerOptions } from '../wdp/reassembler.js';
import { optionalNumber } from './args.js';
import type { Command } from './command.js';
import { errorJson, fail, line } from './output.js';

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
  smsc: { type: 'string' },
  register: { type: 'string' },
  store: { type: 'string' },
  'reassembly-timeout': { type: 'string' },
  'max-pending': { type: 'string' },
  'max-pending-bytes': { type: 'string' },
  'max-pending-per-originator': { type: 'string' },
  'max-pending-bytes-per-originator': { type: 'string' },
} as const;

/** The reassembler's bounds from the flags; the reassembler checks each and names the one out of range. */
function reassemblyBounds(values: {
  'reassembly-timeout'?: string;
  'max-pending'?: string;
  'max-pending-bytes'?: string;
  'max-pending-per-originator'?: string;
  'max-pending-bytes-per-originator'?: string;
}): ReassemblerOptions {
  return {
    timeoutMs: optionalNumber(values['reassembly-timeout']),
    maxPendingMessages: optionalNumber(values['max-pending']),
    maxPendingBytes: optionalNumber(values['max-pending-bytes']),
    maxPendingMessagesPerOriginator: optionalNumber(values['max-pending-per-originator']),
    maxPendingBytesPerOriginator: optionalNumber(values['max-pending-bytes-per-originator']),
  };
}

export const listen: Command = {
  name: 'listen',
  usage: `  wappush listen --smsc smpp://ID:PASSWORD@HOST:PORT [--register apps.json] [--store FILE]
                                                    bind as receiver; print each push received, one JSON line
`,
  flags: `listen:
  --register FILE     a JSON array of registration requests: each outcome is printed as a line
                      {"register":...}, then each push with its registration or "unrouted": true
  --store FILE        keep registrations in FILE: restored at start, they deliver as before
  --reassembly-timeout MS       a concatenated push not complete MS after its first segment is lost (120000)
  --max-pending N               concatenated pushes held at once (10000); at the bound the oldest of
                                the originator holding the most is lost
  --max-pending-bytes N         user-data octets held at once (16777216)
  --max-pending-per-originator N        pushes one originator may hold (1000)
  --max-pending-bytes-per-originator N  octets one originator may hold (1048576)
                      Each push lost before it completed is a line {"lost":{reason,...}} on stderr.
`,
  options,
  run(argv) {
    const { values } = parseArgs({ args: argv, options });
    if (!values.smsc) fail(new Error('listen needs --smsc smpp://ID:PASSWORD@HOST:PORT'));
    const apps = values.register ? loadApps(values.register) : undefined;
    let client: PushClient;
    try {
      client = new PushClient({
        smsc: values.smsc,
        store: values.store,
        linkOptions: { reassembly: reassemblyBounds(values) },
      });
    } catch (e) {
      fail(e); // a bound out of its range: the error line naming it
    }
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
    client.link!.on('undecodable', ({ error }) =>
      process.stderr.write(JSON.stringify({ undecodable: errorJson(error) }) + '\n'),
    );
    // A concatenated push that will never complete is reported, never dropped in silence.
    client.link!.on('lost', (lost) => process.stderr.write(JSON.stringify({ lost }) + '\n'));
    client
      .start()
      .then(() => (apps ? registerAll(client, apps, line) : undefined))
      .catch(fail);
    process.on('SIGINT', () => void client.close().then(() => process.exit(0)));
    process.on('SIGTERM', () => void client.close().then(() => process.exit(0)));
  },
};
