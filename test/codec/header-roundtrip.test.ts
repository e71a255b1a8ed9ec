// Every well-known header both ways (issue 20): a value in its HTTP form, generated, encodes and
// decodes back to itself. The generators build the canonical text with their own quoting
// (RFC 2616 2.2: a token stays bare, anything else is a quoted-string with \ escapes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/codec/limits.js';
import { ByteReader } from '../../src/codec/reader.js';
import { ByteWriter } from '../../src/codec/writer.js';
import { readHeaders, writeHeaders, type WspHeader } from '../../src/codec/wsp/headers.js';
import { isoDate } from './arbitraries.js';

function roundTrip(h: WspHeader): string | number {
  const w = new ByteWriter();
  writeHeaders(w, [h]);
  const b = w.finish();
  const back = readHeaders(new ByteReader(b), b.length, DEFAULT_LIMITS);
  expect(back).toHaveLength(1);
  expect(back[0].name.toLowerCase()).toBe(h.name.toLowerCase());
  return back[0].value;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const quoted = (v: string) => (TOKEN.test(v) ? v : `"${v.replace(/(["\\])/g, '\\$1')}"`);
const pair = (k: string, v: string) => (v === '' ? k : `${k}=${quoted(v)}`);

/** Names WAP-230 Table 38 does not assign, so they travel as Token-text (a typed one has its own value rule). */
const name = fc.stringMatching(/^x-[a-z0-9]{1,6}$/);
/** TEXT: printable ASCII, quotes and backslashes included. */
const text = fc.stringMatching(/^[ -~]{0,12}$/);
const params = fc.uniqueArray(fc.tuple(name, text), { maxLength: 3, selector: ([k]) => k });
const scheme = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,9}$/).filter((s) => s.toLowerCase() !== 'basic');
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const octets = fc
  .uint8Array({ maxLength: 40 })
  .map((b) => `data:application/octet-stream;base64,${Buffer.from(b).toString('base64')}`);

const values: Record<string, fc.Arbitrary<string>> = {
  Authorization: fc.oneof(
    fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9._-]{0,8}$/), fc.stringMatching(/^[ -~]{0,10}$/))
      .map(([u, p]) => `Basic ${b64(`${u}:${p}`)}`),
    fc.tuple(scheme, params).map(([s, ps]) => (ps.length ? `${s} ${ps.map(([k, v]) => pair(k, v)).join(', ')}` : s)),
  ),
  'WWW-Authenticate': fc.oneof(
    text.map((r) => `Basic realm="${r.replace(/(["\\])/g, '\\$1')}"`),
    fc
      .tuple(scheme, text, params)
      .map(([s, r, ps]) =>
        [`${s} realm="${r.replace(/(["\\])/g, '\\$1')}"`, ...ps.map(([k, v]) => pair(k, v))].join(', '),
      ),
  ),
  Range: fc.oneof(
    fc.tuple(uint32, fc.option(uint32, { nil: undefined })).map(([a, b]) => `bytes=${a}-${b ?? ''}`),
    uint32.map((n) => `bytes=-${n}`),
  ),
  'Profile-Diff': octets,
  'Profile-Warning': fc.oneof(
    fc.constantFrom('100', '101', '102', '200', '201', '202', '203'),
    fc
      .tuple(
        fc.constantFrom('100', '102', '203'),
        fc.stringMatching(/^http:\/\/[a-z]{1,8}\/[a-z]{0,6}$/),
        fc.array(isoDate, { maxLength: 2 }),
      )
      .map(([c, t, ds]) => [c, t, ...ds.map((d) => `"${d}"`)].join(' ')),
  ),
  'Set-Cookie': fc
    .tuple(name, text, fc.constantFrom('0', '1', '1.1'), fc.option(text, { nil: undefined }))
    .map(([n, v, ver, path]) =>
      [pair(n, v), `version=${ver}`, ...(path === undefined ? [] : [pair('path', path)])].join('; '),
    ),
  Cookie: fc
    .tuple(
      fc.constantFrom('0', '1'),
      fc.array(
        fc.tuple(name, text, fc.option(fc.tuple(text, fc.option(text, { nil: undefined })), { nil: undefined })),
        {
          maxLength: 3,
        },
      ),
    )
    .map(([ver, cookies]) =>
      [
        `$Version=${ver}`,
        ...cookies.flatMap(([n, v, pd]) => [
          pair(n, v),
          ...(pd ? [pair('$Path', pd[0]), ...(pd[1] === undefined ? [] : [pair('$Domain', pd[1])])] : []),
        ]),
      ].join('; '),
    ),
  'X-Wap-Loc-Invocation': fc.oneof(fc.stringMatching(/^<[a-z]{1,8}( [a-z]+="[a-z0-9 ]*")?\/>$/), octets),
  'X-Wap-Loc-Delivery': fc.oneof(fc.stringMatching(/^[a-z]{1,8}:[ -~]{0,12}$/), octets),
  Expect: fc.oneof(
    fc.constant('100-continue'),
    fc.tuple(name, text, params).map(([k, v, ps]) => [pair(k, v), ...ps.map(([pk, pv]) => pair(pk, pv))].join('; ')),
  ),
  TE: fc.oneof(
    fc.constant('trailers'),
    fc
      .tuple(
        fc.oneof(fc.constantFrom('chunked', 'identity', 'gzip', 'compress', 'deflate'), name),
        fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
      )
      .map(([c, q]) => (q === undefined ? c : `${c};q=${q / 100}`)),
  ),
  Pragma: fc.oneof(
    fc.constant('no-cache'),
    fc.tuple(name, text).map(([k, v]) => pair(k, v)),
  ),
};
// The same rules under their other codes.
values['Proxy-Authorization'] = values.Authorization;
values['Proxy-Authenticate'] = values['WWW-Authenticate'];

describe('well-known headers round-trip in their HTTP form (property)', () => {
  for (const [header, arb] of Object.entries(values)) {
    it(header, () => {
      fc.assert(
        fc.property(arb, (value) => {
          expect(roundTrip({ name: header, value })).toBe(value);
        }),
        { numRuns: 200 },
      );
    });
  }
  it('the 1.4/1.5 codes of Profile-Warning (0x44) and Expect (0x48) read as the 1.2 ones', () => {
    fc.assert(
      fc.property(values['Profile-Warning'], values.Expect, (pw, ex) => {
        expect(roundTrip({ name: 'Profile-Warning', code: 0x44, value: pw })).toBe(pw);
        expect(roundTrip({ name: 'Expect', code: 0x48, value: ex })).toBe(ex);
      }),
      { numRuns: 100 },
    );
  });
});
