// The TURN script keeps a message that is new in its call in memory until it completes or the
// call ends (src/store/redis/scripts.ts, "fresh"). That must be invisible: many steps in one
// call answer and store exactly what the same steps one call each do, bounds and evictions
// included. Checked on a real redis-server with tight bounds, random steps from a seeded PRNG:
// the outcomes and every key the two prefixes hold are compared. The second property adds
// finishes and releases, and turns during which P claims is of the wrong type (every write to
// it fails), so that a step fails part way.
import fc from 'fast-check';
import { type Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { StoreOptions } from '../../src/store/options.js';
import type { CompletedMessage, SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
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

  it('with finishes, releases and failing writes: the same answers and the same keys', async () => {
    const r = raw();
    const tally = { failed: 0, completions: 0, finished: 0 };
    await fc.assert(
      fc.asyncProperty(turns, async (plan) => {
        const one = await nodes(1, { ...TIGHT, probeIntervalMs: 20 }, 'freshf1-');
        const all = await nodes(1, { ...TIGHT, probeIntervalMs: 20 }, 'freshf2-');
        const single: Side = { store: one.stores[0], prefix: one.prefix, done: [], completing: [] };
        const turn: Side = { store: all.stores[0], prefix: all.prefix, done: [], completing: [] };
        for (const t of plan) {
          if (t.broken) for (const side of [single, turn]) await breakClaims(r, side.prefix);
          const expected: Answer[] = [];
          for (const a of t.actions) {
            const [answer] = await settle(single, [act(single, a)]);
            expected.push(answer);
            if (typeof answer === 'object' && answer !== null && 'error' in answer) await backUp(single.store);
          }
          const got = await settle(
            turn,
            t.actions.map((a) => act(turn, a)),
          );
          await backUp(turn.store);
          expect(got).toEqual(expected);
          for (const side of [single, turn]) {
            side.done.push(...side.completing.splice(0));
            if (t.broken) await repairClaims(r, side.prefix);
          }
          expect(await dump(r, turn.prefix)).toEqual(await dump(r, single.prefix));
          for (const answer of expected) {
            if (typeof answer !== 'object' || answer === null) continue;
            if ('error' in answer) tally.failed++;
            else if ((answer as { status?: string }).status === 'complete') tally.completions++;
          }
          tally.finished += t.actions.filter((a) => a.kind === 'finish').length;
        }
        await single.store.close();
        await turn.store.close();
      }),
      { numRuns: 40, seed: 29 },
    );
    // Steps failed, messages completed and were finished along the way.
    expect(tally.failed).toBeGreaterThan(10);
    expect(tally.completions).toBeGreaterThan(20);
    expect(tally.finished).toBeGreaterThan(20);
  });
});

/** An add, or a finish or release of the `pick`th message completed in an earlier turn. */
type Action = { kind: 'add'; op: Op } | { kind: 'finish' | 'release'; pick: number };

const action: fc.Arbitrary<Action[]> = fc.oneof(
  { weight: 3, arbitrary: steps.map((ops) => ops.slice(0, 8).map((op): Action => ({ kind: 'add', op }))) },
  { weight: 1, arbitrary: fc.nat(20).map((pick): Action[] => [{ kind: 'finish', pick }]) },
  { weight: 1, arbitrary: fc.nat(20).map((pick): Action[] => [{ kind: 'release', pick }]) },
);

/** A few turns, a quarter of them with P claims of the wrong type. */
const turns = fc.array(
  fc.record({
    broken: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    actions: fc.array(action, { minLength: 1, maxLength: 8 }).map((a) => a.flat().slice(0, 40)),
  }),
  { minLength: 1, maxLength: 4 },
);

interface Side {
  store: Store;
  prefix: string;
  /** Messages completed in earlier turns, in the order of their steps. */
  done: CompletedMessage[];
  /** Those completed in this turn (joining `done` when it ends). */
  completing: CompletedMessage[];
}

type Answer = unknown;

/** Starts an action on `side` (a finish or release with no message completed yet: nothing). */
function act(side: Side, a: Action): Promise<SegmentOutcome | 'done' | 'none'> {
  if (a.kind === 'add') return side.store.segments.add(segment(a.op));
  if (side.done.length === 0) return Promise.resolve('none');
  const m = side.done[a.pick % side.done.length];
  const p = a.kind === 'finish' ? side.store.segments.finish(m) : side.store.segments.release(m);
  return p.then(() => 'done' as const);
}

/** The answers of started actions (an error as its message); completed messages join `side.completing`. */
async function settle(side: Side, started: Promise<SegmentOutcome | 'done' | 'none'>[]): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const s of await Promise.allSettled(started)) {
    if (s.status === 'rejected') out.push({ error: (s.reason as Error).message });
    else if (typeof s.value === 'string') out.push(s.value);
    else {
      if (s.value.status === 'complete') side.completing.push(s.value.message);
      out.push(plain(s.value));
    }
  }
  return out;
}

/** P claims made a string, what it held kept aside. */
async function breakClaims(r: Redis, prefix: string): Promise<void> {
  if ((await r.exists(`${prefix}claims`)) === 1) await r.rename(`${prefix}claims`, `${prefix}claims-aside`);
  await r.set(`${prefix}claims`, 'not a zset');
}

async function repairClaims(r: Redis, prefix: string): Promise<void> {
  await r.del(`${prefix}claims`);
  if ((await r.exists(`${prefix}claims-aside`)) === 1) await r.rename(`${prefix}claims-aside`, `${prefix}claims`);
}

/** Waits (bounded) until the store's probe has found Redis writable again. */
async function backUp(store: Store): Promise<void> {
  for (let i = 0; i < 100 && !store.available; i++) await new Promise((res) => setTimeout(res, 20));
  expect(store.available).toBe(true);
}
