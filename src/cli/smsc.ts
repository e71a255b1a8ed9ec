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

const options = {
  port: { type: 'string', default: '2775' },
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
} as const;

export const smsc: Command = {
  name: 'smsc',
  usage: `  wappush smsc --port N [--host 127.0.0.1] [--account ID:PASSWORD ...] [--route ID:RANGE ...] [--window N] [fault flags]
    --route ID:RANGE    destinations (an address_range pattern) only account ID's receivers are given
`,
  flags: `smsc fault flags (rehearsing outages):
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
      sim = new SmscSimulator({
        host: values.host,
        port: Number(values.port),
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
    sim.listen().then((port) => {
      process.stdout.write(JSON.stringify({ listening: { host: values.host, port } }) + '\n');
    }, fail);
    process.on('SIGINT', () => void sim.close().then(() => process.exit(0)));
  },
};
