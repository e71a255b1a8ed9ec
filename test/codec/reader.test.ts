import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/codec/errors.js';
import { ByteReader } from '../../src/codec/reader.js';
import { ByteWriter } from '../../src/codec/writer.js';
import { hex, thrown } from '../helpers.js';

// uintvar examples: WAP-230-WSP 8.1.2 (7 bits per octet, continuation bit 0x80, at most 5 octets)
describe('uintvar (WAP-230 8.1.2)', () => {
  const cases: Array<[string, number]> = [
    ['00', 0],
    ['7f', 127],
    ['8100', 128],
    ['8d2a', 0x6aa],
    ['ff7f', 16383],
    ['818000', 16384],
    ['8fffffff7f', 0xffffffff],
  ];
  for (const [h, v] of cases) {
    it(`${h} <-> ${v}`, () => {
      expect(new ByteReader(hex(h)).uintvar()).toBe(v);
      expect(Buffer.from(new ByteWriter().uintvar(v).finish()).toString('hex')).toBe(h);
    });
  }
  it('rejects a sixth octet', () => {
    const e = thrown(() => new ByteReader(hex('808080808001')).uintvar());
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.code).toBe('BAD_UINTVAR');
    expect(e.offset).toBe(0);
  });
  it('rejects more than 32 bits in 5 octets', () => {
    expect(thrown(() => new ByteReader(hex('9080808000')).uintvar()).code).toBe('BAD_UINTVAR');
  });
  it('reports truncation at the offset where input ends', () => {
    const e = thrown(() => new ByteReader(hex('0181'), 1).uintvar());
    expect(e.code).toBe('TRUNCATED');
    expect(e.offset).toBe(2);
  });
  it('views are not copies', () => {
    const buf = hex('00010203');
    const v = new ByteReader(buf).view(2);
    buf[0] = 9;
    expect(v[0]).toBe(9);
  });
});

describe('ByteWriter.utf8 (a loop for short ASCII, encodeInto otherwise)', () => {
  const enc = new TextEncoder();
  it('writes what TextEncoder writes, on both sides of the loop threshold, after other octets, across growth', () => {
    const texts = [
      '',
      'a',
      'a'.repeat(63),
      'a'.repeat(64),
      'a'.repeat(65),
      `${'a'.repeat(40)}é`,
      `é${'a'.repeat(70)}`,
      'x\ud83d\ude00y',
      'lone \ud800 surrogate',
      '\u0000nul',
    ];
    for (const t of texts) {
      const w = new ByteWriter(2);
      const out = w.u8(0xaa).utf8(t).u8(0xbb).finish();
      expect(Buffer.from(out).toString('hex'), JSON.stringify(t)).toBe(
        Buffer.from([0xaa, ...enc.encode(t), 0xbb]).toString('hex'),
      );
    }
  });
});

describe('WBXML encodes share their writers but never their results', () => {
  it('a result stays as it was after later encodes, a large one among them', async () => {
    const { encodeSi } = await import('../../src/codec/wbxml/si.js');
    const { decodeSi } = await import('../../src/codec/wbxml/si.js');
    const first = encodeSi({ href: 'http://a.example/', text: 'first' });
    const copy = Uint8Array.from(first);
    // Same size, same writers, no growth between: a result that were a view of them would change here.
    const second = encodeSi({ href: 'http://z.example/', text: 'other' });
    expect(first).toEqual(copy);
    expect(second).not.toEqual(copy);
    const big = encodeSi({ href: 'http://b.example/', text: 'x'.repeat(100_000) });
    const after = encodeSi({ href: 'http://c.example/', text: 'after' });
    expect(first).toEqual(copy);
    expect(decodeSi(big, { limits: { maxStringLength: 200_000 } }).text).toHaveLength(100_000);
    expect(decodeSi(after)).toMatchObject({ href: 'http://c.example/', text: 'after' });
    expect(first.buffer).not.toBe(after.buffer);
  });
});
