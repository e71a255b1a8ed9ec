/**
 * `wappush smsc`: the SMSC simulator on a TCP port. Prints {"listening":{host,port}} once it
 * listens (port 0: an ephemeral one), a log line {"event":"bind",...} on stderr per bind;
 * SIGTERM or SIGINT closes it and exits 0.
 */
import { SmscSimulator } from '../smsc/simulator.js';
import { optionalNumber } from './args.js';
import type { Command } from './command.js';
import { fail } from './output.js';
import { list, runService, SERVICE_FLAGS, SERVICE_OPTIONS, serviceSetup, str } from './service.js';

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
  ...SERVICE_OPTIONS,
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

${SERVICE_FLAGS}`,
  options,
  run(argv) {
    const setup = serviceSetup('smsc', argv, options);
    const { values, log, metrics } = setup;
    const num = (name: string) => optionalNumber(str(values, name));
    const accounts = (list(values, 'account') ?? []).map((a) => {
      const i = a.indexOf(':');
      if (i < 0) fail(new Error(`--account takes ID:PASSWORD, not ${a}`));
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
    try {
      sim = new SmscSimulator({
        host,
        port: Number(str(values, 'port')),
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
    let listening = false;
    log.info(
      { event: 'config', host, port: Number(str(values, 'port')), accounts: accounts.map((a) => a.systemId) },
      'starting',
    );
    runService(
      setup,
      () => ({ listening }),
      () => sim.close(),
    )
      .then(() => sim.listen())
      .then((port) => {
        listening = true;
        process.stdout.write(JSON.stringify({ listening: { host, port } }) + '\n');
      }, fail);
  },
};
