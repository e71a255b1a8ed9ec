// A script call that drops a message and whose reply is lost (the connection dies before it
// arrives): the drop stands in Redis, so its loss report must still come out. The script keeps
// its reports in Redis under the call's id (P l:NODE:CALL) and the node's next sweep reads them
// (src/store/redis/carried.ts, scripts.ts). The store reaches the real redis-server through a
// loopback TCP relay (relay.ts) that drops Redis' replies, then cuts the connection.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { Carried, MAX_UNANSWERED_CALLS, UNANSWERED_GRACE_MS } from '../../src/store/redis/carried.js';
import { LOSS_REPORT_TTL_MS } from '../../src/store/redis/scripts.js';
import type { Store } from '../../src/store/types.js';
import { manualClock, redisServer, useRedis } from './backends.js';
import { raw, segmentsFrom } from './redisNodes.js';
import { relay, type Mode } from './relay.js';

useRedis();

const seg = segmentsFrom('+15550007');
const TIMEOUT = 1_000;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let prefixes = 0;

async function setUp(nodeId?: string, maxPendingMessages?: number) {
  const proxy = await relay(redisServer().port);
  cleanup.push(() => proxy.close());
  const clock = manualClock();
  const prefix = `kept${++prefixes}:`;
  const store: Store = await openStore(`redis://127.0.0.1:${proxy.port}`, {
    prefix,
    now: clock.now,
    reassembly: { timeoutMs: TIMEOUT, ...(maxPendingMessages === undefined ? {} : { maxPendingMessages }) },
    probeIntervalMs: 50,
    commandTimeoutMs: 2_000,
    ...(nodeId === undefined ? {} : { nodeId }),
  });
  cleanup.push(() => store.close());
  return { proxy, clock, prefix, store, r: raw() };
}

/** Loses the reply of what `call` sends: Redis runs it, the answer is dropped, the connection cut. */
async function replyLost(
  env: Awaited<ReturnType<typeof setUp>>,
  call: () => Promise<unknown>,
  ran: () => Promise<boolean>,
  mode: Mode = 'swallow',
): Promise<void> {
  env.proxy.mode = mode;
  const settled = call().then(
    () => 'answered',
    () => 'failed',
  );
  await until(ran, 'the call run in Redis');
  env.proxy.mode = 'refuse';
  env.proxy.cut();
  expect(await settled).toBe('failed');
  env.proxy.mode = 'pass';
  await until(() => env.store.available, 'the store back');
}

/**
 * Holds part 1 of message `reference`, lets it expire, then loses the reply of the TURN call
 * that adds its part 2: the call dropped the old message (kept reports) and holds the new one.
 * `ran` says the call ran in Redis; by default, when the new part is stored.
 */
async function turnReplyLost(
  env: Awaited<ReturnType<typeof setUp>>,
  reference: number,
  ran: () => Promise<boolean> = async () =>
    (await env.r.hget(`${env.prefix}m:${(await env.r.zrange(`${env.prefix}order`, '0', '0'))[0]}`, '2')) === 'new',
): Promise<void> {
  const { store, clock } = env;
  expect((await store.segments.add(seg(reference, 1, 2, 'old '))).status).toBe('held');
  clock.advance(TIMEOUT + 1);
  await replyLost(env, () => store.segments.add(seg(reference, 2, 2, 'new')), ran);
}

describe('redis store: the loss report of a call whose reply was lost', () => {
  it('a TURN call that dropped an expired message: the next sweep reports it, once', async () => {
    const env = await setUp();
    const { store, prefix, r } = env;
    // A segment of the same key after the timeout: its step drops the old message, then holds it.
    await turnReplyLost(env, 1);
    // Kept in Redis meanwhile, for at most LOSS_REPORT_TTL_MS.
    const kept = await r.keys(`${prefix}l:*`);
    expect(kept).toHaveLength(1);
    const ttl = await r.pttl(kept[0]);
    expect(ttl).toBeGreaterThan(LOSS_REPORT_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(LOSS_REPORT_TTL_MS);
    const { expired } = await store.segments.sweep();
    expect(expired).toEqual([
      expect.objectContaining({ originator: '+15550007', reference: 1, reason: 'expired', received: [1] }),
    ]);
    expect((await store.segments.sweep()).expired).toEqual([]);
    // Read and reported: nothing of it is left in Redis.
    expect(await r.keys(`${prefix}l:*`)).toEqual([]);
  }, 30_000);

  it('a sweep whose own report does not read: the copies it took still come out, the rest counted', async () => {
    const env = await setUp();
    const { store, prefix, r } = env;
    await turnReplyLost(env, 1);
    expect(await r.keys(`${prefix}l:*`)).toHaveLength(1);
    // A damaged open message whose key is not JSON: the sweep drops it, its report unreadable.
    await r.zadd(`${prefix}order`, 0, 'x');
    await r.hset(`${prefix}m:x`, { o: '+9', f: 0, t: 2, n: 1, b: 1, st: 'open', 1: 'a' });
    const first = await store.segments.sweep();
    expect(first.expired).toEqual([
      expect.objectContaining({ originator: '+15550007', reference: 1, reason: 'expired', received: [1] }),
    ]);
    expect(first.unreported).toBe(1);
    expect(store.available).toBe(true);
    expect(await r.exists(`${prefix}m:x`)).toBe(0);
    const second = await store.segments.sweep();
    expect(second.expired).toEqual([]);
    expect(second.unreported).toBeUndefined();
    await until(async () => (await r.keys(`${prefix}l:*`)).length === 0, 'the sweep’s own copy forgotten');
  }, 30_000);

  it('a kept copy with one unreadable entry: the others come out, that one counted', async () => {
    const env = await setUp();
    const { store, prefix, r } = env;
    await turnReplyLost(env, 1);
    const [k] = await r.keys(`${prefix}l:*`);
    // Two more entries in the same copy: one whose key no version writes, one well formed.
    const good = JSON.stringify({
      k: JSON.stringify(['+1', '2', null, null, 8, 5, 2]),
      r: 'evicted',
      w: 'messages',
      s: '1',
      b: '3',
      f: 1,
    });
    const bad = JSON.stringify({ k: 'x', r: 'expired', w: '', s: '1', b: '1', f: 0 });
    await r.set(k, `${await r.get(k)},${bad},${good}`, 'PX', 60_000);
    const { expired, unreported } = await store.segments.sweep();
    expect(expired.map((l) => [l.originator, l.reference, l.reason])).toEqual([
      ['+15550007', 1, 'expired'],
      ['+1', 5, 'evicted'],
    ]);
    expect(unreported).toBe(1);
  }, 30_000);

  it('two stores with one explicit nodeId: the other’s calls leave this one’s kept reports alone', async () => {
    const env = await setUp('same');
    const { store, clock, prefix } = env;
    await turnReplyLost(env, 1);
    // Another store of the same node id (a second process given it, or a reopen): its calls
    // are counted from 1 again, and its second drops messages, its reply read.
    const other = await openStore(redisServer().url, {
      prefix,
      nodeId: 'same',
      now: clock.now,
      reassembly: { timeoutMs: TIMEOUT },
    });
    cleanup.push(() => other.close());
    expect((await other.segments.add(seg(3, 1, 2, 'b '))).status).toBe('held');
    clock.advance(TIMEOUT + 1);
    expect((await other.segments.sweep()).expired.map((l) => l.reference).sort()).toEqual([1, 3]);
    // The first store's sweep still finds the report its lost reply had: message 1, 'old '.
    expect((await store.segments.sweep()).expired).toEqual([
      expect.objectContaining({ reference: 1, reason: 'expired', received: [1] }),
    ]);
  }, 30_000);

  it('a sweep that dropped a message, its reply lost: the next sweep reports it', async () => {
    const env = await setUp();
    const { store, clock, prefix, r } = env;
    expect((await store.segments.add(seg(2, 1, 2, 'left '))).status).toBe('held');
    clock.advance(TIMEOUT + 1);
    // The sweep's PEXPIRE is answered; its script runs, and the script's reply is lost.
    await replyLost(
      env,
      () => store.segments.sweep(),
      async () => (await r.zcard(`${prefix}order`)) === 0,
      'swallowLists',
    );
    expect((await store.segments.sweep()).expired).toEqual([
      expect.objectContaining({ originator: '+15550007', reference: 2, reason: 'expired', received: [1] }),
    ]);
    expect((await store.segments.sweep()).expired).toEqual([]);
    expect(await r.keys(`${prefix}l:*`)).toEqual([]);
  }, 30_000);

  it('a TURN reply lost, then the reply of the sweep that read its reports: the next reports it, once', async () => {
    const env = await setUp();
    const { store, prefix, r } = env;
    await turnReplyLost(env, 4);
    const first = await r.keys(`${prefix}l:*`);
    expect(first).toHaveLength(1);
    // This sweep reads the TURN call's reports (and deletes them), keeps them under its own id,
    // and its reply is lost.
    await replyLost(
      env,
      () => store.segments.sweep(),
      async () => {
        const now = await r.keys(`${prefix}l:*`);
        return now.length === 1 && now[0] !== first[0];
      },
      'swallowLists',
    );
    expect((await store.segments.sweep()).expired).toEqual([
      expect.objectContaining({ originator: '+15550007', reference: 4, reason: 'expired', received: [1] }),
    ]);
    expect((await store.segments.sweep()).expired).toEqual([]);
    expect(await r.keys(`${prefix}l:*`)).toEqual([]);
  }, 30_000);

  it('a reply that was read: its kept copy is deleted, and no sweep reports the drop again', async () => {
    const { store, clock, prefix, r } = await setUp();
    expect((await store.segments.add(seg(3, 1, 2, 'old '))).status).toBe('held');
    clock.advance(TIMEOUT + 1);
    const held = await store.segments.add(seg(3, 2, 2, 'new'));
    expect(held.lost.map((m) => m.reference)).toEqual([3]);
    await until(async () => (await r.keys(`${prefix}l:*`)).length === 0, 'the kept copy deleted');
    expect((await store.segments.sweep()).expired).toEqual([]);
  }, 30_000);

  it('a kept copy that does not parse is set aside and counted unreported; the sweeps go on', async () => {
    const env = await setUp();
    const { store, prefix, r } = env;
    await turnReplyLost(env, 6, async () => (await r.keys(`${prefix}l:*`)).length === 1);
    const [copy] = await r.keys(`${prefix}l:*`);
    // Damaged behind the store's back (or written by something else): not JSON.
    await r.set(copy, '{"k": not json', 'PX', 60_000);
    const first = await store.segments.sweep();
    expect(first.expired).toEqual([]);
    expect(first.unreported).toBe(1);
    expect(store.available).toBe(true);
    // Left where it was for an operator to read (it expires), and not looked for again.
    expect(await r.get(copy)).toBe('{"k": not json');
    expect(await store.segments.sweep()).toEqual({ expired: [], orphans: [] });
  }, 30_000);

  it('a call that runs after the sweep that looked for it: a later sweep still reports its drop', async () => {
    // Room for one message: a second evicts the first (a drop no sweep makes of itself).
    const env = await setUp(undefined, 1);
    const { store, prefix, r, proxy } = env;
    expect((await store.segments.add(seg(7, 1, 2, 'old '))).status).toBe('held');
    // The call is written to the connection and held there; the store gives the connection up.
    proxy.mode = 'defer';
    const settled = store.segments.add(seg(8, 1, 2, 'new ')).then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => proxy.deferred.includes('EVALSHA'), 'the call on its way');
    proxy.mode = 'pass';
    proxy.cutClients();
    expect(await settled).toBe('failed');
    await until(() => store.available, 'the store back');
    // Looked for before it ran: nothing yet.
    expect((await store.segments.sweep()).expired).toEqual([]);
    // It reaches Redis on its old connection and evicts message 7.
    proxy.release();
    await until(async () => (await r.keys(`${prefix}l:*`)).length === 1, 'the late call run');
    expect((await store.segments.sweep()).expired).toEqual([
      expect.objectContaining({ originator: '+15550007', reference: 7, reason: 'evicted', received: [1] }),
    ]);
    expect((await store.segments.sweep()).expired).toEqual([]);
    expect(await r.keys(`${prefix}l:*`)).toEqual([]);
  }, 30_000);

  it('a call whose copy is not found is looked for until UNANSWERED_GRACE_MS after it failed', () => {
    const carried = new Carried();
    carried.unanswered('a', 1_000);
    carried.unanswered('b', 1_000);
    carried.unanswered('c', 5_000);
    let calls = carried.takeCalls();
    // a found; b and c not, within the grace: looked for again.
    carried.looked(calls, '100', 1_000 + UNANSWERED_GRACE_MS - 1);
    calls = carried.takeCalls();
    expect(calls.map((c) => c.id)).toEqual(['b', 'c']);
    // Past b's grace, within c's.
    carried.looked(calls, '00', 1_000 + UNANSWERED_GRACE_MS);
    expect(carried.takeCalls().map((c) => c.id)).toEqual(['c']);
  });

  it('calls without a reply are remembered up to MAX_UNANSWERED_CALLS, each one forgotten counted', () => {
    const carried = new Carried();
    for (let i = 1; i <= MAX_UNANSWERED_CALLS + 2; i++) carried.unanswered(String(i), 0);
    const calls = carried.takeCalls();
    expect(calls).toHaveLength(1_000);
    expect(calls[0].id).toBe('3');
    expect(calls.at(-1)?.id).toBe(String(MAX_UNANSWERED_CALLS + 2));
    expect(carried.takeCalls()).toEqual([]);
    // Each call forgotten may have kept reports: counted, not silently gone.
    expect(carried.take().dropped).toBe(2);
  });

  it('past the cap, calls a sweep looked for go before those no sweep has looked for yet', () => {
    const carried = new Carried();
    for (let i = 0; i < MAX_UNANSWERED_CALLS - 1; i++) carried.unanswered('old' + i, 0);
    const taken = carried.takeCalls();
    // Two calls fail while the sweep runs; the sweep finds none of the old ones, within the grace.
    carried.unanswered('new1', 1_000);
    carried.unanswered('new2', 1_000);
    carried.looked(taken, '0'.repeat(taken.length), 2_000);
    const ids = carried.takeCalls().map((c) => c.id);
    expect(ids).toHaveLength(MAX_UNANSWERED_CALLS);
    expect(ids.slice(-2)).toEqual(['new1', 'new2']);
    expect(ids[0]).toBe('old1');
    expect(carried.take().dropped).toBe(1);
  });

  it('a failed sweep gives its calls back in front of those that failed meanwhile', () => {
    const carried = new Carried();
    for (let i = 0; i < MAX_UNANSWERED_CALLS; i++) carried.unanswered('old' + i, 0);
    const taken = carried.takeCalls();
    carried.unanswered('sweep', 1_000);
    carried.giveBack(taken);
    const ids = carried.takeCalls().map((c) => c.id);
    expect(ids.at(-1)).toBe('sweep');
    expect(ids[0]).toBe('old1');
    expect(carried.take().dropped).toBe(1);
  });
});
