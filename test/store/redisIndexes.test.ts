// The Redis indexes and the message hashes they name stay consistent when a write fails part
// way (src/store/redis/scripts.ts): an add whose writes fail after its index entries leaves no
// entry naming a message that has no hash (such an entry was "dropped" again by every sweep and
// counted toward maxPendingMessages); an entry an older version left that way goes at the next
// sweep without a loss report. On a real redis-server, a write made to fail by giving its key
// the wrong type behind the store's back.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import type { ReassemblyBounds } from '../../src/store/options.js';
import type { MessageIdentity, Store } from '../../src/store/types.js';
import { manualClock, useRedis } from './backends.js';
import { nodes, partsText, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const ORIGINATOR = '+15550006';
const seg = segmentsFrom(ORIGINATOR);
const TIMEOUT = 1_000;

async function backUp(store: Store): Promise<void> {
  for (let i = 0; i < 100 && !store.available; i++) await new Promise((r) => setTimeout(r, 20));
  expect(store.available).toBe(true);
}

async function node(bounds: ReassemblyBounds) {
  const clock = manualClock();
  const { stores, prefix } = await nodes(
    1,
    { now: clock.now, reassembly: { timeoutMs: TIMEOUT, ...bounds }, probeIntervalMs: 20 },
    'idx',
  );
  return { store: stores[0], prefix, clock, r: raw() };
}

describe('redis store: indexes and hashes when a write fails', () => {
  it('a fresh message whose write fails: no index entry is left, nothing is reported or evicted later', async () => {
    const { store, prefix, clock, r } = await node({ maxPendingMessages: 1 });
    // The originators' load made a string: writing the message fails after its index entries.
    await r.set(`${prefix}load`, 'not a zset');
    await expect(store.segments.add(seg(1, 1, 2, 'one '))).rejects.toThrow(/WRONGTYPE/);
    await r.del(`${prefix}load`);
    await backUp(store);
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([]);
    // The one message the bound allows is another's: nothing is evicted to make room for it.
    expect(await store.segments.add(seg(2, 1, 2, 'two '))).toEqual({ status: 'held', received: 1, lost: [] });
    clock.advance(TIMEOUT + 1);
    const { expired } = await store.segments.sweep();
    expect(expired.map((m) => m.reference)).toEqual([2]);
    expect((await store.segments.sweep()).expired).toEqual([]);
  });

  it('a message over the octets bound whose write fails: no index entry is left, the octets not counted', async () => {
    const { store, prefix, clock, r } = await node({ maxPendingBytes: 4 });
    // Larger than the bound: taken the usual way (indexes, counts, hash), failing at the load.
    await r.set(`${prefix}load`, 'not a zset');
    await expect(store.segments.add(seg(3, 1, 2, 'too long'))).rejects.toThrow(/WRONGTYPE/);
    await r.del(`${prefix}load`);
    await backUp(store);
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([]);
    expect(await r.get(`${prefix}bytes`)).toBeNull();
    clock.advance(TIMEOUT + 1);
    expect((await store.segments.sweep()).expired).toEqual([]);
  });

  it('an index entry without its hash (an older version left it) goes at the next sweep, unreported', async () => {
    const { store, prefix, clock, r } = await node({});
    const mk = messageKey(seg(4, 1, 2, '') as MessageIdentity);
    await r.zadd(`${prefix}order`, clock.now(), mk);
    await r.zadd(`${prefix}o:${ORIGINATOR}`, clock.now(), mk);
    clock.advance(TIMEOUT + 1);
    expect((await store.segments.sweep()).expired).toEqual([]);
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([]);
    // The key is free: a push that reuses it completes.
    expect((await store.segments.add(seg(4, 1, 2, 'a '))).status).toBe('held');
    expect(partsText(await store.segments.add(seg(4, 2, 2, 'b')))).toBe('a b');
  });

  it('an index entry without its hash that the bound evicts is not reported lost', async () => {
    const { store, prefix, clock, r } = await node({ maxPendingMessages: 1 });
    const mk = messageKey(seg(5, 1, 2, '') as MessageIdentity);
    await r.zadd(`${prefix}order`, clock.now(), mk);
    await r.zadd(`${prefix}o:${ORIGINATOR}`, clock.now(), mk);
    await r.zincrby(`${prefix}load`, 1, ORIGINATOR);
    expect(await store.segments.add(seg(6, 1, 2, 'new '))).toEqual({ status: 'held', received: 1, lost: [] });
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([messageKey(seg(6, 1, 2, '') as MessageIdentity)]);
    // The entry's count in P load went with it: the one left is the new message's.
    expect(await r.zrange(`${prefix}load`, '0', '-1', 'WITHSCORES')).toEqual([ORIGINATOR, '1']);
  });

  it('a write undone after the load was counted leaves no originator at 0 in P load', async () => {
    const { store, prefix, r } = await node({ maxPendingBytes: 4 });
    // The octets counter at its largest: the INCRBY after the load's ZINCRBY fails (overflow).
    await r.set(`${prefix}bytes`, '9223372036854775807');
    await expect(store.segments.add(seg(7, 1, 2, 'too long'))).rejects.toThrow(/overflow/);
    await backUp(store);
    expect(await r.zrange(`${prefix}load`, '0', '-1', 'WITHSCORES')).toEqual([]);
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([]);
  });
});

describe('redis store: a completion or finish that fails part way', () => {
  it('a completion failing after its hash is claimed: in P claims, octets uncounted, handed over later', async () => {
    const { store, prefix, clock, r } = await node({ claimTimeoutMs: 500 });
    expect((await store.segments.add(seg(8, 1, 2, 'one '))).status).toBe('held');
    await r.set(`${prefix}load`, 'not a zset');
    await expect(store.segments.add(seg(8, 2, 2, 'two'))).rejects.toThrow(/WRONGTYPE/);
    await r.del(`${prefix}load`);
    await backUp(store);
    const mk = messageKey(seg(8, 1, 2, '') as MessageIdentity);
    expect(await r.hget(`${prefix}m:${mk}`, 'st')).toBe('claimed');
    expect(await r.zrange(`${prefix}claims`, '0', '-1')).toEqual([mk]);
    expect(await r.get(`${prefix}bytes`)).toBe('0');
    clock.advance(501);
    const { orphans } = await store.segments.sweep();
    expect(orphans.map((m) => Buffer.concat(m.parts).toString())).toEqual(['one two']);
  });

  it('a completion failing before it left P order: the sweep hands it over, it does not expire it', async () => {
    const { store, prefix, clock, r } = await node({ claimTimeoutMs: 500 });
    expect((await store.segments.add(seg(11, 1, 2, 'one '))).status).toBe('held');
    const mk = messageKey(seg(11, 1, 2, '') as MessageIdentity);
    // P order made a string: the completion fails at its ZREM, after the claimed hash.
    await r.del(`${prefix}order`);
    await r.set(`${prefix}order`, 'not a zset');
    await expect(store.segments.add(seg(11, 2, 2, 'two'))).rejects.toThrow(/WRONGTYPE/);
    await r.del(`${prefix}order`);
    await r.zadd(`${prefix}order`, clock.now(), mk);
    await backUp(store);
    clock.advance(TIMEOUT + 1);
    const { expired, orphans } = await store.segments.sweep();
    expect(expired).toEqual([]);
    expect(orphans.map((m) => Buffer.concat(m.parts).toString())).toEqual(['one two']);
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([]);
  });

  it('a P claims entry whose hash is gone goes at the next sweep, and claims behind it are swept', async () => {
    const { store, prefix, clock, r } = await node({ claimTimeoutMs: 500 });
    const gone = messageKey(seg(9, 1, 2, '') as MessageIdentity);
    await r.zadd(`${prefix}claims`, 0, gone);
    await store.segments.add(seg(10, 1, 2, 'a '));
    expect(partsText(await store.segments.add(seg(10, 2, 2, 'b')))).toBe('a b');
    clock.advance(501);
    expect((await store.segments.sweep()).orphans.map((m) => m.reference)).toEqual([10]);
    expect(await r.zrange(`${prefix}claims`, '0', '-1')).toEqual([messageKey(seg(10, 1, 2, '') as MessageIdentity)]);
  });
});
