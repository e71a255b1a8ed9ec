// Steps of an older delivery, and failures, must not undo a newer one on Redis: a release frees
// only the claim of its own handover; a failed finish kept is the newest delivery's; FINISH_OWN
// forgets a claim that is no longer this node's; its errors do not stop the sweep; and a
// released message a sweep had handed over waits its backoff from its release (or close()),
// not from when its try began. On a real redis-server, with a clock moved by hand.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import { openStore } from '../../src/store/open.js';
import { redeliveryDelay } from '../../src/store/redis/scripts.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { CompletedMessage, MessageIdentity, SegmentOutcome, Store } from '../../src/store/types.js';
import { afterTest, manualClock, redisServer, useRedis } from './backends.js';
import { nodes, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const seg = segmentsFrom('+15550078');
const TIMEOUT = 60_000;
const CLAIM_TIMEOUT = 5_000;

function claimed(o: SegmentOutcome): CompletedMessage {
  if (o.status !== 'complete') throw new Error(`expected complete, got ${o.status}`);
  return o.message;
}

/** Two nodes on one prefix; a long nodeTtlMs, so a node's liveness key, once deleted, stays gone. */
async function cluster(probeIntervalMs = 20) {
  const clock = manualClock();
  const options: StoreOptions = {
    now: clock.now,
    nodeTtlMs: 60_000,
    probeIntervalMs,
    reassembly: { timeoutMs: TIMEOUT, claimTimeoutMs: CLAIM_TIMEOUT },
  };
  const { stores, prefix } = await nodes(2, options, 'stale');
  const r = raw();
  const kill = async (s: Store) => {
    await r.del(`${prefix}node:${s.nodeId}`);
  };
  const hash = (reference: number) =>
    r.hgetall(`${prefix}m:${messageKey(seg(reference, 1, 2, '') as MessageIdentity)}`);
  /** Another store with `s`'s node id: its claims are ones `s` holds but never heard of. */
  const twin = async (s: Store) => {
    const t = await openStore(redisServer().url, { ...options, prefix, nodeId: s.nodeId });
    afterTest(() => t.close());
    return t;
  };
  return { stores, prefix, clock, r, kill, hash, twin };
}

async function complete(s: Store, reference: number, texts = ['one ', 'two']): Promise<CompletedMessage> {
  expect((await s.segments.add(seg(reference, 1, 2, texts[0]))).status).toBe('held');
  return claimed(await s.segments.add(seg(reference, 2, 2, texts[1])));
}

/** One node's sweep; its orphans (none expired). */
async function orphans(s: Store): Promise<CompletedMessage[]> {
  const r = await s.segments.sweep();
  expect(r.expired).toEqual([]);
  return r.orphans;
}

async function backUp(...stores: Store[]): Promise<void> {
  for (const s of stores) {
    for (let i = 0; i < 250 && !s.available; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.available).toBe(true);
  }
}

/** Redis goes away and comes back: every finish in `failing` fails meanwhile, in that order. */
async function finishesFail(stores: Store[], failing: Array<[Store, CompletedMessage]>): Promise<void> {
  await redisServer().stop();
  for (const [s, m] of failing) await expect(s.segments.finish(m)).rejects.toThrow();
  await redisServer().start();
  await backUp(...stores);
}

describe('redis store: a stale step leaves a newer delivery alone', () => {
  it('a release of an older handover does not free the newer claim its own sweep made', async () => {
    const { stores, clock, hash } = await cluster();
    const [a, b] = stores;
    const m = await complete(a, 1);
    // Its handler is slow: past claimTimeoutMs, a's own sweep hands it to a again.
    clock.advance(CLAIM_TIMEOUT);
    const [again] = await orphans(a);
    expect(again).toMatchObject({ key: m.key, handovers: 2 });
    // The first delivery fails now: its release must not free the second, still running.
    await a.segments.release(m);
    expect(await hash(1)).toMatchObject({ st: 'claimed', h: '2' });
    clock.advance(redeliveryDelay(1));
    expect(await orphans(b)).toEqual([]);
    // The second delivery's own release does free it; handed out again on the schedule.
    await a.segments.release(again);
    expect((await hash(1)).st).toBe('released');
    clock.advance(redeliveryDelay(1));
    expect(await orphans(b)).toMatchObject([{ key: m.key, handovers: 3 }]);
  });

  it('close() releases a redelivery that another node takes only after the backoff, counted from the close', async () => {
    const { stores, clock } = await cluster();
    const [a, b] = stores;
    const m = await complete(a, 2);
    clock.advance(CLAIM_TIMEOUT);
    expect(await orphans(a)).toMatchObject([{ key: m.key, handovers: 2 }]);
    // The handler runs for long; then the node closes, its claim unsettled.
    clock.advance(10_000);
    await a.close();
    expect(await orphans(b)).toEqual([]);
    clock.advance(redeliveryDelay(1) - 1);
    expect(await orphans(b)).toEqual([]);
    clock.advance(1);
    expect(await orphans(b)).toMatchObject([{ key: m.key, handovers: 3 }]);
  });

  it('a handler that fails only after the wait: handed out again the wait after its release', async () => {
    const { stores, clock, kill } = await cluster();
    const [a, b] = stores;
    await complete(a, 3);
    await kill(a);
    const [first] = await orphans(b);
    clock.advance(5_000);
    await b.segments.release(first);
    expect(await orphans(b)).toEqual([]);
    clock.advance(redeliveryDelay(1) - 1);
    expect(await orphans(b)).toEqual([]);
    clock.advance(1);
    expect(await orphans(b)).toMatchObject([{ key: first.key, handovers: 3 }]);
  });
});

describe('redis store: a finish that could not be stored, against a newer delivery', () => {
  it('the newer delivery’s failed finish is kept, not the older one’s that failed after it', async () => {
    const { stores, clock, hash } = await cluster();
    const [a, b] = stores;
    const m = await complete(a, 4);
    clock.advance(CLAIM_TIMEOUT);
    const [again] = await orphans(a);
    expect(again.handovers).toBe(2);
    // Both deliveries succeed while Redis is away, the newer one's finish first.
    await finishesFail(stores, [
      [a, again],
      [a, m],
    ]);
    expect(await orphans(a)).toEqual([]);
    expect(await hash(4)).toEqual({});
    clock.advance(CLAIM_TIMEOUT);
    expect(await orphans(b)).toEqual([]);
  });

  it('a claim FINISH_OWN found another’s is forgotten: a later claim whose reply was lost is taken over, not busy', async () => {
    const { stores, kill, twin } = await cluster();
    const [a, b] = stores;
    const m = await complete(a, 5);
    await finishesFail(stores, [[a, m]]);
    // a is dead to the others meanwhile: b takes its claim over and delivers it.
    await kill(a);
    const [taken] = await orphans(b);
    expect(taken.handovers).toBe(2);
    // a's sweep: its finish is not a's to store any more.
    expect(await orphans(a)).toEqual([]);
    await b.segments.finish(taken);
    // A later message under the key, completed for a's node id by a call whose reply a never
    // read (a twin with a's id stands in for it): the SMSC's resend of its completing segment
    // takes that claim over on a, as a lost reply's is.
    const t = await twin(a);
    await complete(t, 5, ['ONE ', 'TWO']);
    expect(await a.segments.add(seg(5, 2, 2, 'TWO'))).toMatchObject({ status: 'complete' });
  });

  it('FINISH_OWN failing again and again does not stop the sweeps; given up and reported, then handed over', async () => {
    const { stores, prefix, clock, r, hash } = await cluster();
    const [a] = stores;
    const m = await complete(a, 6);
    // This node may not write the fingerprint keys (P f:*): every finish fails, nothing else does.
    const keys = ['m:*', 'claims', 'order', 'node:*', 'l:*', 'o:*', 'load', 'bytes'].map((k) => `~${prefix}${k}`);
    await r.call('ACL', 'SETUSER', 'default', 'resetkeys', ...keys);
    afterTest(async () => {
      await r.call('ACL', 'SETUSER', 'default', 'allkeys');
    });
    await expect(a.segments.finish(m)).rejects.toThrow(/NOPERM|access/i);
    await backUp(a);
    const reported: string[] = [];
    for (let i = 0; i < 10 && !reported.some((e) => /given up/.test(e)); i++) {
      const swept = await a.segments.sweep();
      expect(a.available).toBe(true);
      expect(swept.orphans).toEqual([]);
      for (const e of swept.errors ?? []) reported.push(e.message);
    }
    expect(reported.length).toBeGreaterThan(1);
    expect(reported.every((e) => /NOPERM|access/i.test(e))).toBe(true);
    expect(reported.filter((e) => /given up/.test(e))).toHaveLength(1);
    await r.call('ACL', 'SETUSER', 'default', 'allkeys');
    // No longer finished again: its claim lapses and the sweep hands it over (a duplicate).
    expect((await hash(6)).st).toBe('claimed');
    clock.advance(CLAIM_TIMEOUT);
    const again = await a.segments.sweep();
    expect(again.errors).toBeUndefined();
    expect(again.orphans).toMatchObject([{ key: m.key, handovers: 2 }]);
  });
});
