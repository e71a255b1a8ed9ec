// The Redis backend's cluster promises, on a real redis-server: several nodes racing for one
// message's segments, a node that dies, Redis itself going away for a few seconds.
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open.js';
import type { StoredSegment } from '../../src/store/types.js';
import { until } from '../helpers.js';
import { afterTest, redisServer, useRedis } from './backends.js';
import { nodes, partsText, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const seg = segmentsFrom('+15550001');
const parts = partsText;

describe('redis store', () => {
  it('completes each of 300 messages on exactly one of three nodes, segments spread round-robin', async () => {
    const { stores } = await nodes(3);
    const work: Array<{ m: number; node: number; s: StoredSegment }> = [];
    for (let m = 0; m < 300; m++) {
      for (let n = 1; n <= 3; n++) {
        // Each segment goes to one node, and its resend to another: three nodes race for every message.
        const first = (m + n) % 3;
        for (const node of [first, (first + 1 + (m % 2)) % 3]) work.push({ m, node, s: seg(m, n, 3, `${m}.${n} `) });
      }
    }
    let x = 7;
    for (let i = work.length - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const j = x % (i + 1);
      [work[i], work[j]] = [work[j], work[i]];
    }
    const completions = new Map<number, string[]>();
    const perNode = [0, 0, 0];
    // 100 in flight at a time, as three busy binds would have.
    for (let i = 0; i < work.length; i += 100) {
      const batch = work.slice(i, i + 100);
      const outcomes = await Promise.all(batch.map((w) => stores[w.node].segments.add(w.s)));
      outcomes.forEach((o, j) => {
        if (o.status !== 'complete') return;
        completions.set(batch[j].m, [...(completions.get(batch[j].m) ?? []), parts(o)]);
        perNode[batch[j].node]++;
      });
    }
    for (let m = 0; m < 300; m++) expect([m, completions.get(m)]).toEqual([m, [`${m}.1 ${m}.2 ${m}.3 `]]);
    // Every node did some of the completing.
    expect(perNode.every((n) => n > 0)).toBe(true);
  });

  it("takes over a dead node's claims and queue items at once, not after the timeouts", async () => {
    const options = { nodeTtlMs: 60_000, queueReclaimMs: 60_000, reassembly: { claimTimeoutMs: 60_000 } };
    const { stores, prefix } = await nodes(2, options);
    const [a, b] = stores;
    await a.segments.add(seg(1, 1, 2, 'he'));
    expect((await a.segments.add(seg(1, 2, 2, 'llo'))).status).toBe('complete');
    await a.queues.enqueue('app', { data: new Uint8Array([1]) });
    expect(await a.queues.take('app')).toHaveLength(1);
    // Node a is alive: its claim holds and its item stays with it.
    expect(await b.segments.add(seg(1, 2, 2, 'llo'))).toEqual({ status: 'busy', lost: [] });
    expect(await b.segments.sweep()).toEqual({ expired: [], orphans: [] });
    expect(await b.queues.reclaim('app')).toEqual([]);
    // Its liveness lapses (what nodeTtlMs does to a node that died).
    await raw().del(`${prefix}node:${a.nodeId}`);
    const { orphans } = await b.segments.sweep();
    expect(orphans.map((m) => [Buffer.concat(m.parts).toString(), m.handovers])).toEqual([['hello', 2]]);
    expect((await b.queues.reclaim('app')).map((i) => [i.data[0], i.deliveries])).toEqual([[1, 2]]);
  });

  it('a node whose reply was lost takes its own claim again on the resend', async () => {
    const { stores, prefix } = await nodes(1);
    const [a] = stores;
    await a.segments.add(seg(4, 1, 2, 'x'));
    // The completing add ran on the server, but its reply never reached a (a dropped connection):
    // made here by another connection in a's name, so Redis holds a claim a does not know of.
    const ghost = await openStore(redisServer().url, { prefix, nodeId: a.nodeId });
    expect(parts(await ghost.segments.add(seg(4, 2, 2, 'y')))).toBe('xy');
    ghost.removeAllListeners();
    expect(parts(await a.segments.add(seg(4, 2, 2, 'y')))).toBe('xy');
    // A claim a does know of holds against its own resend.
    expect((await a.segments.add(seg(4, 2, 2, 'y'))).status).toBe('busy');
    await ghost.close();
  });

  it('answers STORE_UNAVAILABLE while Redis is down, and comes back by itself with nothing lost', async () => {
    const { stores } = await nodes(1, { probeIntervalMs: 100 });
    const [store] = stores;
    const events: string[] = [];
    store.on('unavailable', (e) => events.push(`unavailable ${e.code}`));
    store.on('available', () => events.push('available'));
    expect((await store.segments.add(seg(7, 1, 3, 'kept,'))).status).toBe('held');
    await store.queues.enqueue('app', { data: new Uint8Array(Buffer.from('queued')) });
    await redisServer().stop();
    const started = Date.now();
    const e = await store.segments.add(seg(7, 2, 3, 'lost?')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('STORE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_000);
    await until(() => events.length > 0, 2_000, "the 'unavailable' event");
    expect(store.available).toBe(false);
    await new Promise((r) => setTimeout(r, 2_000));
    await redisServer().start();
    await until(() => store.available, 10_000, 'the store to come back');
    expect(events).toEqual(['unavailable STORE_UNAVAILABLE', 'available']);
    // What was stored before is there; the refused segment was not kept, and is taken now.
    expect((await store.segments.add(seg(7, 2, 3, 'lost?'))).status).toBe('held');
    expect(parts(await store.segments.add(seg(7, 3, 3, 'now')))).toBe('kept,lost?now');
    expect((await store.queues.take('app')).map((i) => Buffer.from(i.data).toString())).toEqual(['queued']);
  });

  it('tells another node of a record change at once (pub/sub), not only at the next poll', async () => {
    const { stores, prefix } = await nodes(2, { registrationPollMs: 60_000 });
    const [a, b] = stores;
    const heard: number[] = [];
    b.registrations.watch((v) => heard.push(v));
    // The subscription is made when the server counts it (a fixed wait could fall short under load).
    const r = raw();
    const subscribers = async () => {
      const [, n] = (await r.call('PUBSUB', 'NUMSUB', `${prefix}reg:changed`)) as [string, number];
      return n;
    };
    for (const end = Date.now() + 5_000; (await subscribers()) < 1;) {
      if (Date.now() > end) throw new Error('the other node did not subscribe within 5 s');
      await new Promise((res) => setTimeout(res, 10));
    }
    const t0 = Date.now();
    await a.registrations.put('app', { pushApplicationId: 2 });
    await until(() => heard.length === 1, 2_000, 'the change to reach the other node');
    expect(heard).toEqual([1]);
    expect(Date.now() - t0).toBeLessThan(1_000);
    // Its own change: no call.
    await b.registrations.put('other', { pushApplicationId: 4 });
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([1]);
  });
  it("reads the server's appendfsync (it does not change it) and reports it in inspect", async () => {
    const r = raw();
    // The test server runs appendonly yes, appendfsync at Redis' default, everysec.
    afterTest(async () => {
      await r.call('CONFIG', 'SET', 'appendonly', 'yes');
      await r.call('CONFIG', 'SET', 'appendfsync', 'everysec');
    });
    const { stores } = await nodes(1, { sync: 'always' });
    expect(stores[0].sync).toBe('everysec');
    expect((await stores[0].inspect()).sync).toBe('everysec');
    await r.call('CONFIG', 'SET', 'appendfsync', 'always');
    expect((await stores[0].inspect()).sync).toBe('always');
    await r.call('CONFIG', 'SET', 'appendonly', 'no');
    expect((await stores[0].inspect()).sync).toBe('no');
    // Asked for, never applied: the server's setting is the operator's, for every client.
    expect(await r.call('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no']);
  });
});
