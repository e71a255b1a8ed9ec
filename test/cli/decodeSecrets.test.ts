// decode's secrets off the command line (docs/security.md): --pin and --syncml-password may come
// from an owner-only --NAME-file or from WAPPUSH_PIN / WAPPUSH_SYNCML_PASSWORD; in argv they still
// work, with a warning on stderr that names the flag and not the secret.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../helpers.js';
import { cli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wappush-decode-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

/** The command with an environment holding no WAPPUSH_ secret but `extra`. */
function decode(args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('WAPPUSH_PIN' in extra)) delete env.WAPPUSH_PIN;
  if (!('WAPPUSH_SYNCML_PASSWORD' in extra)) delete env.WAPPUSH_SYNCML_PASSWORD;
  return spawnSync(process.execPath, [cli, 'decode', ...args], { env, encoding: 'utf8' });
}

describe('decode --pin-file / WAPPUSH_PIN (provisioning USERPIN)', () => {
  // The Viettel OTA provisioning capture: USERPIN, PIN 1111 (test/fixtures/sms).
  const ota = loadFixtures<{ file: string; segments: string[] }>('sms').find((f) => f.file.startsWith('ota-viettel'))!;
  const sms = ['--input', 'sms', ...ota.segments.flatMap((s) => ['--hex', s])];
  const verified = (r: ReturnType<typeof decode>) => JSON.parse(r.stdout).body.authentication.verified;

  it('reads the PIN from an owner-only file, without a warning', () => {
    const right = decode([...sms, '--pin-file', secretFile('pin', '# the USERPIN\n1111\n')]);
    expect(right.status).toBe(0);
    expect(verified(right)).toBe(true);
    expect(right.stderr).toBe('');
    expect(verified(decode([...sms, '--pin-file', secretFile('wrong-pin', '0000\n')]))).toBe(false);
  });
  it('refuses a file others may read, naming the chmod and not the PIN', () => {
    const r = decode([...sms, '--pin-file', secretFile('open-pin', '1111\n', 0o644)]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const error = JSON.parse(r.stderr).error;
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toContain('--pin-file');
    expect(error.message).toContain('chmod 600');
    expect(r.stderr).not.toContain('1111');
  });
  it('reads WAPPUSH_PIN when neither argv nor a file gives it', () => {
    const r = decode(sms, { WAPPUSH_PIN: '1111' });
    expect(r.status).toBe(0);
    expect(verified(r)).toBe(true);
    expect(r.stderr).toBe('');
  });
  it('--pin in argv still works, and is warned about on stderr without its value; argv wins', () => {
    const r = decode([...sms, '--pin', '1111', '--pin-file', secretFile('other-pin', '0000\n')], {
      WAPPUSH_PIN: '0000',
    });
    expect(r.status).toBe(0);
    expect(verified(r)).toBe(true);
    const warning = JSON.parse(r.stderr.trim()).warning as string;
    expect(warning).toContain('decode --pin');
    expect(warning).toContain('--pin-file');
    expect(warning).toContain('WAPPUSH_PIN');
    expect(warning).not.toContain('1111');
  });
});

describe('decode --syncml-password-file / WAPPUSH_SYNCML_PASSWORD', () => {
  // A SyncML DM trigger (OMA-TS-DM_Notification-V1_2 6.2) built by hand: version 1.2, ui-mode
  // informative, server-initiated, session 0x1234, server id "dm.example", vendor data cafe; its
  // digest by the formula of the specification with password "s3cret word" and the zero nonce.
  const md5 = (x: Buffer | string) => createHash('md5').update(x).digest();
  const trigger = Buffer.concat([
    Buffer.from('032800000012340a', 'hex'),
    Buffer.from('dm.example'),
    Buffer.from('cafe', 'hex'),
  ]);
  const digest = md5(
    Buffer.concat([
      Buffer.from(md5('dm.example:s3cret word').toString('base64') + ':'),
      Buffer.alloc(4),
      Buffer.from(':' + md5(trigger).toString('base64')),
    ]),
  );
  const body = ['--input', 'wbxml', '--content-type', 'application/vnd.syncml.notification'];
  const hex = ['--hex', Buffer.concat([digest, trigger]).toString('hex')];
  const auth = (r: ReturnType<typeof decode>) => JSON.parse(r.stdout).body.authentication;

  it('reads the password from an owner-only file (the whole line, spaces inside kept)', () => {
    const r = decode([...body, ...hex, '--syncml-password-file', secretFile('syncml', 's3cret word\n')]);
    expect(r.status).toBe(0);
    expect(auth(r)).toEqual({ verified: true, nonce: 'zero' });
    expect(r.stderr).toBe('');
  });
  it('reads WAPPUSH_SYNCML_PASSWORD', () => {
    const r = decode([...body, ...hex], { WAPPUSH_SYNCML_PASSWORD: 'wrong' });
    expect(r.status).toBe(0);
    expect(auth(r).verified).toBe(false);
  });
  it('--syncml-password in argv still works, warned about without its value', () => {
    const r = decode([...body, ...hex, '--syncml-password=s3cret word']);
    expect(r.status).toBe(0);
    expect(auth(r)).toEqual({ verified: true, nonce: 'zero' });
    const warning = JSON.parse(r.stderr.trim()).warning as string;
    expect(warning).toContain('decode --syncml-password');
    expect(warning).toContain('WAPPUSH_SYNCML_PASSWORD');
    expect(warning).not.toContain('s3cret');
  });
});
