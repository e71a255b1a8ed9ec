// OMA Client Provisioning (OMA-WAP-ProvCont-v1_1) and its SEC/MAC authentication (OMA-WAP-ProvBoot-v1_1 5), and EMN.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { decodeEmn, encodeEmn } from '../../src/codec/wbxml/emn.js';
import {
  decodeProvisioning,
  encodeProvisioning,
  type ProvisioningDocument,
} from '../../src/codec/wbxml/provisioning.js';
import { imsiSemiOctets, userPinMacPin, verifyProvisioning } from '../../src/codec/wbxml/provisioningSecurity.js';
import { hex, smsFixturePush, thrown } from '../helpers.js';
import { emn, provisioning } from './arbitraries.js';

/** The OTA settings pushes of test/fixtures/sms (an operator-facing gateway's production pushes; source in the fixtures). */
function otaPush(name: string) {
  return smsFixturePush(name).push;
}

const hmacHex = (key: Uint8Array | string, body: Uint8Array) =>
  createHmac('sha1', key).update(body).digest('hex').toUpperCase();

describe('provisioning documents from production pushes', () => {
  it("decodes both operators' settings, with both WBXML versions and the PROV code pages", () => {
    const viettel = otaPush('ota-viettel');
    const doc = decodeBody(viettel.contentType, viettel.contentTypeParameters, viettel.body) as ProvisioningDocument;
    expect(doc.type).toBe('provisioning');
    expect(doc.version).toBe('1.0');
    expect(doc.characteristics.map((c) => c.type)).toEqual(['BOOTSTRAP', 'PXLOGICAL', 'NAPDEF', 'APPLICATION']);
    expect(doc.characteristics[0].parms).toEqual([{ name: 'NAME', value: 'VIETTEL GPRS' }]);
    const napdef = doc.characteristics.find((c) => c.type === 'NAPDEF')!;
    expect(napdef.parms).toContainEqual({ name: 'BEARER', value: 'GSM-GPRS' });
    expect(napdef.parms).toContainEqual({ name: 'NAP-ADDRTYPE', value: 'APN' });
    const app = doc.characteristics.find((c) => c.type === 'APPLICATION')!;
    expect(app.parms).toContainEqual({ name: 'APPID', value: 'w2' });

    const mobifone = otaPush('ota-mobifone');
    const doc2 = decodeBody(
      mobifone.contentType,
      mobifone.contentTypeParameters,
      mobifone.body,
    ) as ProvisioningDocument;
    expect(doc2.characteristics.length).toBe(4);
  });

  it('re-encodes a decoded document to a document that decodes the same', () => {
    const p = otaPush('ota-viettel');
    const doc = decodeProvisioning(p.body);
    expect(decodeProvisioning(encodeProvisioning(doc))).toEqual(doc);
  });
});

describe('SEC / MAC (OMA-WAP-ProvBoot-v1_1 section 5)', () => {
  // Both production pushes carry SEC=USERPIN (1) with a MAC; the MAC verifies with PIN 1111,
  // which the gateway's own users were given. A 160-bit HMAC matching by chance is not a concern.
  it('USERPIN: the production MACs verify with the PIN, not with another, and without a PIN nothing is claimed', () => {
    for (const name of ['ota-viettel', 'ota-mobifone']) {
      const p = otaPush(name);
      expect(p.contentTypeParameters.sec).toBe(1);
      const body = (pin?: string) =>
        (
          decodeBody(p.contentType, p.contentTypeParameters, p.body, {
            secrets: pin === undefined ? {} : { pin },
          }) as ProvisioningDocument
        ).authentication;
      expect(body('1111')).toEqual({ sec: 'USERPIN', mac: p.contentTypeParameters.mac, verified: true });
      expect(body('1112')).toMatchObject({ sec: 'USERPIN', verified: false });
      expect(body()).toMatchObject({ sec: 'USERPIN', verified: null, reason: 'USERPIN needs the PIN' });
    }
  });

  it('a document changed after signing does not verify', () => {
    const p = otaPush('ota-viettel');
    const tampered = Uint8Array.from(p.body);
    tampered[tampered.length - 5] ^= 0x01;
    expect(verifyProvisioning(p.contentTypeParameters, tampered, { pin: '1111' }).verified).toBe(false);
  });

  // IMSI 001010123456789 (15 digits, odd): parity nibble 9 then the digits, nibble-swapped:
  // 9 0 | 0 1 | 0 1 | 0 1 | 2 3 | 4 5 | 6 7 | 8 9 -> 09 10 10 10 32 54 76 98 (EF-IMSI, 3GPP TS 31.102 4.2.2).
  const IMSI = '001010123456789';
  const IMSI_KEY = hex('0910101032547698');
  const body = encodeProvisioning({
    characteristics: [{ type: 'NAPDEF', parms: [{ name: 'NAME', value: 'Test' }], characteristics: [] }],
  });

  it('the IMSI semi-octet key, odd and even digit counts', () => {
    expect(Buffer.from(imsiSemiOctets(IMSI))).toEqual(Buffer.from(IMSI_KEY));
    // 14 digits: parity nibble 1, padding F: 1 2 | 3 4 | ... | 4 F -> 21 43 ... F4
    expect(Buffer.from(imsiSemiOctets('23456789012344')).toString('hex')).toBe('21436587092143f4');
  });

  it("NETWPIN and USERNETWPIN verify with the semi-octet key; Kannel's ASCII-IMSI key is reported as non-standard", () => {
    expect(verifyProvisioning({ sec: 0, mac: hmacHex(IMSI_KEY, body) }, body, { imsi: IMSI })).toEqual({
      sec: 'NETWPIN',
      mac: hmacHex(IMSI_KEY, body),
      verified: true,
    });
    expect(
      verifyProvisioning({ sec: 2, mac: hmacHex(Buffer.concat([IMSI_KEY, Buffer.from('1234')]), body) }, body, {
        imsi: IMSI,
        pin: '1234',
      }).verified,
    ).toBe(true);
    const kannel = verifyProvisioning({ sec: 0, mac: hmacHex(IMSI, body) }, body, { imsi: IMSI });
    expect(kannel).toMatchObject({ sec: 'NETWPIN', verified: false, nonStandard: 'kannel-imsi-ascii' });
    expect(verifyProvisioning({ sec: 0, mac: hmacHex(IMSI_KEY, body) }, body, {})).toMatchObject({ verified: null });
    expect(verifyProvisioning({ sec: 0 }, body, { imsi: IMSI })).toMatchObject({
      verified: false,
      reason: 'SEC NETWPIN without a MAC parameter',
    });
  });

  it('USERPINMAC: the second half of the PIN are HMAC digits of the first half', () => {
    const m = createHmac('sha1', '48213').update(body).digest();
    const pin = '48213' + [0, 1, 2, 3, 4].map((i) => m[i] % 10).join('');
    expect(userPinMacPin('48213', body)).toBe(pin);
    expect(verifyProvisioning({ sec: 3 }, body, { pin }).verified).toBe(true);
    const wrong = pin.slice(0, 9) + String((Number(pin[9]) + 1) % 10);
    expect(verifyProvisioning({ sec: 3 }, body, { pin: wrong }).verified).toBe(false);
    // Kannel's USERPINMAC MAC is the USERPIN MAC of the whole PIN: non-standard.
    expect(verifyProvisioning({ sec: 3, mac: hmacHex(wrong, body) }, body, { pin: wrong })).toMatchObject({
      verified: false,
      nonStandard: 'kannel-userpinmac',
    });
  });

  it('no SEC parameter: nothing to verify (null)', () => {
    expect(verifyProvisioning({}, body, { pin: '1' })).toEqual({ sec: null, mac: null, verified: null });
  });
});

describe('provisioning round trip and errors', () => {
  it('any document over both code pages encodes and decodes back (property)', () => {
    fc.assert(
      fc.property(provisioning, (doc) => {
        expect(decodeProvisioning(encodeProvisioning(doc))).toEqual({ type: 'provisioning', ...doc });
      }),
      { numRuns: 300 },
    );
  });
  it('a characteristic without type, a parm without name: BAD_DOCUMENT', () => {
    // 03 0b 6a 00 | 45 wap-provisioningdoc (content) | 06 characteristic, no attributes | 01 | 01
    expect(thrown(() => decodeProvisioning(hex('030b6a0045060101')))).toMatchObject({ code: 'BAD_DOCUMENT' });
    // characteristic type=NAPDEF (c6 55 01), parm without attributes (07), ends
    expect(thrown(() => decodeProvisioning(hex('030b6a0045c65501070101')))).toMatchObject({ code: 'BAD_DOCUMENT' });
  });
});

describe('E-mail notification (OMA-Push-EMN-V1_0)', () => {
  it('decodes a document assembled by hand from the EMN token tables', () => {
    // 03 0d 6a 00 (WBXML 1.3, EMN public id, utf-8, no string table) | 85 emn with attributes |
    // 07 mailbox="mailat:" 03 "user@example" 00 85 (.com) | 05 timestamp c3 05 2026112910 (OPAQUE) | 01
    const doc = decodeEmn(
      hex('030d6a00' + '85' + '07' + '03' + '75736572406578616d706c6500' + '85' + '05' + 'c305' + '2026112910' + '01'),
    );
    expect(doc).toEqual({ type: 'emn', mailbox: 'mailat:user@example.com', timestamp: '2026-11-29T10:00:00Z' });
  });
  it('round trip (property) and the body dispatch by content type', () => {
    fc.assert(
      fc.property(emn, (e) => {
        expect(decodeEmn(encodeEmn(e))).toEqual({ type: 'emn', ...e });
      }),
      { numRuns: 200 },
    );
    expect(decodeBody('application/vnd.wap.emn+wbxml', {}, encodeEmn({ mailbox: 'imap://a.org' }))).toEqual({
      type: 'emn',
      mailbox: 'imap://a.org',
    });
    expect(
      decodeBody(
        'text/vnd.wap.emn+xml',
        {},
        Buffer.from('<emn mailbox="pop://b.net" timestamp="2002-04-16T06:40:00Z"/>'),
      ),
    ).toEqual({ type: 'emn', mailbox: 'pop://b.net', timestamp: '2002-04-16T06:40:00Z' });
  });
  it('an EMN without mailbox is BAD_DOCUMENT', () => {
    expect(thrown(() => decodeEmn(hex('030d6a00' + '05')))).toMatchObject({ code: 'BAD_DOCUMENT' });
  });
});
