/**
 * `wappush smsc`: the SMSC simulator on a TCP port. Prints {"listening":{host,port}} once it
 * listens (port 0: an ephemeral one), a `bind MODE SYSTEM_ID` line on stderr per bind; SIGINT
 * closes it and exits 0.
 */
import { parseArgs } from 'node:util';
import { SmscSimulator } from '../smsc/simulator.js';
import { optionalNumber } from './args.js';
import type { Command } from './command.js';
import { fail } from './output.js';
import { loadTlsServerFiles } from '../security/tlsOptions.js';
import { SMPPS_PORT } from '../wdp/smpp/link.js';

const options = {
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  account: { type: 'string', multiple: true },
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
smsc fault flags (rehearsing outages):
  --drop-after N      close a receiver's connection after every N deliver_sm
  --drop-probability P   --duplicate-probability P   --reorder-probability P
  --response-delay MS  --throttle N (submit_sm per second per session)
  --receipt-failure-probability P   a delivery receipt says UNDELIV although delivered
  --receipt-delay MS  every delivery receipt comes this late
`,
  options,
  run(argv) {
    const { values } = parseArgs({ args: argv, options });
    const accounts = (values.account ?? []).map((a) => {
      const i = a.indexOf(':');
      if (i < 0) fail(new Error(`--account takes ID:PASSWORD, not ${a}`));
      return { systemId: a.slice(0, i), password: a.slice(i + 1), addressRange: undefined as string | undefined };
    });
    for (const r of values.route ?? []) {
      const i = r.indexOf(':');
      const account = accounts.find((a) => a.systemId === r.slice(0, i));
      if (i < 0 || account === undefined) fail(new Error(`--route takes ID:RANGE for an --account ID, not ${r}`));
      else account.addressRange = r.slice(i + 1);
    }
    let sim: SmscSimulator;
    try {
      const tls = loadTlsServerFiles(values['tls-cert'], values['tls-key']);
      // With TLS, plain TCP only when asked for by --port: credentials never cross in clear by default.
      const plainPort = values.port ?? (tls ? undefined : '2775');
      sim = new SmscSimulator({
        host: values.host,
        port: plainPort === undefined ? undefined : Number(plainPort),
        plain: plainPort !== undefined,
        tls: tls && { ...tls, port: Number(values['tls-port'] ?? SMPPS_PORT) },
        sessions: {
          sessionInitTimeoutMs: optionalNumber(values['session-init-timeout']),
          inactivityTimeoutMs: optionalNumber(values['inactivity-timeout']),
          maxConnections: optionalNumber(values['max-connections']),
          maxConnectionsPerAddress: optionalNumber(values['max-connections-per-address']),
        },
        accounts,
        window: optionalNumber(values.window),
        throttlePerSecond: optionalNumber(values.throttle),
        faults: {
          dropAfterDeliveries: optionalNumber(values['drop-after']),
          dropProbability: optionalNumber(values['drop-probability']),
          duplicateProbability: optionalNumber(values['duplicate-probability']),
          reorderProbability: optionalNumber(values['reorder-probability']),
          responseDelayMs: optionalNumber(values['response-delay']),
          receiptFailureProbability: optionalNumber(values['receipt-failure-probability']),
          receiptDelayMs: optionalNumber(values['receipt-delay']),
        },
      });
    } catch (e) {
      // A flag out of its range (--window abc, --drop-probability 3): the error line, not a stack.
      fail(e);
    }
    sim.on('bind', (b) => process.stderr.write(`bind ${b.mode} ${b.systemId}\n`));
    sim.on('throttled', (t) => process.stderr.write(JSON.stringify({ throttled: t }) + '\n'));
    sim.listen().then(() => {
      const plain = values.port !== undefined || sim.tlsPort === undefined;
      const listening = { host: values.host, ...(plain ? { port: sim.port } : {}), tlsPort: sim.tlsPort };
      process.stdout.write(JSON.stringify({ listening }) + '\n');
    }, fail);
    process.on('SIGINT', () => void sim.close().then(() => process.exit(0)));
  },
};
