// Paired measurement for the ratios the project sets targets on. A shared VM's speed drifts by
// tens of percent within a minute, so one figure for our case and one for its peer, taken a
// minute apart, can move a ratio by as much. Here the two sides alternate in short rounds (who
// goes first alternates too), each round gives a ratio, and the ratio reported is the median
// of the rounds, with the lowest and highest beside it.
import Benchmark from 'benchmark';
import { benchOptions } from './suite.js';

export interface Round {
  ours: number;
  peer: number;
  ratio: number;
}

export interface PairedResult {
  /** Median of our/peer over the rounds. */
  ratio: number;
  min: number;
  max: number;
  rounds: Round[];
}

/** ops/s of `fn` over about `seconds` (one benchmark.js run, synchronous). */
export function opsPerSec(fn: () => void, seconds: number): number {
  const b = new Benchmark(fn, benchOptions({ maxTime: seconds, minSamples: 5 }));
  b.run();
  if (b.error) throw b.error;
  return b.hz;
}

/** `ours(seconds)` and `peer(seconds)` each return ops/s; `rounds` rounds of both. */
export function paired({
  ours,
  peer,
  rounds,
  seconds,
}: {
  ours: (seconds: number) => number;
  peer: (seconds: number) => number;
  rounds: number;
  seconds: number;
}): PairedResult {
  const out: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    let o;
    let p;
    if (i % 2 === 0) {
      o = ours(seconds);
      p = peer(seconds);
    } else {
      p = peer(seconds);
      o = ours(seconds);
    }
    out.push({ ours: Math.round(o), peer: Math.round(p), ratio: o / p });
  }
  const sorted = out.map((r) => r.ratio).sort((a, b) => a - b);
  return { ratio: median(sorted), min: sorted[0], max: sorted[sorted.length - 1], rounds: out };
}

/** The median of ascending numbers: the middle one, or the mean of the middle two. */
export function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds and seconds per side for a run: 7 rounds of 1 s, or 3 of 0.3 s with --quick. */
export function pairedSettings(quick: boolean): { rounds: number; seconds: number } {
  return quick ? { rounds: 3, seconds: 0.3 } : { rounds: 7, seconds: 1 };
}

/** One line per round: "<label> <ours> vs <peerLabel> <peer> ops/s: <ratio>x". */
export function printRounds(result: PairedResult, label: string, peerLabel: string): void {
  for (const r of result.rounds) {
    process.stdout.write(
      `  ${label} ${r.ours.toLocaleString('en-US').padStart(10)} vs ${peerLabel} ${r.peer.toLocaleString('en-US').padStart(10)} ops/s: ${r.ratio.toFixed(2)}x\n`,
    );
  }
}
