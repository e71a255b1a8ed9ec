// PAP request parsing and content building (WAP-247-PAP 8/9, WAP-249-PPGService 6/7.1).
import { describe, expect, it } from 'vitest';
import { decodeSi } from '../../src/codec/wbxml/si.js';
import { decodeSl } from '../../src/codec/wbxml/sl.js';
import { decodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { parseClientAddress } from '../../src/ppg/address.js';
import { PapError } from '../../src/ppg/codes.js';
import { buildPushPdu } from '../../src/ppg/content.js';
import { parsePapRequest } from '../../src/ppg/request.js';
import { segmentsNeeded } from '../../src/ppg/segments.js';
import { controlXml, MULTIPART, pushBody, queryXml } from './papFixtures.js';

function papCode(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof PapError) return e.code;
    throw e;
  }
  throw new Error('no PapError thrown');
}

describe('PAP push-message', () => {
  it('reads every push-message attribute, the addresses and the quality of service', () => {
    const body = pushBody({
      pushId: 'id-7@pi.example',
      addresses: ['WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com', 'WAPPUSH=%2B447700900123/TYPE=plmn@ppg'],
      attributes:
        ' deliver-before-timestamp="2030-01-02T03:04:05Z" deliver-after-timestamp="2026-01-01T00:00:00Z"' +
        ' source-reference="mailer" ppg-notify-requested-to="http://127.0.0.1:9/notify" progress-notes-requested="true"',
      qos: '<quality-of-service delivery-method="confirmed" bearer="SMS" priority="high"/>',
    });
    const r = parsePapRequest(MULTIPART, body);
    expect(r.message).toEqual({
      kind: 'push-message',
      pushId: 'id-7@pi.example',
      deliverBeforeTimestamp: Date.UTC(2030, 0, 2, 3, 4, 5),
      deliverAfterTimestamp: Date.UTC(2026, 0, 1),
      sourceReference: 'mailer',
      ppgNotifyRequestedTo: 'http://127.0.0.1:9/notify',
      progressNotesRequested: true,
      addresses: ['WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com', 'WAPPUSH=%2B447700900123/TYPE=plmn@ppg'],
      qos: {
        deliveryMethod: 'confirmed',
        priority: 'high',
        bearer: 'SMS',
        networkRequired: false,
        bearerRequired: false,
      },
    });
    expect(parseClientAddress(r.message.kind === 'push-message' ? r.message.addresses[1] : '').number).toBe(
      '+447700900123',
    );
    expect(r.content?.headers).toEqual([
      { name: 'content-type', value: 'text/vnd.wap.si' },
      { name: 'x-wap-application-id', value: 'x-wap-application:wml.ua' },
    ]);
  });

  it('takes LF-only line ends as well as CRLF', () => {
    const r = parsePapRequest(MULTIPART, pushBody({ eol: '\n' }));
    expect(r.message).toMatchObject({ pushId: 'push-1@example.com' });
    expect(Buffer.from(r.content!.body).toString()).toContain('<si>');
  });

  it('reads statusquery-message and cancel-message alone as application/xml', () => {
    expect(parsePapRequest('application/xml', Buffer.from(queryXml('statusquery-message', 'p1')))).toMatchObject({
      message: { kind: 'statusquery-message', pushId: 'p1', addresses: [] },
    });
    expect(
      parsePapRequest('application/xml', Buffer.from(queryXml('cancel-message', 'p2', 'WAPPUSH=+1555/TYPE=PLMN@x'))),
    ).toMatchObject({ message: { kind: 'cancel-message', pushId: 'p2', addresses: ['WAPPUSH=+1555/TYPE=PLMN@x'] } });
  });

  it('reads a ccq-message: query-id, app-id and its one address', () => {
    const xml =
      '<pap><ccq-message query-id="q-1" app-id="x-wap-application:wml.ua">' +
      '<address address-value="WAPPUSH=+15551234567/TYPE=PLMN@ppg"/></ccq-message></pap>';
    expect(parsePapRequest('application/xml', Buffer.from(xml)).message).toEqual({
      kind: 'ccq-message',
      queryId: 'q-1',
      appId: 'x-wap-application:wml.ua',
      addresses: ['WAPPUSH=+15551234567/TYPE=PLMN@ppg'],
    });
  });

  it('refuses each malformed request with its PAP code', () => {
    const bad = (body: Buffer | string, type = MULTIPART) => papCode(() => parsePapRequest(type, Buffer.from(body)));
    expect(bad(pushBody(), 'text/plain')).toBe(2000);
    expect(bad(pushBody(), 'multipart/related')).toBe(2000); // no boundary
    expect(bad(pushBody().subarray(0, 200))).toBe(2000); // no close delimiter
    expect(bad(pushBody({ pushId: 'x" <oops' }))).toBe(2000); // not well-formed
    expect(bad(controlXml().replace(' push-id="push-1@example.com"', ''), 'application/xml')).toBe(2000);
    expect(bad(pushBody({ addresses: [] }))).toBe(2000);
    expect(bad(pushBody({ attributes: ' deliver-before-timestamp="2030-01-02 03:04:05"' }))).toBe(2000);
    expect(bad(pushBody({ attributes: ' deliver-before-timestamp="2030-02-30T03:04:05Z"' }))).toBe(2000);
    expect(bad(pushBody({ attributes: ' progress-notes-requested="yes"' }))).toBe(2000);
    expect(bad(pushBody({ attributes: ' ppg-notify-requested-to="mailto:x@y"' }))).toBe(2000);
    expect(bad(pushBody({ qos: '<quality-of-service delivery-method="sometimes"/>' }))).toBe(2000);
    expect(bad(pushBody({ attributes: ' replace-push-id="old"' }))).toBe(3011);
    expect(bad(controlXml(), 'application/xml')).toBe(2000); // a push needs its content entity
    expect(bad('<pap><ccq-message query-id="q"/></pap>', 'application/xml')).toBe(2000); // no address
    expect(bad('<pap><ccq-message><address address-value="a"/></ccq-message></pap>', 'application/xml')).toBe(2000);
    expect(bad('<pap><resultnotification-response push-id="a"/></pap>', 'application/xml')).toBe(3001);
    expect(bad('<notpap/>', 'application/xml')).toBe(2000);
    expect(bad(`<pap><push-message push-id="a">${'<x>'.repeat(20)}`, 'application/xml')).toBe(2000);
    const many = Array.from({ length: 1001 }, (_, i) => `WAPPUSH=+1${i}/TYPE=PLMN@x`);
    expect(bad(pushBody({ addresses: many }))).toBe(2000);
  });

  it('refuses addresses that SMS cannot reach with 2002', () => {
    expect(papCode(() => parseClientAddress('WAPPUSH=10.0.0.1/TYPE=IPv4@ppg'))).toBe(2002);
    expect(papCode(() => parseClientAddress('WAPPUSH=+1555abc/TYPE=PLMN@ppg'))).toBe(2002);
    expect(papCode(() => parseClientAddress('+15551234567'))).toBe(2002);
    expect(papCode(() => parseClientAddress('WAPPUSH=%zz/TYPE=PLMN@ppg'))).toBe(2002);
  });
});

describe('content entity -> WSP push', () => {
  it('compiles SI XML; the App ID and carried headers come from the content entity', () => {
    const out = buildPushPdu(
      [
        { name: 'content-type', value: 'text/vnd.wap.si' },
        { name: 'x-wap-application-id', value: 'x-wap-application:wml.ua' },
        { name: 'x-wap-initiator-uri', value: 'http://pi.example.com/' },
        { name: 'authorization', value: 'Basic c2VjcmV0' },
      ],
      Buffer.from('<si><indication href="HTTP://Example.COM/a" action="signal-high">Hello</indication></si>', 'utf8'),
    );
    const push = decodePushPdu(out.pdu);
    expect(push.contentType).toBe('application/vnd.wap.sic');
    expect(push.applicationId).toBe('x-wap-application:wml.ua');
    const si = decodeSi(push.body);
    // Kannel drops the first characters of an href not starting with lower-case http://.
    expect(si.href).toBe('HTTP://Example.COM/a');
    expect(si.text).toBe('Hello');
    const names = push.headers.map((h) => h.name);
    expect(names).toContain('X-Wap-Initiator-URI');
    expect(names).not.toContain('Authorization');
  });

  it('compiles SL; passes binary through with its type and a numeric or unknown App ID as given', () => {
    const sl = buildPushPdu(
      [{ name: 'content-type', value: 'text/vnd.wap.sl' }],
      Buffer.from('<sl href="https://e.example/x"/>'),
    );
    expect(decodeSl(decodePushPdu(sl.pdu).body).href).toBe('https://e.example/x');
    const bin = buildPushPdu(
      [
        { name: 'content-type', value: 'application/vnd.wap.mms-message' },
        { name: 'x-wap-application-id', value: '4' },
        { name: 'content-transfer-encoding', value: 'base64' },
      ],
      Buffer.from('jAKYMQ==\r\n'),
    );
    const p = decodePushPdu(bin.pdu);
    expect(p.contentType).toBe('application/vnd.wap.mms-message');
    expect(p.applicationId).toBe('x-wap-application:mms.ua');
    expect([...p.body]).toEqual([0x8c, 0x02, 0x98, 0x31]);
    const custom = buildPushPdu(
      [
        { name: 'content-type', value: 'text/plain; charset=utf-8' },
        { name: 'x-wap-application-id', value: 'x-example:my.app' },
      ],
      Buffer.from('hi'),
    );
    expect(decodePushPdu(custom.pdu).applicationId).toBe('x-example:my.app');
  });

  it('refuses content that does not compile with 3006 and a missing Content-Type with 2000', () => {
    expect(papCode(() => buildPushPdu([{ name: 'content-type', value: 'text/vnd.wap.si' }], Buffer.from('<si>')))).toBe(
      3006,
    );
    expect(
      papCode(() =>
        buildPushPdu([{ name: 'content-type', value: 'text/vnd.wap.si' }], Buffer.from('<sl href="http://a/"/>')),
      ),
    ).toBe(3006);
    expect(papCode(() => buildPushPdu([], Buffer.from('x')))).toBe(2000);
    expect(
      papCode(() =>
        buildPushPdu(
          [
            { name: 'content-type', value: 'application/octet-stream' },
            { name: 'content-transfer-encoding', value: 'quoted-printable' },
          ],
          Buffer.from('x'),
        ),
      ),
    ).toBe(2000);
  });

  it('counts segments and refuses a push over the maximum instead of cutting it', () => {
    expect(segmentsNeeded(new Uint8Array(100), 10)).toBe(1);
    // TS 23.040 9.2.3.24: UDHL 1 + 16-bit ports 6 + 8-bit concatenation 5 = 12 octets of UDH,
    // 128 of 140 left per segment: 1280 fit in 10.
    expect(segmentsNeeded(new Uint8Array(1280), 10)).toBe(10);
    expect(papCode(() => segmentsNeeded(new Uint8Array(1281), 10))).toBe(3003);
  });
});
