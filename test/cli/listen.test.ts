import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { cli } from './run.js';

describe('wappush smsc | listen | inject (processes on 127.0.0.1)', () => {
  it('a push injected into the simulator is printed by listen as one decode JSON line', async () => {
    const { spawn } = await import('node:child_process');
    const smsc = spawn(process.execPath, [
      cli,
      'smsc',
      '--port',
      '0',
      '--account',
      'ppg:secret',
      '--account',
      'client:pw',
    ]);
    let listen: ReturnType<typeof spawn> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      listen = spawn(process.execPath, [
        cli,
        'listen',
        '--smsc',
        `smpp://client:pw@127.0.0.1:${port}`,
        '--store',
        'memory',
      ]);
      let out = '';
      let log = '';
      listen.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      listen.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      // Bound (its log record says so) before the push goes: a fixed wait flaked under load.
      await until(() => log.includes('"event":"bind"'), 15_000, 'listen bound');
      const pdu = execFileSync(process.execPath, [cli, 'encode', '--type', 'sl', '--href', 'http://example.com/x'], {
        encoding: 'utf8',
      }).trim();
      const injected = JSON.parse(
        execFileSync(
          process.execPath,
          [
            cli,
            'inject',
            '--smsc',
            `smpp://ppg:secret@127.0.0.1:${port}`,
            '--to',
            '+447700900123',
            '--from',
            '9200',
            '--hex',
            pdu,
          ],
          { encoding: 'utf8' },
        ),
      );
      expect(injected.submitted).toHaveLength(1);
      await until(() => out.includes('\n'), 15_000, 'the push line');
      const line = JSON.parse(out.split('\n')[0]);
      expect(line.wdp).toEqual({
        sourcePort: 9200,
        destinationPort: 2948,
        segments: 1,
        originator: '9200',
        recipient: '+447700900123',
      });
      expect(line.body).toEqual({ type: 'sl', href: 'http://example.com/x', action: 'execute-low' });
    } finally {
      listen?.kill();
      smsc.kill();
    }
  }, 30_000);
});

describe('wappush listen --register apps.json (processes on 127.0.0.1)', () => {
  it('prints each registration outcome, then pushes with their registration or "unrouted": true', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'wappush-cli-'));
    const apps = join(dir, 'apps.json');
    writeFileSync(
      apps,
      JSON.stringify([
        {
          pushApplicationId: 'x-wap-application:wml.ua',
          applicationId: 'urn:test:inbox',
          whitelist: [{ address: '+15550001' }],
        },
        { pushApplicationId: 2, applicationId: 'urn:test:other' },
        { pushApplicationId: 4, connectionProfiles: [{ protocol: 'OTA-SIP' }] },
      ]),
    );
    const smsc = spawn(process.execPath, [cli, 'smsc', '--port', '0']);
    let listen: ReturnType<typeof spawn> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      listen = spawn(process.execPath, [
        cli,
        'listen',
        '--smsc',
        `smpp://c:p@127.0.0.1:${port}`,
        '--register',
        apps,
        '--store',
        'memory',
      ]);
      let out = '';
      listen.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const lines = () =>
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      await until(() => lines().length >= 3, 15_000, 'three registration outcomes');
      const outcomes = lines()
        .map((l) => l.register)
        .sort((a, b) => a.index - b.index);
      expect(outcomes).toEqual([
        {
          index: 0,
          pushApplicationId: 'x-wap-application:wml.ua',
          applicationId: 'urn:test:inbox',
          id: 1,
          status: 'success',
        },
        expect.objectContaining({
          index: 1,
          status: 'rejected',
          reason: 'duplicate-application-id',
          option: 'pushApplicationId',
        }),
        expect.objectContaining({
          index: 2,
          status: 'rejected',
          reason: 'unsupported-option',
          option: 'connectionProfiles[0].protocol',
        }),
      ]);
      const pdu = execFileSync(
        process.execPath,
        [cli, 'encode', '--type', 'si', '--href', 'http://example.com/', '--text', 'hi'],
        { encoding: 'utf8' },
      ).trim();
      for (const from of ['+15550001', '+19990000']) {
        execFileSync(process.execPath, [
          cli,
          'inject',
          '--smsc',
          `smpp://ppg:x@127.0.0.1:${port}`,
          '--to',
          '+15559999',
          '--from',
          from,
          '--hex',
          pdu,
        ]);
      }
      await until(() => lines().length >= 5, 15_000, 'two push lines');
      const pushes = lines()
        .slice(3)
        .sort((a, b) => a.wdp.originator.localeCompare(b.wdp.originator));
      expect(pushes).toHaveLength(2);
      expect(pushes[0]).toMatchObject({
        wdp: { originator: '+15550001', destinationPort: 2948 },
        body: { type: 'si', text: 'hi' },
        registration: { applicationId: 'urn:test:inbox', pushApplicationId: 'x-wap-application:wml.ua' },
      });
      expect(pushes[1]).toMatchObject({ wdp: { originator: '+19990000' }, unrouted: true, reason: 'whitelist' });
      expect(pushes[1].registration).toBeUndefined();
    } finally {
      listen?.kill();
      smsc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('wappush listen: losses are reported (docs/smpp.md, reassembly bounds)', () => {
  it('prints a {"lost":...} line on stderr for a concatenated push that expires', async () => {
    const { spawn } = await import('node:child_process');
    const { rawPeer, bindPdu, BIND_TRANSMITTER, status } = await import('../smsc/peers.js');
    const stateDir = mkdtempSync(join(tmpdir(), 'wappush-lost-'));
    const smsc = spawn(process.execPath, [cli, 'smsc', '--port', '0']);
    let listen: ReturnType<typeof spawn> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        smsc.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).listening.port));
        setTimeout(() => reject(new Error('smsc did not start')), 5_000);
      });
      listen = spawn(process.execPath, [
        cli,
        'listen',
        '--smsc',
        `smpp://client:pw@127.0.0.1:${port}`,
        '--reassembly-timeout',
        '300',
        // The default, durable store, in a directory of the test's own: the loss is reported by its sweep.
        '--store',
        stateDir,
      ]);
      let err = '';
      listen.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      await until(() => err.includes('"event":"bind"'), 15_000, 'listen bound');
      // Three segments (8-bit reference 42) from one SI; only the first is sent.
      const segments = execFileSync(
        process.execPath,
        [cli, 'encode', '--type', 'si', '--href', 'http://a.example/', '--text', 'x'.repeat(300)].concat([
          '--smpp',
          '--reference',
          '42',
          '--to',
          '+447700900123',
          '--from',
          '9200',
        ]),
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n');
      expect(segments.length).toBeGreaterThanOrEqual(3);
      const peer = rawPeer(port);
      peer.socket.write(bindPdu(BIND_TRANSMITTER, 'ppg', 'x', 1));
      expect(status(await peer.next())).toBe(0);
      peer.socket.write(Buffer.from(segments[0], 'hex'));
      expect(status(await peer.next())).toBe(0);
      await peer.close();
      await until(() => err.includes('"lost"'), 15_000, 'the lost record');
      const lost = err
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((r) => r.event === 'lost')
        .map((r) => r.lost);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({
        reason: 'expired',
        reference: 42,
        segmentsHeld: 1,
        segmentsExpected: segments.length,
        recipient: '+447700900123',
      });
    } finally {
      listen?.kill();
      smsc.kill();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 30_000);
});
