// Node's loan to the codec (src/nodeHost.ts): the lent slicers are plain functions of
// (buffer, start, end), called straight by the codec, and read what Buffer's own decoders read.
// The reference is Buffer#toString on a copy of the same octets.
import { describe, expect, it } from 'vitest';
import '../../src/nodeHost.js';
import { host } from '../../src/codec/host.js';
import { decodeLatin1 } from '../../src/codec/latin1.js';
import { decodeUtf8 } from '../../src/codec/utf8.js';

describe('the host loan', () => {
  // "x" then "Grüße, 東京" in UTF-8, then a malformed sequence (C3 alone before "!"): 1 + 20 octets.
  const octets = Uint8Array.from([0x78, ...Buffer.from('Grüße, 東京', 'utf8'), 0xc3, 0x21]);

  it('lends slicers called with the buffer as an argument, not as `this`', () => {
    const { utf8Slice, latin1Slice } = host;
    if (!utf8Slice || !latin1Slice) throw new Error('nodeHost lent no slicers');
    const copy = Buffer.from(octets.subarray(1));
    // Called with no `this` at all: a slicer that needs one throws here.
    expect(utf8Slice(octets, 1, octets.length)).toBe(copy.toString('utf8'));
    expect(latin1Slice(octets, 1, octets.length)).toBe(copy.toString('latin1'));
  });

  it('is what decodeUtf8 and decodeLatin1 use past their loops, at an offset into a plain Uint8Array', () => {
    const copy = Buffer.from(octets.subarray(1));
    expect(decodeUtf8(octets, 1, octets.length)).toBe(copy.toString('utf8'));
    expect(decodeLatin1(octets, 1, octets.length)).toBe(copy.toString('latin1'));
  });
});
