// What cannot be is refused, at the octet that is wrong (issue 20). Vectors are built by hand
// from WAP-167 8.2.2 / 8.3 (SI tokens and OPAQUE dates), WAP-230 8.4.2 (WSP values) and the
// OMA EMN token table; the comments name each octet.
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { compilePushXml } from '../../src/codec/compile.js';
import { EncodeError } from '../../src/codec/errors.js';
import { pushToJson } from '../../src/codec/json.js';
import { decodeCo } from '../../src/codec/wbxml/co.js';
import { decodeEmn, encodeEmn } from '../../src/codec/wbxml/emn.js';
import { decodeSi, encodeSi } from '../../src/codec/wbxml/si.js';
import { decodeSl } from '../../src/codec/wbxml/sl.js';
import { decodePushPdu, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { hex, thrown } from '../helpers.js';

const ascii = (s: string) => Buffer.from(s).toString('hex');
const decodePush = (h: string) => pushToJson(decodePushPdu(hex(h)));

/** 02 05 6a 00 | 45 <si> | c6 <indication attrs content> | 0c href="http://" 03 "xyz" 00 | ... 01 01 01 */
const SI_HEAD = '02056a0045c60c0378797a00';
const siWithCreated = (createdTokens: string) => hex(SI_HEAD + '0a' + createdTokens + '010101');
const opaqueCreated = (octets: string) =>
  siWithCreated(`c3${(octets.length / 2).toString(16).padStart(2, '0')}${octets}`);
const textCreated = (text: string) => siWithCreated(`03${ascii(text)}00`);
/** Offset in the SI body of the first octet of created's value: 0a at 12, c3 at 13, length at 14. */
const OPAQUE_AT = 15;
const STR_I_AT = 14;

describe('impossible dates are refused (WAP-167 7.2 / 8.2.2)', () => {
  it('the issue 20 push: created 2008-02-30 is BAD_VALUE at the day octet', () => {
    // 00 tid | 06 push | 01 HeadersLen | ae application/vnd.wap.sic | body from offset 4; day octet 0x30 at 22.
    const e = thrown(() => decodePush('000601ae02056a0045c60c0378797a000ac30720080230152315010101'));
    expect(e).toMatchObject({ code: 'BAD_VALUE', offset: 22 });
    expect(e.message).toMatch(/day 30/);
  });

  it('OPAQUE dates: month 13, day 00, hour 24, minute 60, second 60, a date with no day', () => {
    const cases: Array<[string, number]> = [
      ['20081301', 2], // month 13
      ['20080200', 3], // day 00
      ['200802012400', 4], // hour 24
      ['20080201156015', 5], // 15:60:15
      ['20080201152360', 6], // second 60
      ['19000229', 3], // 1900 is not a leap year
      ['200802', 2], // stops before its day: the last octet there
    ];
    for (const [octets, at] of cases) {
      const e = thrown(() => decodeSi(opaqueCreated(octets)));
      expect(e, octets).toMatchObject({ code: 'BAD_VALUE', offset: OPAQUE_AT + at });
    }
    expect(decodeSi(opaqueCreated('20080229')).created).toBe('2008-02-29T00:00:00Z');
    expect(decodeSi(opaqueCreated('20000229235959')).created).toBe('2000-02-29T23:59:59Z');
  });

  it('a bad BCD octet inside a date is reported at that octet, not at the start of the body', () => {
    const e = thrown(() => decodeBody('application/vnd.wap.sic', {}, opaqueCreated('2008a201'), { baseOffset: 4 }));
    expect(e).toMatchObject({ code: 'BAD_VALUE', offset: 4 + OPAQUE_AT + 2 });
  });

  it('inline-string dates: at the character that is wrong', () => {
    const cases: Array<[string, number]> = [
      ['2008-02-30T15:23:15Z', 8],
      ['2008-13-01T15:23:15Z', 5],
      ['2008-02-01T15:60:15Z', 14],
      ['2008-02-01T24:00:00Z', 11],
      ['2008-02-00T10:00+01:00', 8],
      ['2008-02-01T10:00+25:00', 16],
    ];
    for (const [text, at] of cases) {
      const e = thrown(() => decodeSi(textCreated(text)));
      expect(e, text).toMatchObject({ code: 'BAD_VALUE', offset: STR_I_AT + at });
    }
    expect(decodeSi(textCreated('2008-02-29T15:23:15Z')).created).toBe('2008-02-29T15:23:15Z');
  });

  it('XML dates (text/vnd.wap.si, text/vnd.wap.emn+xml): at the octet of the wrong character', () => {
    const xml = '<si><indication href="http://a" si-expires="2008-02-30T15:23:15Z">hi</indication></si>';
    const e = thrown(() => decodeBody('text/vnd.wap.si', {}, Buffer.from(xml)));
    expect(e).toMatchObject({ code: 'BAD_VALUE', offset: xml.indexOf('30T') });
    // Octets, not characters: two-octet characters before the date move it.
    const emn = '<emn mailbox="mailat:é@x" timestamp="2008-13-01T10:00:00Z"/>';
    const e2 = thrown(() => decodeBody('text/vnd.wap.emn+xml', {}, Buffer.from(emn)));
    expect(e2).toMatchObject({ code: 'BAD_VALUE', offset: Buffer.from(emn.slice(0, emn.indexOf('13-'))).length });
  });

  it('EMN timestamps as OPAQUE: at the octet', () => {
    // 03 0d 6a 00 | 85 <emn attrs/> | 07 mailbox="mailat:" 03 "a" 00 | 05 timestamp= c3 05 2008023012 | 01
    const e = thrown(() => decodeEmn(hex('030d6a00850703610005c3052008023012' + '01')));
    expect(e).toMatchObject({ code: 'BAD_VALUE', offset: 15 });
  });

  it('the encoders refuse a date that does not exist instead of sending it', () => {
    for (const bad of ['2008-02-30T15:23:15Z', '2008-13-01T00:00:00Z', '2008-02-01T15:60:15Z']) {
      expect(thrown(() => encodeSi({ href: 'http://a/', text: '', created: bad }))).toBeInstanceOf(EncodeError);
      expect(thrown(() => encodeEmn({ mailbox: 'mailat:a', timestamp: bad }))).toBeInstanceOf(EncodeError);
    }
  });
});

describe('TEXT has no control characters (WAP-230 8.4.2.1, RFC 2616 2.2)', () => {
  it('the issue 20 push: Extension-media "a\\x01b" is BAD_VALUE at the 0x01', () => {
    expect(thrown(() => decodePushPdu(hex('000604610162000102')))).toMatchObject({ code: 'BAD_VALUE', offset: 4 });
  });

  it('in every form of the content type: Value-length, Length-quote, and with parameters', () => {
    // 04 Value-length | 61 01 62 00: Extension-media with a control character at 5.
    expect(thrown(() => decodePushPdu(hex('0006050461016200')))).toMatchObject({ code: 'BAD_VALUE', offset: 5 });
    // 1f 04 Length-quote, uintvar 4 | 61 01 62 00: the control character at 6.
    expect(thrown(() => decodePushPdu(hex('000606' + '1f0461016200')))).toMatchObject({
      code: 'BAD_VALUE',
      offset: 6,
    });
    // 05 Value-length | 83 text/plain | 85 name= 61 1f 00: a Text-string parameter value.
    expect(thrown(() => decodePushPdu(hex('000606' + '0583' + '85611f00')))).toMatchObject({
      code: 'BAD_VALUE',
      offset: 7,
    });
  });

  it('in header values and names: Text-string, Quoted-string, Token-text', () => {
    // 83 text/plain | 8e Content-Location "a" 07 "b" 00
    expect(thrown(() => decodePushPdu(hex('000606' + '83' + '8e61076200')))).toMatchObject({
      code: 'BAD_VALUE',
      offset: 6,
    });
    // c0 Content-ID '"' "<" 1b ">" 00
    expect(thrown(() => decodePushPdu(hex('000607' + '83' + 'c0223c1b3e00')))).toMatchObject({
      code: 'BAD_VALUE',
      offset: 7,
    });
    // application header: Token-text "X" 09 "Y" 00, value "v" 00: no HT in a token.
    expect(thrown(() => decodePushPdu(hex('000607' + '83' + '5809590076' + '00')))).toMatchObject({
      code: 'BAD_VALUE',
      offset: 5,
    });
    // X-Wap-Application-Id as a URI: "u" 7f "n" 00 (DEL is a control character).
    expect(thrown(() => decodePushPdu(hex('000606' + '83' + 'af757f6e00')))).toMatchObject({
      code: 'BAD_VALUE',
      offset: 6,
    });
  });

  it('takes LWS (HT, CR, LF) in TEXT, as RFC 2616 does', () => {
    const m = decodePushPdu(hex('000608' + '83' + 'a6610d0a096200'));
    expect(m.headers).toEqual([{ name: 'Server', value: 'a\r\n\tb', code: 0x26 }]);
  });

  it('the encoder refuses what the decoder would', () => {
    expect(thrown(() => encodePushPdu({ contentType: 'a\u0001b', body: new Uint8Array(0) }))).toBeInstanceOf(
      EncodeError,
    );
    expect(
      thrown(() =>
        encodePushPdu({ contentType: 'text/plain', headers: [{ name: 'X\tY', value: 'v' }], body: new Uint8Array(0) }),
      ),
    ).toBeInstanceOf(EncodeError);
  });
});

describe('content type codes as the OMNA registry has them', () => {
  it('0x5A is application/octet-stream, 0x5B application/json, 0x59 is not assigned', () => {
    expect(decodePushPdu(hex('000601da')).contentType).toBe('application/octet-stream');
    expect(decodePushPdu(hex('000601db')).contentType).toBe('application/json');
    expect(decodePushPdu(hex('000601d9')).contentType).toBe('0x59');
    expect(Buffer.from(encodePushPdu({ contentType: 'application/octet-stream', body: new Uint8Array(0) }))).toEqual(
      Buffer.from(hex('000601da')),
    );
  });
});

describe('error offsets point at the octet that is wrong', () => {
  it('the issue 20 push: text/vnd.wap.sl with a binary body is BAD_XML at 4, its first octet', () => {
    expect(thrown(() => decodePush('000601af01066a00'))).toMatchObject({ code: 'BAD_XML', offset: 4 });
  });

  it('an XML error past the start: at the character that shows it', () => {
    const xml = '<sl href="a"><\u0001/sl>';
    expect(thrown(() => decodeBody('text/vnd.wap.sl', {}, Buffer.from(xml)))).toMatchObject({
      code: 'BAD_XML',
      offset: xml.indexOf('\u0001'),
    });
  });

  it('an SI action that is not one: at its value; an SL or CO without what it needs: at its element', () => {
    // 45 <si> c6 <indication> | 0c href="http://" 03 "a" 00 | 05 action="signal-none" at 10, 03 "x" 00:
    // the action "signal-nonex" is not one; its first character is the start token's.
    const si = hex('02056a0045c6' + '0c036100' + '05037800' + '010101');
    expect(thrown(() => decodeSi(si))).toMatchObject({ code: 'BAD_DOCUMENT', offset: 10 });
    // 03 06 6a 00 | 05 <sl/> without attributes, at 4.
    expect(thrown(() => decodeSl(hex('03066a0005')))).toMatchObject({ code: 'BAD_DOCUMENT', offset: 4 });
    // 02 07 6a 00 | 45 <co> | 06 <invalidate-object/> without uri, at 5 | 01
    expect(thrown(() => decodeCo(hex('02076a00450601')))).toMatchObject({ code: 'BAD_DOCUMENT', offset: 5 });
    // compiled XML: at the '<' of the element that lacks its attribute.
    const xml = '<co>\n  <invalidate-service/></co>';
    expect(thrown(() => compilePushXml(xml))).toMatchObject({ code: 'BAD_DOCUMENT', offset: xml.indexOf('<inv') });
  });
});
