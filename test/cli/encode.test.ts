import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli, run } from './run.js';

describe('wappush encode', () => {
  it('flags -> WSP PDU hex that decode reads back', () => {
    const hexOut = execFileSync(
      process.execPath,
      [
        cli,
        'encode',
        '--type',
        'si',
        '--href',
        'http://www.example.com/',
        '--text',
        'You have mail',
        '--si-id',
        'id-1',
        '--created',
        '2011-11-22T10:00:00Z',
        '--expires',
        '2011-12-22T10:00:00Z',
        '--app-id',
        'x-wap-application:wml.ua',
        '--tid',
        '1',
      ],
      { encoding: 'utf8' },
    ).trim();
    const out = JSON.parse(run(['decode', '--hex', hexOut]).stdout);
    expect(out.wsp).toMatchObject({
      transactionId: 1,
      contentType: 'application/vnd.wap.sic',
      applicationId: 'x-wap-application:wml.ua',
    });
    expect(out.body).toEqual({
      type: 'si',
      href: 'http://www.example.com/',
      siId: 'id-1',
      created: '2011-11-22T10:00:00Z',
      expires: '2011-12-22T10:00:00Z',
      action: 'signal-medium',
      text: 'You have mail',
    });
  });
  it('XML -> PDU; SL and CO by flags', () => {
    const sl = run(['encode', '--type', 'sl', '--href', 'https://x.org/', '--action', 'execute-high']);
    expect(JSON.parse(run(['decode', '--hex', sl.stdout.trim()]).stdout).body).toEqual({
      type: 'sl',
      href: 'https://x.org/',
      action: 'execute-high',
    });
    const co = run(['encode', '--xml', '<co><invalidate-service uri="http://www.a.com/"/></co>']);
    expect(JSON.parse(run(['decode', '--hex', co.stdout.trim()]).stdout).body).toEqual({
      type: 'co',
      objects: [],
      services: ['http://www.a.com/'],
    });
  });
  it('bad XML exits 1 with a typed error', () => {
    const r = run(['encode', '--xml', '<si><indication></si>']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('BAD_XML');
  });
});

describe('wappush encode --sms|--smpp, read back by decode --input sms|smpp', () => {
  for (const carriage of ['udh', 'sar', 'payload']) {
    it(`encode --smpp --carriage ${carriage} | decode --input smpp gives the push back with addresses`, () => {
      const lines = execFileSync(
        process.execPath,
        [
          cli,
          'encode',
          '--type',
          'sl',
          '--href',
          'http://example.com/' + 'x'.repeat(300),
          '--smpp',
          '--carriage',
          carriage,
          '--from',
          '9200',
          '--to',
          '+447700900123',
          '--reference',
          '77',
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n');
      expect(lines.length).toBe(carriage === 'udh' ? 3 : carriage === 'sar' ? 3 : 1);
      const out = JSON.parse(run(['decode', '--input', 'smpp'], lines.reverse().join('\n')).stdout);
      expect(out.wdp).toEqual({
        sourcePort: 9200,
        destinationPort: 2948,
        segments: lines.length,
        originator: '9200',
        recipient: '+447700900123',
      });
      expect(out.body).toEqual({ type: 'sl', href: 'http://example.com/' + 'x'.repeat(300), action: 'execute-low' });
    });
  }
  it('encode --sms prints TP-User-Data segments, one a line, that decode --input sms reads', () => {
    const lines = execFileSync(
      process.execPath,
      [
        cli,
        'encode',
        '--type',
        'si',
        '--href',
        'http://a.example/',
        '--text',
        'y'.repeat(200),
        '--sms',
        '--reference-bits',
        '16',
        '--reference',
        '4660',
        '--port-bits',
        '8',
        '--source-port',
        '200',
        '--destination-port',
        '201',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(lines.length).toBe(2);
    expect(lines[0].slice(0, 20)).toBe('0a0402c9c8080412340201'.slice(0, 20));
    const out = JSON.parse(run(['decode', '--input', 'sms'], lines.join('\n')).stdout);
    expect(out.wdp).toEqual({ sourcePort: 200, destinationPort: 201, segments: 2 });
    expect(out.body.text).toBe('y'.repeat(200));
  });
});

describe('wappush encode: provisioning with SEC/MAC, EMN XML, MMS notifications', () => {
  const PROV =
    '<wap-provisioningdoc version="1.0"><characteristic type="NAPDEF"><parm name="NAPID" value="NET"/><parm name="BEARER" value="GSM-GPRS"/></characteristic>' +
    '<characteristic type="APPLICATION"><parm name="APPID" value="w4"/><parm name="ADDR" value="http://mms.example/"/></characteristic></wap-provisioningdoc>';
  it('signs a provisioning document (NETWPIN with the IMSI) that decode verifies only with that IMSI', () => {
    const pdu = execFileSync(
      process.execPath,
      [cli, 'encode', '--xml', PROV, '--sec', 'NETWPIN', '--imsi', '001010123456789'],
      { encoding: 'utf8' },
    ).trim();
    const good = JSON.parse(run(['decode', '--hex', pdu, '--imsi', '001010123456789']).stdout);
    expect(good.wsp.contentType).toBe('application/vnd.wap.connectivity-wbxml');
    expect(good.body.characteristics.map((c: { type: string }) => c.type)).toEqual(['NAPDEF', 'APPLICATION']);
    expect(good.body.authentication).toMatchObject({ sec: 'NETWPIN', verified: true });
    expect(
      JSON.parse(run(['decode', '--hex', pdu, '--imsi', '001010123456780']).stdout).body.authentication.verified,
    ).toBe(false);
    const refused = run(['encode', '--xml', PROV, '--sec', 'USERPIN']);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stderr).error.code).toBe('BAD_INPUT');
  });
  it('compiles an EMN and builds an MMS notification from flags, sent to mms.ua', () => {
    const emn = JSON.parse(
      run([
        'decode',
        '--hex',
        execFileSync(
          process.execPath,
          [cli, 'encode', '--xml', '<emn mailbox="mailat:a@b.org" timestamp="2026-11-29T10:00:00Z"/>'],
          { encoding: 'utf8' },
        ).trim(),
      ]).stdout,
    );
    expect(emn.body).toEqual({ type: 'emn', mailbox: 'mailat:a@b.org', timestamp: '2026-11-29T10:00:00Z' });
    const mmsHex = execFileSync(
      process.execPath,
      [
        cli,
        'encode',
        '--type',
        'mms',
        '--content-location',
        'http://m.example/1',
        '--message-size',
        '4096',
        '--expiry',
        '3600',
        '--transaction-id',
        'T1',
      ],
      { encoding: 'utf8' },
    ).trim();
    const mms = JSON.parse(run(['decode', '--hex', mmsHex]).stdout);
    expect(mms.wsp.applicationId).toBe('x-wap-application:mms.ua');
    expect(mms.body).toEqual({
      type: 'mms',
      messageType: 'm-notification-ind',
      transactionId: 'T1',
      version: '1.2',
      messageClass: 'personal',
      messageSize: 4096,
      expiry: { relative: 3600 },
      contentLocation: 'http://m.example/1',
    });
  });
});
