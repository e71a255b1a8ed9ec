import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli, run } from './run.js';

describe('wappush inject (processes on 127.0.0.1)', () => {
  it('refuses an unknown --carriage before submitting, as encode --smpp does', async () => {
    const smsc = spawn(process.execPath, [cli, 'smsc', '--port', '0']);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      const pdu = run(['encode', '--type', 'sl', '--href', 'http://example.com/x']).stdout.trim();
      const inject = (carriage: string) =>
        spawnSync(
          process.execPath,
          [
            cli,
            'inject',
            '--smsc',
            `smpp://ppg:x@127.0.0.1:${port}`,
            '--to',
            '+1555',
            '--hex',
            pdu,
            '--carriage',
            carriage,
          ],
          { encoding: 'utf8', timeout: 10_000 },
        );
      const refused = inject('tlv');
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe('');
      // The last line: a warning about the password in argv comes first.
      expect(JSON.parse(refused.stderr.trim().split('\n').pop()!).error).toEqual({
        code: 'BAD_INPUT',
        message: '--carriage takes udh, sar or payload',
        offset: null,
      });
      const sent = inject('sar');
      expect(sent.status).toBe(0);
      expect(JSON.parse(sent.stdout).submitted).toHaveLength(1);
    } finally {
      smsc.kill();
    }
  }, 20_000);
});
