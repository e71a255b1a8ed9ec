import { describe, expect, it } from 'vitest';
import { DEFAULT_APPLICATION_ID } from '../../src/codec/wsp/applicationIds.js';
import { decodePushPdu, decodePushRouting, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { pushToJson } from '../../src/codec/json.js';
import { hex, loadFixtures, thrown } from '../helpers.js';

interface PduFixture {
  description: string;
  source: string;
  pdu: string;
  expect: { wsp: Record<string, unknown>; body: Record<string, unknown> };
}

describe('push PDU fixtures (public captures and guides)', () => {
  for (const f of loadFixtures<PduFixture>('wsp')) {
    it(`${f.file}: ${f.description}`, () => {
      const json = pushToJson(decodePushPdu(hex(f.pdu)));
      expect(json.wsp).toEqual(f.expect.wsp);
      expect(json.body).toEqual(f.expect.body);
    });
    it(`${f.file}: routing-only decode agrees with the full decode`, () => {
      const full = decodePushPdu(hex(f.pdu));
      const route = decodePushRouting(hex(f.pdu));
      expect(route.applicationId).toBe(full.applicationId);
      expect(route.contentType).toBe(full.contentType);
      expect(route.bodyOffset).toBe(full.bodyOffset);
    });
  }
});

describe('WSP Push / ConfirmedPush PDU (WAP-230 8.2.4.1)', () => {
  it('TID, type, HeadersLen, content type, headers, body as a view', () => {
    // TID 05, ConfirmedPush 07, HeadersLen 05, content type b0 (0x30 application/vnd.wap.slc),
    // X-Wap-Application-Id af 84 (mms.ua), Accept 80 80 (*/*), then the body.
    const input = hex('0507' + '05' + 'b0' + 'af84' + '8080' + 'cafe');
    const m = decodePushPdu(input);
    expect(m.transactionId).toBe(5);
    expect(m.pduType).toBe('confirmed-push');
    expect(m.contentType).toBe('application/vnd.wap.slc');
    expect(m.contentTypeCode).toBe(0x30);
    expect(m.applicationId).toBe('x-wap-application:mms.ua');
    expect(m.headers).toHaveLength(2);
    expect(m.headers[1]).toMatchObject({ name: 'Accept', value: '*/*' });
    expect(m.body.buffer).toBe(input.buffer);
    expect(Array.from(m.body)).toEqual([0xca, 0xfe]);
  });
  it('no X-Wap-Application-Id means x-wap-application:wml.ua, flagged as defaulted', () => {
    const m = decodePushPdu(hex('000601ae'));
    expect(m.applicationId).toBe(DEFAULT_APPLICATION_ID);
    expect(m.applicationIdDefaulted).toBe(true);
  });
  it('an extension-media content type and a general form with untyped parameters', () => {
    // HeadersLen 0f; Value-length 0e; "x/y"; charset (0x81) = MIBenum 5; untyped key=val
    const m = decodePushPdu(hex('0006' + '0f' + '0e' + '782f7900' + '8185' + '6b657900' + '76616c00'));
    expect(m.contentType).toBe('x/y');
    expect(m.contentTypeParameters).toEqual({ charset: 'iso-8859-2', key: 'val' });
  });
  it('rejects other PDU types with BAD_PDU_TYPE at offset 1', () => {
    const e = thrown(() => decodePushPdu(hex('0140')));
    expect(e.code).toBe('BAD_PDU_TYPE');
    expect(e.offset).toBe(1);
  });
  it('HeadersLen past the end is BAD_LENGTH at offset 2', () => {
    const e = thrown(() => decodePushPdu(hex('000609ae')));
    expect(e.code).toBe('BAD_LENGTH');
    expect(e.offset).toBe(2);
  });
  it('an empty input is TRUNCATED at offset 0', () => {
    expect(thrown(() => decodePushPdu(new Uint8Array(0)))).toMatchObject({ code: 'TRUNCATED', offset: 0 });
  });
  it('maxDocumentSize is enforced', () => {
    expect(thrown(() => decodePushPdu(new Uint8Array(100), { limits: { maxDocumentSize: 10 } })).code).toBe('LIMIT');
  });
  it('body errors point into the PDU (offset = body offset + offset in body)', () => {
    const e = thrown(() => pushToJson(decodePushPdu(hex('000601ae' + '02056a00' + '45c6'))));
    expect(e.code).toBe('TRUNCATED');
    expect(e.offset).toBe(10);
  });
  it('the encoder writes well-known codes and the decoder reads them back', () => {
    const pdu = encodePushPdu({
      transactionId: 7,
      contentType: 'application/vnd.wap.sic',
      contentTypeParameters: { charset: 'utf-8' },
      applicationId: 'x-wap-application:wml.ua',
      headers: [{ name: 'Content-Length', value: 2 }],
      body: hex('abcd'),
    });
    expect(Buffer.from(pdu).toString('hex')).toBe('0706' + '08' + '03ae81ea' + 'af82' + '8d82' + 'abcd');
  });
});
