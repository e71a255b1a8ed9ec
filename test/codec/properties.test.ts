import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { DecodeError } from '../../src/codec/errors.js';
import { encodeSyncmlNotification } from '../../src/codec/syncml/notification.js';
import { encodeEmn } from '../../src/codec/wbxml/emn.js';
import { pushToJson } from '../../src/codec/json.js';
import { decodeCo, encodeCo } from '../../src/codec/wbxml/co.js';
import { decodeSi, encodeSi, SI_DEFAULT_ACTION } from '../../src/codec/wbxml/si.js';
import { decodeSl, encodeSl } from '../../src/codec/wbxml/sl.js';
import { decodeWbxml } from '../../src/codec/wbxml/tree.js';
import { decodePushPdu, decodePushRouting, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { hex, loadFixtures, smsFixturePushes } from '../helpers.js';
import { co, si, sl, url } from './arbitraries.js';

const RUNS = 300;

describe('round trips (fast-check)', () => {
  it('SI: decode(encode(si)) is si, with the default action filled in', () => {
    fc.assert(
      fc.property(si, fc.constantFrom(0x01, 0x02, 0x03 as const), (doc, version) => {
        const back = decodeSi(encodeSi(doc, { version }));
        expect(back).toEqual({ type: 'si', ...doc, action: doc.action ?? SI_DEFAULT_ACTION });
      }),
      { numRuns: RUNS },
    );
  });
  it('SL and CO', () => {
    fc.assert(
      fc.property(sl, (doc) => void expect(decodeSl(encodeSl(doc))).toEqual({ type: 'sl', ...doc })),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(co, (doc) => void expect(decodeCo(encodeCo(doc))).toEqual({ type: 'co', ...doc })),
      { numRuns: RUNS },
    );
  });
  it('push PDU: headers, content type, parameters, app id and body survive', () => {
    const appId = fc.oneof(
      fc.constantFrom('x-wap-application:wml.ua', 'x-wap-application:mms.ua', 'x-oma-application:ulp.ua'),
      url.filter((u) => u.length > 0 && u.charCodeAt(0) >= 0x20),
      fc.integer({ min: 0x100, max: 0xffff }).filter((n) => n < 0x8000 || n > 0x9fff),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('push', 'confirmed-push' as const),
        fc.constantFrom(
          'application/vnd.wap.sic',
          'application/vnd.wap.slc',
          'text/plain',
          'application/x-custom',
          'application/vnd.syncml.notification',
        ),
        fc.option(fc.constantFrom('utf-8', 'iso-8859-1', 'utf-16'), { nil: undefined }),
        fc.option(appId, { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
        fc.uint8Array({ maxLength: 300 }),
        (tid, pduType, contentType, charset, applicationId, contentLength, body) => {
          const headers = contentLength === undefined ? [] : [{ name: 'Content-Length', value: contentLength }];
          const params = charset ? { charset } : undefined;
          const pdu = encodePushPdu({
            transactionId: tid,
            pduType,
            contentType,
            contentTypeParameters: params,
            applicationId,
            headers,
            body,
          });
          const m = decodePushPdu(pdu);
          expect(m.transactionId).toBe(tid);
          expect(m.pduType).toBe(pduType);
          expect(m.contentType).toBe(contentType);
          expect(m.contentTypeParameters).toEqual(params ?? {});
          expect(m.applicationId).toEqual(applicationId ?? 'x-wap-application:wml.ua');
          expect(m.headers.filter((h) => h.name === 'Content-Length').map((h) => h.value)).toEqual(
            headers.map((h) => h.value),
          );
          expect(Array.from(m.body)).toEqual(Array.from(body));
          const route = decodePushRouting(pdu);
          expect([route.contentType, route.applicationId]).toEqual([m.contentType, m.applicationId]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** Decoding is total: a result or a DecodeError, nothing else. */
function total(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    expect(typeof e.code).toBe('string');
    expect(Number.isInteger(e.offset)).toBe(true);
  }
}

const seeds = loadFixtures<{ pdu: string }>('wsp').map((f) => hex(f.pdu));
const bodySeeds = loadFixtures<{ body: string; contentType: string }>('wbxml');

const mutate = (seed: Uint8Array) =>
  fc
    .array(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({
          kind: fc.constant('set' as const),
          at: fc.nat(),
          v: fc.constantFrom(0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff, 0xc3, 0x83, 0x03),
        }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((ops) => {
      let b = Uint8Array.from(seed);
      for (const op of ops) {
        if (b.length === 0) break;
        const at = op.at % b.length;
        if (op.kind === 'flip') b[at] ^= 1 << op.bit;
        else if (op.kind === 'set') b[at] = op.v;
        else if (op.kind === 'cut') b = b.slice(0, at);
        else b = Uint8Array.from([...b.slice(0, at), ...Array(op.n).fill(b[at]), ...b.slice(at)]);
      }
      return b;
    });

describe('robustness (fast-check)', () => {
  it('arbitrary bytes: push PDU decode (full and routing) is total', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        total(() => pushToJson(decodePushPdu(b)));
        total(() => decodePushRouting(b));
      }),
      { numRuns: 2000 },
    );
  });
  it('mutated real PDUs: total', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds).chain(mutate), (b) => total(() => pushToJson(decodePushPdu(b)))),
      { numRuns: 3000 },
    );
  });
  it('mutated real WBXML bodies and arbitrary bytes as WBXML: total', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bodySeeds).chain((f) => mutate(hex(f.body)).map((b) => [f.contentType, b] as const)),
        ([ct, b]) => total(() => decodeBody(ct, {}, b)),
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => total(() => decodeWbxml(b))),
      { numRuns: 2000 },
    );
  });
  it('mutated real MMS, provisioning, EMN and SyncML bodies, and arbitrary bytes as each: total', () => {
    const pushes = smsFixturePushes().map(({ push: m }) => [m.contentType, m.contentTypeParameters, m.body] as const);
    const others = [
      [
        'application/vnd.wap.emn+wbxml',
        {},
        encodeEmn({ mailbox: 'mailat:a@b.com', timestamp: '2026-11-29T10:00:00Z' }),
      ] as const,
      [
        'application/vnd.syncml.notification',
        {},
        encodeSyncmlNotification({
          sessionId: 1,
          serverId: 'srv',
          syncs: [{ syncType: 6, contentType: 7, serverUri: 'card' }],
        }),
      ] as const,
    ];
    const all = [...pushes, ...others];
    fc.assert(
      fc.property(
        fc.constantFrom(...all).chain(([ct, params, body]) => mutate(body).map((b) => [ct, params, b] as const)),
        ([ct, params, b]) =>
          total(() =>
            decodeBody(ct, params, b, { secrets: { pin: '1111', imsi: '001010123456789', syncml: { password: 'x' } } }),
          ),
      ),
      { numRuns: 4000 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...all.map(([ct]) => ct)), fc.uint8Array({ maxLength: 200 }), (ct, b) =>
        total(() => decodeBody(ct, { sec: 0, mac: '00' }, b)),
      ),
      { numRuns: 2000 },
    );
  });
  // Hostile sizes must be refused by their bounds, not worked through: a hang here fails the
  // test by its timeout (no speed is asserted; the benchmarks measure speed).
  it('huge declared lengths and deep nesting are refused by their bounds', { timeout: 10_000 }, () => {
    total(() => decodePushPdu(hex('00068fffffff7f' + 'ae0000')));
    total(() => decodeWbxml(new Uint8Array([3, 1, 0x6a, 0, ...new Array(60_000).fill(0x45)])));
    total(() => decodeWbxml(new Uint8Array([3, 1, 0x6a, 0, 0x45, 0xc3, 0x8f, 0xff, 0xff, 0xff, 0x7f])));
    expect(() => decodeWbxml(new Uint8Array([3, 1, 0x6a, 0, ...new Array(60_000).fill(0x45)]))).toThrow(/maxDepth/);
  });
});
