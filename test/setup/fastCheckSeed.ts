// Property tests run from one fixed seed, so a test run on a clean clone is reproducible and a
// red run can be replayed exactly. Exploring new inputs is the fuzz campaign's job (npm run
// fuzz); to explore here as well, set FC_SEED to a number, or to "random" for a fresh one each
// run (fast-check prints the seed of any failure).
import fc from 'fast-check';

const DEFAULT_SEED = 20261201;
const requested = process.env.FC_SEED;
if (requested !== 'random') {
  const seed = requested === undefined || requested === '' ? DEFAULT_SEED : Number(requested);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${requested}`);
  fc.configureGlobal({ seed });
}
