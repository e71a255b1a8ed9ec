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

// The headers WSP 1.2-1.5 define that were kept as octets before issue 20. Each vector is built
// from the field's ABNF in WAP-230 8.4.2 (the comment names the rule); the text is the HTTP form.
describe('credentials, challenges, ranges, profiles, cookies, location, Expect, TE, Pragma (WAP-230 8.4.2)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const cases: Array<[string, string, string]> = [
    // Value-length 08 | Basic (0x80) | User-id "ann" | Password "pw"
    ['8708' + '80' + '616e6e00' + '707700', 'Authorization', `Basic ${b64('ann:pw')}`],
    // Value-length | Authentication-scheme "Digest" | Auth-param: Token-text "nonce", Text-value "x1"
    ['a110' + '44696765737400' + '6e6f6e636500' + '783100', 'Proxy-Authorization', 'Digest nonce=x1'],
    // Value-length | Basic | Realm-value "WallyWorld" (RFC 2617's example)
    ['ad0c' + '80' + '57616c6c79576f726c6400', 'WWW-Authenticate', 'Basic realm="WallyWorld"'],
    // Value-length | "Digest" | Realm-value "a b" | Auth-param "stale" "false"
    [
      'a017' + '44696765737400' + '61206200' + '7374616c6500' + '66616c736500',
      'Proxy-Authenticate',
      'Digest realm="a b", stale=false',
    ],
    // Value-length | Byte-range (0x80) | First-byte-pos 500 (83 74) | Last-byte-pos 999 (87 67)
    ['a305' + '80' + '8374' + '8767', 'Range', 'bytes=500-999'],
    ['a303' + '80' + '8374', 'Range', 'bytes=500-'],
    // Value-length | Suffix-byte-range (0x81) | Suffix-length 500
    ['a303' + '81' + '8374', 'Range', 'bytes=-500'],
    // Value-length | the profile document's octets
    ['b603' + '010203', 'Profile-Diff', `data:application/octet-stream;base64,${b64('\x01\x02\x03')}`],
    // Profile-warning code 0x12 (102), short form; and Value-length | 0x21 (201) | Warn-target | Warn-date
    ['b792', 'Profile-Warning', '102'],
    ['c410' + 'a1' + '687474703a2f2f612f00' + '04386d4380', 'Profile-Warning', '201 http://a/ "2000-01-01T00:00:00Z"'],
    // Value-length | Cookie-version 0x9f (1) | Cookie-name "SID" | Cookie-val "31d4" | Parameter path (0x8f) "/"
    ['c10d' + '9f' + '53494400' + '3331643400' + '8f2f00', 'Set-Cookie', 'SID=31d4; version=1; path="/"'],
    // Value-length | Cookie-version | Cookie: Value-length "a" "b" Cookie-path "/" | Cookie: "c" "d"
    ['c20d' + '9f' + '0661006200' + '2f00' + '0463006400', 'Cookie', '$Version=1; a=b; $Path="/"; c=d'],
    ['c93c612f3e00', 'X-Wap-Loc-Invocation', '<a/>'],
    ['ca03' + '010203', 'X-Wap-Loc-Delivery', `data:application/octet-stream;base64,${b64('\x01\x02\x03')}`],
    ['b880', 'Expect', '100-continue'],
    // Value-length | Expression-var "foo" | Expression-value Quoted-string "b r"
    ['c809' + '666f6f00' + '2262207200', 'Expect', 'foo="b r"'],
    ['b981', 'TE', 'trailers'],
    // Value-length | Well-known-TE gzip (0x84) | Q-Parameter (0x80) Q-value 0.5 (uintvar 51)
    ['b903' + '84' + '80' + '33', 'TE', 'gzip;q=0.5'],
    ['9f80', 'Pragma', 'no-cache'],
    // Value-length | Parameter: Token-text "a" Text-value "b"
    ['9f04' + '6100' + '6200', 'Pragma', 'a=b'],
  ];
  for (const [h, name, value] of cases) {
    it(`${h} -> ${name}: ${value}`, () => {
      const [hd, ...more] = decode(h);
      expect(more).toHaveLength(0);
      expect(hd).toEqual({ name, value, code: parseInt(h.slice(0, 2), 16) & 0x7f });
      // ...and the encoder writes the same octets back.
      expect(encode([{ name, value }]).slice(2)).toBe(h.slice(2));
    });
  }
  it('what the HTTP form cannot say exactly (a scheme that is no token) stays octets, as before', () => {
    // Value-length | Authentication-scheme "a=b": '=' is a separator, so "a=b" would read back as a parameter.
    const [h] = decode('8704' + '613d6200');
    expect(h).toMatchObject({ name: 'Authorization', value: '613d6200' });
    expect(Buffer.from(h.raw!).toString('hex')).toBe('613d6200');
    expect(encode([h])).toBe('8704613d6200');
  });
  it('a Range form other than 0x80 and 0x81 is BAD_VALUE at it', () => {
    expect(thrown(() => decode('a30382' + '8374'))).toMatchObject({ code: 'BAD_VALUE', offset: 2 });
  });
  it('a Cookie whose own Value-length is wrong is BAD_LENGTH', () => {
    expect(thrown(() => decode('c208' + '9f' + '0361006200' + '2f00'))).toMatchObject({ code: 'BAD_LENGTH' });
  });
});
