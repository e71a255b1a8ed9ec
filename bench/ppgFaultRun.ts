// `npm run bench:ppg-faults [-- --pushes 1000 --concurrency 20]`: the PPG fault run
// (bench/ppgFaults.ts) at full size. Prints its result as JSON; exits 1 when a push was lost
// or notified twice.
import { faultRun } from './ppgFaults.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} takes a whole number >= 1`);
  return v;
};

const r = await faultRun({
  pushes: arg('pushes', 1_000),
  concurrency: arg('concurrency', 20),
  dropProbability: 0.02,
  deadlineMs: 600_000,
});
console.log(JSON.stringify(r, null, 2));
process.exit(r.missing.length === 0 && r.doubled.length === 0 && r.notFinal === 0 ? 0 : 1);
