// The TURN script's fresh messages (src/store/redis/scripts.ts) when a Redis write fails part
// way: what is left must be what a call a step leaves, so that the SMSC's resend is answered as
// it would have been. And a step the script cannot read fails alone, not the whole call. On a
// real redis-server; a write made to fail by giving its key the wrong type behind the store's back.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import { TURN } from '../../src/store/redis/scripts.js';
import { Turn } from '../../src/store/redis/turn.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { MessageIdentity, Store } from '../../src/store/types.js';
import { useRedis } from './backends.js';
import { dump, nodes, partsText, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const seg = segmentsFrom('+15550004');
const OPTIONS: StoreOptions = { now: () => 1_700_000_000_000, probeIntervalMs: 20, nodeId: 'fail-test' };

/** Waits (bounded) until the store's probe has found Redis writable again. */
async function backUp(store: Store): Promise<void> {
  for (let i = 0; i < 100 && !store.available; i++) await new Promise((r) => setTimeout(r, 20));
  expect(store.available).toBe(true);
}

/** A settled add: its status, or its error's message. */
const settled = (r: PromiseSettledResult<{ status: string }>): string =>
  r.status === 'fulfilled' ? r.value.status : (r.reason as Error).message;

describe('redis store: a fresh message when a write fails', () => {
  it('a completion whose claims write fails: stored as a call a step stores it, the resend completes', async () => {
    const r = raw();
    const one = await nodes(1, OPTIONS, 'ffone');
    const both = await nodes(1, OPTIONS, 'ffboth');
    for (const p of [one.prefix, both.prefix]) await r.set(`${p}claims`, 'not a zset');
    const [single] = one.stores;
    const [turn] = both.stores;
    // A call a step: the first opens the message, the second's claims write fails.
    expect((await single.segments.add(seg(1, 1, 2, 'one '))).status).toBe('held');
    await expect(single.segments.add(seg(1, 2, 2, 'two'))).rejects.toThrow(/WRONGTYPE/);
    // One call for both: the message is fresh when its completion fails.
    const answers = await Promise.allSettled([
      turn.segments.add(seg(1, 1, 2, 'one ')),
      turn.segments.add(seg(1, 2, 2, 'two')),
    ]);
    expect(answers.map(settled)).toEqual(['held', expect.stringMatching(/WRONGTYPE/)]);
    expect(await dump(r, both.prefix)).toEqual(await dump(r, one.prefix));
    // Repaired, the SMSC sends the unacknowledged segment again: it completes the message.
    for (const p of [one.prefix, both.prefix]) await r.del(`${p}claims`);
    for (const store of [single, turn]) {
      await backUp(store);
      expect(partsText(await store.segments.add(seg(1, 2, 2, 'two')))).toBe('one two');
    }
    expect(await dump(r, both.prefix)).toEqual(await dump(r, one.prefix));
  });

  it('writing the fresh messages fails: no hash is left outside the indexes, the octets stay counted', async () => {
    const r = raw();
    const {
      stores: [store],
      prefix,
    } = await nodes(1, OPTIONS, 'ffmat');
    // The originators' load made a string: the write of the fresh message fails at its ZINCRBY.
    await r.set(`${prefix}load`, 'not a zset');
    await expect(store.segments.add(seg(2, 1, 2, 'first '))).rejects.toThrow(/WRONGTYPE/);
    // As a call whose add takes the usual way leaves it: the segment is not stored.
    expect(await r.keys(`${prefix}m:*`)).toEqual([]);
    await r.del(`${prefix}load`);
    await backUp(store);
    // The resend is held (not a duplicate of a segment no index knows), and the message completes.
    expect(await store.segments.add(seg(2, 1, 2, 'first '))).toMatchObject({ status: 'held', received: 1 });
    expect(partsText(await store.segments.add(seg(2, 2, 2, 'second')))).toBe('first second');
    expect(await r.get(`${prefix}bytes`)).toBe('0');
    expect(await r.zrange(`${prefix}load`, '0', '-1')).toEqual([]);
  });
});

/** A step as the client packs it (redis/turn.ts): 'a', MK, originator, sequence, total, own, data. */
function addStep(reference: number, sequence: number, total: number, data: string): Buffer {
  const s = seg(reference, sequence, total, data);
  const str = (v: string | Buffer) => {
    const b = Buffer.from(v);
    const n = Buffer.alloc(2);
    n.writeUInt16BE(b.length);
    return Buffer.concat([n, b]);
  };
  return Buffer.concat([
    Buffer.from('a'),
    str(messageKey(s as MessageIdentity)),
    str(s.originator),
    Buffer.from([sequence, total, 0]),
    str(Buffer.from(data)),
  ]);
}

describe('redis TURN script: a step it cannot read', () => {
  const args = (prefix: string, steps: Buffer) =>
    [TURN, 0, prefix, 1_700_000_000_000, 120_000, 'me', 100, 100_000, 100, 120_000, steps] as const;

  it('answers an error for that step and stops; the steps before it stand, fresh ones written', async () => {
    const r = raw();
    const prefix = 'ffread:';
    const good = addStep(3, 1, 2, 'kept');
    const steps = Buffer.concat([good, Buffer.from('z'), addStep(4, 1, 2, 'never')]);
    const reply = (await r.callBuffer('EVAL', ...args(prefix, steps))) as unknown[];
    expect(reply.length).toBe(2);
    expect(reply[0]).toBe(1);
    const [tag, message, lost] = (reply[1] as Buffer[]).map(String);
    expect([tag, lost]).toEqual(['error', '']);
    expect(message).toBe(`step 2 at octet ${good.length + 1} cannot be read: unknown step 122`);
    const key = messageKey(seg(3, 1, 2, 'kept') as MessageIdentity);
    expect(await r.hget(`${prefix}m:${key}`, '1')).toBe('kept');
    expect(await r.hget(`${prefix}m:${key}`, 'st')).toBe('open');
    expect(await r.keys(`${prefix}m:*`)).toHaveLength(1);
  });

  it('a step spoilt on the way fails alone; the client fails the steps after it as not run', async () => {
    const r = raw();
    const prefix = 'ffcut:';
    // The client's packing, its second step's letter spoilt on the way (a packing mistake).
    const first = addStep(5, 1, 2, 'one').length;
    const turn = new Turn((steps) => {
      const spoilt = Buffer.from(steps);
      spoilt[first] = 0x7a;
      return r.callBuffer('EVAL', ...args(prefix, spoilt));
    });
    const [a, b, c] = await Promise.allSettled(
      [5, 6, 7].map((ref) => {
        const s = seg(ref, 1, 2, ref === 5 ? 'one' : 'other');
        return turn.add(messageKey(s as MessageIdentity), s.originator, 1, 2, false, s.data);
      }),
    );
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(b.status === 'rejected' && String(b.reason)).toMatch(/step 2 at octet \d+ cannot be read: unknown step 122/);
    expect(c.status === 'rejected' && (c.reason as { code?: string }).code).toBe('STORE_CORRUPT');
    expect(await r.keys(`${prefix}m:*`)).toHaveLength(1);
  });
});
