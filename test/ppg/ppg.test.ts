// The PPG end to end over real HTTP and SMPP on loopback: PAP in, SMS through the simulator to
// a phone's EsmeLink, decoded back; receipts, status queries, notifications, cancels, refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSi } from '../../src/codec/wbxml/si.js';
import { decodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { attr, basic, harness, post, until, type Harness } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TO = 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com';
const query = (kind: 'statusquery-message' | 'cancel-message', pushId: string, who = basic('pi', 'pi-secret')) =>
  post(h!.url, queryXml(kind, pushId), 'application/xml', who);

describe('PPG: PAP over HTTP to SMS over SMPP', () => {
  it('a push reaches the phone as sent; every receipt delivered -> delivered, notified, queried', async () => {
    h = await harness();
    const r = await post(
      h.url,
      pushBody({ pushId: 'p1', addresses: [TO], attributes: ` ppg-notify-requested-to="${h.notifyUrl}"` }),
      MULTIPART,
    );
    expect(r.status).toBe(202);
    expect(attr(r.text, 'push-response', 'push-id')).toBe('p1');
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');

    await until(() => h!.phone.length === 1, 'the push at the phone');
    const d = h.phone[0];
    expect(d).toMatchObject({ recipient: '+15551234567', sourcePort: 9200, destinationPort: 2948, segments: 1 });
    const push = decodePushPdu(d.payload);
    expect(push.applicationId).toBe('x-wap-application:wml.ua');
    expect(push.contentType).toBe('application/vnd.wap.sic');
    const si = decodeSi(push.body);
    expect(si).toMatchObject({ href: 'http://www.example.com/mail/1', text: 'You have mail', action: 'signal-high' });

    await until(() => h!.notifications.length === 1, 'the result notification');
    const n = h.notifications[0];
    expect(attr(n, 'resultnotification-message', 'push-id')).toBe('p1');
    expect(attr(n, 'resultnotification-message', 'message-state')).toBe('delivered');
    expect(attr(n, 'resultnotification-message', 'code')).toBe('1000');
    expect(attr(n, 'address', 'address-value')).toBe(TO);

    const q = await query('statusquery-message', 'p1');
    expect(attr(q.text, 'statusquery-response', 'push-id')).toBe('p1');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
    // Another initiator does not see it.
    const other = await query('statusquery-message', 'p1', basic('other', 'other-secret'));
    expect(attr(other.text, 'statusquery-result', 'code')).toBe('2004');
  });

  it('a long push goes as concatenated SMS, is delivered only when every segment is', async () => {
    h = await harness();
    const text = 'x'.repeat(400);
    const si = `<si><indication href="https://Example.org/A" si-id="7">${text}</indication></si>`;
    const r = await post(h.url, pushBody({ pushId: 'long', addresses: [TO], content: si }), MULTIPART);
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => h!.phone.length === 1, 'the long push');
    expect(h.phone[0].segments).toBeGreaterThan(3);
    expect(decodeSi(decodePushPdu(h.phone[0].payload).body)).toMatchObject({ href: 'https://Example.org/A', text });
    await until(() => h!.smsc.stats.receipts === h!.phone[0].segments, 'a receipt per segment');
    const state = async () =>
      attr((await query('statusquery-message', 'long')).text, 'statusquery-result', 'message-state');
    await until(async () => (await state()) === 'delivered', 'long delivered');
  });

  it('a failed receipt makes the push undeliverable and says so in the notification', async () => {
    h = await harness({}, { receiptFailureProbability: 1 });
    await post(
      h.url,
      pushBody({ pushId: 'f1', addresses: [TO], attributes: ` ppg-notify-requested-to="${h.notifyUrl}"` }),
      MULTIPART,
    );
    await until(() => h!.notifications.length === 1, 'the notification');
    expect(attr(h.notifications[0], 'resultnotification-message', 'message-state')).toBe('undeliverable');
    expect(attr(h.notifications[0], 'resultnotification-message', 'desc')).toMatch(/stat:UNDELIV/);
    expect(h.smsc.stats.receiptFailuresInjected).toBe(1);
  });

  it('no receipt within receiptTimeoutMs: timeout, notified; a late receipt changes nothing', async () => {
    h = await harness({ receiptTimeoutMs: 200 }, { receiptDelayMs: 1_000 });
    await post(
      h.url,
      pushBody({ pushId: 't1', addresses: [TO], attributes: ` ppg-notify-requested-to="${h.notifyUrl}"` }),
      MULTIPART,
    );
    await until(() => h!.notifications.length === 1, 'the timeout notification');
    expect(attr(h.notifications[0], 'resultnotification-message', 'message-state')).toBe('timeout');
    await until(() => h!.smsc.stats.receipts === 1, 'the late receipt', 3_000);
    // Waits for something that must NOT happen: the late receipt, on its way to the PPG now,
    // changing t1's state or notifying again (no event tells that the PPG has taken it).
    await new Promise((r) => setTimeout(r, 100));
    expect(attr((await query('statusquery-message', 't1')).text, 'statusquery-result', 'message-state')).toBe(
      'timeout',
    );
    expect(h.notifications).toHaveLength(1);
  });

  it("the HTTP request's own headers never become WSP headers; the content entity's do", async () => {
    h = await harness();
    const res = await fetch(h.url, {
      method: 'POST',
      body: pushBody({
        pushId: 'hdr',
        addresses: [TO],
        contentHeaders: 'X-Wap-Initiator-URI: http://pi.example.com/\r\n',
      }),
      headers: {
        'content-type': MULTIPART,
        authorization: basic('pi', 'pi-secret'),
        'x-wap-application-id': 'x-wap-application:mms.ua',
        'x-wap-content-uri': 'http://not-for-the-phone.example/',
      },
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(202);
    await until(() => h!.phone.length === 1, 'the push');
    const push = decodePushPdu(h.phone[0].payload);
    expect(push.applicationIdDefaulted).toBe(true);
    expect(push.headers).toMatchObject([{ name: 'X-Wap-Initiator-URI', value: 'http://pi.example.com/' }]);
    expect(push.headers).toHaveLength(1);
  });

  it('several addresses are several pushes, each with its own state', async () => {
    h = await harness();
    const two = [TO, 'WAPPUSH=%2B15559876543/TYPE=PLMN@ppg.example.com'];
    const r = await post(h.url, pushBody({ pushId: 'two', addresses: two }), MULTIPART);
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => h!.phone.length === 2, 'both pushes');
    expect(h.phone.map((d) => d.recipient).sort()).toEqual(['+15551234567', '+15559876543']);
  });

  it('cancels a push that waits for its deliver-after time, and not one already sent', async () => {
    h = await harness();
    const later = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19) + 'Z';
    await post(
      h.url,
      pushBody({ pushId: 'wait', addresses: [TO], attributes: ` deliver-after-timestamp="${later}"` }),
      MULTIPART,
    );
    expect(attr((await query('statusquery-message', 'wait')).text, 'statusquery-result', 'message-state')).toBe(
      'pending',
    );
    // Another initiator cannot cancel it.
    const foreign = await query('cancel-message', 'wait', basic('other', 'other-secret'));
    expect(attr(foreign.text, 'cancel-result', 'code')).toBe('2004');
    const c = await query('cancel-message', 'wait');
    expect(attr(c.text, 'cancel-response', 'push-id')).toBe('wait');
    expect(attr(c.text, 'cancel-result', 'code')).toBe('1000');
    expect(attr((await query('statusquery-message', 'wait')).text, 'statusquery-result', 'message-state')).toBe(
      'cancelled',
    );
    expect(attr((await query('cancel-message', 'wait')).text, 'cancel-result', 'code')).toBe('2008');

    await post(h.url, pushBody({ pushId: 'sent', addresses: [TO] }), MULTIPART);
    await until(() => h!.phone.length === 1, 'the sent push');
    expect(attr((await query('cancel-message', 'sent')).text, 'cancel-result', 'code')).toBe('2008');
    expect(h.smsc.stats.submitted).toBe(1); // the cancelled push never left
  });

  it('refuses, with the PAP code, everything it will not send; nothing is submitted', async () => {
    h = await harness({ maxSegments: 2, maxBodyOctets: 4_096 });
    const code = async (body: string | Buffer, type = MULTIPART, who?: string) => {
      const r = await post(h!.url, body, type, who);
      return {
        status: r.status,
        code: attr(r.text, 'response-result', 'code') ?? attr(r.text, 'badmessage-response', 'code'),
      };
    };
    expect(await code(pushBody({ pushId: 'a' }), MULTIPART, basic('pi', 'wrong'))).toEqual({
      status: 401,
      code: '2001',
    });
    expect((await post(h.url, pushBody({ pushId: 'a' }), MULTIPART, '')).status).toBe(401);
    expect(await code(pushBody({ pushId: 'x" <' }))).toEqual({ status: 400, code: '2000' });
    expect(await code(Buffer.alloc(5_000, 0x41))).toEqual({ status: 413, code: '2000' });
    const long = `<si><indication href="http://a.example/">${'y'.repeat(400)}</indication></si>`;
    expect(await code(pushBody({ pushId: 'big', content: long }))).toEqual({ status: 200, code: '3003' });
    expect(await code(pushBody({ pushId: 'conf', qos: '<quality-of-service delivery-method="confirmed"/>' }))).toEqual({
      status: 200,
      code: '3007',
    });
    expect(await code(pushBody({ pushId: 'ip', addresses: ['WAPPUSH=10.1.2.3/TYPE=IPv4@ppg'] }))).toEqual({
      status: 200,
      code: '2002',
    });
    expect(await code(pushBody({ pushId: 'mms', qos: '<quality-of-service bearer="GPRS"/>' }))).toEqual({
      status: 200,
      code: '3010',
    });
    expect(await code(pushBody({ pushId: 'bad-si', content: '<si><indication href="http://a/">' }))).toEqual({
      status: 200,
      code: '3006',
    });
    // 'other' may push to +1555000... only.
    expect(await code(pushBody({ pushId: 'pfx', addresses: [TO] }), MULTIPART, basic('other', 'other-secret'))).toEqual(
      {
        status: 200,
        code: '2001',
      },
    );
    expect(h.smsc.stats.submitted).toBe(0);
    expect(await code(pushBody({ pushId: 'dup', addresses: [TO] }))).toEqual({ status: 202, code: '1001' });
    expect(await code(pushBody({ pushId: 'dup', addresses: [TO] }))).toEqual({ status: 200, code: '2007' });
    const get = await fetch(h.url, { headers: { authorization: basic('pi', 'pi-secret') } });
    expect(get.status).toBe(405);
  });
});
