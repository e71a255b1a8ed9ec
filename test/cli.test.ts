import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from './helpers.js';

// Runs the built command as users do (npm test builds dist/ first).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });

describe('wappush decode (DESIGN.md contract)', () => {
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
    const hexOut = execFileSync(process.execPath, [cli, 'encode', '--type', 'si', '--href', 'http://www.example.com/', '--text', 'You have mail',
      '--si-id', 'id-1', '--created', '2011-11-22T10:00:00Z', '--expires', '2011-12-22T10:00:00Z', '--app-id', 'x-wap-application:wml.ua', '--tid', '1'], { encoding: 'utf8' }).trim();
    const out = JSON.parse(run(['decode', '--hex', hexOut]).stdout);
    expect(out.wsp).toMatchObject({ transactionId: 1, contentType: 'application/vnd.wap.sic', applicationId: 'x-wap-application:wml.ua' });
    expect(out.body).toEqual({ type: 'si', href: 'http://www.example.com/', siId: 'id-1', created: '2011-11-22T10:00:00Z',
      expires: '2011-12-22T10:00:00Z', action: 'signal-medium', text: 'You have mail' });
  });
  it('XML -> PDU; SL and CO by flags', () => {
    const sl = run(['encode', '--type', 'sl', '--href', 'https://x.org/', '--action', 'execute-high']);
    expect(JSON.parse(run(['decode', '--hex', sl.stdout.trim()]).stdout).body).toEqual({ type: 'sl', href: 'https://x.org/', action: 'execute-high' });
    const co = run(['encode', '--xml', '<co><invalidate-service uri="http://www.a.com/"/></co>']);
    expect(JSON.parse(run(['decode', '--hex', co.stdout.trim()]).stdout).body).toEqual({ type: 'co', objects: [], services: ['http://www.a.com/'] });
  });
  it('bad XML exits 1 with a typed error', () => {
    const r = run(['encode', '--xml', '<si><indication></si>']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('BAD_XML');
  });
});

describe('wappush decode --input sms|smpp (DESIGN.md contract)', () => {
  const [mms] = loadFixtures<{ segments: string[] }>('sms');
  it('--input sms: segments in any order -> wdp + wsp + body', () => {
    const r = run(['decode', '--input', 'sms'], [...mms.segments].reverse().join('\n') + '\n');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.wdp).toEqual({ sourcePort: 9200, destinationPort: 2948, segments: 2 });
    expect(out.wsp).toMatchObject({ pduType: 'push', contentType: 'application/vnd.wap.mms-message', applicationId: 'x-wap-application:mms.ua' });
    expect(out.body).toMatchObject({ type: 'binary' });
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
      const lines = execFileSync(process.execPath, [cli, 'encode', '--type', 'sl', '--href', 'http://example.com/' + 'x'.repeat(300),
        '--smpp', '--carriage', carriage, '--from', '9200', '--to', '+447700900123', '--reference', '77'], { encoding: 'utf8' }).trim().split('\n');
      expect(lines.length).toBe(carriage === 'udh' ? 3 : carriage === 'sar' ? 3 : 1);
      const out = JSON.parse(run(['decode', '--input', 'smpp'], lines.reverse().join('\n')).stdout);
      expect(out.wdp).toEqual({ sourcePort: 9200, destinationPort: 2948, segments: lines.length, originator: '9200', recipient: '+447700900123' });
      expect(out.body).toEqual({ type: 'sl', href: 'http://example.com/' + 'x'.repeat(300), action: 'execute-low' });
    });
  }
  it('encode --sms prints TP-User-Data segments, one a line, that decode --input sms reads', () => {
    const lines = execFileSync(process.execPath, [cli, 'encode', '--type', 'si', '--href', 'http://a.example/', '--text', 'y'.repeat(200),
      '--sms', '--reference-bits', '16', '--reference', '4660', '--port-bits', '8', '--source-port', '200', '--destination-port', '201'], { encoding: 'utf8' }).trim().split('\n');
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
    const smsc = spawn(process.execPath, [cli, 'smsc', '--port', '0', '--account', 'ppg:secret', '--account', 'client:pw']);
    let listen: ReturnType<typeof spawn> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      listen = spawn(process.execPath, [cli, 'listen', '--smsc', `smpp://client:pw@127.0.0.1:${port}`]);
      let out = '';
      listen.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      await new Promise((r) => setTimeout(r, 500)); // let it bind
      const pdu = execFileSync(process.execPath, [cli, 'encode', '--type', 'sl', '--href', 'http://example.com/x'], { encoding: 'utf8' }).trim();
      const injected = JSON.parse(execFileSync(process.execPath, [cli, 'inject', '--smsc', `smpp://ppg:secret@127.0.0.1:${port}`, '--to', '+447700900123', '--from', '9200', '--hex', pdu], { encoding: 'utf8' }));
      expect(injected.submitted).toHaveLength(1);
      for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
      const line = JSON.parse(out.split('\n')[0]);
      expect(line.wdp).toEqual({ sourcePort: 9200, destinationPort: 2948, segments: 1, originator: '9200', recipient: '+447700900123' });
      expect(line.body).toEqual({ type: 'sl', href: 'http://example.com/x', action: 'execute-low' });
    } finally {
      listen?.kill();
      smsc.kill();
    }
  }, 20_000);
});
