// One way to run a list of [name, fn] cases with benchmark.js and collect the figures.
import Benchmark from 'benchmark';

export function runSuite(name, cases, { quick = false } = {}) {
  return new Promise((resolve) => {
    const suite = new Benchmark.Suite(name);
    for (const [caseName, fn] of cases)
      suite.add(caseName, fn, quick ? { maxTime: 0.2, minSamples: 5 } : { maxTime: 3 });
    const results = [];
    suite.on('cycle', (e) => {
      const b = e.target;
      results.push({ name: b.name, hz: b.hz, rme: b.stats.rme, samples: b.stats.sample.length });
      process.stdout.write(
        `  ${b.name.padEnd(36)} ${Math.round(b.hz).toLocaleString('en-US').padStart(12)} ops/s  ±${b.stats.rme.toFixed(2)}%\n`,
      );
    });
    suite.on('complete', () => resolve(results));
    suite.run();
  });
}
