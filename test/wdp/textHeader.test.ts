import { describe, expect, it } from 'vitest';
import { decodeTextHeader, encodeTextHeader, hasTextHeader } from '../../src/wdp/textHeader.js';
import { segmentFromUserData } from '../../src/wdp/userData.js';
import { thrown } from '../helpers.js';

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('WDP text header (//SCK)', () => {
  it('long form with reference, total and sequence, then CR LF data (Symbian WAP SMS test suite, TE_WAPSMS: 72 octets of vCard after the header)', () => {
    const text =
      '//SCKL23F40000090101 \r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN:Smith;Mike\r\nTEL;REF:+55512345\r\nEND:VCARD\r\n';
    const h = decodeTextHeader(ascii(text));
    expect(h.ports).toEqual({ destination: 0x23f4, source: 0, bits: 16 });
    expect(h.concatenation).toEqual({ reference: 9, referenceBits: 8, total: 1, sequence: 1 });
    expect(text.length - h.length).toBe(72);
  });
  it('header ended by CR LF (Symbian test 038: //SCKL55805580C20201)', () => {
    const h = decodeTextHeader(ascii('//SCKL55805580C20201\r\nAAAA'));
    expect(h).toEqual({
      length: 22,
      ports: { destination: 0x5580, source: 0x5580, bits: 16 },
      concatenation: { reference: 0xc2, referenceBits: 8, total: 2, sequence: 1 },
    });
  });
  it('segments of a 3-part message (ActiveXperts SCKL format page: //SCKL15811581A50301 USERDATA)', () => {
    const h = decodeTextHeader(ascii('//SCKL15811581A50303 USERDATA'));
    expect(h.concatenation).toEqual({ reference: 0xa5, referenceBits: 8, total: 3, sequence: 3 });
    expect(h.length).toBe('//SCKL15811581A50303 '.length);
  });
  it('destination only: the originator port is the destination port (//SCKL1581 ...)', () => {
    expect(decodeTextHeader(ascii('//SCKL1581 024A3A')).ports).toEqual({
      destination: 0x1581,
      source: 0x1581,
      bits: 16,
    });
  });
  it('8-bit forms: //SCKdd, //SCKddoo, //SCKddoorrttss; header alone', () => {
    expect(decodeTextHeader(ascii('//SCKF0'))).toEqual({
      length: 7,
      ports: { destination: 0xf0, source: 0xf0, bits: 8 },
    });
    expect(decodeTextHeader(ascii('//SCKf0c4 x')).ports).toEqual({ destination: 0xf0, source: 0xc4, bits: 8 });
    expect(decodeTextHeader(ascii('//SCKF0C4010201\nx'))).toMatchObject({
      length: 16,
      concatenation: { reference: 1, total: 2, sequence: 1 },
    });
  });
  it('typed errors: wrong digit count, stray character, not a header', () => {
    expect(thrown(() => decodeTextHeader(ascii('//SCKL158 x')))).toMatchObject({ code: 'BAD_LENGTH', offset: 6 });
    expect(thrown(() => decodeTextHeader(ascii('//SCKL1581Z')))).toMatchObject({ code: 'BAD_VALUE', offset: 10 });
    expect(thrown(() => decodeTextHeader(ascii('//SCX')))).toMatchObject({ code: 'BAD_VALUE', offset: 0 });
    expect(hasTextHeader(ascii('hello'))).toBe(false);
  });
  it('encodeTextHeader writes what decodeTextHeader reads', () => {
    const s = encodeTextHeader(
      { destination: 2948, source: 9200, bits: 16 },
      { reference: 0x7b, referenceBits: 8, total: 3, sequence: 2 },
    );
    expect(s).toBe('//SCKL0B8423F07B0302 ');
    expect(decodeTextHeader(ascii(s + 'data'))).toMatchObject({
      length: s.length,
      ports: { destination: 2948, source: 9200 },
      concatenation: { reference: 0x7b, total: 3, sequence: 2 },
    });
    expect(thrown(() => encodeTextHeader({ destination: 256, source: 1, bits: 8 }))).toMatchObject({
      code: 'OUT_OF_RANGE',
    });
  });
  it('segmentFromUserData takes the text header when asked (7-bit alphabets)', () => {
    const seg = segmentFromUserData(ascii('//SCKL0B8423F07B0302 abc'), {
      udhi: false,
      textHeader: true,
      originator: 'a',
      recipient: 'b',
    });
    expect(seg).toMatchObject({
      originator: 'a',
      recipient: 'b',
      sourcePort: 9200,
      destinationPort: 2948,
      reference: 0x7b,
      total: 3,
      sequence: 2,
    });
    expect(Buffer.from(seg.data).toString()).toBe('abc');
  });
});
