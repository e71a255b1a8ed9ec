// SMPP on loopback end to end, single-SMS pushes, with the link's duplicate window on (its
// default 120 s): without a store the link's own memory of recent singles; on a store each
// single is checked against the store's duplicate memory, handed over, remembered (stored per
// the store's sync) and only then answered (docs/state.md, "The bearer on the store"). Every
// push differs, so every one is handed over. Windows 10 and 100; backends `memory` (no store),
// `memory-store`, lmdb at `always` and at `everysec`, and Redis (appendfsync everysec). Rounds
// bracketed as in bench/smppStore.ts: memory, then each backend followed by memory again, each
// backend's ratio in a round to the geometric mean of the memory runs either side; medians.
// The simulator runs in a process of its own (bench/singlesSmsc.ts). `--suite smpp-singles`;
// BENCH_SMPP_SINGLES_PUSHES, _ROUNDS, _BACKENDS (comma-separated), _WINDOWS narrow a run.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EsmeLink, decodePushPdu, openStore, type Store } from '../src/index.js';
import { ask, forkReady } from './forked.js';
import { median } from './paired.js';
import { startRedis, type BenchRedis } from './redis.js';
import { machineBusySeconds } from './smpp.js';
import { coefficientOfVariation } from './smppStore.js';
import type { SinglesMessage, SinglesRequest } from './singlesSmsc.js';

export const SINGLES_WINDOWS = [10, 100] as const;
export const SINGLES_BACKENDS = ['memory', 'memory-store', 'lmdb', 'lmdb-everysec', 'redis'] as const;
export type SinglesBackend = (typeof SINGLES_BACKENDS)[number];

export interface SinglesCase {
  backend: SinglesBackend;
  window: number;
  pushesPerSec: number;
  min: number;
  max: number;
  /** Median of the rounds' ratios to memory (no store). */
  vsMemory: number;
  vsMemoryRounds: number[];
  /** CPU ms a push of the listener's process, and of the simulator's (medians). */
  listenerCpuMs: number;
  simulatorCpuMs: number;
  /** Cores other work kept busy over the timed runs (pooled), where /proc/stat is readable. */
  othersCores?: number;
  runs: number;
  cv: number;
}

interface Run {
  rate: number;
  listenerCpuMs: number;
  simulatorCpuMs: number;
  others?: { busySeconds: number; seconds: number };
}

const script = fileURLToPath(new URL('./singlesSmsc.js', import.meta.url));
let smsc: ChildProcess | undefined;

async function simulator(): Promise<ChildProcess> {
  if (smsc === undefined || smsc.exitCode !== null) smsc = (await forkReady<SinglesMessage>(script, [])).child;
  return smsc;
}

async function endSimulator(): Promise<void> {
  const child = smsc;
  smsc = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send('exit' satisfies SinglesRequest);
  await exited;
}

let opened = 0;
function storeFor(backend: SinglesBackend, scratch: string, redis: BenchRedis): Promise<Store> | undefined {
  opened++;
  if (backend === 'memory') return undefined;
  if (backend === 'memory-store') return openStore('memory');
  if (backend === 'lmdb') return openStore(path.join(scratch, `lmdb-${opened}`), { sync: 'always' });
  if (backend === 'lmdb-everysec') return openStore(path.join(scratch, `lmdb-${opened}`), { sync: 'everysec' });
  return openStore(redis.url, { prefix: `singles${opened}:` });
}

/** One run: `n` single pushes at `window`, timed from the `untimed`-th handler call to the n-th. */
async function run(window: number, n: number, untimed: number, store: Store | undefined): Promise<Run> {
  const child = await simulator();
  const loaded = await ask<SinglesMessage>(child, { load: [window, n] } satisfies SinglesRequest);
  if (!('port' in loaded)) throw new Error('the simulator process said no port');
  let got = 0;
  let t0 = 0n;
  let cpu0 = process.cpuUsage();
  let busy0 = machineBusySeconds();
  let done = (): void => {};
  const finished = new Promise<void>((r) => (done = r));
  const link = new EsmeLink({
    smsc: `smpp://c:d@127.0.0.1:${loaded.port}`,
    maxInFlight: 1_000,
    store,
    onDatagram: (d) => {
      got += decodePushPdu(d.payload).headers.length >= 0 ? 1 : 0;
      if (got === untimed) {
        t0 = process.hrtime.bigint();
        cpu0 = process.cpuUsage();
        busy0 = machineBusySeconds();
        child.send('mark' satisfies SinglesRequest);
      }
      if (got === n) done();
    },
  });
  let seconds = 0;
  let cpu: NodeJS.CpuUsage;
  let busy1: number | undefined;
  let simCpu = 0;
  try {
    await link.start();
    await finished;
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    cpu = process.cpuUsage(cpu0);
    busy1 = machineBusySeconds();
    child.send('lap' satisfies SinglesRequest);
  } finally {
    try {
      await link.close();
    } finally {
      const m = await ask<SinglesMessage>(child, 'stop' satisfies SinglesRequest);
      if ('cpuSeconds' in m) simCpu = m.cpuSeconds;
    }
  }
  const listener = (cpu.user + cpu.system) / 1e6;
  const timed = n - untimed;
  return {
    rate: timed / seconds,
    listenerCpuMs: (listener * 1e3) / timed,
    simulatorCpuMs: (simCpu * 1e3) / timed,
    ...(busy0 !== undefined && busy1 !== undefined
      ? { others: { busySeconds: busy1 - busy0 - listener - simCpu, seconds } }
      : {}),
  };
}

function listOf<T extends string | number>(name: string, known: readonly T[], parse: (s: string) => T): T[] {
  const asked = (process.env[name] ?? '').split(',').filter(Boolean).map(parse);
  for (const a of asked) if (!known.includes(a)) throw new RangeError(`${name}: unknown ${a}`);
  return asked.length ? known.filter((k) => asked.includes(k)) : [...known];
}

function count(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a whole number >= 1`);
  return v;
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

export async function runSmppSingles({ quick = false } = {}): Promise<{
  pushes: number;
  untimed: number;
  rounds: number;
  cases: SinglesCase[];
}> {
  const n = count('BENCH_SMPP_SINGLES_PUSHES', quick ? 2_000 : 4_000);
  const rounds = count('BENCH_SMPP_SINGLES_ROUNDS', quick ? 3 : 5);
  const backends = listOf('BENCH_SMPP_SINGLES_BACKENDS', SINGLES_BACKENDS, (s) => s as SinglesBackend);
  if (!backends.includes('memory')) backends.unshift('memory');
  const windows = listOf('BENCH_SMPP_SINGLES_WINDOWS', SINGLES_WINDOWS, Number);
  const untimed = Math.floor(n / 10);
  const stores = backends.filter((b) => b !== 'memory');
  process.stdout.write(
    `  single-SMS pushes, duplicate window on; ${n} a run, timed from the ${untimed}th; a warm-up round, then ${rounds} rounds of memory, ${stores.join(', memory, ')}, memory\n`,
  );
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'wappush-bench-smpp-singles-'));
  const redis = await startRedis('everysec');
  const runsOf: Record<string, Run[]> = {};
  const ratios: Record<string, number[]> = {};
  const timed = async (backend: SinglesBackend, window: number): Promise<Run> => {
    const store = await storeFor(backend, scratch, redis);
    try {
      return await run(window, n, untimed, store);
    } finally {
      await store?.close();
    }
  };
  const round = async (window: number, order: readonly SinglesBackend[], counted: boolean): Promise<void> => {
    let before = await timed('memory', window);
    const line = [`memory ${Math.round(before.rate)}`];
    const memory = [before];
    for (const backend of order) {
      const r = await timed(backend, window);
      const after = await timed('memory', window);
      memory.push(after);
      line.push(`${backend} ${Math.round(r.rate)}`, `memory ${Math.round(after.rate)}`);
      if (counted) {
        (runsOf[`${backend}@${window}`] ??= []).push(r);
        (ratios[`${backend}@${window}`] ??= []).push(r.rate / Math.sqrt(before.rate * after.rate));
      }
      before = after;
    }
    process.stdout.write(`    ${counted ? '' : 'warm-up, '}window ${window}: ${line.join(', ')} pushes/s\n`);
    if (counted) {
      (runsOf[`memory@${window}`] ??= []).push(...memory);
      (ratios[`memory@${window}`] ??= []).push(1);
    }
  };
  try {
    await round(windows[windows.length - 1], stores, false);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? stores : [...stores].reverse();
      for (const window of windows) await round(window, order, true);
    }
  } finally {
    await endSimulator();
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const cases: SinglesCase[] = [];
  for (const window of windows) {
    for (const backend of backends) {
      const rs = runsOf[`${backend}@${window}`];
      const rates = ascending(rs.map((x) => x.rate));
      const vs = ascending(ratios[`${backend}@${window}`]);
      let busy = 0;
      let secs = 0;
      for (const x of rs) {
        if (x.others === undefined) continue;
        busy += x.others.busySeconds;
        secs += x.others.seconds;
      }
      const c: SinglesCase = {
        backend,
        window,
        pushesPerSec: Math.round(median(rates)),
        min: Math.round(rates[0]),
        max: Math.round(rates[rates.length - 1]),
        vsMemory: median(vs),
        vsMemoryRounds: ratios[`${backend}@${window}`],
        listenerCpuMs: median(ascending(rs.map((x) => x.listenerCpuMs))),
        simulatorCpuMs: median(ascending(rs.map((x) => x.simulatorCpuMs))),
        ...(secs > 0 ? { othersCores: Math.max(0, busy / secs) } : {}),
        runs: rs.length,
        cv: coefficientOfVariation(rates),
      };
      cases.push(c);
      process.stdout.write(
        `  window ${String(window).padStart(3)} ${backend.padEnd(13)} ${c.pushesPerSec.toLocaleString('en-US').padStart(7)} pushes/s (${c.min}-${c.max}), ${c.vsMemory.toFixed(2)}x memory (rounds ${vs[0].toFixed(2)}-${vs[vs.length - 1].toFixed(2)}x), CPU ms a push: listener ${c.listenerCpuMs.toFixed(3)}, simulator ${c.simulatorCpuMs.toFixed(3)}${c.othersCores !== undefined ? `; other work ${c.othersCores.toFixed(2)} cores` : ''}\n`,
      );
    }
  }
  return { pushes: n, untimed, rounds, cases };
}
