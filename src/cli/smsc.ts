/**
 * `wappush smsc`: the SMSC simulator on a TCP port. Prints {"listening":{host,port}} once it
 * listens (port 0: an ephemeral one), a log line {"event":"bind",...} on stderr per bind;
 * SIGTERM or SIGINT closes it and exits 0.
 */
import { SmscSimulator } from '../smsc/simulator.js';
import { optionalNumber } from './args.js';
import type { Command } from './command.js';
import { fail } from './output.js';
import { secretFileHelp } from './secrets.js';
import { list, runService, SERVICE_FLAGS, SERVICE_OPTIONS, serviceSetup, str } from './service.js';
import { loadTlsServerFiles } from '../security/tlsOptions.js';
import { SMPPS_PORT } from '../wdp/smpp/link.js';

const options = {
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  account: { type: 'string', multiple: true },
  'account-file': { type: 'string' },
  route: { type: 'string', multiple: true },
  window: { type: 'string' },
  'drop-after': { type: 'string' },
  'drop-probability': { type: 'string' },
  'duplicate-probability': { type: 'string' },
  'reorder-probability': { type: 'string' },
  'response-delay': { type: 'string' },
  throttle: { type: 'string' },
  'receipt-failure-probability': { type: 'string' },
  'receipt-delay': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-port': { type: 'string' },
  'session-init-timeout': { type: 'string' },
  'inactivity-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  ...SERVICE_OPTIONS,
} as const;

export const smsc: Command = {
  name: 'smsc',
  usage: `  wappush smsc --port N [--host 127.0.0.1] [--account ID:PASSWORD ...] [--route ID:RANGE ...] [--window N] [fault flags]
    --route ID:RANGE    destinations (an address_range pattern) only account ID's receivers are given
`,
  flags: `smsc security flags (docs/security.md):
  --tls-cert FILE --tls-key FILE   serve SMPP over TLS (smpps://) on --tls-port (3550); plain TCP
                      is then served only if --port is given too
  --session-init-timeout MS   a connection must bind within MS (30000)
  --inactivity-timeout MS     a bound session silent MS is closed (300000; 0: never)
  --max-connections N         connections open at once (1000)
  --max-connections-per-address N   connections open at once from one address (100)
${secretFileHelp('account')}smsc fault flags (rehearsing outages):
  --drop-after N      close a receiver's connection after every N deliver_sm
  --drop-probability P   --duplicate-probability P   --reorder-probability P
  --response-delay MS  --throttle N (submit_sm per second per session)
  --receipt-failure-probability P   a delivery receipt says UNDELIV although delivered
  --receipt-delay MS  every delivery receipt comes this late

${SERVICE_FLAGS}`,
  options,
  run(argv) {
    const setup = serviceSetup('smsc', argv, options);
    const { values, log, metrics } = setup;
    const num = (name: string) => optionalNumber(str(values, name));
    const accounts = (list(values, 'account') ?? []).map((a, n) => {
      const i = a.indexOf(':');
      // Named by position, never echoed: a value without its colon may be the password alone.
      if (i < 0)
        fail(new Error(`--account value ${n + 1} is not ID:PASSWORD: it has no colon (the value is not shown)`));
      return { systemId: a.slice(0, i), password: a.slice(i + 1), addressRange: undefined as string | undefined };
    });
    for (const r of list(values, 'route') ?? []) {
      const i = r.indexOf(':');
      const account = accounts.find((a) => a.systemId === r.slice(0, i));
      if (i < 0 || account === undefined) fail(new Error(`--route takes ID:RANGE for an --account ID, not ${r}`));
      else account.addressRange = r.slice(i + 1);
    }
    const host = str(values, 'host');
    let sim: SmscSimulator;
    // With TLS, plain TCP only when asked for by --port: credentials never cross in clear by default.
    let plainPort: string | undefined;
    try {
      const tls = loadTlsServerFiles(str(values, 'tls-cert'), str(values, 'tls-key'));
      plainPort = str(values, 'port') ?? (tls ? undefined : '2775');
      sim = new SmscSimulator({
        host,
        port: plainPort === undefined ? undefined : Number(plainPort),
        plain: plainPort !== undefined,
        tls: tls && { ...tls, port: Number(str(values, 'tls-port') ?? SMPPS_PORT) },
        sessions: {
          sessionInitTimeoutMs: num('session-init-timeout'),
          inactivityTimeoutMs: num('inactivity-timeout'),
          maxConnections: num('max-connections'),
          maxConnectionsPerAddress: num('max-connections-per-address'),
        },
        accounts,
        window: num('window'),
        throttlePerSecond: num('throttle'),
        faults: {
          dropAfterDeliveries: num('drop-after'),
          dropProbability: num('drop-probability'),
          duplicateProbability: num('duplicate-probability'),
          reorderProbability: num('reorder-probability'),
          responseDelayMs: num('response-delay'),
          receiptFailureProbability: num('receipt-failure-probability'),
          receiptDelayMs: num('receipt-delay'),
        },
        metrics,
      });
    } catch (e) {
      // A flag out of its range (--window abc, --drop-probability 3): the error line, not a stack.
      fail(e);
    }
    sim.on('bind', (b) => log.info({ event: 'bind', mode: b.mode, systemId: b.systemId }, 'bound'));
    sim.on('bindRefused', (b) =>
      log.warn(
        { event: 'bind-refused', mode: b.mode, systemId: b.systemId, status: b.status, reason: b.reason },
        'bind refused',
      ),
    );
    sim.on('dropped', (d) => log.warn({ event: 'dropped', id: d.id, reason: d.reason }, 'message dropped'));
    sim.on('throttled', (t) => log.warn({ event: 'throttled', throttled: t }, 'failed binds throttled'));
    sim.on('connectionRefused', (c) => log.warn({ event: 'connection-refused', ...c }, 'over a connection cap'));
    let listening = false;
    log.info({ event: 'config', host, port: plainPort, accounts: accounts.map((a) => a.systemId) }, 'starting');
    runService(
      setup,
      () => ({ listening }),
      () => sim.close(),
    )
      .then(() => sim.listen())
      .then(() => {
        listening = true;
        const plain = plainPort !== undefined;
        const out = { host, ...(plain ? { port: sim.port } : {}), tlsPort: sim.tlsPort };
        process.stdout.write(JSON.stringify({ listening: out }) + '\n');
      }, fail);
  },
};
