// A Redis step, a whole TURN call or a sweep that fails after it dropped a message: the drop is done
// (Redis does not roll a script back), so its loss report must still come out, in the next
// sweep's `expired`, rather than go with the failed step's error. On a real redis-server, the
// failure made by giving a key the wrong type behind the store's back.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import { Carried, MAX_CARRIED_REPORTS } from '../../src/store/redis/carried.js';
import type { LostMessage, MessageIdentity, Store } from '../../src/store/types.js';
import { manualClock, useRedis } from './backends.js';
import { nodes, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const seg = segmentsFrom('+15550003');
const TIMEOUT = 1_000;

/** Waits (bounded) until the store's probe has found Redis writable again. */
async function backUp(store: Store): Promise<void> {
  for (let i = 0; i < 100 && !store.available; i++) await new Promise((r) => setTimeout(r, 20));
  expect(store.available).toBe(true);
}

async function lossNode() {
  const clock = manualClock();
  const { stores, prefix } = await nodes(
    1,
    { now: clock.now, reassembly: { timeoutMs: TIMEOUT }, probeIntervalMs: 20 },
    'loss',
  );
  return { store: stores[0], prefix, clock };
}

describe('redis store: loss reports of a failed step', () => {
  it('a step that fails after dropping an expired message: the report comes with the next sweep', async () => {
    const { store, prefix, clock } = await lossNode();
    const r = raw();
    const first = seg(7, 1, 2, 'old ');
    expect((await store.segments.add(first)).status).toBe('held');
    clock.advance(TIMEOUT + 1);
    // The message's late-duplicate key made a hash: the step reads it after the drop, and fails.
    await r.hset(`${prefix}f:${messageKey(first as MessageIdentity)}`, 'x', '1');
    await expect(store.segments.add(seg(7, 1, 2, 'new '))).rejects.toThrow(/WRONGTYPE/);
    await backUp(store);
    const { expired } = await store.segments.sweep();
    expect(expired).toEqual([
      expect.objectContaining({ originator: '+15550003', reference: 7, total: 2, reason: 'expired', received: [1] }),
    ]);
    // Once only.
    expect((await store.segments.sweep()).expired).toEqual([]);
  });

  it('a call that fails as a whole after a drop: the report comes with the next sweep', async () => {
    const { store, prefix, clock } = await lossNode();
    const r = raw();
    // A message completed and given back (the handler failed), then left past its timeout.
    expect((await store.segments.add(seg(8, 1, 2, 'a '))).status).toBe('held');
    const done = await store.segments.add(seg(8, 2, 2, 'b '));
    if (done.status !== 'complete') throw new Error(`expected complete, got ${done.status}`);
    await store.segments.release(done.message);
    clock.advance(TIMEOUT + 1);
    // The originators' load made a string: writing the new message's index entries fails.
    await r.set(`${prefix}load`, 'not a zset');
    await expect(store.segments.add(seg(8, 1, 2, 'c '))).rejects.toThrow(/WRONGTYPE/);
    await backUp(store);
    await r.del(`${prefix}load`);
    const { expired } = await store.segments.sweep();
    expect(expired).toEqual([
      expect.objectContaining({ originator: '+15550003', reference: 8, reason: 'expired', received: [1, 2] }),
    ]);
  });

  it('a sweep that fails after dropping an expired message: the report comes with the next sweep', async () => {
    const { store, prefix, clock } = await lossNode();
    const r = raw();
    expect((await store.segments.add(seg(9, 1, 2, 'x '))).status).toBe('held');
    clock.advance(TIMEOUT + 1);
    // The originators' load made a string: the drop has deleted the segments when it fails.
    await r.set(`${prefix}load`, 'not a zset');
    await expect(store.segments.sweep()).rejects.toThrow(/WRONGTYPE/);
    await backUp(store);
    await r.del(`${prefix}load`);
    const { expired } = await store.segments.sweep();
    expect(expired).toEqual([
      expect.objectContaining({ originator: '+15550003', reference: 9, reason: 'expired', received: [1] }),
    ]);
  });

  it('a sweep whose orphan does not parse: its drops are reported by the next sweep', async () => {
    const clock = manualClock();
    const {
      stores: [holder, sweeper],
      prefix,
    } = await nodes(2, { now: clock.now, reassembly: { timeoutMs: TIMEOUT }, probeIntervalMs: 20 }, 'loss');
    const r = raw();
    // An open message that will expire, and a complete one whose holder is gone.
    expect((await sweeper.segments.add(seg(10, 1, 2, 'left '))).status).toBe('held');
    expect((await holder.segments.add(seg(11, 1, 2, 'a '))).status).toBe('held');
    const done = await holder.segments.add(seg(11, 2, 2, 'b '));
    if (done.status !== 'complete') throw new Error(`expected complete, got ${done.status}`);
    await r.del(`${prefix}node:${holder.nodeId}`);
    // Its total spoilt behind the store's back: the claim's reply does not match its key.
    await r.hset(`${prefix}m:${done.message.key}`, 't', '3');
    clock.advance(TIMEOUT + 1);
    await expect(sweeper.segments.sweep()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    const { expired } = await sweeper.segments.sweep();
    expect(expired).toEqual([
      expect.objectContaining({ originator: '+15550003', reference: 10, reason: 'expired', received: [1] }),
    ]);
  });

  it(`past ${MAX_CARRIED_REPORTS} reports waiting, the rest are counted in the sweep's unreported`, async () => {
    const { store, prefix, clock } = await lossNode();
    const r = raw();
    const over = 1_500;
    const messages = MAX_CARRIED_REPORTS + over;
    // Messages put in directly, as the TURN script writes an open one (a store add each would be slow).
    for (let i = 0; i < messages; i += 2_000) {
      const pipe = r.pipeline();
      for (let ref = i; ref < Math.min(i + 2_000, messages); ref++) {
        const mk = messageKey(seg(ref, 1, 2, '') as MessageIdentity);
        pipe.hset(`${prefix}m:${mk}`, { o: '+15550003', f: clock.now(), t: 2, st: 'open', h: 0, n: 1, b: 1, 1: 'x' });
        pipe.zadd(`${prefix}order`, clock.now(), mk);
        pipe.zadd(`${prefix}o:+15550003`, clock.now(), mk);
      }
      await pipe.exec();
    }
    await r.zadd(`${prefix}load`, messages, '+15550003');
    await r.set(`${prefix}bytes`, messages);
    clock.advance(TIMEOUT + 1);
    // The claims made a string: each sweep fails after its drops (at most 1,000 a sweep).
    await r.set(`${prefix}claims`, 'not a zset');
    for (let i = 0; i < 20 && (await r.zcard(`${prefix}order`)) > 0; i++) {
      await expect(store.segments.sweep()).rejects.toThrow(/WRONGTYPE/);
      await backUp(store);
    }
    expect(await r.zcard(`${prefix}order`)).toBe(0);
    await r.del(`${prefix}claims`);
    const result = await store.segments.sweep();
    expect(result.expired).toHaveLength(MAX_CARRIED_REPORTS);
    expect(result.unreported).toBe(over);
    expect(result.expired[0]).toMatchObject({ reference: 0, reason: 'expired', received: [1] });
    // Taken once.
    expect(await store.segments.sweep()).toEqual({ expired: [], orphans: [] });
  }, 30_000);
});

describe('carried loss reports', () => {
  const report = (reference: number): LostMessage => ({
    originator: '+15550003',
    recipient: '+15559999',
    reference,
    total: 2,
    reason: 'expired',
    received: [1],
    bytes: 1,
    firstAt: 0,
  });

  it('takes a list longer than a call can spread, keeps the first up to its bound, counts the rest', () => {
    const carried = new Carried(300_000);
    carried.add(Array.from({ length: 250_000 }, (_, i) => report(i)));
    carried.add(Array.from({ length: 100_000 }, (_, i) => report(250_000 + i)));
    const { reports, dropped } = carried.take();
    expect(reports).toHaveLength(300_000);
    expect(reports[299_999].reference).toBe(299_999);
    expect(dropped).toBe(50_000);
    expect(carried.take()).toEqual({ reports: [], dropped: 0 });
  });
});
