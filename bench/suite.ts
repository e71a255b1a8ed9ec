// One way to run a list of [name, fn] cases with benchmark.js and collect the figures.
import Benchmark from 'benchmark';

/** One case's figures as the report keeps them (bench/results/latest.json `cases`). */
export interface CaseResult {
  name: string;
  /** ops/s */
  hz: number;
  /** relative margin of error, percent */
  rme: number;
  samples: number;
}

export type Case = readonly [name: string, fn: () => void];

/**
 * benchmark.js options. Its typings mark `id` and `running` as required options, but
 * benchmark.js sets both itself on every benchmark; the run length is all we choose.
 */
export function benchOptions(o: { maxTime: number; minSamples?: number }): Benchmark.Options {
  return o as Benchmark.Options;
}

/** Each case for about 3 s (0.2 s with `quick`), one after the other, printed as it goes. */
export function runSuite(cases: readonly Case[], { quick = false } = {}): CaseResult[] {
  const options = benchOptions(quick ? { maxTime: 0.2, minSamples: 5 } : { maxTime: 3 });
  const results: CaseResult[] = [];
  for (const [name, fn] of cases) {
    const b = new Benchmark(name, fn, options);
    b.run();
    if (b.error) throw b.error;
    results.push({ name, hz: b.hz, rme: b.stats.rme, samples: b.stats.sample.length });
    process.stdout.write(
      `  ${name.padEnd(36)} ${Math.round(b.hz).toLocaleString('en-US').padStart(12)} ops/s  ±${b.stats.rme.toFixed(2)}%\n`,
    );
  }
  return results;
}
