import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/codec/limits.js';
import { ByteReader } from '../../src/codec/reader.js';
import { ByteWriter } from '../../src/codec/writer.js';
import { readHeaders, writeHeaders, type WspHeader } from '../../src/codec/wsp/headers.js';
import { hex, thrown } from '../helpers.js';

const decode = (h: string, limits = DEFAULT_LIMITS) => {
  const b = hex(h);
  return readHeaders(new ByteReader(b), b.length, limits);
};
const encode = (hs: WspHeader[]) => {
  const w = new ByteWriter();
  writeHeaders(w, hs);
  return Buffer.from(w.finish()).toString('hex');
};

// Each vector is built from the field code (WAP-230 Table 39) and the value encoding the
// field's ABNF in WAP-230 8.4.2 defines; the comment names the rule.
describe('well-known headers (WAP-230 8.4.2)', () => {
  const cases: Array<[string, string, string | number]> = [
    ['af84', 'X-Wap-Application-Id', 'x-wap-application:mms.ua'], // App-assigned-code, Short-integer
    ['af029000', 'X-Wap-Application-Id', 'x-wap-docomo:imode.mail2.ua'], // Long-integer 0x9000
    ['af02abcd', 'X-Wap-Application-Id', 0xabcd], // unregistered code stays a number
    ['af75726e3a783a7900', 'X-Wap-Application-Id', 'urn:x:y'], // Absolute-uri
    ['8d81', 'Content-Length', 1],
    ['8d020400', 'Content-Length', 1024],
    ['b481', 'Push-Flag', 1],
    ['9204386d4380', 'Date', '2000-01-01T00:00:00Z'],
    ['8e687474703a2f2f612f00', 'Content-Location', 'http://a/'],
    ['8c99', 'Content-Language', 'en'],
    ['c392', 'Encoding-Version', '1.2'],
    ['c680', 'X-Wap-Security', 'close-subordinate'],
    ['c0223c69643e00', 'Content-ID', '<id>'],
    ['b0687474703a2f2f632f00', 'X-Wap-Content-URI', 'http://c/'],
    ['b1687474703a2f2f692f00', 'X-Wap-Initiator-URI', 'http://i/'],
    ['8b80', 'Content-Encoding', 'gzip'],
    ['8882', 'Cache-Control', 'max-age'],
    ['88028282', 'Cache-Control', 'max-age=2'], // Value-length, Max-age, Delta-seconds,
    ['c50181', 'Content-Disposition', 'attachment'], // Value-length, Attachment,
    ['81ea', 'Accept-Charset', 'utf-8'],
    ['8102ea33', 'Accept-Charset', 'utf-8;q=0.5'], // general form: Value-length, charset, Q-value,
    ['80ae', 'Accept', 'application/vnd.wap.sic'],
    ['b280', 'Accept-Application', '*'],
    ['aa8d', 'Vary', 'Content-Length'],
    ['a6537276763100', 'Server', 'Srvv1'],
    ['a5028180', 'Retry-After', 0], // Value-length, Relative (0x81), Delta-seconds,
  ];
  for (const [h, name, value] of cases) {
    it(`${h} -> ${name}: ${value}`, () => {
      const [hd, ...more] = decode(h);
      expect(more).toHaveLength(0);
      expect(hd.name).toBe(name);
      expect(hd.value).toEqual(value);
    });
  }
});

describe('header block structure', () => {
  it('application header: Token-text then Text-string', () => {
    expect(decode('582d466f6f0062617200')).toEqual([{ name: 'X-Foo', value: 'bar' }]);
  });
  it('shift sequence and short-cut shift change the code page; unknown pages keep code and octets', () => {
    const hs = decode('7f028581' + '038d81');
    expect(hs[0]).toMatchObject({ name: 'page2:0x5', code: 5, page: 2 });
    expect(hs[1]).toMatchObject({ code: 0x0d, page: 3 });
  });
  it('unknown well-known code is kept with its code and raw value', () => {
    const [h] = decode('db03010203');
    expect(h.name).toBe('0x5b');
    expect(h.code).toBe(0x5b);
    expect(Buffer.from(h.raw!).toString('hex')).toBe('03010203');
  });
  it('maxHeaders is enforced with LIMIT', () => {
    const e = thrown(() => decode('8d81'.repeat(5), { ...DEFAULT_LIMITS, maxHeaders: 4 }));
    expect(e.code).toBe('LIMIT');
    expect(e.offset).toBe(8);
  });
  it('a value longer than the block is BAD_LENGTH', () => {
    expect(thrown(() => decode('8e05aa')).code).toBe('BAD_LENGTH');
  });
  it('an empty header name is BAD_VALUE', () => {
    expect(thrown(() => decode('0061')).code).toBe('BAD_VALUE');
  });
});

describe('header encoder', () => {
  it('uses well-known codes and value encodings', () => {
    expect(encode([{ name: 'X-Wap-Application-Id', value: 'x-wap-application:mms.ua' }])).toBe('af84');
    expect(encode([{ name: 'content-length', value: 1024 }])).toBe('8d020400');
    expect(encode([{ name: 'X-Foo', value: 'bar' }])).toBe('582d466f6f0062617200');
  });
  it('round-trips every value kind it can write', () => {
    const hs: WspHeader[] = [
      { name: 'X-Wap-Application-Id', value: 'urn:x-oma:app' },
      { name: 'X-Wap-Application-Id', value: 0x1234 },
      { name: 'Content-Length', value: 123456 },
      { name: 'Date', value: '2011-11-22T10:00:00Z' },
      { name: 'Expires', value: '2011-12-22T10:00:00Z' },
      { name: 'Content-Location', value: 'http://x/y' },
      { name: 'Content-Language', value: 'fr' },
      { name: 'Content-Language', value: 'x-klingon' },
      { name: 'Encoding-Version', value: '1.3' },
      { name: 'X-Wap-Security', value: 'close-subordinate' },
      { name: 'Content-ID', value: '<part1>' },
      { name: 'Push-Flag', value: 3 },
      { name: 'Cache-Control', value: 'no-cache' },
      { name: 'Cache-Control', value: 'max-age=3600' },
      { name: 'Content-Disposition', value: 'attachment; filename=a.txt' },
      { name: 'Accept-Charset', value: 'utf-16' },
      { name: 'Accept-Charset', value: 'iso-8859-1;q=0.7' },
      { name: 'Accept-Language', value: 'rm' },
      { name: 'Accept-Encoding', value: 'deflate;q=0.5' },
      { name: 'Accept', value: 'application/vnd.wap.sic; q=0.5' },
      { name: 'Content-MD5', value: Buffer.alloc(16, 7).toString('base64') },
      { name: 'Content-Range', value: 'bytes 10-/200' },
      { name: 'Retry-After', value: 120 },
      { name: 'Warning', value: '110 gw "stale"' },
      { name: 'Vary', value: 'Date' },
      { name: 'Allow', value: 'GET' },
      { name: 'If-Range', value: 'etag-1' },
      { name: 'X-Custom', value: 'v' },
    ];
    const b = hex(encode(hs));
    const back = readHeaders(new ByteReader(b), b.length, DEFAULT_LIMITS);
    expect(back.map((h) => [h.name.toLowerCase(), h.value])).toEqual(hs.map((h) => [h.name.toLowerCase(), h.value]));
  });
});
