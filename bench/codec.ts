// Codec benchmarks: one SI and one SL push PDU decoded in full (headers and body read into
// objects), routing-only decode, and the encoders. Run with `npm run bench`.
import { type Case, type CaseResult, runSuite } from './suite.js';
import {
  decodeBody,
  decodePushPdu,
  decodePushRouting,
  encodePushPdu,
  encodeSi,
  encodeSl,
  fromHex,
} from '../src/index.js';

// A typical SI push: WAP-167 example body (86 octets, as in the Gecko test vector), with
// X-Wap-Application-Id and a charset parameter, as PPGs send it.
export const siBody = encodeSi({
  href: 'http://www.xyz.com/email/123/abc.wml',
  created: '1999-06-25T15:23:15Z',
  expires: '1999-06-30T00:00:00Z',
  text: 'You have 4 new emails',
});
export const siPdu = encodePushPdu({
  transactionId: 1,
  contentType: 'application/vnd.wap.sic',
  contentTypeParameters: { charset: 'utf-8' },
  applicationId: 'x-wap-application:wml.ua',
  body: siBody,
});
export const slPdu = encodePushPdu({
  transactionId: 2,
  contentType: 'application/vnd.wap.slc',
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSl({ href: 'http://www.oreilly.com/', action: 'execute-high' }),
});
// A real one from the fixtures (NowSMS forum capture).
const capturedPdu = fromHex('FD0601AE02056A0045C60D03676F6F676C652E636F6D0007010342696B61736800010100');

let sink = 0;
/** The full decode every "si-push-decode" figure means: the WSP PDU and its body, into objects. */
export function fullDecode(pdu: Uint8Array): void {
  const m = decodePushPdu(pdu);
  const body = decodeBody(m.contentType, m.contentTypeParameters, m.body);
  sink += m.headers.length + (body.type === 'si' ? body.text.length : 1);
}

export const cases: Case[] = [
  ['si-push-decode', () => fullDecode(siPdu)],
  ['sl-push-decode', () => fullDecode(slPdu)],
  ['captured-si-push-decode', () => fullDecode(capturedPdu)],
  [
    'si-push-routing',
    () => {
      sink += decodePushRouting(siPdu).body.length;
    },
  ],
  [
    'si-push-headers-only',
    () => {
      sink += decodePushPdu(siPdu).headers.length;
    },
  ],
  [
    'si-encode',
    () => {
      sink += encodeSi({
        href: 'http://www.xyz.com/email/123/abc.wml',
        created: '1999-06-25T15:23:15Z',
        expires: '1999-06-30T00:00:00Z',
        text: 'You have 4 new emails',
      }).length;
    },
  ],
];

export function runCodec({ quick = false } = {}): {
  results: CaseResult[];
  siBodyLength: number;
  siPduLength: number;
  sink: number;
} {
  const results = runSuite(cases, { quick });
  return { results, siBodyLength: siBody.length, siPduLength: siPdu.length, sink };
}
