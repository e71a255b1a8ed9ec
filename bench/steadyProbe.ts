// Why memory mode's rate swings (bench/README.md, "How the store ratios are measured"); not part
// of any suite. Repeated memory-mode runs of the smpp-store harness in one process, a JSON line
// each with what the run met: pushes/s, each side's CPU (cores over the timed part), the cores
// other work kept busy (/proc/stat less ours), steal, GC pauses on each side, preemptions, the
// core each side was last on, read and write calls per 100 pushes on each side, a fixed hashing
// job's time around the run, and the slowest and fastest twentieth of the timed part. Then the
// first run's rate and the others' mean, coefficient of variation, lowest and highest.
//   npx tsc -p tsconfig.bench.json
//   node bench/.build/bench/steadyProbe.js WINDOW PUSHES RUNS [none|same|split]
// `same` pins the listener and the simulator to core 0, `split` to cores 0 and 1 (taskset).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { longPdu } from './pipeline.js';
import { endSmscProcess, fullStackRun, smscPid } from './smpp.js';

const [window, n, runs] = process.argv.slice(2, 5).map(Number);
const pin = process.argv[5] ?? 'none';
const untimed = Math.floor(n / 10);

function cpus(): number[][] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d/.test(l))
    .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
}
function status(pid: number): { nv: number; cpu: number; r: number; w: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const r = Number(/syscr:\s+(\d+)/.exec(io)?.[1]);
  const w = Number(/syscw:\s+(\d+)/.exec(io)?.[1]);
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const nv = Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(st)?.[1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { nv, cpu: Number(fields[36]), r, w };
}
let gc = 0;
let timing = false;
new PerformanceObserver((l) => {
  if (timing) for (const e of l.getEntries()) gc += e.duration;
}).observe({ entryTypes: ['gc'] });

// A fixed piece of CPU work (hashing 3 MiB), timed: how fast the core is just now.
const block = Buffer.alloc(64 * 1024, 7);
function calibrationMs(): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 48; i++) createHash('sha256').update(block).digest();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const rates: number[] = [];
for (let r = 0; r < runs; r++) {
  let c0: number[][] = [];
  let c1: number[][] = [];
  let s0 = { nv: 0, cpu: 0, r: 0, w: 0 };
  let l0 = { nv: 0, cpu: 0, r: 0, w: 0 };
  let s1 = s0;
  let l1 = l0;
  const marks: bigint[] = [];
  const step = (n - untimed) / 20;
  const w0 = Date.now();
  if (r === 0 && pin !== 'none') {
    // fork first so the simulator exists: a tiny run
    await fullStackRun(window, 300, { pdu: longPdu, simulator: 'process', untimed: 30 });
    const sp = smscPid()!;
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)]);
    execFileSync('taskset', ['-p', '-c', pin === 'split' ? '1' : '0', String(sp)]);
  }
  const calBefore = calibrationMs();
  const run = await fullStackRun(window, n, {
    pdu: longPdu,
    simulator: 'process',
    untimed,
    onPush: (got) => {
      if (got === untimed) {
        c0 = cpus();
        s0 = status(smscPid()!);
        l0 = status(process.pid);
        gc = 0;
        timing = true;
      }
      if (got >= untimed && (got - untimed) % step < 1) marks.push(process.hrtime.bigint());
      if (got === n) {
        timing = false;
        c1 = cpus();
        s1 = status(smscPid()!);
        l1 = status(process.pid);
      }
    },
  });
  const calAfter = calibrationMs();
  const wall = (Date.now() - w0) / 1e3;
  const d = c1.map((row, i) => row.map((v, k) => v - c0[i][k]));
  // user nice system idle iowait irq softirq steal
  const busy = d.map((x) => x[0] + x[1] + x[2] + x[5] + x[6]);
  const total = d.map((x) => x.slice(0, 8).reduce((a, b) => a + b, 0));
  const steal = d.reduce((a, x) => a + x[7], 0);
  const secs = (n - untimed) / run.pushesPerSec;
  const chunks: number[] = [];
  for (let i = 1; i < marks.length; i++) chunks.push(step / (Number(marks[i] - marks[i - 1]) / 1e9));
  const cmin = Math.min(...chunks);
  const cmax = Math.max(...chunks);
  rates.push(run.pushesPerSec);
  console.log(
    JSON.stringify({
      r,
      rate: Math.round(run.pushesPerSec),
      ms: Math.round(secs * 1e3),
      wall,
      lCpu: +(run.listenerCpuSeconds / secs).toFixed(2),
      sCpu: +((run.simulatorCpuSeconds ?? 0) / secs).toFixed(2),
      machineBusyJiffies: busy,
      totalJiffies: total,
      othersCores: +(
        busy.reduce((a, b) => a + b, 0) / 100 / secs -
        (run.listenerCpuSeconds + (run.simulatorCpuSeconds ?? 0)) / secs
      ).toFixed(2),
      steal,
      lGcMs: +gc.toFixed(1),
      sGcMs: +(run.simulatorGcMs ?? 0).toFixed(1),
      lPreempt: l1.nv - l0.nv,
      sPreempt: s1.nv - s0.nv,
      cores: `${l1.cpu}/${s1.cpu}`,
      // Read and write calls per 100 pushes, each side: how many PDUs a turn carries.
      lReads: +(((l1.r - l0.r) * 100) / (n - untimed)).toFixed(1),
      lWrites: +(((l1.w - l0.w) * 100) / (n - untimed)).toFixed(1),
      sReads: +(((s1.r - s0.r) * 100) / (n - untimed)).toFixed(1),
      sWrites: +(((s1.w - s0.w) * 100) / (n - untimed)).toFixed(1),
      calMs: +((calBefore + calAfter) / 2).toFixed(2),
      chunkMin: Math.round(cmin),
      chunkMax: Math.round(cmax),
    }),
  );
}
await endSmscProcess();
const xs = rates.slice(1);
const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
console.log(
  `window ${window} n ${n} pin ${pin}: first ${Math.round(rates[0])}; rest mean ${Math.round(mean)} cv ${((sd / mean) * 100).toFixed(1)}% min ${Math.round(Math.min(...xs))} max ${Math.round(Math.max(...xs))}`,
);
