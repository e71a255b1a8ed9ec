// P load counts the members of each originator's P o:ORIG (src/store/redis/scripts.ts): it moves
// only when a ZADD adds a member or a ZREM takes one off. An entry a failed write left behind
// (already in P o:ORIG, or gone) once made the count drift, so an originator with nothing held
// stayed "the one holding the most" and eviction looked at it first. And a complete message
// still in the open indexes is taken off them by the originator its hash names, not by decoding
// its key (cjson cannot read a key with a lone surrogate, which an older version let in). On a
// real redis-server; the left-over entries written behind the store's back.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import type { ReassemblyBounds } from '../../src/store/options.js';
import type { MessageIdentity, Store } from '../../src/store/types.js';
import { manualClock, useRedis } from './backends.js';
import { nodes, partsText, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const ORIGINATOR = '+15550011';
const seg = segmentsFrom(ORIGINATOR);
const keyOf = (reference: number, originator = ORIGINATOR): string =>
  messageKey({ ...seg(reference, 1, 2, ''), originator } as MessageIdentity);

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function backUp(store: Store): Promise<void> {
  await until(() => store.available, 'store back up');
  expect(store.available).toBe(true);
}

async function node(bounds: ReassemblyBounds = {}) {
  const clock = manualClock();
  const { stores, prefix } = await nodes(1, { now: clock.now, reassembly: bounds, probeIntervalMs: 20 }, 'load');
  return { store: stores[0], prefix, clock, r: raw() };
}

describe('redis store: P load follows P o:ORIG', () => {
  it('a message whose entry a failed write left in P o:ORIG: counted once, gone at completion', async () => {
    const { store, prefix, r } = await node();
    const mk = keyOf(1);
    // What a write that failed after its index entries left (the hash never written), counted.
    await r.zadd(`${prefix}order`, 1, mk);
    await r.zadd(`${prefix}o:${ORIGINATOR}`, 1, mk);
    await r.zincrby(`${prefix}load`, 1, ORIGINATOR);
    expect((await store.segments.add(seg(1, 1, 2, 'one '))).status).toBe('held');
    expect(await r.zrange(`${prefix}load`, '0', '-1', 'WITHSCORES')).toEqual([ORIGINATOR, '1']);
    expect(partsText(await store.segments.add(seg(1, 2, 2, 'two')))).toBe('one two');
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}load`, '0', '-1')).toEqual([]);
  });

  it('a write that fails after such an entry: undone, and the count with it', async () => {
    const { store, prefix, r } = await node({ maxPendingBytes: 4 });
    const mk = keyOf(2);
    await r.zadd(`${prefix}order`, 1, mk);
    await r.zadd(`${prefix}o:${ORIGINATOR}`, 1, mk);
    await r.zincrby(`${prefix}load`, 1, ORIGINATOR);
    // Over the octets bound: taken the usual way, failing at the eviction that makes room (its
    // victim, the oldest in P order, given a key of the wrong type).
    await r.zadd(`${prefix}order`, 0, 'x');
    await r.set(`${prefix}m:x`, 'not a hash');
    await expect(store.segments.add(seg(2, 1, 2, 'too long'))).rejects.toThrow(/WRONGTYPE/);
    await r.del(`${prefix}m:x`);
    await backUp(store);
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}load`, '0', '-1')).toEqual([]);
  });

  it('a write that fails at P order, such an entry in P o:ORIG: it stays there, counted', async () => {
    const { store, prefix, r } = await node();
    const mk = keyOf(4);
    // A counted entry a failed write left in P o:ORIG.
    await r.zadd(`${prefix}o:${ORIGINATOR}`, 1, mk);
    await r.zincrby(`${prefix}load`, 1, ORIGINATOR);
    // Redis out of memory: a script's first write (here the ZADD to P order, as the message is
    // written at the end of the call) is refused; what it reads and deletes still goes through.
    await r.config('SET', 'maxmemory', '1');
    try {
      await expect(store.segments.add(seg(4, 1, 2, 'one '))).rejects.toThrow(/OOM/);
    } finally {
      await r.config('SET', 'maxmemory', '0');
    }
    await backUp(store);
    // P load still counts exactly what P o:ORIG holds.
    expect(await r.zrange(`${prefix}o:${ORIGINATOR}`, '0', '-1')).toEqual([mk]);
    expect(await r.zrange(`${prefix}load`, '0', '-1', 'WITHSCORES')).toEqual([ORIGINATOR, '1']);
  });

  it('a P claims entry without a hash, its key not readable by cjson: the sweep unloads its originator', async () => {
    const { store, prefix, r } = await node();
    // An older version took an originator with a lone surrogate; Redis holds U+FFFD for it.
    const mk = keyOf(5, '+1555\ud800');
    const held = '+1555\ufffd';
    // A completion that failed part way (its hash never written): in P claims and P o:ORIG, counted.
    await r.zadd(`${prefix}claims`, 1, mk);
    await r.zadd(`${prefix}o:${held}`, 1, mk);
    await r.zincrby(`${prefix}load`, 1, held);
    // And one with other escapes before it (a quote, a backslash), read as JSON reads them.
    const quoted = '+1"\\\udc00';
    const mk2 = keyOf(6, quoted);
    expect(mk2).toContain('"+1\\"\\\\\\udc00"');
    const heldQuoted = '+1"\\\ufffd';
    await r.zadd(`${prefix}claims`, 1, mk2);
    await r.zadd(`${prefix}o:${heldQuoted}`, 1, mk2);
    await r.zincrby(`${prefix}load`, 1, heldQuoted);
    expect((await store.segments.sweep()).expired).toEqual([]);
    expect(await r.zrange(`${prefix}claims`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}o:${held}`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}o:${heldQuoted}`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}load`, '0', '-1')).toEqual([]);
  });

  it('a complete message left in the open indexes, its key not readable by cjson: evicted from them', async () => {
    const { store, prefix, r } = await node({ maxPendingMessages: 1 });
    // An older version took an originator with a lone surrogate; Redis holds U+FFFD for it.
    const odd = '+1555\ud800';
    const mk = keyOf(3, odd);
    expect(mk).toContain('\\ud800');
    // A completion that failed part way: claimed and in P claims, still in P order and P o:ORIG,
    // and P load no longer counting it (so the victim is found in P order, its originator unknown).
    await r.hset(`${prefix}m:${mk}`, {
      o: odd,
      f: 1,
      t: 2,
      n: 2,
      b: 2,
      st: 'claimed',
      cl: 'gone',
      ca: 1,
      h: 1,
      1: 'a',
      2: 'b',
    });
    await r.zadd(`${prefix}claims`, 1, mk);
    await r.zadd(`${prefix}order`, 1, mk);
    await r.zadd(`${prefix}o:${odd}`, 1, mk);
    // The bound of one message is reached: the left-over entry is the victim, without a loss report.
    expect(await store.segments.add(seg(4, 1, 2, 'new '))).toEqual({ status: 'held', received: 1, lost: [] });
    expect(await r.zrange(`${prefix}o:${odd}`, '0', '-1')).toEqual([]);
    expect(await r.zrange(`${prefix}order`, '0', '-1')).toEqual([keyOf(4)]);
    // Still complete and claimed: handed over once its claim lapses, not lost.
    expect(await r.zrange(`${prefix}claims`, '0', '-1')).toEqual([mk]);
  });
});
