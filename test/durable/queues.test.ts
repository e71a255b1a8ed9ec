// Per-application delivery queues on the store (issue 17). On lmdb: a push the SMSC was
// answered for is in the application's queue on disk, so pushes waiting behind a slow handler
// come back after the process goes. On Redis: two `wappush listen` nodes, the application
// registered on node B only, every push arriving over node A's bind: all reach B; B killed
// with SIGKILL midway and started again: none lost. Real SMPP through the simulator, a real
// redis-server; the second test needs dist/.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { RedisServer } from '../helpers/redisServer.js';
import { Listener, pushOf, pushPdu, sleep, tally, until } from './pushes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';
const target = { to: '+447700900123', from: '9200' };

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-queues-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function simulator() {
  const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 200 }, responseTimeoutMs: 2_000 });
  const port = await smsc.listen();
  cleanup.push(() => smsc.close());
  let acknowledged = 0;
  smsc.on('delivered', () => acknowledged++);
  const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
  await submitter.start();
  cleanup.push(() => submitter.close());
  return { smsc, port, submitter, acknowledged: () => acknowledged };
}

describe('per-application queues on the store', () => {
  it('lmdb: pushes answered to the SMSC while the handler was busy are delivered after the process goes', async () => {
    const path = join(tempDir(), 'state');
    const s = await simulator();
    const PUSHES = 5;

    // First run: the handler takes the first push and never finishes it.
    let store = new LmdbStore(path);
    const first = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${s.port}`, store, otaHttp: false });
    await first.start();
    const seenFirst: number[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const registered = await first.register({
      pushApplicationId: APP,
      handler: (e: PushEvent) => {
        seenFirst.push(pushOf(e.toJSON()) as number);
        return stuck;
      },
    });
    expect(registered.status === 'accepted' && (await registered.completed)).toEqual({ status: 'success' });
    await Promise.all(Array.from({ length: PUSHES }, (_, i) => s.submitter.submit(pushPdu(i), target)));
    // The SMSC has its answer for every segment: each push is acknowledged, so it forgets them.
    await until(
      () => s.acknowledged() === PUSHES * 3,
      10_000,
      () => `${s.acknowledged()} acknowledged`,
    );
    expect(seenFirst).toHaveLength(1);
    // The process goes: its store closes under it (what is on disk is what a crash leaves).
    await store.close();
    release();
    await first.close();

    // Second run on the same directory: the registration comes back from the store and every
    // push waiting in its queue is delivered (as 'push' events until the application registers).
    store = new LmdbStore(path);
    cleanup.push(() => store.close());
    const second = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${s.port}`, store, otaHttp: false });
    cleanup.push(() => second.close());
    const seen: number[] = [];
    second.on('push', (e) => void seen.push(pushOf(e.toJSON()) as number));
    await second.start();
    await until(
      () => new Set([...seenFirst, ...seen]).size === PUSHES,
      10_000,
      () => `first ${JSON.stringify(seenFirst)}, then ${JSON.stringify(seen)}`,
    );
    expect(new Set(seen).size).toBeGreaterThanOrEqual(PUSHES - 1);
    expect(await store.queues.names()).toEqual([]);
  }, 30_000);

  it('Redis: a push arriving at node A for an application registered on node B only reaches B, through a SIGKILL of B', async () => {
    const PUSHES = 100;
    const dir = tempDir();
    const apps = join(dir, 'apps.json');
    writeFileSync(apps, JSON.stringify([{ pushApplicationId: APP }]));
    const redis = new RedisServer();
    await redis.start();
    cleanup.push(() => redis.close());
    const simA = await simulator();
    const simB = await simulator();
    const a = new Listener(['--smsc', `smpp://client:pw@127.0.0.1:${simA.port}`, '--store', redis.url], []);
    cleanup.push(() => a.stop());
    a.start();
    await until(
      () => simA.smsc.stats.binds === 1,
      15_000,
      () => a.stderr,
    );
    const bArgs = ['--smsc', `smpp://client:pw@127.0.0.1:${simB.port}`, '--store', redis.url, '--register', apps];
    const b = new Listener(bArgs, []);
    cleanup.push(() => b.stop());
    b.start();
    const registeredOnB = () => b.lines.filter((l) => (l as { register?: { status?: string } }).register?.status);
    await until(
      () => registeredOnB().length === 1,
      15_000,
      () => b.stderr,
    );
    expect(registeredOnB()[0]).toMatchObject({ register: { status: 'success' } });
    await until(
      () => a.stderr.includes('"followed"'),
      5_000,
      () => `A did not follow: ${a.stderr}`,
    );

    const send = async () => {
      for (let i = 0; i < PUSHES; i += 10) {
        const batch = Array.from({ length: Math.min(10, PUSHES - i) }, (_, k) => i + k);
        await Promise.all(batch.map((n) => simA.submitter.submit(pushPdu(n), target)));
      }
    };
    const pushesOnB = () => b.lines.filter((l) => typeof pushOf(l) === 'number');
    const sending = send();
    await until(
      () => pushesOnB().length >= PUSHES / 4,
      60_000,
      () => `${pushesOnB().length} on B; ${b.stderr}`,
    );
    await b.kill();
    await sleep(500);
    b.start();
    await sending;
    // B's pushes in hand at the kill are taken over once its old node's liveness lapses (nodeTtlMs).
    await until(
      () => tally(pushesOnB()).seen.size === PUSHES,
      60_000,
      () => `${tally(pushesOnB()).seen.size} of ${PUSHES} on B; A: ${a.stderr.slice(-300)}; B: ${b.stderr.slice(-300)}`,
    );
    const { seen, wrong } = tally(pushesOnB());
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(PUSHES);
    // A printed no push: none was unrouted there.
    expect(a.lines.filter((l) => typeof pushOf(l) === 'number')).toEqual([]);
    for (const l of pushesOnB()) expect(l).toMatchObject({ registration: { pushApplicationId: APP } });
    const twice = [...seen.values()].filter((n) => n > 1).length;
    console.log(`queue test: ${PUSHES} pushes in at A, all handled on B through a SIGKILL of B, ${twice} twice`);
  }, 120_000);
});
