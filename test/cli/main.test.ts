import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli, run } from './run.js';

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
});

describe('wappush --help and wappush COMMAND --help', () => {
  // Every flag each command takes, as its help must name it.
  const FLAGS: Record<string, string[]> = {
    decode: [
      '--input',
      '--hex',
      '--pin',
      '--pin-file',
      '--imsi',
      '--syncml-password',
      '--syncml-password-file',
      '--syncml-nonce',
      '--tree',
      '--tree-format',
    ],
    encode: [
      '--xml',
      '--type',
      '--href',
      '--text',
      '--action',
      '--created',
      '--expires',
      '--si-id',
      '--class',
      '--uri',
      '--service',
      '--app-id',
      '--tid',
      '--confirmed',
      '--body-only',
      '--wbxml-version',
      '--sms',
      '--smpp',
      '--source-port',
      '--destination-port',
      '--port-bits',
      '--reference-bits',
      '--reference',
      '--from',
      '--to',
      '--carriage',
      '--data-coding',
      '--sec',
      '--pin',
      '--imsi',
      '--content-location',
      '--message-size',
      '--expiry',
      '--mms-from',
      '--subject',
      '--transaction-id',
      '--message-class',
    ],
    smsc: [
      '--port',
      '--host',
      '--account',
      '--window',
      '--drop-after',
      '--drop-probability',
      '--duplicate-probability',
      '--reorder-probability',
      '--response-delay',
      '--throttle',
    ],
    inject: ['--smsc', '--to', '--from', '--hex', '--carriage'],
    listen: ['--smsc', '--register', '--store', '--store-sync'],
    demo: [],
    inspect: ['--port'],
  };
  it('names every flag a command takes in its help (from its options table, so a new flag cannot be left out)', async () => {
    const { COMMANDS } = await import('../../src/cli/main.js');
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(
      ['decode', 'demo', 'encode', 'inject', 'inspect', 'listen', 'ppg', 'smsc', 'store'].sort(),
    );
    for (const c of COMMANDS) {
      const text = help([c.name, '--help']).stdout;
      const missing = Object.keys(c.options).filter((flag) => flag !== 'help' && !text.includes(`--${flag}`));
      expect(missing, c.name).toEqual([]);
    }
  });
  // Bounded: smsc, listen and demo would run until killed or for seconds if they took --help as a start.
  const help = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 10_000 });
  const full = help(['--help']);

  for (const [name, flags] of Object.entries(FLAGS)) {
    it(`${name} --help prints its usage and every flag it takes, exit 0`, () => {
      const r = help([name, '--help']);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(`Usage:\n  wappush ${name} `)).toBe(true);
      for (const flag of flags) expect(r.stdout, flag).toMatch(new RegExp(`${flag}\\b`));
      expect(help([name, '-h']).stdout).toBe(r.stdout);
      expect(help(['help', name]).stdout).toBe(r.stdout);
      // The whole help holds each command's help, line for line.
      for (const l of r.stdout.split('\n').filter((l) => l && l !== 'Usage:')) expect(full.stdout).toContain(l);
    });
  }

  it('wappush --help names COMMAND --help; a --help that is a flag value is a value', () => {
    expect(full.status).toBe(0);
    expect(full.stdout).toContain('\n  wappush COMMAND --help ');
    const r = help(['encode', '--type', 'si', '--href', 'http://a.example/', '--text=--help']);
    expect(r.status).toBe(0);
    expect(JSON.parse(run(['decode', '--hex', r.stdout.trim()]).stdout).body.text).toBe('--help');
  });

  it('shows no real-looking credentials: ID:PASSWORD placeholders only', () => {
    const texts = [full.stdout, ...Object.keys(FLAGS).map((name) => help([name, '--help']).stdout)];
    const shown = texts.flatMap((text) => [
      ...[...text.matchAll(/([^\s/[(]+):([^\s@/]+)@/g)].map((m) => `${m[1]}:${m[2]}`),
      ...[...text.matchAll(/--account (\S+)/g)].map((m) => m[1]),
    ]);
    // smsc, inject and listen show one each, in their own help and in the whole help.
    expect(shown.length).toBeGreaterThanOrEqual(6);
    for (const c of shown) expect(c).toBe('ID:PASSWORD');
  });
});
