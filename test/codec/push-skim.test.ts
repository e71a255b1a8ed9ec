// The skim of a push PDU vouches for the full decode: when it answers, decodePushPdu on the same
// octets and limits succeeds with the same routing values; what it does not answer, the full
// decode answers (a value or its error). Checked on the fixtures, on arbitrary header blocks built
// from valid and broken WSP header encodings, and on mutated fixtures (fast-check, fixed seed:
// test/setup/fastCheckSeed.ts). decodePushRouting, built on the skim, is checked the same way
// against the full decode: the same values when it answers, the same DecodeError when not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Limits } from '../../src/codec/limits.js';
import { openWarnings, closeWarnings } from '../../src/codec/warnings.js';
import { DecodeError } from '../../src/codec/errors.js';
import { decodePushPdu, decodePushRouting, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { skimPushPdu } from '../../src/codec/wsp/pushSkim.js';
import { hex, loadFixtures, thrown } from '../helpers.js';

/** What `fn` gives: its value, or what it threw. */
function attempt<T>(fn: () => T): { value?: T; error?: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

/** 'skimmed' when the skim answered (and agreed with the full decode), 'fell back' when it left it to the full decode. */
function agree(pdu: Uint8Array, limits?: Partial<Limits>): 'skimmed' | 'fell back' {
  const skim = skimPushPdu(pdu, { limits });
  const full = attempt(() => decodePushPdu(pdu, { limits }));
  if (skim === undefined) return 'fell back';
  expect(full.error).toBeUndefined();
  const m = full.value!;
  expect(skim).toEqual({
    transactionId: m.transactionId,
    pduType: m.pduType,
    contentType: m.contentType,
    applicationId: m.applicationId,
    bodyOffset: m.bodyOffset,
  });
  return 'skimmed';
}

const fixtures = loadFixtures<{ pdu: string }>('wsp');

describe('push PDU skim', () => {
  it('skims the pipeline bench push and gives what the full decode gives', () => {
    // TID 02, Push 06, HeadersLen 03, content type ae (0x2e application/vnd.wap.sic), X-Wap-Application-Id af 82 (wml.ua).
    const pdu = hex('020603aeaf82' + '0203');
    expect(skimPushPdu(pdu)).toEqual({
      transactionId: 2,
      pduType: 'push',
      contentType: 'application/vnd.wap.sic',
      applicationId: 'x-wap-application:wml.ua',
      bodyOffset: 6,
    });
  });

  it('agrees with the full decode on every WSP fixture, and skims most of them', () => {
    const outcomes = fixtures.map((f) => agree(hex(f.pdu)));
    expect(outcomes.filter((o) => o === 'skimmed').length).toBeGreaterThan(fixtures.length / 2);
  });

  it('takes the first X-Wap-Application-Id on code page 1, as the full decode does', () => {
    // ct b0 (slc); X-Wap-Application-Id af 84 (mms.ua) on page 2 (shift 02, back 01), then af 82 and af 84 on page 1.
    const pdu = hex('0106' + '09' + 'b0' + '02af84' + '01' + 'af82' + 'af84' + '00');
    expect(skimPushPdu(pdu)?.applicationId).toBe('x-wap-application:wml.ua');
    expect(agree(pdu)).toBe('skimmed');
  });

  it('leaves to the full decode what it does not check, and every refusal', () => {
    const cases = [
      // Expect: 100-continue (c8 80), a kind the skim does not check: the full decode reads it.
      hex('010604' + 'ae' + 'c880' + 'af82'),
      // A Long-integer App ID of 7 octets: the full decode refuses it (BAD_VALUE).
      hex('01060a' + 'ae' + 'af07' + '01020304050607'),
      // Push-Flag not a Short-integer: refused.
      hex('010603' + 'ae' + 'b441'),
      // More headers than maxHeaders allows (1 here).
      hex('010605' + 'ae' + 'af82' + 'b481'),
      // An empty header name.
      hex('010603' + 'ae' + '00' + '00'),
    ];
    expect(cases.map((c) => agree(c, { maxHeaders: 1 }))).toEqual(Array(cases.length).fill('fell back'));
    expect(skimPushPdu(cases[0])).toBeUndefined();
  });

  it('puts no warning into a decode it runs inside', () => {
    // Content type as a one-octet Long-integer (01 2e): NON_MINIMAL in the full decode.
    const pdu = hex('010605' + '02012e' + 'af82');
    expect(decodePushPdu(pdu).warnings?.map((w) => w.code)).toEqual(['NON_MINIMAL']);
    const outer = openWarnings();
    expect(skimPushPdu(pdu)?.contentType).toBe('application/vnd.wap.sic');
    expect(closeWarnings(outer)).toBeUndefined();
  });
});

/** Header encodings, valid and broken, of the kinds pushes carry and a few the skim leaves alone. */
const snippets = [
  'af82', // X-Wap-Application-Id wml.ua
  'af84', // mms.ua
  'af0202ff', // an unregistered code as a Long-integer
  'af01' + '04', // a Short-integer sent as a one-octet Long-integer (warns)
  'af' + Buffer.from('x-example:app.ua\0').toString('hex'),
  'b2' + '80', // Accept-Application *
  'b1' + Buffer.from('http://ppg.example/\0').toString('hex'), // X-Wap-Initiator-URI
  'b0' + Buffer.from('http://c/\0').toString('hex'), // X-Wap-Content-URI
  'b481', // Push-Flag 1
  'b4f8', // Push-Flag with reserved bits (warns)
  '8d' + '8a', // Content-Length 10
  '8d' + '020100', // Content-Length, Long-integer
  '92' + '04386f2e80', // Date
  'c0' + '22' + Buffer.from('cid\0').toString('hex'), // Content-ID quoted
  Buffer.from('X-Trace\0abc\0').toString('hex'), // application header
  Buffer.from('X-Num\0').toString('hex') + '85', // application header, short value
  '7f02', // shift to page 2
  '02', // shift to page 2 (short form)
  '01', // back to page 1
  'ff81', // 0x7f on page 1: an unknown field
  'c880', // Cache-Control no-cache (not checked)
  'a3' + '03' + '80' + '0100', // Range (not checked)
  // broken
  'af07' + '01020304050607', // Long-integer too long
  'b441', // Push-Flag not a Short-integer
  'b1' + '41420a00', // control character in a URI
  '00', // empty header name
  'af1f', // Length-quote with nothing after
  '8d' + '05', // Long-integer of 5 octets that are not there
  'af', // a field with no value
].map(hex);

const contentTypes = [
  'ae', // application/vnd.wap.sic
  'b0', // slc
  'ff', // an unknown code
  Buffer.from('text/plain\0').toString('hex'),
  '02' + '01' + '2e', // general form, one-octet Long-integer
  '03' + 'ae' + '8183', // with a charset parameter
  '02' + 'ae', // a general form that runs short
  '1f', // broken
].map(hex);

const pdus = fc
  .record({
    tid: fc.nat(255),
    type: fc.constantFrom(0x06, 0x07, 0x40),
    ct: fc.constantFrom(...contentTypes),
    headers: fc.array(fc.constantFrom(...snippets), { maxLength: 6 }),
    lengthSkew: fc.constantFrom(0, 0, 0, 0, -1, 1, -2),
    body: fc.uint8Array({ maxLength: 8 }),
  })
  .map(({ tid, type, ct, headers, lengthSkew, body }) => {
    const block = Buffer.concat([ct, ...headers]);
    const len = Math.max(0, Math.min(127, block.length + lengthSkew));
    return Uint8Array.from([tid, type, len, ...block, ...body]);
  });

const mutate = (seed: Uint8Array) =>
  fc.array(fc.record({ at: fc.nat(), v: fc.nat(255) }), { minLength: 1, maxLength: 4 }).map((ops) => {
    const b = Uint8Array.from(seed);
    for (const op of ops) if (b.length > 0) b[op.at % b.length] = op.v;
    return b;
  });

const limitsChoices = fc.constantFrom(undefined, { maxHeaders: 3 });

/** `check` over arbitrary octets and over mutated fixtures. */
function onArbitraryAndMutated(check: (pdu: Uint8Array) => unknown): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => void check(b)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.constantFrom(...fixtures.map((f) => hex(f.pdu))).chain(mutate), (b) => void check(b)),
    { numRuns: 3000 },
  );
}

describe('push PDU skim against the full decode (fast-check)', () => {
  it('arbitrary header blocks: agrees whenever it answers, and answers for valid pushes', () => {
    let skimmed = 0;
    fc.assert(
      fc.property(pdus, limitsChoices, (pdu, limits) => {
        if (agree(pdu, limits) === 'skimmed') skimmed++;
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the blocks are skimmed.
    expect(skimmed).toBeGreaterThan(300);
  });

  it('arbitrary octets and mutated fixtures: agrees whenever it answers', () => {
    onArbitraryAndMutated((b) => agree(b));
  });

  it('encoded pushes with arbitrary App IDs and headers: skimmed, and the same values', () => {
    const appId = fc.oneof(
      fc.constantFrom('x-wap-application:wml.ua', 'x-wap-application:mms.ua', 'x-oma-application:ulp.ua'),
      fc.integer({ min: 0x10000, max: 0xffffff }),
      fc.stringMatching(/^x-[a-z]{1,8}:[a-z]{1,8}\.ua$/),
    );
    fc.assert(
      fc.property(
        appId,
        fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { maxLength: 3 }),
        fc.nat(255),
        (id, traces, tid) => {
          const pdu = encodePushPdu({
            transactionId: tid,
            contentType: 'application/vnd.wap.sic',
            applicationId: id,
            headers: traces.map((t) => ({ name: 'X-Wap-Initiator-URI', value: `http://${t}/` })),
            body: Uint8Array.of(1, 2, 3),
          });
          expect(agree(pdu)).toBe('skimmed');
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** decodePushRouting answers exactly when decodePushPdu does: the same values, or the same DecodeError. */
function routesAsFull(pdu: Uint8Array, limits?: Partial<Limits>): 'routed' | 'refused' {
  const full = attempt(() => decodePushPdu(pdu, { limits }));
  const route = attempt(() => decodePushRouting(pdu, { limits }));
  if (full.value === undefined) {
    expect(full.error).toBeInstanceOf(DecodeError);
    expect(route.error).toBeInstanceOf(DecodeError);
    const [f, r] = [full.error as DecodeError, route.error as DecodeError];
    expect([r.code, r.offset, r.message]).toEqual([f.code, f.offset, f.message]);
    return 'refused';
  }
  const m = full.value;
  expect(route.error).toBeUndefined();
  expect(route.value).toEqual({
    transactionId: m.transactionId,
    pduType: m.pduType,
    contentType: m.contentType,
    applicationId: m.applicationId,
    body: m.body,
    bodyOffset: m.bodyOffset,
  });
  // The body is a view of the input, as the full decode's is.
  const body = route.value!.body;
  expect([body.buffer, body.byteOffset]).toEqual([pdu.buffer, pdu.byteOffset + m.bodyOffset]);
  return 'routed';
}

describe('decodePushRouting against the full decode', () => {
  it('refuses a malformed header after the App ID with the full decode error', () => {
    // X-Wap-Application-Id wml.ua, then Push-Flag with a text value (b4 41 00): the full decode
    // refuses it (BAD_VALUE); a routing decode that stops at the App ID would route it.
    const pdu = hex('010606' + 'ae' + 'af82' + 'b44100' + 'cafe');
    expect(thrown(() => decodePushPdu(pdu))).toBeInstanceOf(DecodeError);
    expect(routesAsFull(pdu)).toBe('refused');
  });

  it('refuses a malformed value within its extent, on a header the skim leaves to the full decode', () => {
    // Expect (c8) with a Value-length of 1 holding 0x7f: refused by the full decode; its extent
    // alone is well formed.
    const pdu = hex('010606' + 'ae' + 'af82' + 'c8017f' + 'cafe');
    expect(thrown(() => decodePushPdu(pdu))).toBeInstanceOf(DecodeError);
    expect(routesAsFull(pdu)).toBe('refused');
  });

  it('routes a valid push the skim leaves to the full decode, with its values', () => {
    // Expect (c8) with a short-integer value before the App ID: a kind the skim does not check.
    const pdu = hex('010605' + 'ae' + 'c880' + 'af84' + 'cafe');
    expect(skimPushPdu(pdu)).toBeUndefined();
    expect(routesAsFull(pdu)).toBe('routed');
    expect(decodePushRouting(pdu).applicationId).toBe('x-wap-application:mms.ua');
  });

  it('refuses what a limit refuses, as the full decode does', () => {
    const pdu = hex('010605' + 'ae' + 'af82' + 'b481' + 'cafe');
    expect(routesAsFull(pdu, { maxHeaders: 1 })).toBe('refused');
    expect(routesAsFull(pdu, { maxDocumentSize: 8 })).toBe('refused');
    expect(routesAsFull(pdu)).toBe('routed');
  });

  it('agrees on every WSP fixture', () => {
    for (const f of fixtures) expect(routesAsFull(hex(f.pdu))).toBe('routed');
  });

  it('arbitrary header blocks, arbitrary octets and mutated fixtures (fast-check)', () => {
    const seen = { routed: 0, refused: 0 };
    fc.assert(
      fc.property(pdus, limitsChoices, (pdu, limits) => {
        seen[routesAsFull(pdu, limits)]++;
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: both outcomes are common.
    expect(Math.min(seen.routed, seen.refused)).toBeGreaterThan(300);
    onArbitraryAndMutated((b) => routesAsFull(b));
  });
});
