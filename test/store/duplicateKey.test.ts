// The duplicate memory's key is the SHA-256 of what it is given (a string as its UTF-8 octets),
// in base64url, its first 22 characters (132 bits): the form entries already stored were written under, so a
// store written by an older version still recognises its repeats. Vectors: FIPS 180-2,
// appendix B.1 ("abc") and B.2 (the 448-bit message).
import { describe, expect, it } from 'vitest';
import { duplicateKey } from '../../src/store/keys.js';

const first22 = (hex: string) => Buffer.from(hex, 'hex').toString('base64url').slice(0, 22);

describe('duplicateKey', () => {
  it('is the SHA-256 prefix of the FIPS 180-2 vectors, for a string and for its octets alike', () => {
    const abc = first22('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(duplicateKey('abc')).toBe(abc);
    expect(duplicateKey(Uint8Array.from([0x61, 0x62, 0x63]))).toBe(abc);
    expect(duplicateKey('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      first22('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'),
    );
    expect(abc).toHaveLength(22);
  });

  it('hashes a string as UTF-8 (an SMPP address read as Latin-1 above 0x7f included)', () => {
    expect(duplicateKey('\u00e9')).toBe(duplicateKey(Uint8Array.from([0xc3, 0xa9])));
  });
});
