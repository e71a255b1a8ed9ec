import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli } from './run.js';

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
