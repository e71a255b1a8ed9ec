/** Every fuzz target, by name. `npm run fuzz -- --target NAME` picks one; `--all` runs them in this order. */
import { caiTargets } from './cai.js';
import { codecTargets } from './codec.js';
import type { FuzzTarget } from './common.js';
import { wdpTargets } from './wdp.js';

export const targets: ReadonlyMap<string, FuzzTarget> = new Map(
  [...codecTargets, ...wdpTargets, ...caiTargets].map((t) => [t.name, t]),
);
export type { FuzzTarget } from './common.js';
