// Generated pushes (fuzz/arbitraries.ts): SI and SL documents in WSP PDUs, whole or cut into SMS
// segments. Their trees cover every octet once and say what the decode JSON says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pushToJson } from '../../src/codec/json.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { decodePushPdu, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { dissect } from '../../src/dissect/index.js';
import { segmentPayload } from '../../src/wdp/segmenter.js';
import { si, sl } from '../codec/arbitraries.js';
import { expectCoverage, find, findAll } from './tree.js';

const push = fc
  .tuple(
    fc.oneof(
      si.map((d) => ['application/vnd.wap.sic', encodeSi(d)] as const),
      sl.map((d) => ['application/vnd.wap.slc', encodeSl(d)] as const),
    ),
    fc.integer({ min: 0, max: 255 }),
    fc.boolean(),
    fc.option(fc.constantFrom('x-wap-application:wml.ua', 'x-wap-application:push.sia', 4)),
  )
  .map(([[contentType, body], transactionId, charset, applicationId]) =>
    encodePushPdu({
      transactionId,
      contentType,
      contentTypeParameters: charset ? { charset: 'utf-8' } : undefined,
      applicationId: applicationId ?? undefined,
      headers: [{ name: 'Content-Length', value: body.length }],
      body,
    }),
  );

const ATTRIBUTE_FIELDS: Record<string, string> = {
  href: 'href',
  'si-id': 'siId',
  created: 'created',
  'si-expires': 'expires',
  action: 'action',
};

function expectSameAsJson(root: ReturnType<typeof dissect>, pdu: Uint8Array): void {
  const json = pushToJson(decodePushPdu(pdu));
  expect(find(root, 'TID')?.value).toBe(json.wsp.transactionId);
  const headers = find(root, 'Headers')!.children.filter((c) => c.children.length > 0);
  expect(headers.map((h) => [h.name, h.value])).toEqual(json.wsp.headers.map((h) => [h.name, h.value]));
  const body = json.body as unknown as Record<string, unknown>;
  const attributes = findAll(root, (n) => n.name in ATTRIBUTE_FIELDS && n.children.length > 0);
  for (const a of attributes) expect(a.value, a.name).toBe(body[ATTRIBUTE_FIELDS[a.name]]);
  // An SI may carry no attribute at all (action then defaults): every field the decode found
  // must still have its node, so an empty tree cannot pass for a full one.
  const named = new Set(attributes.map((a) => ATTRIBUTE_FIELDS[a.name]));
  for (const [attribute, field] of Object.entries(ATTRIBUTE_FIELDS)) {
    if (attribute !== 'action' && body[field] !== undefined) expect(named.has(field), attribute).toBe(true);
  }
  expect(findAll(root, (n) => n.error !== undefined)).toEqual([]);
}

describe('dissect: generated pushes', () => {
  it('a WSP PDU: leaves cover it once, in order; values are the decode JSON (property)', () => {
    fc.assert(
      fc.property(push, (pdu) => {
        const root = dissect(pdu, { input: 'wsp' });
        expectCoverage(root, pdu.length);
        expectSameAsJson(root, pdu);
      }),
      { numRuns: 150 },
    );
  });

  it('the same PDU in SMS segments: each segment covered, the datagram reassembled (property)', () => {
    fc.assert(
      fc.property(push, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 40, max: 140 }), (pdu, reference, max) => {
        const segments = segmentPayload(pdu, { reference, maxUserData: max });
        const root = dissect([...segments].reverse(), { input: 'sms' });
        expectCoverage(
          root,
          segments.reduce((n, s) => n + s.length, 0),
        );
        const inner = segments.length > 1 ? find(root, 'reassembled WDP datagram')! : find(root, 'WDP datagram')!;
        if (segments.length > 1) expect(inner.source?.octets).toEqual(pdu);
        else expect(inner.length).toBe(pdu.length);
        expectSameAsJson(inner, pdu);
      }),
      { numRuns: 100 },
    );
  });
});
