// Body decoders beyond SI/SL (issue 6), each beside the SI push decode in the same run:
// the captured MMS notification, a production OTA provisioning document (with and without
// its USERPIN MAC check), an EMN and a SyncML DM notification with its digest check.
import { readFileSync } from 'node:fs';
import { type CaseResult, runSuite } from './suite.js';
import { repoPath } from './repo.js';
import {
  type BodySecrets,
  type PushBody,
  collectDatagram,
  decodeBody,
  decodePushPdu,
  encodeEmn,
  encodePushPdu,
  encodeSi,
  encodeSyncmlNotification,
  fromHex,
  segmentFromUserData,
} from '../src/index.js';

/** The WSP push of an SMS fixture (test/fixtures/sms), its segments reassembled. */
function fixturePush(name: string): Uint8Array {
  const f = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'sms', `${name}.json`), 'utf8')) as {
    segments: string[];
  };
  const d = collectDatagram(f.segments.map((s) => segmentFromUserData(fromHex(s))));
  return d.payload;
}

const siPdu = encodePushPdu({
  transactionId: 1,
  contentType: 'application/vnd.wap.sic',
  contentTypeParameters: { charset: 'utf-8' },
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSi({
    href: 'http://www.xyz.com/email/123/abc.wml',
    created: '1999-06-25T15:23:15Z',
    expires: '1999-06-30T00:00:00Z',
    text: 'You have 4 new emails',
  }),
});
const mmsPdu = fixturePush('mms-notification-2-segments');
const otaPdu = fixturePush('ota-viettel-3-segments');
const emnPdu = encodePushPdu({
  contentType: 'application/vnd.wap.emn+wbxml',
  applicationId: 'x-wap-application:emn.ua',
  body: encodeEmn({ mailbox: 'mailat:user@example.com', timestamp: '2026-11-29T10:00:00Z' }),
});
const syncml = { password: 'secret', nonce: Buffer.from('nonce') };
const syncmlPdu = encodePushPdu({
  contentType: 'application/vnd.syncml.notification',
  applicationId: 'x-wap-application:syncml.dm',
  body: encodeSyncmlNotification({
    sessionId: 0x1234,
    serverId: 'dm.example.com',
    uiMode: 'background',
    vendorSpecific: Buffer.from('cafe', 'hex'),
    secrets: syncml,
  }),
});

let sink = 0;
function full(pdu: Uint8Array, secrets?: BodySecrets): PushBody {
  const m = decodePushPdu(pdu);
  const body = decodeBody(m.contentType, m.contentTypeParameters, m.body, { secrets });
  sink += m.headers.length + body.type.length;
  return body;
}
// Fail loudly if a case does not decode what it claims to.
const ota = full(otaPdu, { pin: '1111' });
if (ota.type !== 'provisioning' || ota.authentication?.verified !== true) throw new Error('OTA MAC does not verify');
const dm = full(syncmlPdu, { syncml });
if (dm.type !== 'syncml-notification' || dm.authentication?.verified !== true)
  throw new Error('SyncML digest does not verify');
if (full(mmsPdu).type !== 'mms' || full(emnPdu).type !== 'emn') throw new Error('bodies do not decode');

export function runContent({ quick = false } = {}): {
  results: CaseResult[];
  sizes: Record<string, number>;
  sink: number;
} {
  const results = runSuite(
    [
      ['peer-si-push-decode', () => full(siPdu)],
      ['mms-notification-decode', () => full(mmsPdu)],
      ['provisioning-decode', () => full(otaPdu)],
      ['provisioning-decode-with-mac', () => full(otaPdu, { pin: '1111' })],
      ['emn-decode', () => full(emnPdu)],
      ['syncml-notification-decode-with-digest', () => full(syncmlPdu, { syncml })],
    ],
    { quick },
  );
  return {
    results,
    sizes: { mms: mmsPdu.length, provisioning: otaPdu.length, emn: emnPdu.length, syncml: syncmlPdu.length },
    sink,
  };
}
