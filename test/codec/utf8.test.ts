// encodeUtf8 and decodeUtf8 against Node's TextEncoder/TextDecoder, on both sides of their
// loop thresholds, with non-ASCII text and lone surrogates (which both sides write as U+FFFD).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8 } from '../../src/codec/utf8.js';

const reference = new TextEncoder();

describe('UTF-8 text', () => {
  it('encodes as TextEncoder does, short and long, ASCII or not', () => {
    for (const s of ['', 'a', 'x'.repeat(64), 'x'.repeat(65), 'é', `${'x'.repeat(63)}é`, '\ud800', 'a\udc00b', '😀']) {
      expect(encodeUtf8(s), JSON.stringify(s)).toEqual(reference.encode(s));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        expect(encodeUtf8(s)).toEqual(reference.encode(s));
      }),
      { numRuns: 2_000 },
    );
  });

  it('decodes what it encodes, at offsets', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.nat(5), (s, pad) => {
        const body = encodeUtf8(s);
        const buf = new Uint8Array(pad + body.length + 1);
        buf.set(body, pad);
        expect(decodeUtf8(buf, pad, pad + body.length)).toBe(s);
      }),
      { numRuns: 1_000 },
    );
  });
});
