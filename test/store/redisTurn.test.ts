// The Redis backend's turns (src/store/redis/turn.ts): the segment steps asked for during one
// turn of the event loop go to Redis as one script call, each step still atomic and answered
// on its own. On a real redis-server, read through its own INFO commandstats.
import { type Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { messageKey } from '../../src/store/keys.js';
import { openStore } from '../../src/store/open.js';
import type { MessageIdentity, SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
import { afterTest, redisServer, useRedis } from './backends.js';
import { nodes, partsText, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const seg = segmentsFrom('+15550002');
const text = partsText;
const turnNodes = (n: number) => nodes(n, {}, 'turn');

/** Script calls the server has run since the last reset (EVALSHA and EVAL). */
async function scriptCalls(r: Redis): Promise<number> {
  const info = String(await r.call('INFO', 'commandstats'));
  let n = 0;
  for (const m of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) n += Number(m[1]);
  return n;
}

/** Calls of each command the server has run since the last reset, Lua's included, by name. */
async function commandCalls(r: Redis): Promise<Map<string, number>> {
  const info = String(await r.call('INFO', 'commandstats'));
  return new Map([...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

describe('redis store turns', () => {
  it("sends one turn's 60 adds as two script calls (cut past 32 steps between messages), its 20 finishes as one", async () => {
    const { stores } = await turnNodes(1);
    const [store] = stores;
    const r = raw();
    // The script is loaded by a first call; then the count starts.
    expect((await store.segments.add(seg(999, 1, 2, 'warm'))).status).toBe('held');
    await r.call('CONFIG', 'RESETSTAT');
    const adds: Promise<SegmentOutcome>[] = [];
    for (let m = 0; m < 20; m++) for (let n = 1; n <= 3; n++) adds.push(store.segments.add(seg(m, n, 3, `${m}.${n} `)));
    const outcomes = await Promise.all(adds);
    expect(await scriptCalls(r)).toBe(2);
    const completed = outcomes.flatMap((o) => (o.status === 'complete' ? [o.message] : []));
    expect(completed.map((m) => Buffer.concat(m.parts).toString())).toEqual(
      Array.from({ length: 20 }, (_, m) => `${m}.1 ${m}.2 ${m}.3 `),
    );
    expect(outcomes.filter((o) => o.status === 'held')).toHaveLength(40);
    await Promise.all(completed.map((m) => store.segments.finish(m)));
    expect(await scriptCalls(r)).toBe(3);
    // Finished: a resend is a late duplicate, and nothing of them is pending.
    expect(await store.segments.add(seg(5, 2, 3, '5.2 '))).toEqual({ status: 'duplicate', late: true, lost: [] });
    expect((await store.inspect()).pending.messages).toBe(1); // the warm-up's
  });

  it("keeps a message's segments in one call: the turn writes none of its 20 messages open", async () => {
    const { stores } = await turnNodes(1);
    const [store] = stores;
    const r = raw();
    expect((await store.segments.add(seg(999, 1, 2, 'warm'))).status).toBe('held');
    await r.call('CONFIG', 'RESETSTAT');
    // 60 adds, message by message: at 32 steps a cut would fall inside message 10 (steps 31-33).
    const adds: Promise<SegmentOutcome>[] = [];
    for (let m = 0; m < 20; m++) for (let n = 1; n <= 3; n++) adds.push(store.segments.add(seg(m, n, 3, `${m}.${n} `)));
    const outcomes = await Promise.all(adds);
    expect(outcomes.filter((o) => o.status === 'complete')).toHaveLength(20);
    expect(await scriptCalls(r)).toBe(2);
    // A message written open counts its octets in P bytes (INCRBY) and enters P order (ZADD);
    // held in the script's memory until it completes, it is written once, claimed (one ZADD, of P claims).
    const stats = await commandCalls(r);
    expect(stats.get('incrby') ?? 0).toBe(0);
    expect(stats.get('zadd')).toBe(20);
  });

  it('keeps a long message in one call only up to 64 steps: its 100 segments go as two calls', async () => {
    const { stores } = await turnNodes(1);
    const [store] = stores;
    const r = raw();
    expect((await store.segments.add(seg(999, 1, 2, 'warm'))).status).toBe('held');
    await r.call('CONFIG', 'RESETSTAT');
    const adds: Promise<SegmentOutcome>[] = [];
    for (let n = 1; n <= 100; n++) adds.push(store.segments.add(seg(7, n, 100, `${n} `)));
    const outcomes = await Promise.all(adds);
    expect(await scriptCalls(r)).toBe(2);
    const last = outcomes[99];
    expect(last.status).toBe('complete');
    expect(text(last)).toBe(Array.from({ length: 100 }, (_, i) => `${i + 1} `).join(''));
  });

  it('a step that fails fails alone: the rest of its turn is stored and answered', async () => {
    const { stores, prefix } = await turnNodes(1);
    const [store] = stores;
    const r = raw();
    // Message 2's hash made a string behind the store's back: Redis refuses its step (WRONGTYPE).
    const broken = seg(2, 1, 2, 'x');
    await r.set(`${prefix}m:${messageKey(broken as MessageIdentity)}`, 'not a hash');
    const settled = await Promise.allSettled([
      store.segments.add(seg(1, 1, 2, 'a')),
      store.segments.add(broken),
      store.segments.add({ ...seg(3, 1, 2, 'c'), sequence: 0 }), // refused before it reaches Redis
      store.segments.add(seg(1, 2, 2, 'b')),
      store.segments.add(seg(4, 1, 2, 'd')),
    ]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? text(s.value) : (s.reason as StoreError).code))).toEqual([
      '(held)',
      'STORE_UNAVAILABLE',
      'BAD_INPUT',
      'ab',
      '(held)',
    ]);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
  });

  it('two nodes racing in one turn each: every message completes exactly once', async () => {
    const { stores } = await turnNodes(2);
    const [a, b] = stores;
    // Messages 0-39: every segment to both nodes (the SMSC resending to the other bind);
    // messages 40-79: spread, 1 and 3 to a, 2 to b. All of it asked in one turn on each node.
    const work: Array<{ m: number; node: Store; s: StoredSegment }> = [];
    for (let m = 0; m < 80; m++) {
      for (let n = 1; n <= 3; n++) {
        const s = seg(100 + m, n, 3, `${m}.${n} `);
        if (m < 40) work.push({ m, node: a, s }, { m, node: b, s });
        else work.push({ m, node: n === 2 ? b : a, s });
      }
    }
    const outcomes = await Promise.all(work.map((w) => w.node.segments.add(w.s)));
    const completions = new Map<number, string[]>();
    outcomes.forEach((o, i) => {
      if (o.status === 'complete') completions.set(work[i].m, [...(completions.get(work[i].m) ?? []), text(o)]);
      else expect(['held', 'duplicate', 'busy']).toContain(o.status);
    });
    for (let m = 0; m < 80; m++) expect([m, completions.get(m)]).toEqual([m, [`${m}.1 ${m}.2 ${m}.3 `]]);
  });

  it('close() sends what its turn still holds before it lets go', async () => {
    const { stores, prefix } = await turnNodes(1);
    const [store] = stores;
    const adds = [1, 2, 3].map((m) => store.segments.add(seg(m, 1, 2, `${m}`)));
    await store.close();
    expect((await Promise.all(adds)).map((o) => o.status)).toEqual(['held', 'held', 'held']);
    const again = await openStore(redisServer().url, { prefix });
    afterTest(() => again.close());
    expect((await again.inspect()).pending).toMatchObject({ messages: 3, segments: 3 });
  });
});
