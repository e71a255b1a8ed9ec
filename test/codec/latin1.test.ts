// decodeLatin1: one character per octet, on both sides of the loop/native threshold, for plain
// Uint8Arrays and Buffers, at offsets. The reference is Node's own latin1 decoding.
import { describe, expect, it } from 'vitest';
import { decodeLatin1, LATIN1_LOOP_MAX } from '../../src/codec/latin1.js';

describe('decodeLatin1', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);

  it('maps every octet value to the character of that code, as Buffer#toString("latin1") does', () => {
    expect(decodeLatin1(all, 0, 256)).toBe(Buffer.from(all).toString('latin1'));
    for (let i = 0; i < 256; i++) expect(decodeLatin1(all, i, i + 1).charCodeAt(0)).toBe(i);
  });

  it('gives the same text below, at and above the loop threshold, at any offset, for Buffers too', () => {
    for (let n = 0; n <= LATIN1_LOOP_MAX + 3; n++) {
      for (const start of [0, 1, 250 - n]) {
        const want = Buffer.from(all.subarray(start, start + n)).toString('latin1');
        expect(decodeLatin1(all, start, start + n)).toBe(want);
        expect(decodeLatin1(Buffer.from(all), start, start + n)).toBe(want);
      }
    }
  });
});
