/**
 * Secrets kept secret: no password in anything a full `wappush demo` prints, URLs masked in
 * errors and output, owner-only store files, and files with secrets refused when others may
 * read them (as ssh refuses an open private key).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/cli/demo.js';
import { checkSecretFileMode } from '../../src/security/fileMode.js';
import { maskUrl, maskUrlsIn } from '../../src/security/maskUrl.js';
import { SecurityError } from '../../src/security/errors.js';
import { openStore } from '../../src/store/open.js';
import { cli, run } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'wappush-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('no password in what wappush prints', () => {
  it('a full demo run prints neither account password in any line of stdout or stderr', () => {
    const r = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const lines = `${r.stdout}\n${r.stderr}`.split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const { password } of DEMO_ACCOUNTS) {
      expect(password.length).toBeGreaterThanOrEqual(6);
      expect(lines.filter((l) => l.includes(password))).toEqual([]);
    }
  });

  it('a command refusing a URL names its scheme and host, never its credentials', () => {
    const r = run(['inject', '--smsc', 'http://ppg:hunter22@127.0.0.1:1', '--to', '+1', '--hex', '00']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not an smpp:// or smpps:// URL: http://127.0.0.1:1');
    expect(r.stderr).not.toContain('hunter22');
    const tls = run(['inject', '--smsc', 'smpp://ppg:hunter22@127.0.0.1:1', '--insecure', '--to', '+1', '--hex', '00']);
    expect(tls.status).toBe(1);
    expect(tls.stderr).toMatch(/use smpps/);
    expect(tls.stderr).not.toContain('hunter22');
  });

  it('--help shows placeholders, never a password', () => {
    const help = run(['--help']).stdout;
    expect(help).toMatch(/smpp\[s\]:\/\/ID:PASSWORD@HOST:PORT/);
    for (const m of help.matchAll(/[a-z]+:\/\/([^\s@/]*)@/g)) expect(m[1]).toMatch(/^(ID:PASSWORD|)$/);
  });

  it('maskUrl hides the password and keeps the rest', () => {
    expect(maskUrl('smpps://ppg:s3cr%40t@smsc.example:3550')).toBe('smpps://ppg:***@smsc.example:3550');
    expect(maskUrl('smpp://127.0.0.1:2775')).toBe('smpp://127.0.0.1:2775');
    expect(maskUrl('redis://:pw@h:6379/0')).toBe('redis://:***@h:6379/0');
    expect(maskUrlsIn('bind to smpp://a:b@h:1 and https://u:v@w/x failed')).toBe(
      'bind to smpp://a:***@h:1 and https://u:***@w/x failed',
    );
    // Typed unescaped, a password may hold URL delimiters; none of it may show.
    for (const secret of ['pa/ss', 'p@ss', 'p?s#s', 'a/b@c'])
      expect(maskUrlsIn(`bind to smpp://ppg:${secret}@smsc:2775 failed`)).toBe(
        'bind to smpp://ppg:***@smsc:2775 failed',
      );
  });
});

describe('files', () => {
  it('a file with secrets that others may read is refused with the chmod that fixes it', () => {
    const f = join(dir, 'accounts.yaml');
    writeFileSync(f, 'ppg: secret\n');
    for (const mode of [0o644, 0o604, 0o660, 0o666]) {
      chmodSync(f, mode);
      expect(() => checkSecretFileMode(f)).toThrow(SecurityError);
      expect(() => checkSecretFileMode(f)).toThrow(`chmod 600 ${f}`);
    }
    for (const mode of [0o600, 0o400, 0o640]) {
      chmodSync(f, mode);
      expect(() => checkSecretFileMode(f)).not.toThrow();
    }
    expect(() => checkSecretFileMode(join(dir, 'missing'))).toThrow(/cannot read/);
  });

  it('the embedded store creates its directory and files owner-only', async () => {
    const path = join(dir, 'state');
    const store = await openStore(path);
    try {
      expect(statSync(path).mode & 0o777).toBe(0o700);
      for (const f of readdirSync(path)) expect([f, statSync(join(path, f)).mode & 0o077]).toEqual([f, 0]);
    } finally {
      await store.close();
    }
  });
});
