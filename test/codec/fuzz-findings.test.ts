// What the fuzz campaigns found, as readable unit tests (the raw inputs replay in test/fuzz.test.ts).
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { EncodeError } from '../../src/codec/errors.js';
import { encodeEmn } from '../../src/codec/wbxml/emn.js';
import { decodeSi, encodeSi } from '../../src/codec/wbxml/si.js';
import { hex, thrown } from '../helpers.js';

describe('fuzz findings', () => {
  it('an XML parse error reports an octet offset within the body, not a character count past it', () => {
    // Found by jsfuzz (fuzz/crashes/wsp-push): text/vnd.wap.co body ff ff -> BAD_XML at 13 in a 12-octet PDU.
    const e = thrown(() => decodeBody('text/vnd.wap.co', {}, hex('ffff'), { baseOffset: 10 }));
    expect(e).toMatchObject({ code: 'BAD_XML' });
    expect(e.offset).toBeGreaterThanOrEqual(10);
    expect(e.offset).toBeLessThanOrEqual(12);
  });

  it('an SI date sent as text must be ISO 8601; the encoder takes no other text for a date', () => {
    // Found by the property phase (fuzz/crashes/si): a created attribute of inline text "\x19..." decoded as
    // that text, and the encoder's Date.parse fallback turned it into 2000-01-01.
    // 02 05 6a 00 | 45 si | c6 indication(attrs, content) | 0a created= | 03 "0" 00 | 01 | 01 01
    expect(thrown(() => decodeSi(hex('02056a0045c60a033000010101')))).toMatchObject({ code: 'BAD_VALUE' });
    expect(
      decodeSi(hex('02056a0045c60a03' + Buffer.from('2026-11-29T10:00:00Z').toString('hex') + '00010101')).created,
    ).toBe('2026-11-29T10:00:00Z');
    for (const bad of ['0', 'yesterday', '2026-11-29']) {
      expect(thrown(() => encodeSi({ href: 'http://a/', text: '', created: bad }))).toBeInstanceOf(EncodeError);
      expect(thrown(() => encodeEmn({ mailbox: 'mailat:a', timestamp: bad }))).toBeInstanceOf(EncodeError);
    }
    expect(decodeSi(encodeSi({ href: 'http://a/', text: '', created: '2026-11-29T10:00:00.5+01:00' })).created).toBe(
      '2026-11-29T09:00:00Z',
    );
  });
});

describe('fuzz findings: charsets', () => {
  it('text a charset cannot hold is refused on encode, not sent as "?"', async () => {
    // Found by the property phase (fuzz/crashes/mms): a GBK subject decoded from invalid octets held a
    // character that re-encoded as "?", so the PDU changed in a round trip.
    const { encodeMmsPdu } = await import('../../src/codec/mms/pdu.js');
    expect(
      thrown(() =>
        encodeMmsPdu({ messageType: 'm-notification-ind', subject: { text: 'snow ☃', charset: 'iso-8859-1' } }),
      ),
    ).toBeInstanceOf(EncodeError);
    expect(
      encodeMmsPdu({ messageType: 'm-notification-ind', subject: { text: 'café', charset: 'iso-8859-1' } }).length,
    ).toBeGreaterThan(0);
  });
});

describe('fuzz findings: MMS Encoded-string-value', () => {
  it('text that starts with octet 0x7F is written after a Quote, so it reads back whole', async () => {
    // Found by the property phase (fuzz/crashes/mms/property-abf704d42f220728.bin): From "\x7f" re-encoded
    // without the Quote and read back as "".
    const { decodeMmsPdu, encodeMmsPdu } = await import('../../src/codec/mms/pdu.js');
    const pdu = { messageType: 'm-notification-ind', from: { text: '\x7fx', charset: 'utf-8' } };
    expect(decodeMmsPdu(encodeMmsPdu(pdu)).from).toEqual(pdu.from);
  });
});

describe('fuzz findings: empty MMS strings', () => {
  it('an empty Encoded-string-value (its NUL alone) reads as empty text, so an empty Subject round-trips', async () => {
    // Found by jsfuzz (fuzz/crashes/mms/crash-0ff7f9e5e57a6f0d.bin): Subject "" re-encoded as 00, which read
    // as a Value-length of 0 with no charset.
    const { decodeMmsPdu, encodeMmsPdu } = await import('../../src/codec/mms/pdu.js');
    expect(decodeMmsPdu(hex('8c82' + '9600')).subject).toEqual({ text: '' });
    expect(decodeMmsPdu(encodeMmsPdu({ messageType: 'm-notification-ind', subject: { text: '' } })).subject).toEqual({
      text: '',
    });
  });
});
