// Dispatch routes on the skim of a push's headers (src/codec/wsp/pushSkim.ts) and decodes the
// whole header block only when a handler asks (PushEvent.wsp): what a handler sees is what the
// full decode gives, and a push whose headers do not decode is refused at dispatch as before.
import { describe, expect, it } from 'vitest';
import type { UnroutedPush } from '../../src/cai/client.js';
import { DecodeError } from '../../src/codec/errors.js';
import { decodePushPdu, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { hex, thrown } from '../helpers.js';
import { boundClient, datagram, inbox } from './helpers.js';

describe('dispatch on the skim, the full decode when asked', () => {
  it('a handler sees the headers, parameters and body offset the full decode gives', async () => {
    const { client } = await boundClient();
    const box = inbox();
    const r = await client.register({ pushApplicationId: 'x-wap-application:mms.ua', handler: box.handler });
    if (r.status !== 'accepted') throw new Error(r.message);
    await r.completed;
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
    const { client } = await boundClient();
    const box = inbox();
    const r = await client.register({ pushApplicationId: 'x-wap-application:wml.ua', handler: box.handler });
    if (r.status !== 'accepted') throw new Error(r.message);
    await r.completed;
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
});
