import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli } from './run.js';

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
