// The SMSC simulator in a process of its own, loaded with its pushes before anything binds, for
// the smpp-store bench (bench/smppStore.ts): a real SMSC is another process, so the listener's
// synchronous work (an lmdb commit waits ~1 ms for the disk at sync 'always') must not hold the
// simulator up, nor the simulator's work the listener.
//   node smscProcess.js WINDOW PUSHES PDU_HEX
// Forked with an IPC channel: says { port } once loaded; on 'mark' starts its CPU count again
// (the bench's clock starts after a warm-up); on 'stop' says { cpuSeconds, retries } (its CPU
// time since the mark, or since it said its port) and exits.
import { loadedSimulator } from './smpp.js';

/** What the simulator's process tells the bench. */
export type SmscMessage = { port: number } | { cpuSeconds: number; retries: number };

const [window, pushes, pduHex] = process.argv.slice(2);
const sim = await loadedSimulator(Number(window), Number(pushes), Buffer.from(pduHex, 'hex'));
const send = (m: SmscMessage): void => {
  process.send?.(m);
};
let cpu0 = process.cpuUsage();
process.on('message', (m: string) => {
  if (m === 'mark') cpu0 = process.cpuUsage();
  if (m !== 'stop') return;
  void (async () => {
    const cpu = process.cpuUsage(cpu0);
    send({ cpuSeconds: (cpu.user + cpu.system) / 1e6, retries: sim.stats.retries });
    await sim.close();
    process.exit(0);
  })();
});
send({ port: sim.port });
