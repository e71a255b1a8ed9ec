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
