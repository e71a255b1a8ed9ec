// Paired measurement for the ratios the project sets targets on. A shared VM's speed drifts by
// tens of percent within a minute, so one figure for our case and one for its peer, taken a
// minute apart, can move a ratio by as much. Here the two sides alternate in short rounds (who
// goes first alternates too), each round gives a ratio, and the ratio reported is the median
// of the rounds, with the lowest and highest beside it.
import Benchmark from 'benchmark';

/** ops/s of `fn` over about `seconds` (one benchmark.js run, synchronous). */
export function opsPerSec(fn, seconds) {
  const b = new Benchmark(fn, { maxTime: seconds, minSamples: 5 });
  b.run();
  if (b.error) throw b.error;
  return b.hz;
}

/**
 * `ours(seconds)` and `peer(seconds)` each return ops/s; `rounds` rounds of both.
 * Returns { ratio (median of our/peer per round), min, max, rounds: [{ ours, peer, ratio }] }.
 */
export function paired({ ours, peer, rounds, seconds }) {
  const out = [];
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
  const mid = sorted.length >> 1;
  const ratio = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { ratio, min: sorted[0], max: sorted[sorted.length - 1], rounds: out };
}

/** Rounds and seconds per side for a run: 7 rounds of 1 s, or 3 of 0.3 s with --quick. */
export function pairedSettings(quick) {
  return quick ? { rounds: 3, seconds: 0.3 } : { rounds: 7, seconds: 1 };
}

/** One line per round: "<label> <ours> vs <peerLabel> <peer> ops/s: <ratio>x". */
export function printRounds(result, label, peerLabel) {
  for (const r of result.rounds) {
    process.stdout.write(
      `  ${label} ${r.ours.toLocaleString('en-US').padStart(10)} vs ${peerLabel} ${r.peer.toLocaleString('en-US').padStart(10)} ops/s: ${r.ratio.toFixed(2)}x\n`,
    );
  }
}
