// Dispatch routes on the skim of a push's headers (src/codec/wsp/pushSkim.ts) and decodes the
// whole header block only when a handler asks (PushEvent.wsp): what a handler sees is what the
// full decode gives, and a push whose headers do not decode is refused at dispatch as before.
import { describe, expect, it } from 'vitest';
import type { UnroutedPush } from '../../src/cai/client.js';
import { PushEvent } from '../../src/cai/pushEvent.js';
import { DecodeError } from '../../src/codec/errors.js';
import { decodePushPdu, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { skimPushPdu } from '../../src/codec/wsp/pushSkim.js';
import { hex, thrown } from '../helpers.js';
import { boundClient, datagram, inbox } from './helpers.js';

/** A started client with one application registered for `appId`, and what its handler receives. */
async function registered(appId: string, options: Parameters<typeof boundClient>[0] = {}) {
  const { client } = await boundClient(options);
  const box = inbox();
  const r = await client.register({ pushApplicationId: appId, handler: box.handler });
  if (r.status !== 'accepted') throw new Error(r.message);
  await r.completed;
  return { client, box };
}

describe('dispatch on the skim, the full decode when asked', () => {
  it('a handler sees the headers, parameters and body offset the full decode gives', async () => {
    const { client, box } = await registered('x-wap-application:mms.ua');
    const pdu = encodePushPdu({
      transactionId: 9,
      contentType: 'application/vnd.wap.mms-message',
      applicationId: 4,
      headers: [
        { name: 'X-Wap-Initiator-URI', value: 'http://ppg.example/' },
        { name: 'Push-Flag', value: 1 },
        { name: 'X-Trace', value: 'abc' },
      ],
      body: Uint8Array.of(0x8c, 0x82),
    });
    client.deliverDatagram(datagram(pdu));
    expect(box.got).toHaveLength(1);
    const e = box.got[0];
    const full = decodePushPdu(pdu);
    expect(e.wsp).toEqual(full);
    expect(e.headers).toEqual(full.headers);
    expect([e.applicationId, e.contentType, e.transactionId, e.pduType]).toEqual([
      full.applicationId,
      full.contentType,
      full.transactionId,
      full.pduType,
    ]);
    expect(Buffer.from(e.content)).toEqual(Buffer.from(full.body));
    expect(Buffer.from(e.rawHeaders)).toEqual(Buffer.from(pdu.subarray(3, full.bodyOffset)));
  });

  it('a push with an undecodable header is unrouted as undecodable, with the full decode error', async () => {
    const { client, box } = await registered('x-wap-application:wml.ua');
    const unrouted: UnroutedPush[] = [];
    client.on('unrouted', (u: UnroutedPush) => unrouted.push(u));
    // X-Wap-Application-Id wml.ua, then Push-Flag with a text value (not a Short-integer): BAD_VALUE at 6.
    const pdu = hex('010606' + 'ae' + 'af82' + 'b44100' + 'cafe');
    const expected = thrown(() => decodePushPdu(pdu)) as DecodeError;
    expect(expected).toBeInstanceOf(DecodeError);
    client.deliverDatagram(datagram(pdu));
    expect(box.got).toHaveLength(0);
    expect(client.stats.undecodable).toBe(1);
    expect(unrouted).toHaveLength(1);
    expect(unrouted[0].reason).toBe('undecodable');
    const error = unrouted[0].error as DecodeError;
    expect([error.code, error.offset, error.message]).toEqual([expected.code, expected.offset, expected.message]);
  });

  it('decodes the headers when first asked, not at dispatch, and once', async () => {
    const { client, box } = await registered('x-wap-application:wml.ua');
    // ct sic (ae); App ID wml.ua (af 82); X-Trace: "abc" (an application header); body 01 02.
    const pdu = hex('01060f' + 'ae' + 'af82' + '582d547261636500' + '61626300' + '0102');
    expect(skimPushPdu(pdu)).toBeDefined();
    client.deliverDatagram(datagram(pdu));
    expect(box.got).toHaveLength(1);
    const e = box.got[0];
    // The octets change after dispatch: a decode made at dispatch would still say "abc".
    const payload = e.datagram!.payload;
    payload[payload.length - 4] = 0x64;
    expect(e.headers[1]).toEqual({ name: 'X-Trace', value: 'abd' });
    // Made once: a later change is not seen.
    payload[payload.length - 4] = 0x65;
    expect(e.wsp!.headers[1]).toEqual({ name: 'X-Trace', value: 'abd' });
  });

  it('decodes with the limits the client was given, whatever the caller changes after dispatch', async () => {
    const limits = { maxHeaders: 8 };
    const { client, box } = await registered('x-wap-application:wml.ua', { limits });
    const pdu = encodePushPdu({
      contentType: 'application/vnd.wap.sic',
      applicationId: 'x-wap-application:wml.ua',
      headers: [
        { name: 'X-Wap-Initiator-URI', value: 'http://a/' },
        { name: 'Push-Flag', value: 1 },
      ],
      body: Uint8Array.of(1, 2, 3),
    });
    client.deliverDatagram(datagram(pdu));
    expect(box.got).toHaveLength(1);
    limits.maxHeaders = 1;
    // Checked at dispatch with maxHeaders 8, so decoded with 8: not a DecodeError in a handler.
    expect(box.got[0].wsp).toEqual(decodePushPdu(pdu));
  });

  it('a push the skim leaves to the full decode routes on the same App ID and content type', async () => {
    const { client, box } = await registered('x-wap-application:wml.ua');
    // ct sic (ae); Cache-Control no-cache (88 80), a kind the skim does not check; App ID wml.ua (af 82); body.
    const pdu = hex('010605' + 'ae' + '8880' + 'af82' + 'cafe');
    expect(skimPushPdu(pdu)).toBeUndefined();
    client.deliverDatagram(datagram(pdu));
    expect(box.got).toHaveLength(1);
    const e = box.got[0];
    expect([e.applicationId, e.contentType]).toEqual(['x-wap-application:wml.ua', 'application/vnd.wap.sic']);
    expect(e.headers.map((h) => [h.name, h.value])).toEqual([
      ['Cache-Control', 'no-cache'],
      ['X-Wap-Application-Id', 'x-wap-application:wml.ua'],
    ]);
    expect(Buffer.from(e.content)).toEqual(Buffer.from('cafe', 'hex'));
  });

  it('content is an own enumerable property, for OTA-WSP and OTA-HTTP', async () => {
    const { client, box } = await registered('x-wap-application:wml.ua');
    client.deliverDatagram(datagram(hex('010603' + 'ae' + 'af82' + 'cafe')));
    const http = new PushEvent({
      protocol: 'OTA-HTTP',
      content: Uint8Array.of(0xbe, 0xef),
      contentType: 'text/plain',
      applicationId: 'x-wap-application:wml.ua',
      port: 4035,
      originator: '127.0.0.1',
      recipient: '',
      http: { headers: [], rawHeaders: new Uint8Array(0), contentTypeParameters: {}, path: '/' },
    });
    for (const [e, octets] of [
      [box.got[0], 'cafe'],
      [http, 'beef'],
    ] as const) {
      expect(Object.keys(e)).toContain('content');
      expect(Object.keys(e)).not.toContain('view');
      expect(Object.keys(e)).not.toContain('bodyOffset');
      const spread = { ...e } as { content?: Uint8Array };
      const clone = structuredClone(e) as { content?: Uint8Array };
      expect(Buffer.from(spread.content!).toString('hex')).toBe(octets);
      expect(Buffer.from(clone.content!).toString('hex')).toBe(octets);
    }
  });

  it('an OTA-HTTP event is made with its content, an OTA-WSP one from its datagram and body offset', () => {
    const common = { contentType: 'text/plain', applicationId: 2, port: 2948, originator: 'a', recipient: 'b' };
    const http = { headers: [], rawHeaders: new Uint8Array(0), contentTypeParameters: {}, path: '/' };
    const payload = hex('010603' + 'ae' + 'af82' + 'cafe');
    // Both typechecked before (content and bodyOffset were optional for both protocols), and
    // then gave a `content` that threw or was the whole PDU: `npm run typecheck` checks these.
    // @ts-expect-error an OTA-HTTP push has its content
    void (() => new PushEvent({ protocol: 'OTA-HTTP', ...common, http }));
    // @ts-expect-error an OTA-WSP push from a datagram says where its body starts
    void (() => new PushEvent({ protocol: 'OTA-WSP', ...common, datagram: datagram(payload) }));
    const e = new PushEvent({ protocol: 'OTA-WSP', ...common, datagram: datagram(payload), bodyOffset: 6 });
    expect(Buffer.from(e.content).toString('hex')).toBe('cafe');
    expect(Buffer.from(e.rawHeaders).toString('hex')).toBe('aeaf82');
  });
});
