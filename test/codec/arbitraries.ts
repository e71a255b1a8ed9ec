// The generators live with the fuzz campaigns (fuzz/arbitraries.ts); the tests use the same ones.
export * from '../../fuzz/arbitraries.js';
