// SMPP on loopback end to end with the store under the link (docs/state.md): 3-segment pushes
// from the simulator, every segment answered only once stored, at windows 10 and 100, for
// each backend beside `memory` (the link's in-memory reassembler, no store): lmdb at
// `sync: 'always'` (the default: each commit includes its fsync) and at 'everysec' (each commit
// flushes its data pages, the meta page follows within a second: about what Redis gives with its
// appendfsync everysec), and Redis. After a warm-up round that is not counted, each round runs
// memory, then each backend followed by memory again, so each backend's ratio in a round is to
// the geometric mean of the memory runs either side of it; the figures are the medians.
// `--suite smpp-store`.
// The simulator runs in a process of its own (bench/smscProcess.ts), as a real SMSC does, so a
// synchronous commit of the listener's does not stall it; BENCH_SMPP_SIMULATOR=thread puts it
// back in the listener's thread, as before, for comparison. Each run is timed from its
// `untimed`-th push (a tenth: the bind and V8's warm-up) to its last.
//
// And a cluster on Redis (`--suite smpp-cluster`): 1, 2 and 3 listen nodes, each a process of
// its own (bench/clusterNode.ts) with its own bind and its own Redis connection, one SMSC
// account, the simulator spreading the segments over the binds round-robin; each message
// completes on exactly one node. Pushes/s from the nodes' go to the last segment's answer.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type SmscSimulator, type Store } from '../src/index.js';
import { LmdbStore } from '../src/store/lmdb/lmdbStore.js';
import { median } from './paired.js';
import { longPdu } from './pipeline.js';
import { startRedis, type BenchRedis } from './redis.js';
import { askAndWait, forkReady } from './forked.js';
import { endSmscProcess, fullStackRun, loadedSimulator, smsPerPush, type Simulator } from './smpp.js';

export const STORE_WINDOWS = [10, 100] as const;
/** `lmdb` is the embedded store at its default, sync 'always'; `lmdb-everysec` at sync 'everysec'. */
export const BACKENDS = ['memory', 'lmdb', 'lmdb-everysec', 'redis'] as const;
/**
 * Run only when asked for (BENCH_SMPP_STORE_BACKENDS): `memory-store`, the store interface on
 * its memory backend, which writes nothing, so its distance from `memory` is the cost of the
 * link's store path itself; `lmdb-no`, lmdb at sync 'no' (commits, no flush), so its distance
 * from `lmdb` and `lmdb-everysec` is what their flushes cost.
 */
export const EXTRA_BACKENDS = ['memory-store', 'lmdb-no'] as const;
export type Backend = (typeof BACKENDS)[number] | (typeof EXTRA_BACKENDS)[number];

/** One backend at one window: pushes/s over the rounds, and each round's ratio to memory. */
export interface StoreCase {
  backend: Backend;
  window: number;
  /** Sessions bound at once to the simulator, one listener and one store (`listen --binds N`). */
  binds: number;
  pushesPerSec: number;
  min: number;
  max: number;
  /** Median of the rounds' ratios to the memory run of the same round. */
  vsMemory: number;
  vsMemoryMin: number;
  vsMemoryMax: number;
  /**
   * CPU milliseconds a push of the listener's process (its lmdb threads included; with the
   * simulator in its thread, the simulator's too), median of the rounds.
   */
  listenerCpuMs: number;
  /** CPU milliseconds a push of the simulator's process over the timed part (when in a process of its own). */
  simulatorCpuMs?: number;
  /** Redis only: CPU milliseconds a push of redis-server over the whole run (untimed part included). */
  redisCpuMs?: number;
  /** The ratio to memory issue 17 asks for (window 100 only). */
  target?: number;
  /** Timed runs behind the figures (memory: one before the first store and one after each store, each round). */
  runs: number;
  /** Coefficient of variation of pushes/s over those runs. */
  cv: number;
  /** Each round's ratio to memory, in the order run (the store's rate over the geometric mean of the memory runs either side). */
  vsMemoryRounds: number[];
  /** Coefficient of variation of the rounds' ratios. */
  vsMemoryCv: number;
  /**
   * Cores other work on the machine kept busy during the timed runs (median): /proc/stat's busy
   * time less the listener's, the simulator's and redis-server's. Memory mode slows as this grows.
   */
  othersCores?: number;
  /** Milliseconds a 4 KiB write and fdatasync took in the store's directory just before each run (median). */
  diskFlushMs: number;
  /** lmdb only: the store's commits over the timed part, per 100 pushes, and the changes each carried (medians). */
  commitsPer100?: number;
  changesPerCommit?: number;
}

/** The ratios issue 17 asks for at window 100. */
export const STORE_TARGETS: Readonly<Record<Exclude<Backend, 'memory' | 'memory-store' | 'lmdb-no'>, number>> =
  Object.freeze({
    lmdb: 0.5,
    'lmdb-everysec': 0.5,
    redis: 0.3,
  });

let runs = 0;

async function storeFor(backend: Backend, scratch: string, redis: BenchRedis): Promise<Store | undefined> {
  runs++;
  if (backend === 'memory') return undefined;
  if (backend === 'memory-store') return openStore('memory');
  // A fresh store each run: nothing pending from the run before.
  if (backend === 'lmdb') return openStore(path.join(scratch, `lmdb-${runs}`), { sync: 'always' });
  if (backend === 'lmdb-everysec') return openStore(path.join(scratch, `lmdb-${runs}`), { sync: 'everysec' });
  if (backend === 'lmdb-no') return openStore(path.join(scratch, `lmdb-${runs}`), { sync: 'no' });
  return openStore(redis.url, { prefix: `bench${runs}:` });
}

/** How the suite ran, kept in latest.json beside its figures. */
export interface StoreHarness {
  /** Where the simulator ran: a process of its own (the default), or the listener's thread (as before). */
  simulator: Simulator;
  /** Pushes a run. */
  pushes: number;
  /** Of them, the first ones handled before the clock starts (bind, warm-up). */
  untimed: number;
  rounds: number;
  /** Rounds run first and not counted (at the largest window), so no counted run is a cold one. */
  warmupRounds: number;
  /** `bracketed`: each store run between two memory runs, its ratio to their geometric mean (since 2026-12-02). */
  method: 'bracketed';
  /** The bind counts run (each one listener with one store; memory at the same count is the ratio's base). */
  binds: number[];
}

/** A whole number from the environment, or `fallback`. */
function envCount(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number >= 1`);
  return n;
}

/** What a suite runs when the environment does not say. */
interface SuiteDefaults {
  backends: readonly Backend[];
  windows: readonly number[];
  binds: readonly number[];
  pushes: { quick: number; full: number };
}

const STORE_DEFAULTS: SuiteDefaults = {
  backends: BACKENDS,
  windows: STORE_WINDOWS,
  binds: [1],
  pushes: { quick: 2_000, full: 4_000 },
};

/** `--suite smpp-binds`: window 100 on 1, 2 and 4 binds, lmdb at both modes beside memory. */
export const BINDS_DEFAULTS: SuiteDefaults = {
  backends: ['memory', 'lmdb', 'lmdb-everysec'],
  windows: [100],
  binds: [1, 2, 4],
  // Four binds hold 400 segments in flight: more pushes a run, so each bind sees more than a few windows.
  pushes: { quick: 4_000, full: 8_000 },
};

/** Most binds a case may ask for (`listen`'s own bound is 64). */
const MAX_BENCH_BINDS = 16;

/**
 * The harness, from the environment: BENCH_SMPP_SIMULATOR (`process`, the default, or `thread`),
 * BENCH_SMPP_STORE_PUSHES, BENCH_SMPP_STORE_ROUNDS, BENCH_SMPP_STORE_BACKENDS (comma-separated;
 * memory always runs, as every ratio needs it; `memory-store` runs only when named),
 * BENCH_SMPP_STORE_WINDOWS (comma-separated, of 10 and 100), BENCH_SMPP_STORE_BINDS
 * (comma-separated bind counts).
 */
function harnessOf(
  quick: boolean,
  defaults: SuiteDefaults,
): {
  harness: StoreHarness;
  backends: readonly Backend[];
  windows: readonly number[];
} {
  const sim = process.env.BENCH_SMPP_SIMULATOR ?? 'process';
  if (sim !== 'process' && sim !== 'thread') throw new RangeError('BENCH_SMPP_SIMULATOR is process or thread');
  const pushes = envCount('BENCH_SMPP_STORE_PUSHES', quick ? defaults.pushes.quick : defaults.pushes.full);
  const rounds = envCount('BENCH_SMPP_STORE_ROUNDS', quick ? 3 : 5);
  const warmup = process.env.BENCH_SMPP_STORE_WARMUP;
  if (warmup !== undefined && warmup !== '0' && warmup !== '1')
    throw new RangeError('BENCH_SMPP_STORE_WARMUP is 0 or 1');
  const warmupRounds = warmup === '0' ? 0 : 1;
  const asked = (process.env.BENCH_SMPP_STORE_BACKENDS ?? '').split(',').filter(Boolean);
  const known: readonly Backend[] = [...BACKENDS, ...EXTRA_BACKENDS];
  for (const b of asked) if (!(known as readonly string[]).includes(b)) throw new RangeError(`unknown backend ${b}`);
  const backends = asked.length ? known.filter((b) => b === 'memory' || asked.includes(b)) : defaults.backends;
  const windows = (process.env.BENCH_SMPP_STORE_WINDOWS ?? '').split(',').filter(Boolean).map(Number);
  for (const w of windows)
    if (!(STORE_WINDOWS as readonly number[]).includes(w)) throw new RangeError(`unknown window ${w}`);
  const binds = (process.env.BENCH_SMPP_STORE_BINDS ?? '').split(',').filter(Boolean).map(Number);
  for (const b of binds)
    if (!(Number.isInteger(b) && b >= 1 && b <= MAX_BENCH_BINDS))
      throw new RangeError(`BENCH_SMPP_STORE_BINDS: bind counts of 1 to ${MAX_BENCH_BINDS}, not ${b}`);
  // The first tenth is not timed: the bind and V8's warm-up, which would weigh most on the fastest.
  return {
    harness: {
      simulator: sim,
      pushes,
      untimed: Math.floor(pushes / 10),
      rounds,
      warmupRounds,
      method: 'bracketed',
      binds: binds.length ? [...new Set(binds)] : [...defaults.binds],
    },
    backends,
    windows: windows.length ? STORE_WINDOWS.filter((w) => windows.includes(w)) : defaults.windows,
  };
}

/** One timed run's figures, as the cases gather them. */
interface StoreRun {
  rate: number;
  listenerCpuMs: number;
  simulatorCpuMs?: number;
  redisCpuMs?: number;
  /**
   * CPU seconds other work on the machine used over the timed part, and that part's length
   * (undefined without /proc/stat). Kept as sums, not a ratio a run: /proc/stat counts in 10 ms
   * ticks and a memory run's timed part is some 80 ms, so one run's figure is mostly rounding;
   * a case pools its runs.
   */
  others?: { busySeconds: number; seconds: number };
  /** The disk's flush time just before the run (diskFlushMs). */
  diskFlushMs: number;
  /** lmdb: commits and changes over the timed part. */
  commits?: { commits: number; changes: number };
}

/** Cores other work kept busy over a case's timed parts together (see StoreRun.others). */
function pooledOthers(runs: readonly StoreRun[]): number | undefined {
  let busy = 0;
  let seconds = 0;
  for (const r of runs) {
    if (r.others === undefined) return undefined;
    busy += r.others.busySeconds;
    seconds += r.others.seconds;
  }
  return seconds > 0 ? Math.max(0, busy / seconds) : undefined;
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/**
 * Milliseconds a 4 KiB write and its fdatasync take in `dir` (median of 8): how slow the disk
 * is just now, with whatever else writes to it. lmdb at `always` waits for two such flushes a
 * commit, so its rate follows this, which memory mode's does not.
 */
function diskFlushMs(dir: string): number {
  const fd = openSync(path.join(dir, 'flush-probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const t0 = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    closeSync(fd);
  }
  return median(ascending(times));
}

/** Coefficient of variation: the standard deviation over the mean (0 for fewer than two). */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return sd / mean;
}

export async function runSmppStore(
  { quick = false } = {},
  defaults: SuiteDefaults = STORE_DEFAULTS,
): Promise<StoreHarness & { cases: StoreCase[] }> {
  const { harness, backends, windows } = harnessOf(quick, defaults);
  const { pushes: n, untimed, rounds, warmupRounds, simulator, binds: bindCounts } = harness;
  const stores = backends.filter((b) => b !== 'memory');
  process.stdout.write(
    `  simulator in ${simulator === 'process' ? 'a process of its own' : "the listener's thread"}; ${n} pushes a run, timed from the ${untimed}th; ${warmupRounds} warm-up round${warmupRounds === 1 ? '' : 's'} not counted, then ${rounds} rounds of memory, ${stores.join(', memory, ')}, memory${bindCounts.length > 1 || bindCounts[0] !== 1 ? `; at ${bindCounts.join(', ')} binds` : ''}\n`,
  );
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'wappush-bench-smpp-store-'));
  // everysec: Redis as a gateway would usually run it (docs/state.md), beside lmdb at both.
  const redis = await startRedis('everysec');
  const runsOf: Record<string, StoreRun[]> = {};
  const ratios: Record<string, number[]> = {};

  async function timed(backend: Backend, window: number, binds: number): Promise<StoreRun> {
    const flushMs = diskFlushMs(scratch);
    const store = await storeFor(backend, scratch, redis);
    try {
      const redisWhole0 = redis.cpuSeconds();
      let redis0 = redisWhole0;
      let redis1 = redisWhole0;
      const lmdb = store instanceof LmdbStore ? store : undefined;
      let commits0 = lmdb?.commitStats;
      let commits1 = commits0;
      const run = await fullStackRun(window, n, {
        pdu: longPdu,
        store,
        simulator,
        untimed,
        binds,
        // redis-server's CPU over the timed part, so that it is not counted as other work.
        onPush: (got) => {
          if (got === untimed) {
            redis0 = redis.cpuSeconds();
            commits0 = lmdb?.commitStats;
          }
          if (got === n) {
            redis1 = redis.cpuSeconds();
            commits1 = lmdb?.commitStats;
          }
        },
      });
      const ours = run.listenerCpuSeconds + (run.simulatorCpuSeconds ?? 0) + (redis1 - redis0);
      return {
        diskFlushMs: flushMs,
        rate: run.pushesPerSec,
        listenerCpuMs: (run.listenerCpuSeconds * 1e3) / (n - untimed),
        ...(run.simulatorCpuSeconds !== undefined
          ? { simulatorCpuMs: (run.simulatorCpuSeconds * 1e3) / (n - untimed) }
          : {}),
        ...(backend === 'redis' ? { redisCpuMs: ((redis.cpuSeconds() - redisWhole0) * 1e3) / n } : {}),
        ...(run.machineBusySeconds !== undefined
          ? { others: { busySeconds: run.machineBusySeconds - ours, seconds: run.seconds } }
          : {}),
        ...(commits0 && commits1
          ? { commits: { commits: commits1.commits - commits0.commits, changes: commits1.changes - commits0.changes } }
          : {}),
      };
    } finally {
      await store?.close();
    }
  }

  // A round at one window: memory, then each store with a memory run after it, so that every
  // store run has memory runs on both sides; its ratio is to their geometric mean. Memory mode
  // is bound by the two processes' turns on the cores, so other work on the machine moves it
  // within seconds (bench/README.md); a memory run on each side follows that drift.
  async function round(window: number, binds: number, order: readonly Backend[], counted: boolean): Promise<void> {
    const at = `${window}@${binds}`;
    let before = await timed('memory', window, binds);
    const memory: StoreRun[] = [before];
    const line = [`memory ${Math.round(before.rate)}`];
    for (const backend of order) {
      const run = await timed(backend, window, binds);
      const after = await timed('memory', window, binds);
      memory.push(after);
      line.push(
        `${backend} ${Math.round(run.rate)} (flush ${run.diskFlushMs.toFixed(1)} ms)`,
        `memory ${Math.round(after.rate)}`,
      );
      if (counted) {
        (runsOf[`${backend}@${at}`] ??= []).push(run);
        (ratios[`${backend}@${at}`] ??= []).push(run.rate / Math.sqrt(before.rate * after.rate));
      }
      before = after;
    }
    process.stdout.write(
      `    ${counted ? '' : 'warm-up, '}window ${window}${binds > 1 ? `, ${binds} binds` : ''}: ${line.join(', ')} pushes/s\n`,
    );
    if (counted) {
      (runsOf[`memory@${at}`] ??= []).push(...memory);
      // Memory against itself: 1 each round, as before.
      (ratios[`memory@${at}`] ??= []).push(1);
    }
  }

  try {
    // Not counted: the first runs in a process run cold code (the listener's and the
    // simulator's), and memory mode ran at a third to a half of its speed in them.
    for (let r = 0; r < warmupRounds; r++)
      for (const binds of bindCounts) await round(windows[windows.length - 1], binds, stores, false);
    if (warmupRounds) process.stdout.write(`  warm-up done\n`);
    for (let r = 0; r < rounds; r++) {
      // Who follows whom alternates from round to round.
      const order = r % 2 === 0 ? stores : [...stores].reverse();
      for (const window of windows) for (const binds of bindCounts) await round(window, binds, order, true);
      process.stdout.write(`  round ${r + 1}/${rounds} done\n`);
    }
  } finally {
    await endSmscProcess();
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const cases: StoreCase[] = [];
  for (const window of windows) {
    for (const binds of bindCounts)
      for (const backend of backends) {
        const timedRuns = runsOf[`${backend}@${window}@${binds}`];
        const rates = timedRuns.map((x) => x.rate);
        const xs = ascending(rates);
        const rounds = ratios[`${backend}@${window}@${binds}`];
        const rs = ascending(rounds);
        const med = (pick: (x: StoreRun) => number | undefined): number | undefined => {
          const v = timedRuns.map(pick).filter((x): x is number => x !== undefined);
          return v.length ? median(ascending(v)) : undefined;
        };
        const simulatorCpuMs = med((x) => x.simulatorCpuMs);
        const redisCpuMs = med((x) => x.redisCpuMs);
        const othersCores = pooledOthers(timedRuns);
        const flushMs = med((x) => x.diskFlushMs)!;
        const commitsPer100 = med((x) => (x.commits ? (x.commits.commits * 100) / (n - untimed) : undefined));
        const changesPerCommit = med((x) => (x.commits?.commits ? x.commits.changes / x.commits.commits : undefined));
        const c: StoreCase = {
          backend,
          window,
          binds,
          pushesPerSec: Math.round(median(xs)),
          min: Math.round(xs[0]),
          max: Math.round(xs[xs.length - 1]),
          vsMemory: median(rs),
          vsMemoryMin: rs[0],
          vsMemoryMax: rs[rs.length - 1],
          listenerCpuMs: med((x) => x.listenerCpuMs)!,
          ...(simulatorCpuMs !== undefined ? { simulatorCpuMs } : {}),
          ...(redisCpuMs !== undefined ? { redisCpuMs } : {}),
          ...(window === 100 && backend !== 'memory' && backend !== 'memory-store' && backend !== 'lmdb-no'
            ? { target: STORE_TARGETS[backend] }
            : {}),
          runs: timedRuns.length,
          cv: coefficientOfVariation(rates),
          vsMemoryRounds: rounds,
          vsMemoryCv: coefficientOfVariation(rounds),
          ...(othersCores !== undefined ? { othersCores } : {}),
          diskFlushMs: flushMs,
          ...(commitsPer100 !== undefined ? { commitsPer100 } : {}),
          ...(changesPerCommit !== undefined ? { changesPerCommit } : {}),
        };
        cases.push(c);
        const spread =
          backend === 'memory'
            ? `${c.runs} runs, cv ${(c.cv * 100).toFixed(0)}%`
            : `${c.vsMemory.toFixed(2)}x memory (rounds ${rs[0].toFixed(2)}-${rs[rs.length - 1].toFixed(2)}x, cv ${(c.vsMemoryCv * 100).toFixed(0)}%)`;
        const grouping =
          commitsPer100 !== undefined && changesPerCommit !== undefined
            ? `; ${commitsPer100.toFixed(1)} commits a 100 pushes, ${changesPerCommit.toFixed(0)} changes a commit`
            : '';
        process.stdout.write(
          `  window ${String(window).padStart(3)}${bindCounts.length > 1 || binds > 1 ? ` x${binds}` : ''} ${backend.padEnd(13)} ${c.pushesPerSec.toLocaleString('en-US').padStart(7)} pushes/s (${c.min}-${c.max}), ${spread}, CPU ms a push: listener ${c.listenerCpuMs.toFixed(3)}${simulatorCpuMs !== undefined ? `, simulator ${simulatorCpuMs.toFixed(3)}` : ''}${redisCpuMs !== undefined ? `, redis-server ${redisCpuMs.toFixed(3)}` : ''}${othersCores !== undefined ? `; other work ${othersCores.toFixed(2)} cores` : ''}; disk flush ${flushMs.toFixed(2)} ms${grouping}\n`,
        );
      }
  }
  return { ...harness, cases };
}

/** `--suite smpp-binds`: several binds of one listener and one store at once (BINDS_DEFAULTS). */
export function runSmppBinds({ quick = false } = {}): Promise<StoreHarness & { cases: StoreCase[] }> {
  return runSmppStore({ quick }, BINDS_DEFAULTS);
}

/** What a node process tells the bench. */
export type NodeMessage = { ready: true } | { delivered: number; cpuSeconds: number };

/** A cluster size's figure: pushes/s over its rounds, and how many each node completed in the last. */
export interface ClusterCase {
  nodes: number;
  pushesPerSec: number;
  min: number;
  max: number;
  perNode: number[];
  /**
   * Where the time went in the last round, CPU seconds per 1,000 pushes: the simulator (this
   * process), each node, redis-server. On 2 cores, their sum over the wall time says how close
   * the run was to using both.
   */
  cpuPer1000: { simulator: number; nodes: number[]; redis: number };
  /** The share of all cores the simulator, nodes and redis-server used together over the run (1: every core busy). */
  coresBusy: number;
  /** deliver_sm the simulator had to send again (temporary errors or no answer in time). */
  retries: number;
}

const nodeScript = fileURLToPath(new URL('./clusterNode.js', import.meta.url));

/** `nodes` node processes bound to `sim`, all on `redisUrl` under `prefix`; resolves when all are ready. */
async function startNodes(sim: SmscSimulator, nodes: number, redisUrl: string, prefix: string) {
  const started = await Promise.all(
    Array.from({ length: nodes }, () =>
      forkReady<NodeMessage>(nodeScript, [`smpp://c:d@127.0.0.1:${sim.port}`, redisUrl, prefix]),
    ),
  );
  return started.map((s) => s.child);
}

async function clusterRun(nodes: number, n: number, window: number, redis: BenchRedis): Promise<ClusterCase> {
  const sim = await loadedSimulator(window, n, longPdu);
  const sms = n * smsPerPush(longPdu);
  const allDelivered = new Promise<void>((resolve) => {
    const check = (): void => {
      if (sim.stats.delivered >= sms) resolve();
    };
    sim.on('delivered', check);
  });
  const children = await startNodes(sim, nodes, redis.url, `cluster${++runs}:`);
  const redis0 = redis.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const c of children) c.send('go');
  await allDelivered;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const redisCpu = redis.cpuSeconds() - redis0;
  const reports = await Promise.all(
    children.map(async (c) => {
      const m = await askAndWait<NodeMessage>(c, 'stop');
      return 'delivered' in m ? m : { delivered: 0, cpuSeconds: 0 };
    }),
  );
  const perNode = reports.map((r) => r.delivered);
  await sim.close();
  const total = perNode.reduce((a, b) => a + b, 0);
  if (total !== n) throw new Error(`cluster of ${nodes}: ${total} of ${n} pushes reached a handler`);
  const rate = n / seconds;
  const simCpu = (cpu.user + cpu.system) / 1e6;
  const per1000 = (x: number): number => Math.round((x * 1e6) / n) / 1e3;
  const allCpu = simCpu + redisCpu + reports.reduce((a, r) => a + r.cpuSeconds, 0);
  return {
    nodes,
    pushesPerSec: rate,
    min: rate,
    max: rate,
    perNode,
    cpuPer1000: {
      simulator: per1000(simCpu),
      nodes: reports.map((r) => per1000(r.cpuSeconds)),
      redis: per1000(redisCpu),
    },
    coresBusy: allCpu / seconds / os.cpus().length,
    retries: sim.stats.retries,
  };
}

export async function runSmppCluster({ quick = false } = {}): Promise<{
  pushes: number;
  window: number;
  cores: number;
  cases: ClusterCase[];
}> {
  const rounds = quick ? 1 : 3;
  const n = quick ? 1_000 : 3_000;
  const window = 100;
  const redis = await startRedis('everysec');
  const sizes = [1, 2, 3];
  const rates: Record<number, number[]> = {};
  const last: Record<number, ClusterCase> = {};
  try {
    for (let r = 0; r < rounds; r++) {
      for (const nodes of r % 2 === 0 ? sizes : [...sizes].reverse()) {
        const c = await clusterRun(nodes, n, window, redis);
        (rates[nodes] ??= []).push(c.pushesPerSec);
        last[nodes] = c;
      }
    }
  } finally {
    await redis.stop();
  }
  const cases = sizes.map((nodes) => {
    const xs = rates[nodes].sort((a, b) => a - b);
    const c: ClusterCase = {
      ...last[nodes],
      pushesPerSec: Math.round(median(xs)),
      min: Math.round(xs[0]),
      max: Math.round(xs[xs.length - 1]),
    };
    const u = c.cpuPer1000;
    process.stdout.write(
      `  ${nodes} node${nodes > 1 ? 's' : ' '} on Redis: ${c.pushesPerSec.toLocaleString('en-US').padStart(6)} pushes/s (${c.min}-${c.max}), per node ${c.perNode.join('/')}; CPU s per 1,000 pushes: simulator ${u.simulator}, nodes ${u.nodes.join('/')}, redis ${u.redis}; cores busy ${(c.coresBusy * 100).toFixed(0)}%; resent ${c.retries}\n`,
    );
    return c;
  });
  return { pushes: n, window, cores: os.cpus().length, cases };
}
