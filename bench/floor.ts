// A floor for the SI target: a decoder written for the bench's one SI push (bench/codec.ts's
// siPdu) and for nothing else. Fixed offsets, no checks, no tables, header strings as constants;
// but every field of the message and of the SI still made, as decodePushPdu and decodeBody make
// them (test/bench.test.ts checks the two give equal objects). No general decoder can be quicker
// than this in the same process, so its ratio to libwbxml2 bounds what the target can reach here.
// It is never used outside the bench, and it is wrong for any other input.
import type { PushMessage, ServiceIndication } from '../src/index.js';

/** Node's Buffer#latin1Slice, which its typings do not list: one native call, no Buffer made. */
const { latin1Slice } = Buffer.prototype as Buffer & {
  latin1Slice: (this: Uint8Array, start: number, end: number) => string;
};
const fromCharCode = String.fromCharCode;
const hi = (x: number): number => 0x30 + (x >> 4);
const lo = (x: number): number => 0x30 + (x & 0x0f);

function date(b: Uint8Array, p: number, n: number): string {
  const o = (i: number): number => (i < n ? b[p + i] : 0);
  const o0 = o(0),
    o1 = o(1),
    o2 = o(2),
    o3 = o(3),
    o4 = o(4),
    o5 = o(5),
    o6 = o(6);
  return fromCharCode(
    hi(o0),
    lo(o0),
    hi(o1),
    lo(o1),
    0x2d,
    hi(o2),
    lo(o2),
    0x2d,
    hi(o3),
    lo(o3),
    0x54,
    hi(o4),
    lo(o4),
    0x3a,
    hi(o5),
    lo(o5),
    0x3a,
    hi(o6),
    lo(o6),
    0x5a,
  );
}

function nul(b: Uint8Array, p: number): number {
  while (b[p] !== 0) p++;
  return p;
}

/** The push PDU and its SI body, into the objects the full decode makes; only for siPdu's layout. */
export function floorDecode(pdu: Uint8Array): { message: PushMessage; si: ServiceIndication } {
  // WSP: TID, type, HeadersLen, content type (general form with charset), X-Wap-Application-Id.
  const bodyOffset = 3 + pdu[2];
  const body = pdu.subarray(bodyOffset);
  const message: PushMessage = {
    transactionId: pdu[0],
    pduType: 'push',
    contentType: 'application/vnd.wap.sic',
    contentTypeParameters: { charset: 'utf-8' },
    headers: [{ name: 'X-Wap-Application-Id', value: 'x-wap-application:wml.ua', code: 0x2f }],
    applicationId: 'x-wap-application:wml.ua',
    applicationIdDefaulted: false,
    body,
    bodyOffset,
    contentTypeCode: 0x2e,
  };
  // SI: header (4 octets), <si>, <indication href=... created=... si-expires=...>text</indication>.
  const text = latin1Slice.call(body, 0, body.length);
  let p = 8;
  let q = nul(body, p);
  const host = text.slice(p, q);
  p = q + 3; // NUL, ".com/", STR_I
  q = nul(body, p);
  const path = text.slice(p, q);
  p = q + 3; // NUL, created, OPAQUE
  const created = date(body, p + 1, body[p]);
  p += 1 + body[p] + 2; // length, date, si-expires, OPAQUE
  const expires = date(body, p + 1, body[p]);
  p += 1 + body[p] + 2; // length, date, END, STR_I
  q = nul(body, p);
  const si: ServiceIndication = {
    type: 'si',
    href: `http://www.${host}.com/${path}`,
    created,
    expires,
    action: 'signal-medium',
    text: text.slice(p, q),
  };
  return { message, si };
}
