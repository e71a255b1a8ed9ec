import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { copyPrinting, fingerprintAt } from '../../src/wdp/fingerprint.js';
import { Reassembler, fingerprint } from '../../src/wdp/reassembler.js';

/** Octets of `length` that are not all alike (a small linear congruence). */
function octets(length: number, seed: number): Uint8Array {
  let x = seed >>> 0;
  return Uint8Array.from({ length }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

/** `b` with bit `bit` (0 to 7) flipped in each octet of `at`. */
function flipped(b: Uint8Array, at: readonly number[], bit = 7): Uint8Array {
  const c = b.slice();
  for (const i of at) c[i] ^= 1 << bit;
  return c;
}

function seg(total: number, sequence: number, data: Uint8Array): Segment {
  return {
    originator: '+447700900123',
    recipient: '+447700900000',
    reference: 42,
    referenceBits: 8,
    total,
    sequence,
    data,
  };
}

// The pairs a review found: 0x80 flipped in two octets whose offsets are 3 more than a multiple
// of four (each word's bit 31) left the print as it was.
const REVIEWED_PAIRS = [
  [3, 7],
  [3, 39],
  [3, 11],
  [7, 39],
] as const;

describe('segment fingerprint', () => {
  it('0x80 flipped in octets 3 and 7, or 3 and 39, changes the print', () => {
    for (const length of [40, 128, 133]) {
      const b = octets(length, length);
      for (const pair of REVIEWED_PAIRS) expect(fingerprint(flipped(b, pair))).not.toBe(fingerprint(b));
    }
  });

  it('a segment so changed, on a reused reference, is a new message, not a late duplicate', () => {
    // In order the message is one run and its prints are read from the run's store; out of order
    // they are read from each part: both ways are checked against the resent segment.
    for (const inOrder of [true, false]) {
      for (const pair of REVIEWED_PAIRS) {
        const r = new Reassembler({ maxPendingMessages: 10 });
        const parts = [octets(128, 1), octets(128, 2), octets(40, 3)];
        const order = inOrder ? [0, 1, 2] : [2, 0, 1];
        let done = 0;
        for (const i of order) if (r.push(seg(3, i + 1, parts[i])) !== undefined) done++;
        expect(done).toBe(1);
        expect(r.push(seg(3, 3, parts[2].slice()))).toBeUndefined();
        expect(r.stats.lateDuplicates).toBe(1);
        r.push(seg(3, 1, flipped(parts[0], pair)));
        expect(r.stats.lateDuplicates).toBe(1);
        expect(r.pendingMessages).toBe(1);
      }
    }
  });

  // A 30-bit print cannot keep apart every pair of a segment's two-bit neighbours in general (a
  // 140-octet segment has 626,640 of them and the hash is not a code built for it), so the
  // structured families a word-at-a-time hash is weakest on are checked whole: the same bit
  // flipped at two offsets 4k+j and 4m+j, for every j, k, m and bit, and every single bit.
  it('every single-bit flip, and every same-bit flip at two offsets alike mod 4, changes the print', () => {
    for (const length of [8, 15, 40, 67, 133, 140]) {
      const b = octets(length, 7 * length);
      const print = fingerprint(b);
      let other = 0;
      let tried = 0;
      for (let bit = 0; bit < 8; bit++) {
        for (let i = 0; i < length; i++) {
          tried++;
          if (fingerprint(flipped(b, [i], bit)) !== print) other++;
          for (let k = i + 4; k < length; k += 4) {
            tried++;
            if (fingerprint(flipped(b, [i, k], bit)) !== print) other++;
          }
        }
      }
      expect(other).toBe(tried);
    }
  });

  it('flipping any one or two bits of a segment changes its print', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 160 }),
        fc.integer(),
        fc.nat(),
        fc.option(fc.nat(), { nil: undefined }),
        (length, seed, first, second) => {
          const b = octets(length, seed);
          const c = b.slice();
          const x = first % (length * 8);
          c[x >> 3] ^= 1 << (x & 7);
          if (second !== undefined) {
            const y = second % (length * 8);
            if (y === x) return; // the same bit twice is no change
            c[y >> 3] ^= 1 << (y & 7);
          }
          expect(fingerprint(c)).not.toBe(fingerprint(b));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('a print of a sub-range is the print of those octets alone', () => {
    const b = octets(50, 9);
    expect(fingerprint(b, 5, 45)).toBe(fingerprint(b.slice(5, 45)));
  });

  it('its three forms give one print, and copyPrinting copies the octets, at any offset and length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer(),
        (length, from, to, seed) => {
          const b = octets(from + length + 3, seed);
          const print = fingerprint(b, from, from + length);
          expect(fingerprintAt(new DataView(b.buffer), from, from + length)).toBe(print);
          const out = new Uint8Array(to + length + 5).fill(0xa5);
          expect(copyPrinting(new DataView(b.buffer), from, from + length, new DataView(out.buffer), to)).toBe(print);
          expect(out.subarray(to, to + length)).toEqual(b.subarray(from, from + length));
          // Nothing written either side of the copy.
          expect(out.subarray(0, to).every((x) => x === 0xa5)).toBe(true);
          expect(out.subarray(to + length).every((x) => x === 0xa5)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
