// MMS PDUs as pushes carry them (OMA-MMS-ENC 1.3), decoded by the field table and encoded back.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBody } from '../../src/codec/body.js';
import { DecodeError } from '../../src/codec/errors.js';
import { decodeMmsPdu, encodeMmsPdu, type MmsPdu } from '../../src/codec/mms/pdu.js';
import { hex, smsFixturePush, thrown } from '../helpers.js';
import { isoDate, text } from './arbitraries.js';

/** The captured notification of test/fixtures/sms (two SMS-DELIVERs; source in the fixture). */
function capturedNotification(): Uint8Array {
  return smsFixturePush('mms').push.body;
}

describe('MMS m-notification-ind', () => {
  it('decodes the captured notification and encodes it back to the same octets', () => {
    const body = capturedNotification();
    const pdu = decodeMmsPdu(body);
    expect(pdu).toMatchObject({
      messageType: 'm-notification-ind',
      version: '1.1',
      messageClass: 'personal',
      messageSize: 198_257,
      expiry: { relative: 43_198 },
    });
    expect(pdu.missing).toBeUndefined();
    expect(Buffer.from(encodeMmsPdu(pdu)).equals(Buffer.from(body))).toBe(true);
  });

  it('reads every header kind of a notification, assembled by hand from OMA-MMS-ENC 1.3 7.3', () => {
    const octets = hex(
      [
        '8c82', // X-Mms-Message-Type: m-notification-ind
        '98',
        '543100', // X-Mms-Transaction-Id "T1"
        '8d93', // X-Mms-MMS-Version 1.3
        '89',
        '0c',
        '80',
        '0a',
        'ea',
        '7f',
        'c3a96d696c',
        '00', // From: Value-length 12, Address-present, Encoded-string (len 10, utf-8, Quote, "émil")... see below
      ].join(''),
    );
    // The From above is deliberately malformed (inner length 10 runs past): a typed error.
    expect(thrown(() => decodeMmsPdu(octets))).toBeInstanceOf(DecodeError);

    const good = hex(
      [
        '8c82',
        '98',
        '543100',
        '8d93',
        '89',
        '08',
        '80',
        '06',
        'ea',
        '7f',
        'c3a96d',
        '00', // From: Address-present, utf-8 (MIB 106 = 0xEA), Quote (first octet >= 0x80), "ém"
        '96',
        '06',
        '84',
        '536fe966',
        '00', // Subject: Value-length 6, iso-8859-1 (MIB 4 = 0x84), "Soéf" in Latin-1, NUL
        '8a',
        '81', // X-Mms-Message-Class: advertisement
        '8e',
        '02',
        '0400', // X-Mms-Message-Size 1024
        '88',
        '06',
        '80',
        '04',
        '3b9aca00', // X-Mms-Expiry absolute 1,000,000,000 s
        '8f82', // X-Mms-Priority high
        '8681', // X-Mms-Delivery-Report no
        'ba',
        '83', // X-Mms-Content-Class video-basic
        '83',
        '687474703a2f2f782f6d00', // X-Mms-Content-Location http://x/m
        '582d4f7468657200',
        '766100', // application header X-Other: va
      ].join(''),
    );
    const pdu = decodeMmsPdu(good);
    expect(pdu).toEqual({
      type: 'mms',
      messageType: 'm-notification-ind',
      transactionId: 'T1',
      version: '1.3',
      from: { text: 'ém', charset: 'utf-8' },
      subject: { text: 'Soéf', charset: 'iso-8859-1' },
      messageClass: 'advertisement',
      messageSize: 1024,
      expiry: { absolute: '2001-09-09T01:46:40Z' },
      priority: 'high',
      deliveryReport: 'no',
      contentClass: 'video-basic',
      contentLocation: 'http://x/m',
      otherHeaders: [{ name: 'X-Other', value: 'va' }],
    } satisfies MmsPdu);
    expect(decodeMmsPdu(encodeMmsPdu(pdu))).toEqual(pdu);
  });

  it('reads Insert-address, a Token-text message class, unknown codes; names the missing fields', () => {
    // 8c82 m-notification-ind; 89 01 81 From Insert-address; 8a "custom" (Token-text class); ff 81: code 0x7F, unknown.
    const pdu = decodeMmsPdu(hex('8c82' + '890181' + '8a637573746f6d00' + 'ff81'));
    expect(pdu.from).toEqual({ insertAddress: true });
    expect(pdu.messageClass).toBe('custom');
    expect(pdu.otherHeaders).toEqual([{ name: '0x7f', raw: '81' }]);
    expect(pdu.missing).toEqual(['transactionId', 'version', 'messageSize', 'expiry', 'contentLocation']);
  });
});

describe('MMS m-delivery-ind and m-read-orig-ind (at least their headers)', () => {
  it('m-delivery-ind: status and addressee', () => {
    // 8c86 m-delivery-ind, 8d92 1.2, 8b "id1", 97 "+1555/TYPE=PLMN", 85 04 5b5f0e00 (Date), 9581 retrieved
    const pdu = decodeMmsPdu(
      hex('8c86' + '8d92' + '8b69643100' + '972b313535352f545950453d504c4d4e00' + '85045b5f0e00' + '9581'),
    );
    expect(pdu).toEqual({
      type: 'mms',
      messageType: 'm-delivery-ind',
      version: '1.2',
      messageId: 'id1',
      to: [{ text: '+1555/TYPE=PLMN' }],
      date: '2018-07-30T13:09:20Z',
      status: 'retrieved', // 0x5B5F0E00 s after the epoch
    });
  });
  it('m-read-orig-ind: read status and both addresses', () => {
    const pdu = decodeMmsPdu(
      hex('8c88' + '8d92' + '8b69643200' + '97613d6200' + '890380' + '6200' + '85045b5f0e00' + '9b81'),
    );
    expect(pdu).toMatchObject({
      messageType: 'm-read-orig-ind',
      to: [{ text: 'a=b' }],
      from: { text: 'b' },
      readStatus: 'deleted-without-being-read',
    });
    expect(pdu.missing).toBeUndefined();
  });
});

describe('MMS errors are typed, with offsets into the push', () => {
  it('a PDU that does not start with the message type, a bad From token, a truncated size', () => {
    expect(thrown(() => decodeMmsPdu(hex('98543100')))).toMatchObject({ code: 'BAD_DOCUMENT', offset: 0 });
    expect(thrown(() => decodeMmsPdu(hex('8c82' + '890182')))).toMatchObject({ code: 'BAD_VALUE', offset: 3 });
    expect(thrown(() => decodeMmsPdu(hex('8c82' + '8e0304')))).toMatchObject({ code: 'TRUNCATED' });
    expect(
      thrown(() => decodeBody('application/vnd.wap.mms-message', {}, hex('8c82' + '890182'), { baseOffset: 100 })),
    ).toMatchObject({ offset: 103 });
  });
});

describe('MMS round trip (property)', () => {
  it('encode then decode gives the notification back', () => {
    const address = fc.stringMatching(/^\+[0-9]{4,12}\/TYPE=PLMN$/);
    const encoded = fc.oneof(
      text.filter((t) => t.length > 0 && !/^[\x7f-\x9f]/.test(t)).map((t) => ({ text: t })),
      fc.record({ text: text.filter((t) => t.length > 0), charset: fc.constant('utf-8') }),
    );
    const notification = fc.record({
      messageType: fc.constant('m-notification-ind'),
      transactionId: fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/),
      version: fc.constantFrom('1.0', '1.1', '1.2', '1.3'),
      from: fc.oneof(
        address.map((a) => ({ text: a })),
        fc.constant({ insertAddress: true as const }),
      ),
      subject: encoded,
      messageClass: fc.constantFrom('personal', 'advertisement', 'informational', 'auto'),
      messageSize: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      expiry: fc.oneof(
        isoDate.map((d) => ({ absolute: d })),
        fc.integer({ min: 0, max: 2 ** 31 }).map((s) => ({ relative: s })),
      ),
      contentLocation: fc.webUrl(),
      priority: fc.constantFrom('low', 'normal', 'high'),
      deliveryReport: fc.constantFrom('yes', 'no'),
    });
    fc.assert(
      fc.property(notification, (n) => {
        expect(decodeMmsPdu(encodeMmsPdu(n))).toEqual({ type: 'mms', ...n });
      }),
      { numRuns: 300 },
    );
  });
});
