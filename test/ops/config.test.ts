// --config FILE: JSON or YAML holding what a service's flags hold, one section per service;
// every mistake named by its key; flags given on the command line win over the file.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/ops/config/load.js';
import { flagsWithConfig } from '../../src/ops/config/merge.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { until } from '../helpers.js';
import { Service } from './service.js';

const dir = mkdtempSync(join(tmpdir(), 'wappush-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

let n = 0;
/** A config file, owner-only as one holding passwords must be. */
function file(text: string, ext = 'yaml', mode = 0o600): string {
  const path = join(dir, `c${n++}.${ext}`);
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
}

const TABLE = {
  smsc: { type: 'string', multiple: true },
  port: { type: 'string', default: '8080' },
  'max-pending': { type: 'string' },
  'no-receipts': { type: 'boolean' },
  config: { type: 'string' },
} as const;

const take = (argv: string[]) => flagsWithConfig('listen', argv, TABLE);

describe('config file: values', () => {
  it('YAML and JSON give the same values; numbers become the strings a flag gives', () => {
    const yaml = file('listen:\n  smsc: [smpp://a:b@h:1, smpp://c:d@h:2]\n  max-pending: 50\n  no-receipts: true\n');
    const json = file(
      JSON.stringify({
        listen: { smsc: ['smpp://a:b@h:1', 'smpp://c:d@h:2'], 'max-pending': 50, 'no-receipts': true },
      }),
      'json',
    );
    const expected = {
      config: yaml,
      smsc: ['smpp://a:b@h:1', 'smpp://c:d@h:2'],
      port: '8080',
      'max-pending': '50',
      'no-receipts': true,
    };
    expect(take(['--config', yaml])).toEqual(expected);
    expect(take(['--config', json])).toEqual({ ...expected, config: json });
  });

  it('a flag given wins over the file, a repeatable one replacing its whole list; the default fills the rest', () => {
    const f = file('listen:\n  smsc: [smpp://a:b@h:1, smpp://c:d@h:2]\n  port: 9000\n  max-pending: 50\n');
    expect(take(['--config', f, '--smsc', 'smpp://x:y@h:3', '--max-pending', '7'])).toEqual({
      config: f,
      smsc: ['smpp://x:y@h:3'],
      port: '9000',
      'max-pending': '7',
    });
    expect(take(['--config', file('listen:\n  smsc: smpp://a:b@h:1\n')]).port).toBe('8080');
  });

  it('another service section is not read, and an empty file gives nothing', () => {
    const f = file('smsc:\n  port: 1\nppg:\n  port: 2\n');
    expect(take(['--config', f])).toEqual({ config: f, port: '8080' });
    expect(take(['--config', file('')]).port).toBe('8080');
  });
});

describe('config file: mistakes named by key', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['listen:\n  smssc: smpp://a:b@h:1\n', 'listen.smssc', /not a flag of this command/],
    ['listen:\n  max-pending: [1, 2]\n', 'listen.max-pending', /expected a string or a number/],
    ['listen:\n  smsc: [smpp://a:b@h:1, {x: 1}]\n', 'listen.smsc[1]', /expected a string or a number/],
    ['listen:\n  no-receipts: "yes"\n', 'listen.no-receipts', /expected true or false/],
    ['listen:\n  config: other.yaml\n', 'listen.config', /not a flag/],
    ['listen: [1]\n', 'listen', /expected a mapping/],
    ['lisen:\n  port: 1\n', 'lisen', /unknown section \(expected listen, smsc, ppg\)/],
    ['- listen\n', '', /expected a mapping of listen, smsc, ppg sections/],
    ['listen: {port: 1\n', '', /not valid YAML/],
  ];
  for (const [text, key, message] of cases) {
    it(`${key || 'the file'}: ${String(message)}`, () => {
      const f = file(text);
      let error: unknown;
      try {
        take(['--config', f]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.code).toBe('BAD_CONFIG');
      expect(e.key).toBe(key);
      expect(e.message).toMatch(message);
      expect(e.message.startsWith(`config ${f}${key ? `: ${key}:` : ':'}`)).toBe(true);
    });
  }

  it('bad JSON and a missing file are named too', () => {
    expect(() => take(['--config', file('{"listen": ', 'json')])).toThrow(/not valid JSON/);
    expect(() => take(['--config', join(dir, 'none.yaml')])).toThrow(/ENOENT/);
  });
});

describe('config file: the services take it', () => {
  it('smsc: accounts and log level from the file, the port from the flag; SIGTERM exits 0', async () => {
    const f = file('smsc:\n  port: 1\n  account: ["ppg:right"]\n  log-level: warn\n');
    const smsc = new Service(['smsc', '--config', f, '--port', '0']);
    cleanup.push(() => smsc.stop('SIGKILL'));
    await until(() => smsc.stdout.length > 0, 15_000, 'listening');
    const port = (smsc.stdout[0] as { listening: { port: number } }).listening.port;
    expect(port).toBeGreaterThan(1);
    // The file's account refuses a wrong password: its warn record shows; its info records do not.
    const link = new EsmeLink({ smsc: `smpp://ppg:wrong@127.0.0.1:${port}`, enquireLinkMs: 0 });
    cleanup.push(() => link.close());
    await expect(link.start()).rejects.toThrow(/bind refused/);
    expect(await smsc.log('bind-refused')).toMatchObject({ level: 'warn', systemId: 'ppg' });
    expect(smsc.logs.filter((r) => r.level === 'info')).toEqual([]);
    expect(await smsc.stop()).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('listen: a bad file is the error line naming the key, exit 1, before anything binds', async () => {
    const sim = new SmscSimulator({});
    const port = await sim.listen();
    cleanup.push(() => sim.close());
    const f = file(`listen:\n  smsc: smpp://a:b@127.0.0.1:${port}\n  max-pending: {a: 1}\n`);
    const listen = new Service(['listen', '--config', f]);
    expect((await listen.exited).code).toBe(1);
    expect(listen.logs).toEqual([
      { error: { code: 'BAD_CONFIG', message: expect.stringContaining('listen.max-pending: expected'), offset: null } },
    ]);
    expect(sim.stats.binds).toBe(0);
  }, 30_000);
});

describe('docs/config.example.yaml', () => {
  it('every section holds only flags of its command, each of the right type', async () => {
    const { listen } = await import('../../src/cli/listen.js');
    const { smsc } = await import('../../src/cli/smsc.js');
    const { ppg } = await import('../../src/cli/ppg.js');
    // A checkout gives the example 0644; installed as an operator would, owner-only (it holds passwords).
    const example = join(dir, 'example.yaml');
    copyFileSync(new URL('../../docs/config.example.yaml', import.meta.url).pathname, example);
    chmodSync(example, 0o600);
    for (const command of [listen, smsc, ppg]) {
      const values = flagsWithConfig(command.name, ['--config', example], command.options);
      expect(Object.keys(values).length, command.name).toBeGreaterThan(4);
      expect(values['metrics-port'], command.name).toMatch(/^94\d\d$/);
    }
  });
});

describe('a config file that holds secrets', () => {
  it('is refused while others may read it, naming the key that holds the secret', () => {
    for (const [text, key] of [
      ['listen:\n  smsc: [smpp://a:b@h:1]\n', 'listen.smsc[0]'],
      ['smsc:\n  account: ["ppg:right"]\n', 'smsc.account'],
      ['ppg:\n  user: ["pi:pw"]\n', 'ppg.user'],
    ] as const) {
      const open = file(text, 'yaml', 0o644);
      expect(() => take(['--config', open])).toThrow(
        expect.objectContaining({ code: 'BAD_CONFIG', key, message: expect.stringMatching(/chmod 600/) }),
      );
    }
  });
  it('is taken when owner-only; a file without secrets may be world-readable', () => {
    expect(take(['--config', file('listen:\n  smsc: [smpp://a:b@h:1]\n')]).smsc).toEqual(['smpp://a:b@h:1']);
    expect(take(['--config', file('listen:\n  max-pending: 50\n', 'yaml', 0o644)])['max-pending']).toBe('50');
  });
});
