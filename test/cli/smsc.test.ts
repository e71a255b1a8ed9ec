import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { cli, run } from './run.js';

describe('wappush smsc: bad flags are the error line, not a stack trace', () => {
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

describe('wappush smsc --route (docs/simulator.md: routing by account)', () => {
  it('refuses a route for an account it was not given, and a pattern outside the grammar', () => {
    for (const [args, message] of [
      [['--account', 'a:pa', '--route', 'b:^9'], '--route takes ID:RANGE for an --account ID'],
      [['--account', 'a:pa', '--route', 'a:(\\d+'], 'is not closed'],
    ] as const) {
      const r = spawnSync(process.execPath, [cli, 'smsc', '--port', '0', ...args], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(r.status, args.join(' ')).toBe(1);
      // The last line: a warning about the password in argv comes first.
      expect(JSON.parse(r.stderr.trim().split('\n').pop()!).error.message).toContain(message);
    }
  });

  it('gives a routed destination only to the receivers of the account that claims it', async () => {
    const smsc = spawn(process.execPath, [
      cli,
      'smsc',
      '--port',
      '0',
      '--account',
      'ppg:s',
      '--account',
      'alice:pa',
      '--account',
      'bob:pb',
      '--route',
      'bob:^\\+9',
    ]);
    const listeners: ReturnType<typeof spawn>[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      const out: Record<string, string> = { alice: '', bob: '' };
      const log: Record<string, string> = { alice: '', bob: '' };
      for (const [who, pw] of [
        ['alice', 'pa'],
        ['bob', 'pb'],
      ]) {
        const l = spawn(process.execPath, [
          cli,
          'listen',
          '--smsc',
          `smpp://${who}:${pw}@127.0.0.1:${port}`,
          '--store',
          'memory',
        ]);
        l.stdout!.on('data', (d: Buffer) => (out[who] += d.toString()));
        l.stderr!.on('data', (d: Buffer) => (log[who] += d.toString()));
        listeners.push(l);
      }
      // Both bound (their log records say so) before anything is sent: a push for a receiver not
      // yet bound would wait in the simulator's queue, and the count below would come short.
      await until(
        () => log.alice.includes('"event":"bind"') && log.bob.includes('"event":"bind"'),
        15_000,
        'both listeners bound',
      );
      const pdu = run(['encode', '--type', 'sl', '--href', 'http://example.com/x']).stdout.trim();
      for (const to of ['+901', '+902', '+103', '+904']) {
        const sent = spawnSync(
          process.execPath,
          [cli, 'inject', '--smsc', `smpp://ppg:s@127.0.0.1:${port}`, '--to', to, '--hex', pdu],
          { encoding: 'utf8', timeout: 10_000 },
        );
        expect(sent.status).toBe(0);
      }
      const recipients = (who: string) =>
        out[who]
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).wdp.recipient as string)
          .sort();
      await until(() => recipients('alice').length + recipients('bob').length >= 4, 15_000, 'four pushes received');
      expect(recipients('bob')).toEqual(['+901', '+902', '+904']);
      expect(recipients('alice')).toEqual(['+103']);
    } finally {
      for (const l of listeners) l.kill();
      smsc.kill();
    }
  }, 30_000);
});
