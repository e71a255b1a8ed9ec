/**
 * Near-valid inputs: a valid seed with a few edits of the kinds that break parsers -
 * truncation, bit flips, a length or count octet off by one, a huge uintvar, a run of one
 * octet (deep nesting, long strings), an octet spliced in or out.
 */
import fc from 'fast-check';

type Edit =
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'off-by-one'; at: number; delta: 1 | -1 }
  | { kind: 'set'; at: number; v: number }
  | { kind: 'huge-uintvar'; at: number }
  | { kind: 'run'; at: number; n: number }
  | { kind: 'drop'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('off-by-one' as const),
    at: fc.nat(),
    delta: fc.constantFrom(1 as const, -1 as const),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    v: fc.constantFrom(0x00, 0x01, 0x1f, 0x7f, 0x80, 0xc3, 0x83, 0xff),
  }),
  fc.record({ kind: fc.constant('huge-uintvar' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('run' as const), at: fc.nat(), n: fc.integer({ min: 2, max: 2_000 }) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
);

export function applyEdits(seed: Uint8Array, edits: readonly Edit[]): Buffer {
  let b = Buffer.from(seed);
  for (const e of edits) {
    if (b.length === 0) break;
    const at = e.at % b.length;
    switch (e.kind) {
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'flip':
        b[at] ^= 1 << e.bit;
        break;
      case 'off-by-one':
        b[at] = (b[at] + e.delta) & 0xff;
        break;
      case 'set':
        b[at] = e.v;
        break;
      case 'huge-uintvar':
        b = Buffer.concat([b.subarray(0, at), Buffer.from([0x8f, 0xff, 0xff, 0xff, 0x7f]), b.subarray(at)]);
        break;
      case 'run':
        b = Buffer.concat([b.subarray(0, at), Buffer.alloc(e.n, b[at]), b.subarray(at)]);
        break;
      case 'drop':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        break;
    }
  }
  return b;
}

/** A seed picked from `seeds`, then 1-6 edits. */
export function nearValid(seeds: readonly Uint8Array[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 }))
    .map(([s, e]) => applyEdits(s, e));
}
