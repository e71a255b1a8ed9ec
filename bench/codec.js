// Codec benchmarks: one SI and one SL push PDU decoded in full (headers and body read into
// objects), routing-only decode, and the encoders. Run with `npm run bench`.
import { runSuite } from './suite.js';
import {
  decodeBody,
  decodePushPdu,
  decodePushRouting,
  encodePushPdu,
  encodeSi,
  encodeSl,
  fromHex,
} from '../dist/index.js';

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
const slPdu = encodePushPdu({
  transactionId: 2,
  contentType: 'application/vnd.wap.slc',
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSl({ href: 'http://www.oreilly.com/', action: 'execute-high' }),
});
// A real one from the fixtures (NowSMS forum capture).
const capturedPdu = fromHex('FD0601AE02056A0045C60D03676F6F676C652E636F6D0007010342696B61736800010100');

let sink = 0;
/** The full decode every "si-push-decode" figure means: the WSP PDU and its body, into objects. */
export function fullDecode(pdu) {
  const m = decodePushPdu(pdu);
  const body = decodeBody(m.contentType, m.contentTypeParameters, m.body);
  sink += m.headers.length + (body.type === 'si' ? body.text.length : 1);
}

export const cases = [
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

export async function runCodec({ quick = false } = {}) {
  const results = await runSuite('codec', cases, { quick });
  return { results, siBodyLength: siBody.length, siPduLength: siPdu.length, sink };
}
