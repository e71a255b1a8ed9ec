/**
 * The demo's sample pushes: what a PPG sends to a handset's push client on a normal day.
 * The MMS notification is a real one, from a capture (source below); the SI and SL pushes
 * are encoded here with this package's own encoders.
 */
import { fromHex } from '../codec/hex.js';
import { encodeSi } from '../codec/wbxml/si.js';
import { encodeSl } from '../codec/wbxml/sl.js';
import { encodePushPdu } from '../codec/wsp/pushPdu.js';
import { collectDatagram } from '../wdp/collect.js';
import { segmentFromUserData } from '../wdp/userData.js';

/**
 * MMS m-notification-ind in two SMS (TP-User-Data with UDH: ports 9200 -> 2948, 8-bit
 * reference 0x1A). Source: captured SMS-DELIVER PDUs in a public SMS-to-e-mail forwarder's
 * repository, TP-UD cut out per 3GPP TS 23.040 9.2.2.1; also test/fixtures/sms.
 */
const MMS_NOTIFICATION_TP_UD = [
  '0b05040b8423f000031a02010006291f226170706c69636174696f6e2f766e642e7761702e6d6d732d6d657373616765008184af848d01008c82983174696434383630383339343935335f30377967673834627068008d918918802b34383537323239323733362f545950453d504c4d4e00966e6f207375626a656374008a808e03',
  '0b05040b8423f000031a020203067188048102a8be83687474703a2f2f31302e37342e3138332e35352f6d6d732f776170656e633f6c6f636174696f6e3d34383630383339343935335f30377967673834627068267269643d31333700',
];

/** The WSP push PDU those two SMS carry, reassembled. */
export function mmsNotificationPdu(): Uint8Array {
  return collectDatagram(MMS_NOTIFICATION_TP_UD.map((hex) => segmentFromUserData(fromHex(hex)))).payload;
}

export function siPdu(text: string, href: string, siId: string, applicationId?: number | string): Uint8Array {
  return encodePushPdu({
    transactionId: 1,
    contentType: 'application/vnd.wap.sic',
    applicationId,
    body: encodeSi({ href, text, siId, created: '2026-11-29T09:00:00Z' }),
  });
}

export function slPdu(href: string): Uint8Array {
  return encodePushPdu({
    transactionId: 2,
    contentType: 'application/vnd.wap.slc',
    body: encodeSl({ href, action: 'execute-high' }),
  });
}
