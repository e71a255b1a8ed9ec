// The SMSC simulator in a process of its own, for the smpp-store bench (bench/smppStore.ts): a
// real SMSC is another process, so the listener's synchronous work (an lmdb commit waits ~1 ms
// for the disk at sync 'always') must not hold the simulator up, nor the simulator's work the
// listener. One process serves a whole suite, a fresh simulator per run: V8 has compiled the
// simulator's paths after the first runs, as it has the listener's in the bench's own process
// (a process forked per run ran every run cold and held memory mode to about half its speed).
//   node smscProcess.js
// Forked with an IPC channel: says { ready } once up; on { load: [window, pushes, pduHex] }
// starts a simulator loaded with those pushes and says { port }; on 'mark' starts its CPU
// count again (the bench's clock starts after a warm-up); on 'lap' notes its CPU time so far (the
// bench's clock has stopped: the unbind and close after it are not the timed part's); on 'stop'
// says { cpuSeconds, retries } (its CPU time from the mark, or the load, to the lap, or to now)
// and closes that simulator; on 'exit' exits.
import { PerformanceObserver } from 'node:perf_hooks';
import type { SmscSimulator } from '../src/index.js';
import { loadedSimulator } from './smpp.js';

/** What the bench asks the simulator's process. */
export type SmscRequest = { load: [window: number, pushes: number, pduHex: string] } | 'mark' | 'lap' | 'stop' | 'exit';
/** What the simulator's process tells the bench. */
export type SmscMessage = { ready: true } | { port: number } | { cpuSeconds: number; gcMs: number; retries: number };

const send = (m: SmscMessage): void => {
  process.send?.(m);
};
let sim: SmscSimulator | undefined;
let cpu0 = process.cpuUsage();
/** The CPU time at the lap, when one was asked for since the mark. */
let lapped: NodeJS.CpuUsage | undefined;
// Garbage collection pauses since the mark (or the load): a long pause in a short run is a
// cause of its spread to look for (bench/README.md).
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
process.on('message', (m: SmscRequest) => {
  void (async () => {
    if (m === 'exit') process.exit(0);
    if (m === 'mark') {
      cpu0 = process.cpuUsage();
      lapped = undefined;
      gcMs = 0;
    } else if (m === 'lap') {
      lapped = process.cpuUsage(cpu0);
    } else if (m === 'stop') {
      const cpu = lapped ?? process.cpuUsage(cpu0);
      lapped = undefined;
      const s = sim;
      sim = undefined;
      // Closed before the answer, so the next load cannot begin while this one still closes.
      await s?.close();
      send({ cpuSeconds: (cpu.user + cpu.system) / 1e6, gcMs, retries: s?.stats.retries ?? 0 });
    } else {
      const [window, pushes, pduHex] = m.load;
      // A run that failed before its stop leaves its simulator: closed here, not leaked.
      await sim?.close();
      sim = await loadedSimulator(window, pushes, Buffer.from(pduHex, 'hex'));
      cpu0 = process.cpuUsage();
      lapped = undefined;
      gcMs = 0;
      send({ port: sim.port });
    }
  })();
});
send({ ready: true });
