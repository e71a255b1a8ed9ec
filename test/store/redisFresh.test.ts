// The TURN script keeps a message that is new in its call in memory until it completes or the
// call ends (src/store/redis/scripts.ts, "fresh"). That must be invisible: many steps in one
// call answer and store exactly what the same steps one call each do, bounds and evictions
// included. Checked on a real redis-server with tight bounds, random steps from a seeded PRNG:
// the outcomes and every key the two prefixes hold are compared.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreOptions } from '../../src/store/options.js';
import type { SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
import { useRedis } from './backends.js';
import { dump, nodes, raw } from './redisNodes.js';

useRedis();

/** Bounds small enough that a call of 32 steps meets each of them. */
const TIGHT: StoreOptions = {
  reassembly: { maxPendingMessages: 5, maxPendingBytes: 90, maxPendingPerOriginator: 2 },
  now: () => 1_700_000_000_000,
  nodeId: 'fresh-test',
};

interface Op {
  originator: number;
  reference: number;
  total: number;
  sequence: number;
  /** 0: the usual data; 1: other data under the same key and sequence (a conflict). */
  variant: number;
  size: number;
}

const op: fc.Arbitrary<Op> = fc
  .record({
    originator: fc.integer({ min: 0, max: 2 }),
    reference: fc.integer({ min: 0, max: 9 }),
    total: fc.integer({ min: 2, max: 3 }),
    sequence: fc.integer({ min: 1, max: 3 }),
    variant: fc.integer({ min: 0, max: 9 }),
    size: fc.integer({ min: 1, max: 30 }),
  })
  .map((o) => ({ ...o, sequence: Math.min(o.sequence, o.total), variant: o.variant === 0 ? 1 : 0 }));

/** A lone step, or a whole message's steps one after another (so that messages complete too). */
const steps: fc.Arbitrary<Op[]> = fc
  .array(
    fc.oneof(
      op.map((o) => [o]),
      op.map((o) => Array.from({ length: o.total }, (_, i) => ({ ...o, sequence: i + 1, variant: 0 }))),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((groups) => groups.flat().slice(0, 80));

function segment(o: Op): StoredSegment {
  const text = `${o.originator}.${o.reference}.${o.total}.${o.sequence}${o.variant ? 'x' : ''}`;
  return {
    originator: `+1555000${o.originator}`,
    recipient: '+15559999',
    reference: o.reference,
    referenceBits: 16,
    total: o.total,
    sequence: o.sequence,
    data: new Uint8Array(Buffer.from(text.padEnd(o.size, '.'))),
  };
}

/** An outcome without what tells the two runs apart by nothing but their prefix. */
function plain(o: SegmentOutcome): unknown {
  const lost = o.lost.map((l) => ({ ...l }));
  if (o.status === 'complete') return { ...o, message: { ...o.message, parts: o.message.parts.map(String) }, lost };
  return { ...o, lost };
}

async function oneByOne(store: Store, ops: Op[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const o of ops) out.push(plain(await store.segments.add(segment(o))));
  return out;
}

async function allAtOnce(store: Store, ops: Op[]): Promise<unknown[]> {
  return (await Promise.all(ops.map((o) => store.segments.add(segment(o))))).map(plain);
}

describe('redis store: fresh messages within a call', () => {
  it('a turn of many steps answers and stores what the steps one call each do, bounds included', async () => {
    const r = raw();
    let evictions = 0;
    let completions = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (ops) => {
        const {
          stores: [single],
          prefix: p1,
        } = await nodes(1, TIGHT, 'fresh1-');
        const {
          stores: [turn],
          prefix: p2,
        } = await nodes(1, TIGHT, 'fresh2-');
        const expected = await oneByOne(single, ops);
        const got = await allAtOnce(turn, ops);
        expect(got).toEqual(expected);
        expect(await dump(r, p2)).toEqual(await dump(r, p1));
        for (const o of expected as SegmentOutcome[]) {
          evictions += o.lost.length;
          if (o.status === 'complete') completions++;
        }
        await single.close();
        await turn.close();
      }),
      { numRuns: 60, seed: 17 },
    );
    // The bounds were met and messages completed along the way, not only held.
    expect(evictions).toBeGreaterThan(20);
    expect(completions).toBeGreaterThan(20);
  });
});
