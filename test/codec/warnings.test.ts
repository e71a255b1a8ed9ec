// What is odd about a push but decodes (issue 20): each warning, where it points, and that a
// decode with nothing to say carries no `warnings` at all. Vectors are built by hand from
// WAP-230 8.4.2 (WSP), WAP-192 (WBXML), WAP-167/168/175 (SI, SL, CO tokens) and OMA-MMS-ENC;
// the comments name the octets.
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { pushToJson } from '../../src/codec/json.js';
import { decodeMmsPdu } from '../../src/codec/mms/pdu.js';
import { DEFAULT_LIMITS } from '../../src/codec/limits.js';
import { ByteReader } from '../../src/codec/reader.js';
import { decodeCo } from '../../src/codec/wbxml/co.js';
import { decodeProvisioning } from '../../src/codec/wbxml/provisioning.js';
import { decodeSi } from '../../src/codec/wbxml/si.js';
import { decodeSl } from '../../src/codec/wbxml/sl.js';
import { readHeaders } from '../../src/codec/wsp/headers.js';
import { decodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { hex, thrown } from '../helpers.js';

/** Code and offset of each warning (the messages are for people). */
const said = (x: { warnings?: Array<{ code: string; offset: number }> }) =>
  x.warnings?.map(({ code, offset }) => [code, offset]);
const ascii = (s: string) => Buffer.from(s).toString('hex');

describe('Content-Length against the body', () => {
  it('the issue 20 push: Content-Length 100, body of 5: CONTENT_LENGTH at the value', () => {
    // 00 tid | 06 push | 03 HeadersLen | 83 text/plain | 8d Content-Length e4 (100) at 5 | "Hello"
    const m = decodePushPdu(hex('000603838de448656c6c6f'));
    expect(said(m)).toEqual([['CONTENT_LENGTH', 5]]);
    expect(m.warnings![0].message).toMatch(/100.*5/);
    expect(pushToJson(m).warnings).toEqual(m.warnings);
  });
  it('a Content-Length that agrees says nothing, and no `warnings` key is made', () => {
    const m = decodePushPdu(hex('000603838d8548656c6c6f'));
    expect('warnings' in m).toBe(false);
    expect('warnings' in pushToJson(m)).toBe(false);
  });
});

describe('data after the WBXML root element', () => {
  // The issue 20 push: SL <sl href="http://www.oreilly.com/"/> then 45 01, a second <sl>.
  const pdu = '000601b0' + '03066a00850a036f7265696c6c7900850145' + '01';
  it('TRAILING_DATA with the count of octets, at the first of them, in the PDU and the library', () => {
    const json = pushToJson(decodePushPdu(hex(pdu)));
    expect(json.body).toEqual({ type: 'sl', href: 'http://www.oreilly.com/', action: 'execute-low' });
    expect(said(json)).toEqual([['TRAILING_DATA', 21]]);
    expect(json.warnings![0].message).toMatch(/^2 octets after the root element/);
    const sl = decodeSl(hex(pdu.slice(8)));
    expect(said(sl)).toEqual([['TRAILING_DATA', 17]]);
  });
  it('the SI fast path steps aside for it, so an SI says it too (once)', () => {
    // 45 <si> c6 <indication> 0c href="http://" 03 "a" 00 01 | 03 "hi" 00 01 | 01 | 00 padding
    const si = hex('02056a00' + '45c60c036100' + '01' + '03686900' + '01' + '01' + '00');
    expect(said(decodeBody('application/vnd.wap.sic', {}, si))).toEqual([['TRAILING_DATA', 17]]);
    expect(said(decodeSi(si))).toEqual([['TRAILING_DATA', 17]]);
  });
});

describe('documents without what their DTD requires: decoded leniently and said', () => {
  it('<si/> (no <indication>): MISSING_REQUIRED at the element, in WBXML and XML, on both SI paths', () => {
    const wbxml = hex('02056a0005');
    const fast = decodeBody('application/vnd.wap.sic', {}, wbxml);
    expect(fast).toEqual({
      type: 'si',
      action: 'signal-medium',
      text: '',
      warnings: [{ code: 'MISSING_REQUIRED', message: expect.stringMatching(/indication/), offset: 4 }],
    });
    expect(decodeSi(wbxml)).toEqual(fast);
    const xml = '<?xml version="1.0"?>\n<si/>';
    expect(said(decodeBody('text/vnd.wap.si', {}, Buffer.from(xml)))).toEqual([
      ['MISSING_REQUIRED', xml.indexOf('<si')],
    ]);
  });
  it('<info> without <item>, <item> without class', () => {
    // 45 <si> 06 <indication/> | 47 <info> 01 | 01
    expect(said(decodeSi(hex('02056a00' + '4506' + '4701' + '01')))).toEqual([['MISSING_REQUIRED', 6]]);
    // 45 <si> 06 | 47 <info> 48 <item> 03 "x" 00 01 | 01 | 01
    const si = decodeSi(hex('02056a00' + '4506' + '47' + '4803780001' + '01' + '01'));
    expect(si.items).toEqual([{ class: '', text: 'x' }]);
    expect(said(si)).toEqual([['MISSING_REQUIRED', 7]]);
  });
  it('an empty <co/>: decoded as no invalidations, and said', () => {
    const co = decodeCo(hex('02076a0005'));
    expect(co).toMatchObject({ objects: [], services: [] });
    expect(said(co)).toEqual([['MISSING_REQUIRED', 4]]);
  });
  it('a provisioning document without a characteristic', () => {
    expect(said(decodeProvisioning(hex('030b6a0005')))).toEqual([['MISSING_REQUIRED', 4]]);
  });
  it('an m-notification-ind without its mandatory fields keeps `missing` and says each', () => {
    // 8c 82 X-Mms-Message-Type m-notification-ind, nothing else.
    const pdu = decodeMmsPdu(hex('8c82'), { baseOffset: 10 });
    expect(pdu.missing).toHaveLength(6);
    expect(pdu.warnings?.map((w) => [w.code, w.offset])).toEqual(pdu.missing!.map(() => ['MISSING_REQUIRED', 10]));
  });
  it('what the object cannot be without is still refused: an SL without href', () => {
    expect(thrown(() => decodeSl(hex('03066a0005')))).toMatchObject({ code: 'BAD_DOCUMENT' });
  });
});

describe('non-minimal encodings', () => {
  it('Length-quote for a short length, and a Content-general-form with nothing but the type', () => {
    // 1f 01 83: Length-quote, uintvar 1, text/plain.
    expect(said(decodePushPdu(hex('0006031f0183')))).toEqual([
      ['NON_MINIMAL', 3],
      ['NON_MINIMAL', 3],
    ]);
  });
  it('a uintvar with a leading 0x80: HeadersLen, and the WBXML header', () => {
    expect(said(decodePushPdu(hex('0006800183')))).toEqual([['NON_MINIMAL', 2]]);
    // 03 | 80 05 public id SI in two octets | 6a | 00 | 45 <si> 06 <indication/> 01
    expect(said(decodeBody('application/vnd.wap.sic', {}, hex('038005' + '6a00' + '4506' + '01')))).toEqual([
      ['NON_MINIMAL', 1],
    ]);
  });
  it('an mb_u_int32 with a leading 0x80 inside a WBXML document: STR_T index, OPAQUE length, ENTITY', () => {
    // SL: 03 06 6a | 08 "oreilly" 00 | 85 <sl> 0a href="http://www." 83 STR_T 80 00 (index 0) 85 ".com/" 01
    const sl = decodeSl(hex('03066a' + '08' + ascii('oreilly') + '00' + '850a' + '838000' + '8501'));
    expect(sl).toMatchObject({ href: 'http://www.oreilly.com/' });
    expect(said(sl)).toEqual([['NON_MINIMAL', 15]]);
    // SI: ... c6 <indication> 0c href 03 "xyz" 00 | 0a created c3 OPAQUE 80 07 (length 7) 2008-02-28T15:23:15 | 01 01 01
    const dated = hex('02056a00' + '45c60c03' + ascii('xyz') + '00' + '0ac3' + '8007' + '20080228152315' + '010101');
    // The SI fast path steps aside for it, so the tree says it, once, on both ways in.
    expect(decodeBody('application/vnd.wap.sic', {}, dated)).toMatchObject({ created: '2008-02-28T15:23:15Z' });
    expect(said(decodeBody('application/vnd.wap.sic', {}, dated))).toEqual([['NON_MINIMAL', 14]]);
    expect(said(decodeSi(dated))).toEqual([['NON_MINIMAL', 14]]);
    // SI text: 01 (end of attributes) | 02 ENTITY 80 41 ("A" in two octets) | 01 01
    const entity = hex('02056a00' + '45c60c03' + ascii('xyz') + '00' + '01' + '028041' + '0101');
    expect(decodeBody('application/vnd.wap.sic', {}, entity)).toMatchObject({ text: 'A' });
    expect(said(decodeBody('application/vnd.wap.sic', {}, entity))).toEqual([['NON_MINIMAL', 14]]);
    // The same documents with one-octet mb_u_int32 say nothing.
    expect('warnings' in decodeSl(hex('03066a' + '08' + ascii('oreilly') + '00' + '850a' + '8300' + '8501'))).toBe(
      false,
    );
    expect('warnings' in decodeSi(hex('02056a00' + '45c60c03' + ascii('xyz') + '00' + '01' + '0241' + '0101'))).toBe(
      false,
    );
  });
  it('a Long-integer where a Short-integer fits, and one with a leading zero octet', () => {
    // 8d 01 05: Content-Length 5 as a one-octet Long-integer; then 02 00 05.
    expect(said(decodePushPdu(hex('000604838d0105' + '48656c6c6f')))).toEqual([['NON_MINIMAL', 5]]);
    expect(said(decodePushPdu(hex('000605838d020005' + '48656c6c6f')))).toEqual([['NON_MINIMAL', 6]]);
  });
});

describe('reserved bits, unknown codes, charsets', () => {
  it('Push-Flag with reserved bits set', () => {
    // b4 Push-Flag ff: 0x7f, bits 3-6 reserved (WAP-235 Push OTA).
    const m = decodePushPdu(hex('00060383b4ff'));
    expect(m.headers[0]).toMatchObject({ name: 'Push-Flag', value: 0x7f });
    expect(said(m)).toEqual([['RESERVED_BITS', 5]]);
    expect('warnings' in decodePushPdu(hex('00060383b487'))).toBe(false);
  });
  it('well-known codes with no name here: a header field, a content type, a parameter, a token', () => {
    expect(said(decodePushPdu(hex('00060383db85')))).toEqual([['UNKNOWN_CODE', 4]]);
    expect(said(decodePushPdu(hex('000601d9')))).toEqual([['UNKNOWN_CODE', 3]]);
    // 03 | 83 text/plain | 9e 81: a typed parameter 0x1e that WAP-230 Table 38 does not have.
    expect(said(decodePushPdu(hex('000604' + '03839e81')))).toEqual([['UNKNOWN_CODE', 5]]);
    // 84 Accept-Ranges 85: no token 5.
    expect(said(decodePushPdu(hex('0006038384' + '85')))).toEqual([['UNKNOWN_CODE', 5]]);
  });
  it('text that is not UTF-8: CHARSET at the first octet that is not', () => {
    // SI href "http://" 03 "xz" ff 00 ...: on the fast path and the tree path alike.
    const si = hex('02056a00' + '45c60c03787aff00' + '01' + '01' + '01');
    const fast = decodeBody('application/vnd.wap.sic', {}, si);
    expect(fast).toMatchObject({ href: 'http://xz\ufffd' });
    expect(said(fast)).toEqual([['CHARSET', 10]]);
    expect(said(decodeSi(si))).toEqual([['CHARSET', 10]]);
    // ... and the fast path having said it before stepping aside (trailing 00), it is said once.
    expect(said(decodeBody('application/vnd.wap.sic', {}, hex(Buffer.from(si).toString('hex') + '00')))).toEqual([
      ['CHARSET', 10],
      ['TRAILING_DATA', 15],
    ]);
    // A WSP Text-string: Content-Location "a" ff "b".
    expect(said(decodePushPdu(hex('000606838e61ff6200')))).toEqual([['CHARSET', 6]]);
    // An encoded U+FFFD (ef bf bd) is text, not an error.
    expect('warnings' in decodePushPdu(hex('000607838e61efbfbd00'))).toBe(false);
  });
  it('a charset named as text that this decoder does not know', () => {
    // 08 | 83 | 81 charset= "x-foo" 00: Content-Type text/plain; charset=x-foo in the general form.
    const m = decodePushPdu(hex('000609' + '08' + '83' + '81' + ascii('x-foo') + '00'));
    expect(m.contentTypeParameters).toEqual({ charset: 'x-foo' });
    expect(said(m)).toEqual([['CHARSET', 6]]);
  });
  it('a WBXML document in a charset whose octets do not decode: CHARSET at the first octet that does not', () => {
    // 03 05 | 11 shift_jis | 00 | 45 <si> c6 0c 03 "a" 82 00 (a lead octet without its trail) 01 01 01
    expect(said(decodeSi(hex('030511' + '00' + '45c60c03618200' + '010101')))).toEqual([['CHARSET', 9]]);
    // ... after a character of two octets that does decode: 82 a0 is U+3042 in Shift_JIS.
    const si = decodeSi(hex('030511' + '00' + '45c60c036182a08200' + '010101'));
    expect(si.href).toMatch(/^http:\/\/a\u3042\ufffd/);
    expect(said(si)).toEqual([['CHARSET', 11]]);
  });
});

describe('collection', () => {
  it('a warning raised outside a decode belongs to none and is not carried into the next', () => {
    const block = hex('db85');
    readHeaders(new ByteReader(block), block.length, DEFAULT_LIMITS);
    expect('warnings' in decodePushPdu(hex('00060183'))).toBe(false);
  });
  it('a decode that fails leaves no warnings behind for the next one', () => {
    // db 85: an unknown header (said), then 8e Content-Location with no value.
    expect(thrown(() => decodePushPdu(hex('00060483db858e')))).toMatchObject({ code: 'TRUNCATED' });
    expect(said(decodePushPdu(hex('00060183')))).toBeUndefined();
  });
  it('the PDU and the body each carry their own; the decode JSON has both, in that order', () => {
    // Push-Flag 0xff (reserved bits) and an SL with 2 trailing octets.
    const m = decodePushPdu(hex('000603b0b4ff' + '03066a00850a036f7265696c6c7900850145' + '01'));
    expect(said(m)).toEqual([['RESERVED_BITS', 5]]);
    const json = pushToJson(m);
    expect(said(json)).toEqual([
      ['RESERVED_BITS', 5],
      ['TRAILING_DATA', 23],
    ]);
    expect('warnings' in json.body).toBe(false);
  });
});
