// PushCAI 5.3 Push Event Delivery (CAI-C-003) and the routing table in front of it.
import { describe, expect, it } from 'vitest';
import type { PushClient, UnroutedPush } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { DecodeError } from '../../src/codec/errors.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { boundClient, datagram, inbox, siPush, slPush, until } from './helpers.js';

async function registered(client: PushClient, request: RegistrationRequest) {
  const r = await client.register(request);
  if (r.status !== 'accepted') throw new Error(`refused: ${r.message}`);
  expect(await r.completed).toEqual({ status: 'success' });
  return r.registration;
}

function unroutedOf(client: PushClient): UnroutedPush[] {
  const list: UnroutedPush[] = [];
  client.on('unrouted', (u: UnroutedPush) => list.push(u));
  return list;
}

describe('PushCAI 5.3: the Push event', () => {
  it('carries the content, the content type and the headers as received', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, { pushApplicationId: 'x-wap-application:mms.ua', handler: box.handler });
    const body = Uint8Array.from([0x8c, 0x82, 0x98, 0x41, 0x00]);
    const pdu = encodePushPdu({
      transactionId: 7,
      contentType: 'application/vnd.wap.mms-message',
      applicationId: 0x04,
      headers: [
        { name: 'X-Wap-Initiator-URI', value: 'http://ppg.example/' },
        { name: 'X-Trace', value: 'abc' },
      ],
      body,
    });
    client.deliverDatagram(datagram(pdu, { originator: '+4470000', destinationPort: 2948 }));
    expect(box.got).toHaveLength(1);
    const e = box.got[0];
    expect(Buffer.from(e.content)).toEqual(Buffer.from(body));
    expect(e.contentType).toBe('application/vnd.wap.mms-message');
    expect(e.headers.map((h) => [h.name, h.value])).toEqual([
      ['X-Wap-Application-Id', 'x-wap-application:mms.ua'],
      ['X-Wap-Initiator-URI', 'http://ppg.example/'],
      ['X-Trace', 'abc'],
    ]);
    expect(e.applicationId).toBe('x-wap-application:mms.ua');
    expect(e.port).toBe(2948);
    expect(e.originator).toBe('+4470000');
    expect(e.transactionId).toBe(7);
    expect(e.protocol).toBe('OTA-WSP');
  });

  it('decodes the body only when asked: a push with a broken body is routed, and reading it throws DecodeError', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, { pushApplicationId: 0x02, handler: box.handler });
    const good = siPush({ text: 'fine' });
    const broken = encodePushPdu({
      transactionId: 1,
      contentType: 'application/vnd.wap.sic',
      body: Uint8Array.from([0x02, 0x05, 0x6a, 0x00, 0x45, 0xc6, 0x0c]),
    });
    client.deliverDatagram(datagram(good));
    client.deliverDatagram(datagram(broken));
    expect(box.got).toHaveLength(2);
    expect(box.got[0].body).toMatchObject({ type: 'si', text: 'fine', href: 'http://example.com/' });
    expect(() => box.got[1].body).toThrow(DecodeError);
    expect(box.got[0].toJSON()).toMatchObject({
      wdp: { destinationPort: 2948, segments: 1 },
      wsp: { contentType: 'application/vnd.wap.sic' },
      body: { type: 'si' },
    });
  });
});

describe('routing: App ID x port', () => {
  it('sends a push without X-Wap-Application-Id to x-wap-application:wml.ua', async () => {
    const { client } = await boundClient();
    const browser = inbox();
    await registered(client, { pushApplicationId: 'x-wap-application:wml.ua', handler: browser.handler });
    client.deliverDatagram(datagram(siPush()));
    expect(browser.got).toHaveLength(1);
    expect(browser.got[0].applicationId).toBe('x-wap-application:wml.ua');
  });

  it('routes by App ID given as code or URN alike, and by port', async () => {
    const { client } = await boundClient();
    const mms = inbox();
    const custom = inbox();
    await registered(client, { pushApplicationId: 4, handler: mms.handler });
    await registered(client, {
      pushApplicationId: 'x-example:custom.ua',
      handler: custom.handler,
      connectionProfiles: [{ port: 5000 }],
    });
    client.deliverDatagram(datagram(siPush({ applicationId: 'x-wap-application:mms.ua' })));
    client.deliverDatagram(datagram(siPush({ applicationId: 0x04 })));
    client.deliverDatagram(datagram(siPush({ applicationId: 'X-Example:Custom.UA' }), { destinationPort: 5000 }));
    client.deliverDatagram(datagram(siPush({ applicationId: 'x-example:custom.ua' }), { destinationPort: 2948 }));
    expect(mms.got).toHaveLength(2);
    expect(custom.got).toHaveLength(1);
    expect(client.stats).toMatchObject({ received: 4, routed: 3, unrouted: 1 });
  });

  it('filters by the MIME types an application accepts (type/* and */* too)', async () => {
    const { client } = await boundClient();
    const si = inbox();
    const any = inbox();
    const unrouted = unroutedOf(client);
    await registered(client, { pushApplicationId: 0x02, accept: ['application/vnd.wap.sic'], handler: si.handler });
    await registered(client, { pushApplicationId: 0x9000, accept: ['application/*'], handler: any.handler });
    client.deliverDatagram(datagram(siPush()));
    client.deliverDatagram(datagram(slPush()));
    client.deliverDatagram(datagram(slPush(undefined, 0x9000)));
    expect(si.got.map((e) => e.contentType)).toEqual(['application/vnd.wap.sic']);
    expect(any.got.map((e) => e.contentType)).toEqual(['application/vnd.wap.slc']);
    expect(unrouted.map((u) => u.reason)).toEqual(['content-type']);
  });

  it('hands App IDs nobody registered to an x-wap-application:* registration', async () => {
    const { client } = await boundClient();
    const wild = inbox();
    const mms = inbox();
    await registered(client, { pushApplicationId: 'x-wap-application:*', handler: wild.handler });
    await registered(client, { pushApplicationId: 0x04, handler: mms.handler });
    client.deliverDatagram(datagram(siPush({ applicationId: 0x04 })));
    client.deliverDatagram(datagram(siPush({ applicationId: 0x9999 })));
    expect(mms.got).toHaveLength(1);
    expect(wild.got.map((e) => e.applicationId)).toEqual([0x9999]);
  });

  it('never drops silently: unrouted and undecodable pushes are events, counters and fallback calls', async () => {
    const fallback: UnroutedPush[] = [];
    const { client } = await boundClient({ fallback: (u) => fallback.push(u) });
    const unrouted = unroutedOf(client);
    client.deliverDatagram(datagram(siPush({ applicationId: 0x04 })));
    client.deliverDatagram(datagram(Uint8Array.from([0x01, 0x42, 0x00])));
    expect(unrouted.map((u) => u.reason)).toEqual(['no-registration', 'undecodable']);
    expect(fallback).toHaveLength(2);
    expect(fallback[0].event?.applicationId).toBe('x-wap-application:mms.ua');
    expect(fallback[1].error).toBeInstanceOf(DecodeError);
    expect(client.stats).toMatchObject({ received: 2, unrouted: 2, undecodable: 1, routed: 0 });
  });
});

describe('whitelist and contact point', () => {
  it("does not deliver pushes from addresses off the application's whitelist, and reports them", async () => {
    const { client } = await boundClient();
    const box = inbox();
    const open = inbox();
    const refused: Array<{ reason: string }> = [];
    client.on('refused', (r) => refused.push(r));
    const unrouted = unroutedOf(client);
    const reg = await registered(client, {
      pushApplicationId: 0x02,
      whitelist: [{ address: '+15550001' }, { address: '+4470*' }],
      handler: box.handler,
    });
    await registered(client, { pushApplicationId: 0x04, handler: open.handler });
    client.deliverDatagram(datagram(siPush({ text: 'ok' }), { originator: '15550001' }));
    client.deliverDatagram(datagram(siPush({ text: 'prefix' }), { originator: '+447012345' }));
    client.deliverDatagram(datagram(siPush({ text: 'spam' }), { originator: '+19990000' }));
    client.deliverDatagram(datagram(siPush({ applicationId: 0x04 }), { originator: '+19990000' }));
    expect(box.got.map((e) => (e.body as { text: string }).text)).toEqual(['ok', 'prefix']);
    expect(open.got).toHaveLength(1);
    expect(refused).toEqual([expect.objectContaining({ reason: 'whitelist', registration: reg })]);
    expect(unrouted.map((u) => u.reason)).toEqual(['whitelist']);
    expect(reg.stats.refused).toBe(1);
    expect(client.stats.refused).toBe(1);
  });

  it('applies the client default whitelist to applications without one', async () => {
    const { client } = await boundClient({ whitelist: [{ address: '+15550001' }] });
    const plain = inbox();
    const own = inbox();
    await registered(client, { pushApplicationId: 0x02, handler: plain.handler });
    await registered(client, { pushApplicationId: 0x04, whitelist: [{ address: '+15550002' }], handler: own.handler });
    for (const from of ['+15550001', '+15550002', '+15550003']) {
      client.deliverDatagram(datagram(siPush(), { originator: from }));
      client.deliverDatagram(datagram(siPush({ applicationId: 4 }), { originator: from }));
    }
    expect(plain.got.map((e) => e.originator)).toEqual(['+15550001']);
    expect(own.got.map((e) => e.originator)).toEqual(['+15550001', '+15550002']);
  });

  it('keeps the whitelist and Accept it was registered with when the application changes its arrays after', async () => {
    const { client } = await boundClient();
    const listed = inbox();
    const unlisted = inbox();
    const whitelist = [{ address: '+15550001' }];
    const accept = ['application/vnd.wap.sic'];
    const reg = await registered(client, { pushApplicationId: 0x02, whitelist, accept, handler: listed.handler });
    // Emptied: were it read from this array, the registration would take pushes from anyone.
    whitelist.length = 0;
    accept[0] = 'text/plain';
    const late: Array<{ address: string }> = [];
    await registered(client, { pushApplicationId: 0x04, whitelist: late, handler: unlisted.handler });
    // Filled: were it read from this array, it would refuse every push, the address never having been listed.
    late.push({ address: '+15550002' });
    for (const from of ['+15550001', '+15550009']) {
      client.deliverDatagram(datagram(siPush({ text: from }), { originator: from }));
      client.deliverDatagram(datagram(siPush({ text: from, applicationId: 4 }), { originator: from }));
    }
    expect(listed.got.map((e) => e.originator)).toEqual(['+15550001']);
    expect(unlisted.got.map((e) => e.originator)).toEqual(['+15550001', '+15550009']);
    expect(reg.whitelist).toEqual([{ address: '+15550001' }]);
    expect(reg.accept).toEqual(['application/vnd.wap.sic']);
    expect(reg.toJSON()).toMatchObject({ whitelist: [{ address: '+15550001' }], accept: ['application/vnd.wap.sic'] });
  });

  it('takes a connection profile contact point as the expected source', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, {
      pushApplicationId: 0x02,
      connectionProfiles: [{ contactPoint: '+15550001' }],
      handler: box.handler,
    });
    client.deliverDatagram(datagram(siPush(), { originator: '+15550001' }));
    client.deliverDatagram(datagram(siPush(), { originator: '+15550002' }));
    expect(box.got).toHaveLength(1);
    expect(client.stats.refused).toBe(1);
  });
});

describe('delivery queues: one application cannot disturb another', () => {
  it('reports a throwing handler and goes on', async () => {
    const { client } = await boundClient();
    const errors: unknown[] = [];
    client.on('handler-error', (e) => errors.push(e.error));
    const seen: string[] = [];
    const other = inbox();
    await registered(client, {
      pushApplicationId: 0x02,
      handler: (e) => {
        const t = (e.body as { text: string }).text;
        seen.push(t);
        if (t === 'boom') throw new Error('app bug');
      },
    });
    await registered(client, { pushApplicationId: 0x04, handler: other.handler });
    for (const text of ['a', 'boom', 'b']) {
      client.deliverDatagram(datagram(siPush({ text })));
      client.deliverDatagram(datagram(siPush({ applicationId: 4 })));
    }
    expect(seen).toEqual(['a', 'boom', 'b']);
    expect(other.got).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(client.stats).toMatchObject({ handlerErrors: 1, delivered: 5 });
  });

  it("bounds a slow application's queue, reports the overflow and the timeout, and keeps the others flowing", async () => {
    const { client } = await boundClient({ maxQueuedPerApplication: 3, handlerTimeoutMs: 100 });
    const overflow: PushEvent[] = [];
    const timeouts: PushEvent[] = [];
    client.on('overflow', ({ event }) => overflow.push(event));
    client.on('handler-timeout', ({ event }) => timeouts.push(event));
    const slowSeen: number[] = [];
    const fast = inbox();
    await registered(client, {
      pushApplicationId: 0x02,
      handler: (e) => {
        slowSeen.push(e.transactionId!);
        return new Promise(() => {});
      },
    });
    await registered(client, { pushApplicationId: 0x04, handler: fast.handler });
    for (let i = 0; i < 10; i++) {
      client.deliverDatagram(datagram(siPush({ transactionId: i })));
      client.deliverDatagram(datagram(siPush({ applicationId: 4, transactionId: i })));
    }
    // One in the handler, three queued, six over.
    expect(overflow.map((e) => e.transactionId)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(fast.got).toHaveLength(10);
    await until(() => slowSeen.length === 4, 2_000);
    expect(slowSeen).toEqual([0, 1, 2, 3]);
    expect(timeouts.length).toBeGreaterThanOrEqual(3);
    expect(client.stats.overflowed).toBe(6);
  });

  it('emits a push for a registration without handler; with nobody listening it is reported unrouted', async () => {
    const { client } = await boundClient();
    const reg = await registered(client, { pushApplicationId: 0x02 });
    const unrouted = unroutedOf(client);
    client.deliverDatagram(datagram(siPush()));
    expect(unrouted.map((u) => u.reason)).toEqual(['no-handler']);
    const seen: unknown[] = [];
    client.on('push', (e, r) => seen.push([e.contentType, r]));
    client.deliverDatagram(datagram(siPush()));
    expect(seen).toEqual([['application/vnd.wap.sic', reg]]);
  });
});

describe('encoded through the WSP encoder with a body from the SI encoder', () => {
  it('keeps the octets: the event content is the body as encoded', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, { pushApplicationId: 0x02, handler: box.handler });
    const body = encodeSi({ href: 'http://a.example/', text: 'x' });
    client.deliverDatagram(datagram(encodePushPdu({ contentType: 'application/vnd.wap.sic', body })));
    expect(Buffer.from(box.got[0].content).equals(Buffer.from(body))).toBe(true);
  });
});

describe('routing the content real networks carry (issue 6 bodies)', () => {
  it("MMS notifications to mms.ua, provisioning (no App ID) to wml.ua with its MAC checked against the client's PIN", async () => {
    const { smsFixturePush } = await import('../helpers.js');
    const load = (name: string) => smsFixturePush(name).datagram;
    const { client } = await boundClient({ secrets: { pin: '1111' } });
    const mms = inbox();
    const settings = inbox();
    await registered(client, {
      pushApplicationId: 'x-wap-application:mms.ua',
      accept: ['application/vnd.wap.mms-message'],
      handler: mms.handler,
    });
    await registered(client, {
      pushApplicationId: 0x02,
      accept: ['application/vnd.wap.connectivity-wbxml'],
      handler: settings.handler,
    });
    client.deliverDatagram(load('mms-notification-2-segments'));
    client.deliverDatagram(load('ota-viettel-3-segments'));
    expect(mms.got[0].body).toMatchObject({ type: 'mms', messageType: 'm-notification-ind', messageSize: 198_257 });
    expect(settings.got[0].body).toMatchObject({
      type: 'provisioning',
      authentication: { sec: 'USERPIN', verified: true },
    });
  });

  it("EMN to emn.ua and SyncML DM notifications to syncml.dm, the digest checked with the client's secrets", async () => {
    const { encodeEmn } = await import('../../src/codec/wbxml/emn.js');
    const { encodeSyncmlNotification } = await import('../../src/codec/syncml/notification.js');
    const syncml = { password: 'pw', nonce: 'n1' };
    const { client } = await boundClient({ secrets: { syncml } });
    const mail = inbox();
    const dm = inbox();
    await registered(client, { pushApplicationId: 'x-wap-application:emn.ua', handler: mail.handler });
    await registered(client, { pushApplicationId: 0x07, handler: dm.handler });
    client.deliverDatagram(
      datagram(
        encodePushPdu({
          contentType: 'application/vnd.wap.emn+wbxml',
          applicationId: 0x09,
          body: encodeEmn({ mailbox: 'imap://mail.example.com' }),
        }),
      ),
    );
    client.deliverDatagram(
      datagram(
        encodePushPdu({
          contentType: 'application/vnd.syncml.notification',
          applicationId: 'x-wap-application:syncml.dm',
          body: encodeSyncmlNotification({
            sessionId: 7,
            serverId: 'dm.example',
            uiMode: 'user-interaction',
            secrets: syncml,
          }),
        }),
      ),
    );
    expect(mail.got[0].body).toEqual({ type: 'emn', mailbox: 'imap://mail.example.com' });
    expect(dm.got[0].body).toMatchObject({
      type: 'syncml-notification',
      sessionId: 7,
      uiMode: 'user-interaction',
      authentication: { verified: true },
    });
  });
});
