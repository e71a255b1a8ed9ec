// `npm run bench [-- --quick]`: runs the suites, prints a table, writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runCodec } from './codec.js';

const quick = process.argv.includes('--quick');
console.log(`wappush benchmarks (${quick ? 'quick' : 'full'}) on ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log('codec:');
const codec = await runCodec({ quick });
const byName = Object.fromEntries(codec.results.map((r) => [r.name, r.hz]));
const ratios = {
  'si-push-routing/vs-si-push-decode': byName['si-push-routing'] / byName['si-push-decode'],
};
console.log(`  SI body ${codec.siBodyLength} octets, PDU ${codec.siPduLength} octets`);
console.log(`  routing-only is ${ratios['si-push-routing/vs-si-push-decode'].toFixed(1)}x the full decode`);
const out = new URL('./results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(
  new URL('latest.json', out),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory: os.totalmem(), platform: `${os.platform()} ${os.release()}` },
      node: process.version,
      quick,
      cases: codec.results.map((r) => ({ name: r.name, opsPerSec: r.hz, marginPercent: r.rme, samples: r.samples })),
      ratios,
    },
    null,
    2,
  ) + '\n',
);
