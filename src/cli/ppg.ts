/**
 * `wappush ppg`: the Push Proxy Gateway. PAP 2.0 at POST /wappush on HOST:PORT, SMS to the
 * SMSC over one SMPP transceiver. Prints {"listening":{host,port}} once it listens, then one
 * JSON line per outcome ({"outcome":{...}}) and per notification; SIGINT/SIGTERM close it.
 */
import { parseInitiator } from '../ppg/initiators.js';
import { Ppg } from '../ppg/ppg.js';
import { openStore } from '../store/open.js';
import { STORE_SYNC_HELP, STORE_SYNC_OPTIONS, storeSyncFlag, warnWeakSync } from './storeSync.js';
import { optionalNumber } from './args.js';
import type { Command } from './command.js';
import { errorJson, fail, line } from './output.js';
import { secretFileHelp } from './secrets.js';
import { maskUrl } from '../security/maskUrl.js';
import { loadTlsServerFiles } from '../security/tlsOptions.js';
import { smscWithTls, TLS_CLIENT_HELP, TLS_CLIENT_OPTIONS, tlsClientValues } from './tlsFlags.js';
import { list, runService, SERVICE_FLAGS, SERVICE_OPTIONS, serviceSetup, str } from './service.js';

const options = {
  smsc: { type: 'string' },
  'smsc-file': { type: 'string' },
  'store-file': { type: 'string' },
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  store: { type: 'string', default: './wappush-ppg-state' },
  ...STORE_SYNC_OPTIONS,
  user: { type: 'string', multiple: true },
  'user-file': { type: 'string' },
  'user-prefix': { type: 'string', multiple: true },
  'user-address': { type: 'string', multiple: true },
  'max-segments': { type: 'string' },
  'max-body': { type: 'string' },
  from: { type: 'string' },
  'no-receipts': { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  ...TLS_CLIENT_OPTIONS,
  retention: { type: 'string' },
  'max-records': { type: 'string' },
  takeover: { type: 'string' },
  'enquire-link': { type: 'string' },
  'enquire-link-timeout': { type: 'string' },
  ...SERVICE_OPTIONS,
} as const;

export const ppg: Command = {
  name: 'ppg',
  usage: `  wappush ppg --smsc smpp://ID:PASSWORD@HOST:PORT [--port 8080] [--host 127.0.0.1] [--store ...] [--user NAME:PASSWORD ...]
`,
  flags: `ppg:
  --store S           memory, a directory (embedded store; default ./wappush-ppg-state) or redis://HOST:PORT/DB
${STORE_SYNC_HELP}
  --user NAME:PASSWORD   a push initiator (HTTP Basic); with none, anyone may push without credentials
  --user-prefix NAME:PREFIX   NAME may push only to numbers starting with PREFIX (repeatable)
  --user-address NAME:IP      NAME may connect only from IP (repeatable)
  --max-segments N    most SMS one push may take; more is refused with PAP 3003 (default 10)
  --max-body N        octets of a PAP request body (default 131072)
  --from A            SMPP source_addr of the pushes (default empty)
  --no-receipts       do not ask the SMSC for delivery receipts (pushes count as delivered once submitted)
  --retention MS      keep a finished push for status queries this long (default 86400000, 24 h)
  --max-records N     push records kept at most, finished and in progress (default 50000, at most 100000)
  --takeover MS       on a redis:// store shared by several PPGs: how often to look for pushes of a
                      dead PPG to take up, and for receipts another PPG got (default 10000; 0: only
                      at start; owners and leases are checked on redis:// whatever MS is)
  --enquire-link MS   enquire_link period on the SMPP session, so an idle PPG is not closed by the
                      SMSC's inactivity timer (default 30000; 0: none)
  --enquire-link-timeout MS   an enquire_link unanswered this long means a dead link: it is dropped
                      and made again (default: the period)
  The SMSC need not be there at start: the PPG listens, answers /readyz 503 and binds once it answers.
  --tls-cert FILE --tls-key FILE   serve PAP over HTTPS with this certificate and key (PEM)
${secretFileHelp('smsc', 'store', 'user')}${TLS_CLIENT_HELP}
${SERVICE_FLAGS}`,
  options,
  run(argv) {
    (async () => {
      const setup = serviceSetup('ppg', argv, options);
      const { values, log, metrics } = setup;
      const smscUrl = str(values, 'smsc');
      if (!smscUrl) throw new TypeError('ppg needs --smsc smpp://ID:PASSWORD@HOST:PORT');
      const initiators = (list(values, 'user') ?? []).map((spec, i) => parseInitiator(spec, i));
      const byName = (spec: string, flag: string) => {
        const i = spec.indexOf(':');
        const who = initiators.find((u) => u.name === spec.slice(0, i));
        if (i <= 0 || !who) throw new TypeError(`${flag} takes NAME:VALUE for a --user NAME, not ${spec}`);
        return { who, value: spec.slice(i + 1) };
      };
      for (const spec of list(values, 'user-prefix') ?? []) {
        const { who, value } = byName(spec, '--user-prefix');
        who.allowedPrefixes = [...(who.allowedPrefixes ?? []), value];
      }
      for (const spec of list(values, 'user-address') ?? []) {
        const { who, value } = byName(spec, '--user-address');
        who.allowedAddresses = [...(who.allowedAddresses ?? []), value];
      }
      const host = str(values, 'host');
      const storeSpec = str(values, 'store') ?? './wappush-ppg-state';
      const sync = storeSyncFlag(values);
      const opened = await openStore(storeSpec, { sync });
      warnWeakSync(log, opened, sync);
      const store = metrics ? metrics.observeStore(opened) : opened;
      log.info(
        {
          event: 'config',
          smsc: maskUrl(smscUrl),
          store: maskUrl(storeSpec),
          users: initiators.map((u) => u.name),
        },
        'starting',
      );
      const gateway = new Ppg({
        smsc: smscWithTls(smscUrl, tlsClientValues(values)),
        tls: loadTlsServerFiles(str(values, 'tls-cert'), str(values, 'tls-key')),
        port: Number(str(values, 'port')),
        host,
        store,
        initiators,
        maxSegments: optionalNumber(str(values, 'max-segments')),
        maxBodyOctets: optionalNumber(str(values, 'max-body')),
        from: str(values, 'from'),
        receipts: values['no-receipts'] !== true,
        retentionMs: optionalNumber(str(values, 'retention')),
        maxRecords: optionalNumber(str(values, 'max-records')),
        takeoverMs: optionalNumber(str(values, 'takeover')),
        smscSession: {
          enquireLinkMs: optionalNumber(str(values, 'enquire-link')),
          enquireLinkTimeoutMs: optionalNumber(str(values, 'enquire-link-timeout')),
        },
        // A service waits for its SMSC (readiness says so) instead of failing at start.
        connectRetry: true,
        metrics,
      });
      gateway.on('outcome', (o) => line({ outcome: o }));
      gateway.on('notified', (n) => line({ notified: n }));
      gateway.on('store-error', (e) => log.error({ event: 'store-error', error: errorJson(e) }, 'store write failed'));
      gateway.on('taken-up', (t) => log.info({ event: 'taken-up', ...t }, 'pushes taken up from the store'));
      gateway.on('throttled', (t) => log.warn({ event: 'throttled', throttled: t }, 'failed logins throttled'));
      gateway.on('connectionRefused', (c) => log.warn({ event: 'connection-refused', ...c }, 'over a connection cap'));
      store.on('unavailable', (e) =>
        log.error({ event: 'store', store: { available: false, error: errorJson(e) } }, 'store unavailable'),
      );
      store.on('available', () => log.info({ event: 'store', store: { available: true } }, 'store available'));
      const bind = maskUrl(smscUrl);
      gateway.on('smsc-bound', () => log.info({ event: 'bind', smsc: bind }, 'bound'));
      gateway.on('smsc-disconnected', () => log.info({ event: 'unbind', smsc: bind }, 'connection closed'));
      gateway.on('smsc-error', (e) =>
        log.warn({ event: 'connection-error', smsc: bind, error: e.message }, 'connection error'),
      );
      gateway.on('smsc-dead-link', ({ unansweredMs }) =>
        log.warn({ event: 'dead-link', smsc: bind, unansweredMs }, 'dead link'),
      );
      await runService(
        setup,
        () => ({ bound: gateway.bound, store: gateway.storeAvailable }),
        // close() stops taking requests, lets the writes in flight finish, unbinds; then the store.
        async () => {
          await gateway.close();
          await store.close();
        },
      );
      const port = await gateway.start();
      line({ listening: { host, port, scheme: str(values, 'tls-cert') ? 'https' : 'http' } });
    })().catch(fail);
  },
};
