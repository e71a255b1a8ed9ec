import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from './helpers.js';

// Runs the built command as users do (npm test builds dist/ first).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });

describe('wappush decode (docs/architecture.md contract)', () => {
  const [f] = loadFixtures<{ pdu: string; expect: { wsp: unknown; body: unknown } }>('wsp');
  it('--hex prints one JSON document and exits 0', () => {
    const r = run(['decode', '--hex', f.pdu]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(f.expect);
  });
  it('hex lines on stdin', () => {
    const r = run(['decode'], `${f.pdu}\n`);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).wsp.transactionId).toBe(253);
  });
  it('bad input exits 1 with {"error":{code,message,offset}} on stderr', () => {
    const r = run(['decode', '--hex', '0140']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const err = JSON.parse(r.stderr).error;
    expect(err).toMatchObject({ code: 'BAD_PDU_TYPE', offset: 1 });
    expect(typeof err.message).toBe('string');
  });
});

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

describe('wappush decode --input sms|smpp (docs/architecture.md contract)', () => {
  const [mms] = loadFixtures<{ segments: string[] }>('sms');
  it('--input sms: segments in any order -> wdp + wsp + body', () => {
    const r = run(['decode', '--input', 'sms'], [...mms.segments].reverse().join('\n') + '\n');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.wdp).toEqual({ sourcePort: 9200, destinationPort: 2948, segments: 2 });
    expect(out.wsp).toMatchObject({
      pduType: 'push',
      contentType: 'application/vnd.wap.mms-message',
      applicationId: 'x-wap-application:mms.ua',
    });
    // Read off the captured octets: 8c82 (m-notification-ind), 98 "1tid...", 8d91 (1.1),
    // 89 18 80 "+4857..." (From, address present), 8a80 (personal), 8e 03 030671, 88 04 81 02 a8be.
    expect(out.body).toEqual({
      type: 'mms',
      messageType: 'm-notification-ind',
      transactionId: '1tid48608394953_07ygg84bph',
      version: '1.1',
      from: { text: '+48572292736/TYPE=PLMN' },
      subject: { text: 'no subject' },
      messageClass: 'personal',
      messageSize: 0x030671,
      expiry: { relative: 0xa8be },
      contentLocation: 'http://10.74.183.55/mms/wapenc?location=48608394953_07ygg84bph&rid=137',
    });
  });
  it('--input sms with a segment missing: INCOMPLETE, exit 1', () => {
    const r = run(['decode', '--input', 'sms', '--hex', mms.segments[1]]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'INCOMPLETE', offset: 0 });
    expect(JSON.parse(r.stderr).error.message).toMatch(/missing 1/);
  });
  it('--input sms with a bad UDH names the segment and the offset', () => {
    const r = run(['decode', '--input', 'sms', '--hex', mms.segments[0], '--hex', '0b05040b84']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'BAD_LENGTH', offset: 0 });
    expect(JSON.parse(r.stderr).error.message).toMatch(/^segment 2:/);
  });
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

describe('wappush smsc | listen | inject (processes on 127.0.0.1)', () => {
  it('a push injected into the simulator is printed by listen as one decode JSON line', async () => {
    const { spawn } = await import('node:child_process');
    const smsc = spawn(process.execPath, [
      cli,
      'smsc',
      '--port',
      '0',
      '--account',
      'ppg:secret',
      '--account',
      'client:pw',
    ]);
    let listen: ReturnType<typeof spawn> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      listen = spawn(process.execPath, [cli, 'listen', '--smsc', `smpp://client:pw@127.0.0.1:${port}`]);
      let out = '';
      listen.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await new Promise((r) => setTimeout(r, 500)); // let it bind
      const pdu = execFileSync(process.execPath, [cli, 'encode', '--type', 'sl', '--href', 'http://example.com/x'], {
        encoding: 'utf8',
      }).trim();
      const injected = JSON.parse(
        execFileSync(
          process.execPath,
          [
            cli,
            'inject',
            '--smsc',
            `smpp://ppg:secret@127.0.0.1:${port}`,
            '--to',
            '+447700900123',
            '--from',
            '9200',
            '--hex',
            pdu,
          ],
          { encoding: 'utf8' },
        ),
      );
      expect(injected.submitted).toHaveLength(1);
      for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
      const line = JSON.parse(out.split('\n')[0]);
      expect(line.wdp).toEqual({
        sourcePort: 9200,
        destinationPort: 2948,
        segments: 1,
        originator: '9200',
        recipient: '+447700900123',
      });
      expect(line.body).toEqual({ type: 'sl', href: 'http://example.com/x', action: 'execute-low' });
    } finally {
      listen?.kill();
      smsc.kill();
    }
  }, 20_000);
});

describe('wappush listen --register apps.json (processes on 127.0.0.1)', () => {
  it('prints each registration outcome, then pushes with their registration or "unrouted": true', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'wappush-cli-'));
    const apps = join(dir, 'apps.json');
    writeFileSync(
      apps,
      JSON.stringify([
        {
          pushApplicationId: 'x-wap-application:wml.ua',
          applicationId: 'urn:test:inbox',
          whitelist: [{ address: '+15550001' }],
        },
        { pushApplicationId: 2, applicationId: 'urn:test:other' },
        { pushApplicationId: 4, connectionProfiles: [{ protocol: 'OTA-SIP' }] },
      ]),
    );
    const smsc = spawn(process.execPath, [cli, 'smsc', '--port', '0']);
    let listen: ReturnType<typeof spawn> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      listen = spawn(process.execPath, [cli, 'listen', '--smsc', `smpp://c:p@127.0.0.1:${port}`, '--register', apps]);
      let out = '';
      listen.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const lines = () =>
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      for (let i = 0; i < 250 && lines().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      const outcomes = lines()
        .map((l) => l.register)
        .sort((a, b) => a.index - b.index);
      expect(outcomes).toEqual([
        {
          index: 0,
          pushApplicationId: 'x-wap-application:wml.ua',
          applicationId: 'urn:test:inbox',
          id: 1,
          status: 'success',
        },
        expect.objectContaining({
          index: 1,
          status: 'rejected',
          reason: 'duplicate-application-id',
          option: 'pushApplicationId',
        }),
        expect.objectContaining({
          index: 2,
          status: 'rejected',
          reason: 'unsupported-option',
          option: 'connectionProfiles[0].protocol',
        }),
      ]);
      const pdu = execFileSync(
        process.execPath,
        [cli, 'encode', '--type', 'si', '--href', 'http://example.com/', '--text', 'hi'],
        { encoding: 'utf8' },
      ).trim();
      for (const from of ['+15550001', '+19990000']) {
        execFileSync(process.execPath, [
          cli,
          'inject',
          '--smsc',
          `smpp://ppg:x@127.0.0.1:${port}`,
          '--to',
          '+15559999',
          '--from',
          from,
          '--hex',
          pdu,
        ]);
      }
      for (let i = 0; i < 250 && lines().length < 5; i++) await new Promise((r) => setTimeout(r, 20));
      const pushes = lines()
        .slice(3)
        .sort((a, b) => a.wdp.originator.localeCompare(b.wdp.originator));
      expect(pushes).toHaveLength(2);
      expect(pushes[0]).toMatchObject({
        wdp: { originator: '+15550001', destinationPort: 2948 },
        body: { type: 'si', text: 'hi' },
        registration: { applicationId: 'urn:test:inbox', pushApplicationId: 'x-wap-application:wml.ua' },
      });
      expect(pushes[1]).toMatchObject({ wdp: { originator: '+19990000' }, unrouted: true, reason: 'whitelist' });
      expect(pushes[1].registration).toBeUndefined();
    } finally {
      listen?.kill();
      smsc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe('wappush demo (npm start)', () => {
  it('runs everything on loopback and shows what each application received and what was refused', () => {
    const r = run(['demo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/SI inbox \(urn:wappush-demo:si-inbox\): 2 pushes/);
    expect(r.stdout).toMatch(/SL loader \(urn:wappush-demo:sl-loader\): 1 push\n.*port 49200, 3 SMS/);
    expect(r.stdout).toMatch(
      /MMS user agent \(urn:wappush-demo:mms-ua\): 1 push\n.*MMS m-notification-ind from \+48572292736\/TYPE=PLMN, 198257 octets/,
    );
    expect(r.stdout).toMatch(/duplicate-application-id/);
    expect(r.stdout).toMatch(/unsupported-option \(connectionProfiles\[0\]\.protocol\)/);
    expect(r.stdout).toMatch(/from \+19990000: whitelist/);
    expect(r.stdout).toMatch(/for 0x9999 from \+15550001: no-registration/);
    expect(r.stdout).toMatch(
      /duplicates dropped: 1 redelivered single SMS \(link\), 1 repeated segment \(reassembly\)/,
    );
  });
});

describe('wappush decode --pin / --imsi (provisioning authentication, docs/library.md)', () => {
  const ota = loadFixtures<{ file: string; segments: string[] }>('sms').find((f) => f.file.startsWith('ota-viettel'))!;
  const args = ota.segments.flatMap((s) => ['--hex', s]);
  it('reports verified true with the right PIN, false with a wrong one, null without one', () => {
    const auth = (extra: string[]) =>
      JSON.parse(run(['decode', '--input', 'sms', ...args, ...extra]).stdout).body.authentication;
    expect(auth(['--pin', '1111'])).toMatchObject({ sec: 'USERPIN', verified: true });
    expect(auth(['--pin', '0000'])).toMatchObject({ sec: 'USERPIN', verified: false });
    expect(auth([])).toMatchObject({ sec: 'USERPIN', verified: null });
  });
  it('refuses an IMSI that is not digits', () => {
    const r = run(['decode', '--input', 'sms', ...args, '--imsi', '12ab']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('BAD_INPUT');
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

describe('wappush: bad flags are the error line, not a stack trace', () => {
  it('a flag parseArgs refuses exits 2 with {"error":...}', () => {
    for (const args of [
      ['decode', '--bogus'],
      ['smsc', '--response-delay', '-4'],
    ]) {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stderr.trim()).error).toMatchObject({ code: 'BAD_INPUT', offset: null });
      expect(r.stderr).not.toContain('    at ');
    }
  });

  it('an smsc bound out of its range exits 1 with the bound named', () => {
    for (const [flag, value, name] of [
      ['--window', 'abc', 'window'],
      ['--drop-probability', '3', 'faults.dropProbability'],
      ['--throttle', '0', 'throttlePerSecond'],
    ]) {
      // Bounded: an smsc that took the flag would listen until killed.
      const r = spawnSync(process.execPath, [cli, 'smsc', '--port', '0', flag, value], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(r.status, flag).toBe(1);
      const e = JSON.parse(r.stderr.trim()).error;
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toContain(name);
    }
  });
});
