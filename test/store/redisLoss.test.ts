// A Redis step, a whole TURN call or a sweep that fails after it dropped a message: the drop is done
// (Redis does not roll a script back), so its loss report must still come out, in the next
// sweep's `expired`, rather than go with the failed step's error. On a real redis-server, the
// failure made by giving a key the wrong type behind the store's back.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import type { MessageIdentity, Store } from '../../src/store/types.js';
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
});
