// `wappush listen --store` and `wappush store inspect` as an operator runs them (processes on
// 127.0.0.1, the SMSC simulator in the test). Needs dist/ (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { RedisServer } from '../helpers/redisServer.js';
import { cli, hrefOf, Listener, pushPdu, tally, until } from './pushes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-durable-cli-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 200 } });
  const port = await smsc.listen();
  cleanup.push(() => smsc.close());
  let acknowledged = 0;
  smsc.on('delivered', () => acknowledged++);
  const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
  await submitter.start();
  cleanup.push(() => submitter.close());
  return { dir, port, submitter, acknowledged: () => acknowledged };
}

function inspect(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [cli, 'store', 'inspect', ...args], { encoding: 'utf8', cwd });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('listen --store DIR and store inspect', () => {
  it('inspect shows the segment held; after a SIGKILL and restart the push completes', async () => {
    const { dir, port, submitter, acknowledged } = await setUp();
    const state = join(dir, 'state');
    const lines: unknown[] = [];
    const listener = new Listener(['--smsc', `smpp://client:pw@127.0.0.1:${port}`, '--store', state], lines);
    cleanup.push(() => listener.stop());
    listener.start();
    const target = { to: '+447700900123', from: '9200', reference: 9 };
    await submitter.submit(pushPdu(7), { ...target, segmentOrder: [0] });
    await until(
      () => acknowledged() === 1,
      10_000,
      () => listener.stderr,
    );
    const report = inspect(['--store', state]);
    expect(report).toMatchObject({ backend: 'lmdb', location: state });
    expect(report.pending).toMatchObject({ messages: 1, segments: 1, truncated: false });
    expect(report.pending.list[0]).toMatchObject({
      originator: '9200',
      recipient: '+447700900123',
      reference: 9,
      total: 3,
      received: [1],
      state: 'open',
    });
    expect(report.pending.list[0].ageMs).toBeGreaterThanOrEqual(0);
    await listener.kill();
    listener.start();
    await submitter.submit(pushPdu(7), { ...target, segmentOrder: [1, 2] });
    await until(
      () => tally(lines).seen.get(7) === 1,
      10_000,
      () => listener.stderr,
    );
    expect(tally(lines).wrong).toEqual([]);
    expect((lines[0] as { body: { href: string } }).body.href).toBe(hrefOf(7));
    await listener.stop();
    expect(inspect(['--store', state]).pending.messages).toBe(0);
  }, 30_000);

  it('an old registrations file given as --store is read into ./wappush-state', async () => {
    const { dir, port, submitter } = await setUp();
    const old = join(dir, 'registrations.json');
    const registration = { pushApplicationId: 'x-wap-application:wml.ua', applicationId: 'urn:test:inbox' };
    writeFileSync(old, JSON.stringify({ version: 1, registrations: [registration] }));
    const lines: unknown[] = [];
    const listener = new Listener(['--smsc', `smpp://client:pw@127.0.0.1:${port}`, '--store', old], lines, dir);
    cleanup.push(() => listener.stop());
    listener.start();
    await until(
      () => listener.child !== undefined && listener.stderr === '' && lines.length === 0,
      1_000,
      () => '',
    );
    const pdu = encodePushPdu({
      contentType: 'application/vnd.wap.slc',
      applicationId: 'x-wap-application:wml.ua',
      body: encodeSl({ href: 'http://example.com/old' }),
    });
    await submitter.submit(pdu, { to: '+447700900123', from: '9200' });
    await until(
      () => lines.length === 1,
      10_000,
      () => listener.stderr,
    );
    expect(lines[0]).toMatchObject({ body: { href: 'http://example.com/old' }, registration });
    await listener.stop();
    expect(inspect([], dir)).toMatchObject({ backend: 'lmdb', location: './wappush-state', registrations: 1 });
  }, 30_000);
  it('--store-sync everysec: a segment acknowledged right before a SIGKILL completes its push after the restart', async () => {
    const { dir, port, submitter, acknowledged } = await setUp();
    const state = join(dir, 'state');
    const lines: unknown[] = [];
    const args = ['--smsc', `smpp://client:pw@127.0.0.1:${port}`, '--store', state, '--store-sync', 'everysec'];
    const listener = new Listener(args, lines);
    cleanup.push(() => listener.stop());
    listener.start();
    const target = { to: '+447700900123', from: '9200', reference: 11 };
    await submitter.submit(pushPdu(8), { ...target, segmentOrder: [0] });
    await until(
      () => acknowledged() === 1,
      10_000,
      () => listener.stderr,
    );
    // Killed at once: well within the second before its sync, so only the kernel has the segment.
    await listener.kill();
    listener.start();
    await submitter.submit(pushPdu(8), { ...target, segmentOrder: [1, 2] });
    await until(
      () => tally(lines).seen.get(8) === 1,
      10_000,
      () => listener.stderr,
    );
    expect(tally(lines).wrong).toEqual([]);
  }, 30_000);

  it('--store-sync: an unknown mode is refused; a Redis server that syncs less than asked is a warning', async () => {
    const { dir, port } = await setUp();
    const smsc = `smpp://client:pw@127.0.0.1:${port}`;
    const bad = spawnSync(
      process.execPath,
      [cli, 'listen', '--smsc', smsc, '--store', join(dir, 's'), '--store-sync', 'sometimes'],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--store-sync takes always, everysec, no, not sometimes');
    const redis = new RedisServer(['--appendfsync', 'everysec']);
    await redis.start();
    cleanup.push(() => redis.close());
    for (const [asked, warned] of [
      ['always', true],
      ['everysec', false],
    ] as const) {
      const listener = new Listener(['--smsc', smsc, '--store', redis.url, '--store-sync', asked], []);
      cleanup.push(() => listener.stop());
      listener.start();
      await until(
        () => listener.stderr.includes('"event":"bind"'),
        10_000,
        () => listener.stderr,
      );
      const warning = listener.stderr.split('\n').find((l) => l.includes('"event":"store-sync"'));
      if (warned)
        expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', storeSync: { asked, server: 'everysec' } });
      else expect(warning).toBeUndefined();
      await listener.stop();
    }
  }, 30_000);
});
