// Passwords off the command line (docs/security.md): each flag that carries one (--smsc URLs,
// --user, --account) may come from --NAME-file (owner-only) or WAPPUSH_NAME instead, and a
// password seen in argv is warned about on stderr without being printed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveSecrets } from '../../src/cli/secrets.js';
import { startRedis } from '../helpers/redisServer.js';
import { Service } from '../ops/service.js';
import { PpgProcess, simulatorWithPhone } from '../ppg/behindSimulator.js';
import { basic, post, until } from '../ppg/harness.js';
import { MULTIPART, pushBody } from '../ppg/papFixtures.js';
import { cli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wappush-cli-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function secretFile(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

/** Env without any WAPPUSH_ secret of the machine running the tests. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.WAPPUSH_SMSC;
  delete e.WAPPUSH_USER;
  delete e.WAPPUSH_ACCOUNT;
  delete e.WAPPUSH_STORE;
  return { ...e, ...extra };
}

async function simulator(): Promise<number> {
  const sim = await simulatorWithPhone({ password: 'Sm5ecret', phone: false });
  open.push(sim);
  return sim.port;
}

/** An SL for http://example.com/x, as `wappush encode --type sl` writes it. */
const PDU = '000601b002066a008509036578616d706c65008503780001';

/** The command run to its end without blocking this process (the simulator runs in it). */
function runAsync(
  args: string[],
  environment: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { env: environment });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/** The warnings on stderr: {"warning":...} lines (inject), or log records (the services). */
const warnings = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { warning?: string; event?: string; level?: string; msg?: string })
    .filter((r) => r.warning !== undefined || r.event === 'password-in-argv')
    .map((r) => r.warning ?? `${r.level}: ${r.msg}`);

/**
 * `wappush ppg` on a free port, run in the temporary directory (a store spec not taken would
 * open ./wappush-ppg-state there); resolves once it says where it listens.
 */
async function startPpg(args: string[], extra: Record<string, string>): Promise<{ url: string; ppg: PpgProcess }> {
  const ppg = new PpgProcess(['--port', '0', ...args], { env: env(extra), cwd: dir });
  open.push(ppg);
  return { url: (await ppg.listening()).url, ppg };
}

describe('secrets from a file or the environment', () => {
  it('inject takes its --smsc from WAPPUSH_SMSC, then from --smsc-file, with no warning', async () => {
    const port = await simulator();
    const url = `smpp://ppg:Sm5ecret@127.0.0.1:${port}`;
    const args = [cli, 'inject', '--to', '+15550001', '--hex', PDU];
    const byEnv = await runAsync(args, env({ WAPPUSH_SMSC: url }));
    expect(byEnv.stderr).toBe('');
    expect(byEnv.status).toBe(0);
    expect(JSON.parse(byEnv.stdout).submitted).toHaveLength(1);
    const file = secretFile('smsc', `# the SMSC\n${url}\n`);
    // The file wins over the environment.
    const byFile = await runAsync(
      [...args, '--smsc-file', file],
      env({ WAPPUSH_SMSC: 'smpp://ppg:wrong@127.0.0.1:1' }),
    );
    expect(byFile.stderr).toBe('');
    expect(byFile.status).toBe(0);
  });

  it('a secrets file others may read is refused with the chmod that fixes it', () => {
    const file = secretFile('open-smsc', 'smpp://ppg:Sm5ecret@127.0.0.1:1\n', 0o644);
    const r = spawnSync(process.execPath, [cli, 'inject', '--to', '+1', '--hex', PDU, '--smsc-file', file], {
      encoding: 'utf8',
      env: env(),
      timeout: 10_000,
    });
    expect(r.status).toBe(1);
    const e = JSON.parse(r.stderr.trim()).error;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(`chmod 600 ${file}`);
    expect(r.stderr).not.toContain('Sm5ecret');
  });

  it('ppg takes --smsc and its --user list from the environment and a file', async () => {
    const port = await simulator();
    const users = secretFile('users', 'pi:Pi-5ecret\nother:Ot-5ecret\n');
    const { ppg, url } = await startPpg(['--store', 'memory', '--user-file', users], {
      WAPPUSH_SMSC: `smpp://ppg:Sm5ecret@127.0.0.1:${port}`,
    });
    expect((await post(url, pushBody({ pushId: 's0' }), MULTIPART, '')).status).toBe(401);
    expect((await post(url, pushBody({ pushId: 's1' }), MULTIPART, basic('other', 'Ot-5ecret'))).status).toBe(202);
    await until(() => ppg.stderr.includes('"event":"bind"'), 'bound', 10_000);
    expect(warnings(ppg.stderr)).toEqual([]);
    for (const secret of ['Sm5ecret', 'Pi-5ecret', 'Ot-5ecret']) expect(ppg.stderr).not.toContain(secret);
    expect((await ppg.stop()).code).toBe(0);
  });
});

describe('a redis:// --store URL with a password', () => {
  it('ppg takes it from WAPPUSH_STORE or --store-file with no warning; argv warns; store inspect reads the variable', async () => {
    const redis = await startRedis(['--requirepass', 'Rd5ecret']);
    open.push(redis);
    const port = await simulator();
    const store = `redis://:Rd5ecret@127.0.0.1:${redis.port}/0`;
    const smsc = `smpp://ppg:Sm5ecret@127.0.0.1:${port}`;
    /** A ppg run until it has accepted one push (which it answers only once stored), then stopped. */
    let pushes = 0;
    const accepts = async (args: string[], extra: Record<string, string>) => {
      const { ppg, url } = await startPpg(args, extra);
      await until(() => ppg.stderr.includes('"event":"bind"'), 'bound', 10_000);
      const status = (await post(url, pushBody({ pushId: `r${++pushes}` }), MULTIPART, '')).status;
      expect((await ppg.stop()).code).toBe(0);
      const stderr = ppg.stderr;
      expect(stderr).not.toContain('Rd5ecret');
      expect(stderr).not.toContain('Sm5ecret');
      return { status, warned: warnings(stderr) };
    };
    const client = new Redis(store, { lazyConnect: true, maxRetriesPerRequest: 1 });
    open.push({ close: async () => void client.disconnect() });
    await client.connect();
    expect(await client.dbsize()).toBe(0);
    const byEnv = await accepts([], { WAPPUSH_SMSC: smsc, WAPPUSH_STORE: store });
    expect(byEnv).toEqual({ status: 202, warned: [] });
    expect(await client.dbsize()).toBeGreaterThan(0);
    const byFile = await accepts(['--store-file', secretFile('store', `${store}\n`)], { WAPPUSH_SMSC: smsc });
    expect(byFile).toEqual({ status: 202, warned: [] });
    const inArgv = await accepts(['--store', store], { WAPPUSH_SMSC: smsc });
    expect(inArgv.status).toBe(202);
    expect(inArgv.warned).toHaveLength(1);
    expect(inArgv.warned[0]).toMatch(/ppg --store: .*--store-file, WAPPUSH_STORE/);
    const inspect = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [cli, 'store', 'inspect'], {
        encoding: 'utf8',
        env: env(extra),
        cwd: dir,
        timeout: 10_000,
      });
    const inspected = inspect({ WAPPUSH_STORE: store });
    expect(inspected.status, inspected.stderr).toBe(0);
    expect(JSON.parse(inspected.stdout)).toBeTypeOf('object');
    const refused = inspect({ WAPPUSH_STORE: store.replace('Rd5ecret', 'Wr0ng5ecret') });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr + refused.stdout).not.toContain('Wr0ng5ecret');
  });
});

describe('a password in argv is warned about on stderr', () => {
  it('smsc --account ID:PASSWORD: one warning naming the flag and where else to give it, not the password', async () => {
    const smsc = new Service(['smsc', '--port', '0', '--account', 'ppg:Ac5ecret'], { env: env() });
    open.push({ close: async () => void (await smsc.stop('SIGKILL')) });
    await until(() => smsc.stdout.some((l) => JSON.stringify(l).includes('"listening"')), 'the listening line', 10_000);
    const w = warnings(smsc.stderr);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^warn: smsc --account/);
    expect(w[0]).toContain('--account-file');
    expect(w[0]).toContain('WAPPUSH_ACCOUNT');
    expect(smsc.stderr).not.toContain('Ac5ecret');
  });

  it('inject --smsc with a password warns; the same URL without one does not', async () => {
    const port = await simulator();
    const withPassword = await runAsync(
      [cli, 'inject', '--smsc', `smpp://ppg:Sm5ecret@127.0.0.1:${port}`, '--to', '+1', '--hex', PDU],
      env(),
    );
    expect(withPassword.status).toBe(0);
    expect(warnings(withPassword.stderr)).toHaveLength(1);
    expect(withPassword.stderr).not.toContain('Sm5ecret');
    // No password, no warning (the bind is then refused: that is the point of the control).
    const without = await runAsync(
      [cli, 'inject', `--smsc=smpp://ppg@127.0.0.1:${port}`, '--to', '+1', '--hex', PDU],
      env(),
    );
    expect(warnings(without.stderr)).toEqual([]);
  });

  it('the order: command line, then --NAME-file, then WAPPUSH_NAME, then the config file', () => {
    const table = { smsc: { type: 'string' }, 'smsc-file': { type: 'string' } } as const;
    const file = secretFile('order', 'smpp://a:from-file@h:1\n');
    const quiet = () => {};
    const config = { smsc: 'smpp://a:from-config@h:1' };
    const e = { WAPPUSH_SMSC: 'smpp://a:from-env@h:1' };
    expect(resolveSecrets('x', [], table, config, {}, quiet).smsc).toBe('smpp://a:from-config@h:1');
    expect(resolveSecrets('x', [], table, config, e, quiet).smsc).toBe('smpp://a:from-env@h:1');
    expect(resolveSecrets('x', [], table, { ...config, 'smsc-file': file }, e, quiet).smsc).toBe(
      'smpp://a:from-file@h:1',
    );
    const argv = ['--smsc', 'smpp://a:from-argv@h:1'];
    const said: string[] = [];
    expect(resolveSecrets('x', argv, table, { smsc: argv[1], 'smsc-file': file }, e, (l) => said.push(l)).smsc).toBe(
      'smpp://a:from-argv@h:1',
    );
    expect(said).toHaveLength(1);
    expect(said[0]).not.toContain('from-argv');
    // One value for a flag that takes one.
    expect(() => resolveSecrets('x', [], table, {}, { WAPPUSH_SMSC: 'smpp://a:b@h:1 smpp://c:d@h:1' }, quiet)).toThrow(
      /holds 2 values; --smsc takes one/,
    );
  });
});

describe('a malformed secret value is named, never echoed, in its error', () => {
  const stderrOf = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: env(extra), timeout: 10_000 });

  it('--user-file with a password-only line and a :PASSWORD line: the position, not the password', () => {
    const noColon = secretFile('users-nocolon', 'alice:ok1\nPwOnly5ecret\n');
    const r = stderrOf(['ppg', '--smsc', 'smpp://ppg@127.0.0.1:1', '--port', '0', '--user-file', noColon]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--user value 2 is not NAME:PASSWORD: it has no colon');
    expect(r.stderr).not.toContain('PwOnly5ecret');
    const noName = stderrOf(['ppg', '--smsc', 'smpp://ppg@127.0.0.1:1', '--port', '0'], {
      WAPPUSH_USER: ':NoName5ecret',
    });
    expect(noName.status).not.toBe(0);
    expect(noName.stderr).toContain('--user value 1 is not NAME:PASSWORD: its NAME is empty');
    expect(noName.stderr).not.toContain('NoName5ecret');
  });

  it('smsc --account-file with a password-only line: the position, not the password', () => {
    const file = secretFile('accounts-nocolon', 'ppg:ok\nAcOnly5ecret\n');
    const r = stderrOf(['smsc', '--port', '0', '--account-file', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--account value 2 is not ID:PASSWORD');
    expect(r.stderr).not.toContain('AcOnly5ecret');
  });

  it('an --smsc URL new URL refuses, or of another scheme: no part of its password', () => {
    // A slash in the password: new URL refuses it and the free-text mask stops at the slash.
    const r = stderrOf(['inject', '--to', '+1', '--hex', PDU], { WAPPUSH_SMSC: 'smpp://ppg:Sp5ecret/x@127.0.0.1:1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('not a URL');
    expect(r.stderr).not.toContain('Sp5ecret');
    const scheme = stderrOf(['inject', '--to', '+1', '--hex', PDU], {
      WAPPUSH_SMSC: 'http://ppg:Ht5ecret@127.0.0.1:1',
    });
    expect(scheme.stderr).toContain('not an smpp:// or smpps:// URL: http://127.0.0.1:1');
    expect(scheme.stderr).not.toContain('Ht5ecret');
  });
});
