// The SMSC simulator in a process of its own for the smpp-singles bench (bench/smppSingles.ts):
// as bench/smscProcess.ts, but loaded with single-SMS pushes that all differ (the SI's href
// carries the push's number), so that a link keeping a duplicate window hands every one over.
//   node singlesSmsc.js
// Forked with an IPC channel: says { ready } once up; on { load: [window, pushes] } starts a
// simulator loaded with that many pushes and says { port }; on 'mark' starts its CPU count
// again; on 'lap' notes its CPU time so far; on 'stop' says { cpuSeconds, gcMs, retries } and
// closes that simulator; on 'exit' exits.
import { SmscSimulator, SmppSubmitter, encodePushPdu, encodeSi, smppShortMessages } from '../src/index.js';

/** What the bench asks the simulator's process. */
export type SinglesRequest = { load: [window: number, pushes: number] } | 'mark' | 'lap' | 'stop' | 'exit';
/** What the simulator's process tells the bench. */
export type SinglesMessage = { ready: true } | { port: number } | { cpuSeconds: number; retries: number };

/** Push `i`: an SI of one SMS, its href (and so its octets) its own. */
function singlePush(i: number): Uint8Array {
  const pdu = encodePushPdu({
    transactionId: i & 0xff,
    contentType: 'application/vnd.wap.sic',
    applicationId: 'x-wap-application:wml.ua',
    body: encodeSi({ href: `http://www.xyz.com/email/${i}/abc.wml`, text: 'You have 4 new emails' }),
  });
  if (smppShortMessages(pdu, { reference: 0 }).length !== 1) throw new Error(`push ${i} takes more than one SMS`);
  return pdu;
}

async function loaded(window: number, n: number): Promise<SmscSimulator> {
  const sim = new SmscSimulator({ window, maxQueue: n + 1 });
  const port = await sim.listen();
  const tx = new SmppSubmitter(`smpp://a:b@127.0.0.1:${port}`);
  await tx.start();
  for (let i = 0; i < n; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, n - i) }, (_, k) =>
        tx.submit(singlePush(i + k), { to: `+44770${(i + k) % 100}` }),
      ),
    );
  }
  await tx.close();
  return sim;
}

const send = (m: SinglesMessage): void => {
  process.send?.(m);
};
let sim: SmscSimulator | undefined;
let cpu0 = process.cpuUsage();
let lapped: NodeJS.CpuUsage | undefined;
process.on('message', (m: SinglesRequest) => {
  void (async () => {
    if (m === 'exit') process.exit(0);
    if (m === 'mark') {
      cpu0 = process.cpuUsage();
      lapped = undefined;
    } else if (m === 'lap') {
      lapped = process.cpuUsage(cpu0);
    } else if (m === 'stop') {
      const cpu = lapped ?? process.cpuUsage(cpu0);
      lapped = undefined;
      const s = sim;
      sim = undefined;
      await s?.close();
      send({ cpuSeconds: (cpu.user + cpu.system) / 1e6, retries: s?.stats.retries ?? 0 });
    } else {
      const [window, pushes] = m.load;
      await sim?.close();
      sim = await loaded(window, pushes);
      cpu0 = process.cpuUsage();
      lapped = undefined;
      send({ port: sim.port });
    }
  })();
});
if (process.send) send({ ready: true });
