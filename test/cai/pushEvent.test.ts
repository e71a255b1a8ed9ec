// PushEvent's accessors (PushCAI 5.3: content, content type, the headers as received), and
// its contract: an OTA-WSP event is made from its datagram, and refused without one.
import { describe, expect, it } from 'vitest';
import { PushEvent } from '../../src/cai/pushEvent.js';
import { DecodeError } from '../../src/codec/errors.js';
import { hex, thrown } from '../helpers.js';
import { datagram, pushEvent } from './helpers.js';

// The SI of the smppserver.org WAP Push guide (test/fixtures/wsp/03-smppserver-si.json), its
// header block given an X-Wap-Application-Id (af 82, wml.ua) and a Push-Flag (b4 81) after the
// content type (ae, application/vnd.wap.sic): TID dc, Push 06, HeadersLen 05.
const HEADERS = 'ae' + 'af82' + 'b481';
const SI = '02056A0045C60C037777772E736D70707365727665722E6F7267000103736D7070736572766572000101';
const PDU = hex('dc0605' + HEADERS + SI);
const BODY_OFFSET = 8;

const wspInit = {
  protocol: 'OTA-WSP',
  contentType: 'application/vnd.wap.sic',
  applicationId: 'x-wap-application:wml.ua',
  port: 2948,
  originator: '+15550001',
  recipient: '+15559999',
  transactionId: 0xdc,
  pduType: 'push',
} as const;

function wspEvent(): PushEvent {
  return new PushEvent({ ...wspInit, datagram: datagram(PDU), bodyOffset: BODY_OFFSET });
}

const SI_BODY = { type: 'si', href: 'http://www.smppserver.org', action: 'signal-medium', text: 'smppserver' };

describe('PushEvent accessors, OTA-WSP', () => {
  it('content is the body of the datagram, a view of it', () => {
    const e = wspEvent();
    expect(Buffer.from(e.content).toString('hex').toUpperCase()).toBe(SI);
    expect(e.content.buffer).toBe(PDU.buffer);
  });

  it('headers: every header as received, in order, without the content type', () => {
    expect(wspEvent().headers).toEqual([
      { name: 'X-Wap-Application-Id', value: 'x-wap-application:wml.ua', code: 0x2f },
      { name: 'Push-Flag', value: 1, code: 0x34 },
    ]);
  });

  it('rawHeaders: the header block as sent, content type first', () => {
    expect(Buffer.from(wspEvent().rawHeaders).toString('hex')).toBe(HEADERS);
  });

  it('contentTypeParameters and wsp: the full decode of the PDU', () => {
    const e = wspEvent();
    expect(e.contentTypeParameters).toEqual({});
    expect(e.wsp).toMatchObject({ transactionId: 0xdc, pduType: 'push', bodyOffset: BODY_OFFSET });
  });

  it('body: the content decoded', () => {
    expect(wspEvent().body).toEqual(SI_BODY);
  });

  it('toJSON: wdp, wsp and body', () => {
    expect(JSON.parse(JSON.stringify(wspEvent()))).toEqual({
      wdp: { sourcePort: 9200, destinationPort: 2948, segments: 1, originator: '+15550001', recipient: '+15559999' },
      wsp: {
        transactionId: 0xdc,
        pduType: 'push',
        contentType: 'application/vnd.wap.sic',
        contentTypeParameters: {},
        applicationId: 'x-wap-application:wml.ua',
        headers: [
          { name: 'X-Wap-Application-Id', value: 'x-wap-application:wml.ua' },
          { name: 'Push-Flag', value: 1 },
        ],
      },
      body: SI_BODY,
    });
  });

  it("the test helpers' queue event reads as any other", () => {
    const e = pushEvent(300);
    expect([e.transactionId, e.content.length, e.headers]).toEqual([
      44,
      0,
      [{ name: 'X-Wap-Application-Id', value: 'x-wap-application:wml.ua', code: 0x2f }],
    ]);
    // An empty SI is no SI document: the body decoder says so, at the end of the PDU (0x2c 06 03 ae af 82).
    const err = thrown(() => e.body);
    expect(err).toBeInstanceOf(DecodeError);
    expect([err.code, err.offset]).toEqual(['TRUNCATED', 6]);
  });
});

describe('PushEvent init: an OTA-WSP event is made from its datagram', () => {
  it('refuses content without a datagram, at compile time and at run time', () => {
    const content = hex(SI);
    // Typechecked before, and made an event whose headers, body and toJSON() threw a TypeError
    // from deep inside; `npm run typecheck` checks this line.
    // @ts-expect-error an OTA-WSP event has a datagram and bodyOffset, not a content of its own
    const make = () => new PushEvent({ ...wspInit, content });
    const e = thrown(make);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/OTA-WSP PushEvent is made from its datagram/);
  });

  it('refuses a bodyOffset outside the payload, or none', () => {
    for (const bodyOffset of [-1, PDU.length + 1, 2.5, undefined]) {
      const init = { ...wspInit, datagram: datagram(PDU), bodyOffset };
      // What JavaScript, or a parsed object, can hand over.
      const e = thrown(() => new PushEvent(init as ConstructorParameters<typeof PushEvent>[0]));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toContain(`(0-${PDU.length}), not ${String(bodyOffset)}`);
    }
  });

  it('takes a bodyOffset at either end of the payload', () => {
    expect(new PushEvent({ ...wspInit, datagram: datagram(PDU), bodyOffset: PDU.length }).content.length).toBe(0);
    expect(new PushEvent({ ...wspInit, datagram: datagram(PDU), bodyOffset: 0 }).content.length).toBe(PDU.length);
  });
});
