import { describe, expect, it } from 'vitest';
import { decodeUdh, udhLength, writeUdh, type UdhInit } from '../../src/wdp/udh.js';
import { hex, thrown } from '../helpers.js';

describe('decodeUdh: published headers', () => {
  it('16-bit ports, 2948 <- 9200 (06 05 04 0b84 23f0, the NowSMS capture: test/fixtures/wsp/01-nowsms-forum-si.json)', () => {
    const h = decodeUdh(hex('0605040b8423f0 01'));
    expect(h).toEqual({
      length: 7,
      ports: { destination: 2948, source: 9200, bits: 16 },
      concatenation: undefined,
      others: [],
    });
  });
  it('ports and 8-bit concatenation (people.dsv.su.se "WAP-PUSH SMS Encoding": 0B 05 04 0B84 23F0 00 03 01 01 01)', () => {
    const h = decodeUdh(hex('0b05040b8423f0000301010101 0606'));
    expect(h.length).toBe(12);
    expect(h.ports).toEqual({ destination: 2948, source: 9200, bits: 16 });
    expect(h.concatenation).toEqual({ reference: 1, referenceBits: 8, total: 1, sequence: 1 });
  });
  it('16-bit reference (IEI 08, TS 23.040 9.2.3.24.8) and 8-bit ports (IEI 04)', () => {
    const h = decodeUdh(hex('0a 08 04 1234 03 02 04 02 f0 c4 ff'));
    expect(h.concatenation).toEqual({ reference: 0x1234, referenceBits: 16, total: 3, sequence: 2 });
    expect(h.ports).toEqual({ destination: 0xf0, source: 0xc4, bits: 8 });
    expect(h.length).toBe(11);
  });
  it('unknown elements are skipped and kept, in order, as views', () => {
    const buf = hex('0b 24 01 01 05040b8423f0 25 00 aa');
    const h = decodeUdh(buf);
    expect(h.others.map((e) => [e.iei, Buffer.from(e.data).toString('hex')])).toEqual([
      [0x24, '01'],
      [0x25, ''],
    ]);
    expect(h.others[0].data.buffer).toBe(buf.buffer);
    expect(h.ports?.destination).toBe(2948);
  });
  it('an empty header (UDHL 0) is allowed', () => {
    expect(decodeUdh(hex('00 01 02'))).toMatchObject({ length: 1, others: [] });
  });
});

describe('decodeUdh: typed errors with offsets', () => {
  const cases: Array<[string, string, string, number]> = [
    ['no octet at all', '', 'TRUNCATED', 0],
    ['UDHL past the end', '0b05040b84', 'BAD_LENGTH', 0],
    ['element length past the header end', '04 05 06 0b84 23f0', 'BAD_LENGTH', 2],
    ['element without its length octet', '01 05', 'BAD_LENGTH', 1],
    ['16-bit ports element of the wrong size', '05 05 03 0b84 23', 'BAD_LENGTH', 2],
    ['8-bit concatenation element of the wrong size', '04 00 02 01 02', 'BAD_LENGTH', 2],
    ['concatenation repeated', '0a 00 03 01 02 01 00 03 01 02 02', 'BAD_VALUE', 6],
    ['8-bit and 16-bit concatenation together', '0b 00 03 01 02 01 08 04 0001 02 01', 'BAD_VALUE', 6],
    ['ports repeated', '0c 05 04 0b84 23f0 05 04 0b84 23f0', 'BAD_VALUE', 7],
    ['8-bit and 16-bit ports together', '0a 04 02 01 02 05 04 0b84 23f0', 'BAD_VALUE', 5],
  ];
  for (const [what, input, code, offset] of cases) {
    it(what, () => {
      const e = thrown(() => decodeUdh(hex(input)));
      expect(e).toMatchObject({ name: 'DecodeError', code, offset });
    });
  }
  it('offsets are absolute when the header starts inside a bigger buffer', () => {
    expect(thrown(() => decodeUdh(hex('ffff 04 05 06 0b84 23f0'), 2))).toMatchObject({ code: 'BAD_LENGTH', offset: 4 });
  });
});

describe('writeUdh', () => {
  const inits: UdhInit[] = [
    { ports: { destination: 2948, source: 9200, bits: 16 } },
    {
      ports: { destination: 0x42, source: 0x43, bits: 8 },
      concatenation: { reference: 200, referenceBits: 8, total: 9, sequence: 3 },
    },
    {
      ports: { destination: 2948, source: 9200, bits: 16 },
      concatenation: { reference: 0xbeef, referenceBits: 16, total: 255, sequence: 255 },
    },
    {
      concatenation: { reference: 1, referenceBits: 8, total: 2, sequence: 1 },
      others: [{ iei: 0x24, data: hex('01') }],
    },
  ];
  for (const init of inits) {
    it(`writes what decodeUdh reads: ${JSON.stringify(init)}`, () => {
      const out = new Uint8Array(udhLength(init));
      expect(writeUdh(out, 0, init)).toBe(out.length);
      const h = decodeUdh(out);
      expect(h.length).toBe(out.length);
      expect(h.ports).toEqual(init.ports);
      expect(h.concatenation).toEqual(init.concatenation);
      expect(h.others.map((e) => e.iei)).toEqual((init.others ?? []).map((e) => e.iei));
    });
  }
  it("matches Kannel's octets for ports only", () => {
    const out = new Uint8Array(7);
    writeUdh(out, 0, { ports: { destination: 2948, source: 9200, bits: 16 } });
    expect(Buffer.from(out).toString('hex')).toBe('0605040b8423f0');
  });
  it('refuses values that do not fit', () => {
    const out = new Uint8Array(16);
    expect(thrown(() => writeUdh(out, 0, { ports: { destination: 300, source: 1, bits: 8 } }))).toMatchObject({
      name: 'EncodeError',
      code: 'OUT_OF_RANGE',
    });
    expect(
      thrown(() => writeUdh(out, 0, { concatenation: { reference: 256, referenceBits: 8, total: 2, sequence: 1 } })),
    ).toMatchObject({ code: 'OUT_OF_RANGE' });
  });
});
