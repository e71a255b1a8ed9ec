// The SI fast path (siBytes.ts) must give exactly what the tree path gives, or step aside.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/codec/errors.js';
import { encodeSi, siFromTree } from '../../src/codec/wbxml/si.js';
import { siFromBytes } from '../../src/codec/wbxml/siBytes.js';
import { DEFAULT_LIMITS } from '../../src/codec/limits.js';
import { decodeWbxml } from '../../src/codec/wbxml/tree.js';
import { SI } from '../../src/codec/wbxml/vocabularies.js';
import { nearValid } from '../../fuzz/targets/mutate.js';
import { hex, loadFixtures } from '../helpers.js';
import { si } from './arbitraries.js';

type Outcome = { ok: unknown } | { error: string } | { fallback: true };

function outcome(fn: () => unknown): Outcome {
  try {
    const v = fn();
    return v === undefined ? { fallback: true } : { ok: v };
  } catch (e) {
    if (e instanceof DecodeError) return { error: `${e.code}@${e.offset}` };
    throw e;
  }
}

const tree = (b: Uint8Array) => outcome(() => siFromTree(decodeWbxml(b, { vocabulary: SI }).root, 0));
const fast = (b: Uint8Array) => outcome(() => siFromBytes(b, undefined, DEFAULT_LIMITS));

/** The fast path agrees with the tree path whenever it answers (a result or the same error). */
function agree(b: Uint8Array): boolean {
  const f = fast(b);
  if ('fallback' in f) return false;
  expect(f, Buffer.from(b).toString('hex')).toEqual(tree(b));
  return true;
}

describe('SI fast path', () => {
  const fixtures = loadFixtures<{ body: string; contentType: string }>('wbxml').filter((f) => f.contentType === 'application/vnd.wap.sic').map((f) => hex(f.body));

  it('answers for every SI fixture and every document our encoder writes, as the tree does', () => {
    for (const b of fixtures) expect(agree(b)).toBe(true);
    fc.assert(fc.property(si, (d) => { expect(agree(encodeSi(d))).toBe(true); }), { numRuns: 500 });
  });

  it('agrees or steps aside on near-valid documents and on the fuzz corpus', () => {
    const seeds = [...fixtures, ...fc.sample(si, { numRuns: 20, seed: 7 }).map((d) => encodeSi(d))];
    let answered = 0;
    fc.assert(fc.property(nearValid(seeds), (b) => { if (agree(b)) answered++; }), { numRuns: 5_000 });
    expect(answered).toBeGreaterThan(1_000);
    const corpus = new URL('../../fuzz/corpus/si/', import.meta.url);
    for (const f of readdirSync(corpus)) agree(readFileSync(new URL(f, corpus)));
  });
});
