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
