// A message a sweep handed over (a dead node's claim) may have had its completing segment
// answered already, so once its handler fails no SMSC resend is sure to come: the sweep hands it
// out again, on the REDELIVERY_* schedule, to one node at a time, until it is finished or its
// timeoutMs passes (then reported expired, handlerFailed). And a finish that could not be stored
// is stored later (the next sweep, or close()), never turned into a release. On a real
// redis-server, with a clock moved by hand; a node "dies" by losing its liveness key.
import { describe, expect, it } from 'vitest';
import { messageKey } from '../../src/store/keys.js';
import { redeliveryDelay } from '../../src/store/redis/scripts.js';
import type { CompletedMessage, MessageIdentity, SegmentOutcome, Store } from '../../src/store/types.js';
import { manualClock, redisServer, useRedis } from './backends.js';
import { nodes, raw, segmentsFrom } from './redisNodes.js';

useRedis();

const seg = segmentsFrom('+15550077');
const TIMEOUT = 60_000;

function claimed(o: SegmentOutcome): CompletedMessage {
  if (o.status !== 'complete') throw new Error(`expected complete, got ${o.status}`);
  return o.message;
}

/** Three nodes on one prefix; a long nodeTtlMs, so a node's liveness key, once deleted, stays gone. */
async function cluster(options: { timeoutMs?: number; claimTimeoutMs?: number; probeIntervalMs?: number } = {}) {
  const clock = manualClock();
  const { stores, prefix } = await nodes(
    3,
    {
      now: clock.now,
      nodeTtlMs: 60_000,
      probeIntervalMs: options.probeIntervalMs ?? 20,
      reassembly: { timeoutMs: options.timeoutMs ?? TIMEOUT, claimTimeoutMs: options.claimTimeoutMs ?? 120_000 },
    },
    'redeliver',
  );
  const r = raw();
  /** The node is dead to the others: its liveness key is gone (its heartbeat comes every 20 s). */
  const kill = async (s: Store) => {
    await r.del(`${prefix}node:${s.nodeId}`);
  };
  const hash = (reference: number) =>
    r.hgetall(`${prefix}m:${messageKey(seg(reference, 1, 2, '') as MessageIdentity)}`);
  return { stores, prefix, clock, r, kill, hash };
}

/** A 2-segment message completed (claimed) by `s`. */
async function complete(s: Store, reference: number): Promise<CompletedMessage> {
  expect((await s.segments.add(seg(reference, 1, 2, 'one '))).status).toBe('held');
  return claimed(await s.segments.add(seg(reference, 2, 2, 'two')));
}

/** Every node sweeps at once; what each was handed, by node (none expired). */
async function sweepAll(...stores: Store[]): Promise<Array<{ store: Store; orphan: CompletedMessage }>> {
  const all = await Promise.all(stores.map((s) => s.segments.sweep()));
  for (const r of all) expect(r.expired).toEqual([]);
  return all.flatMap((r, i) => r.orphans.map((orphan) => ({ store: stores[i], orphan })));
}

async function backUp(store: Store): Promise<void> {
  for (let i = 0; i < 250 && !store.available; i++) await new Promise((r) => setTimeout(r, 20));
  expect(store.available).toBe(true);
}

describe('redis store: a released message no resend will take is handed out again by the sweep', () => {
  it('a dead node’s orphan whose handler fails once: handed out again after 1 s, to one node, then finished', async () => {
    const { stores, clock, kill, hash } = await cluster();
    const [a, b, c] = stores;
    // Released by the node that completed it, which is alive: its completing segment was
    // answered ESME_RX_T_APPN, so it waits for the SMSC's resend and no sweep hands it out.
    const waiting = await complete(b, 9);
    await b.segments.release(waiting);
    const m = await complete(a, 1);
    expect(m.handovers).toBe(1);
    await kill(a);

    const first = await sweepAll(b);
    expect(first).toHaveLength(1);
    expect(first[0].orphan).toMatchObject({ key: m.key, handovers: 2 });
    // Its handler failed.
    await b.segments.release(first[0].orphan);

    // Not before the first wait of the schedule, on any node.
    clock.advance(redeliveryDelay(1) - 1);
    expect(await sweepAll(b, c)).toEqual([]);
    clock.advance(1);
    // Both sweep at once: one of them gets it.
    const again = await sweepAll(b, c);
    expect(again).toHaveLength(1);
    expect(again[0].orphan).toMatchObject({ key: m.key, handovers: 3 });
    expect(Buffer.concat(again[0].orphan.parts).toString()).toBe('one two');
    await again[0].store.segments.finish(again[0].orphan);
    expect(await hash(1)).toEqual({});

    expect((await hash(9)).st).toBe('released');
    // The SMSC's resend of its completing segment takes it again.
    const retaken = claimed(await c.segments.add(seg(9, 2, 2, 'two')));
    expect(retaken.handovers).toBe(2);
    await c.segments.finish(retaken);

    clock.advance(TIMEOUT + 1);
    expect(await sweepAll(b, c)).toEqual([]);
  });

  it('keeps failing: handed out on the doubling schedule until its timeout, then expired with handlerFailed', async () => {
    const timeoutMs = 20_000;
    const { stores, clock, kill } = await cluster({ timeoutMs });
    const [a, b, c] = stores;
    const m = await complete(a, 2);
    await kill(a);
    let [{ store, orphan }] = await sweepAll(b, c);
    const handedAt = [clock.now()];
    for (let n = 1; ; n++) {
      await store.segments.release(orphan);
      const due = handedAt[handedAt.length - 1] + redeliveryDelay(n);
      if (due - m.firstAt >= timeoutMs) break;
      clock.advance(due - 1 - clock.now());
      expect(await sweepAll(b, c)).toEqual([]);
      clock.advance(1);
      const got = await sweepAll(b, c);
      expect(got).toHaveLength(1);
      expect(got[0].orphan.handovers).toBe(n + 2);
      ({ store, orphan } = got[0]);
      handedAt.push(clock.now());
    }
    // 1, 2, 4 and 8 s after the try before: tries at 0, 1, 3, 7 and 15 s.
    expect(handedAt.map((t) => t - handedAt[0])).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
    clock.advance(m.firstAt + timeoutMs - clock.now());
    const swept = await Promise.all([b.segments.sweep(), c.segments.sweep()]);
    expect(swept.flatMap((s) => s.orphans)).toEqual([]);
    expect(swept.flatMap((s) => s.expired)).toEqual([
      expect.objectContaining({ reference: 2, reason: 'expired', received: [1, 2], handlerFailed: true }),
    ]);
  });

  it('a node that dies while it holds a redelivery: its claim lapses and another node hands it out (never lost)', async () => {
    const { stores, clock, kill } = await cluster();
    const [a, b, c] = stores;
    await complete(a, 3);
    await kill(a);
    const [first] = await sweepAll(b);
    await b.segments.release(first.orphan);
    clock.advance(redeliveryDelay(1));
    const [second] = await sweepAll(b);
    expect(second.orphan.handovers).toBe(3);
    // b dies with it in hand (its handler never settles): c takes it over at once.
    await kill(b);
    const [third] = await sweepAll(c);
    expect(third.orphan.handovers).toBe(4);
    await c.segments.finish(third.orphan);
    clock.advance(TIMEOUT + 1);
    expect(await sweepAll(c)).toEqual([]);
  });
});

describe('redis store: a finish that could not be stored', () => {
  it('is stored by close(), not released: no node hands the message out again, nothing expires', async () => {
    const { stores, clock, hash } = await cluster();
    const [a, b] = stores;
    const m = await complete(a, 5);
    // Redis goes away between the handler's success and its finish, and comes back.
    await redisServer().stop();
    await expect(a.segments.finish(m)).rejects.toThrow();
    await redisServer().start();
    await backUp(a);
    await backUp(b);
    expect((await hash(5)).st).toBe('claimed');
    await a.close();
    expect(await hash(5)).toEqual({});
    clock.advance(TIMEOUT + 1);
    expect(await sweepAll(b)).toEqual([]);
    // A resend of its segments is a late duplicate.
    expect(await b.segments.add(seg(5, 2, 2, 'two'))).toMatchObject({ status: 'duplicate', late: true });
  });

  it('refused by Redis itself (out of memory) just before close(): close() probes, and stores it', async () => {
    // No probe of its own comes in the meantime: the store stays unavailable until close().
    const { stores, r, hash } = await cluster({ probeIntervalMs: 60_000 });
    const [a] = stores;
    const m = await complete(a, 7);
    await r.call('CONFIG', 'SET', 'maxmemory', '1');
    try {
      await expect(a.segments.finish(m)).rejects.toThrow(/OOM/);
    } finally {
      await r.call('CONFIG', 'SET', 'maxmemory', '0');
    }
    expect(a.available).toBe(false);
    await a.close();
    expect(await hash(7)).toEqual({});
  });

  it('is stored by the next sweep: not handed out again once claimTimeoutMs passes', async () => {
    const { stores, clock, hash } = await cluster({ claimTimeoutMs: 5_000 });
    const [a, b] = stores;
    const m = await complete(a, 6);
    await redisServer().stop();
    await expect(a.segments.finish(m)).rejects.toThrow();
    await redisServer().start();
    await backUp(a);
    await backUp(b);
    clock.advance(5_000);
    // a first: b's sweep, reaching Redis before a's finish, would take a's lapsed claim.
    expect(await sweepAll(a)).toEqual([]);
    expect(await sweepAll(b)).toEqual([]);
    expect(await hash(6)).toEqual({});
  });
});
