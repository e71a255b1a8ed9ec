// One contract, three backends: what the reassembler, the link and the Push Client may rely on
// whichever store they are given (docs/state.md).
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import type { CompletedMessage, SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
import { until } from '../helpers.js';
import { HARNESSES, manualClock, useRedis, type BackendName } from './backends.js';

useRedis();

const text = (s: string) => new Uint8Array(Buffer.from(s));
const str = (b: Uint8Array) => Buffer.from(b).toString();

function seg(
  reference: number,
  sequence: number,
  total: number,
  data: string,
  over: Partial<StoredSegment> = {},
): StoredSegment {
  return {
    originator: '+15550001',
    recipient: '+15559999',
    sourcePort: 9200,
    destinationPort: 2948,
    reference,
    referenceBits: 8,
    total,
    sequence,
    data: text(data),
    ...over,
  };
}

function completedOf(o: SegmentOutcome): CompletedMessage {
  if (o.status !== 'complete') throw new Error(`expected complete, got ${o.status}`);
  return o.message;
}

const joined = (m: CompletedMessage) => m.parts.map(str).join('');

describe.each(['memory', 'lmdb', 'redis'] as BackendName[])('%s store', (name) => {
  const h = HARNESSES[name];

  it('holds segments in any order and hands the whole message to the segment that completes it', async () => {
    const store = await h.open();
    expect(await store.segments.add(seg(7, 3, 3, 'C'))).toEqual({ status: 'held', received: 1, lost: [] });
    expect(await store.segments.add(seg(7, 1, 3, 'A'))).toEqual({ status: 'held', received: 2, lost: [] });
    const done = completedOf(await store.segments.add(seg(7, 2, 3, 'B')));
    expect(joined(done)).toBe('ABC');
    expect(done).toMatchObject({
      originator: '+15550001',
      recipient: '+15559999',
      sourcePort: 9200,
      destinationPort: 2948,
      reference: 7,
      referenceBits: 8,
      total: 3,
      bytes: 3,
      handovers: 1,
    });
    await store.segments.finish(done);
    // Resent after completion (the SMSC missed our answer): a late duplicate, not a new message.
    expect(await store.segments.add(seg(7, 1, 3, 'A'))).toEqual({ status: 'duplicate', late: true, lost: [] });
    // The same reference with other octets: the sender reused it, a new message starts.
    expect(await store.segments.add(seg(7, 1, 3, 'X'))).toMatchObject({ status: 'held', received: 1 });
  });

  it('tells a repeated segment (duplicate) from a different one with the same place (conflict)', async () => {
    const store = await h.open();
    await store.segments.add(seg(1, 1, 2, 'one'));
    expect(await store.segments.add(seg(1, 1, 2, 'one'))).toEqual({ status: 'duplicate', late: false, lost: [] });
    expect(await store.segments.add(seg(1, 1, 2, 'uno'))).toEqual({ status: 'conflict', lost: [] });
    // The first one is kept.
    expect(joined(completedOf(await store.segments.add(seg(1, 2, 2, '+two'))))).toBe('one+two');
  });

  it('keeps messages apart by originator, recipient, ports, reference width and total', async () => {
    const store = await h.open();
    const variants: Partial<StoredSegment>[] = [
      {},
      { originator: '+15550002' },
      { recipient: '+15559998' },
      { sourcePort: 9201 },
      { destinationPort: undefined, sourcePort: undefined },
      { referenceBits: 16 },
    ];
    for (const v of variants) expect((await store.segments.add(seg(5, 1, 2, 'a', v))).status).toBe('held');
    expect((await store.segments.add(seg(5, 1, 3, 'a'))).status).toBe('held');
    for (const v of variants) expect(joined(completedOf(await store.segments.add(seg(5, 2, 2, 'b', v))))).toBe('ab');
  });

  it('resumes after a restart: segments stored before it complete with those that come after', async () => {
    let store = await h.open();
    await store.segments.add(seg(9, 1, 3, 'first,'));
    await store.segments.add(seg(9, 2, 3, 'second,'));
    store = await h.reopen(store);
    const done = completedOf(await store.segments.add(seg(9, 3, 3, 'third')));
    expect(joined(done)).toBe('first,second,third');
  });

  it('completes each message exactly once when several clients race with its segments', async () => {
    const first = await h.open();
    const clients: Store[] = [first];
    if (h.sharedWriters) for (let i = 0; i < 3; i++) clients.push(await h.second(first));
    const messages = 60;
    const total = 3;
    const work: Array<{ client: Store; s: StoredSegment }> = [];
    for (let m = 0; m < messages; m++) {
      for (let n = 1; n <= total; n++) {
        // Every segment sent twice, over two different clients: the SMSC's resend of an unanswered one.
        for (const c of [m + n, m + n + 1]) {
          work.push({
            client: clients[c % clients.length],
            s: seg(m, n, total, `m${m}s${n};`, { originator: `+1555${m % 7}` }),
          });
        }
      }
    }
    // A fixed shuffle, so a failure can be rerun.
    let x = 12345;
    for (let i = work.length - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const j = x % (i + 1);
      [work[i], work[j]] = [work[j], work[i]];
    }
    const outcomes = await Promise.all(work.map(({ client, s }) => client.segments.add(s)));
    const completions = new Map<number, string[]>();
    outcomes.forEach((o, i) => {
      if (o.status !== 'complete') return;
      const ref = work[i].s.reference!;
      completions.set(ref, [...(completions.get(ref) ?? []), joined(o.message)]);
    });
    expect(completions.size).toBe(messages);
    for (let m = 0; m < messages; m++) expect(completions.get(m)).toEqual([`m${m}s1;m${m}s2;m${m}s3;`]);
    // The resends of the completing segment found the claim held: busy, never a second completion.
    expect(outcomes.filter((o) => o.status === 'complete')).toHaveLength(messages);
    expect(outcomes.every((o) => ['held', 'duplicate', 'complete', 'busy'].includes(o.status))).toBe(true);
  });

  it('answers busy while a live claim delivers, and hands a released message over again', async () => {
    const store = await h.open();
    await store.segments.add(seg(3, 1, 2, 'x'));
    const claim = completedOf(await store.segments.add(seg(3, 2, 2, 'y')));
    expect(await store.segments.add(seg(3, 2, 2, 'y'))).toEqual({ status: 'busy', lost: [] });
    await store.segments.release(claim);
    const again = completedOf(await store.segments.add(seg(3, 2, 2, 'y')));
    expect(joined(again)).toBe('xy');
    expect(again.handovers).toBe(2);
    await store.segments.finish(again);
    expect(await store.segments.add(seg(3, 2, 2, 'y'))).toEqual({ status: 'duplicate', late: true, lost: [] });
  });

  it('expires a released message nobody resent within its timeout', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, reassembly: { timeoutMs: 10_000 } });
    await store.segments.add(seg(5, 1, 2, 'a'));
    await store.segments.release(completedOf(await store.segments.add(seg(5, 2, 2, 'b'))));
    clock.advance(9_999);
    expect(await store.segments.sweep()).toEqual({ expired: [], orphans: [] });
    clock.advance(1);
    const { expired } = await store.segments.sweep();
    // Complete, its handler failed: said so, where an open message's report leaves it out.
    expect(expired).toMatchObject([
      { reference: 5, reason: 'expired', received: [1, 2], bytes: 2, handlerFailed: true },
    ]);
    expect(await store.segments.list()).toEqual([]);
  });

  it('hands a message over again when its claim is not finished before a restart', async () => {
    let store = await h.open();
    await store.segments.add(seg(4, 1, 2, 'p'));
    completedOf(await store.segments.add(seg(4, 2, 2, 'q')));
    // Died while delivering: the sender never had an answer for segment 2, so it resends it.
    store = await h.reopen(store);
    expect(joined(completedOf(await store.segments.add(seg(4, 2, 2, 'q'))))).toBe('pq');
  });

  it('takes over a claim held past claimTimeoutMs in a sweep (a hung handler)', async () => {
    const clock = manualClock();
    const options = { now: clock.now, reassembly: { claimTimeoutMs: 5_000, timeoutMs: 60_000 } };
    const a = await h.open(options);
    await a.segments.add(seg(6, 1, 2, 'o'));
    completedOf(await a.segments.add(seg(6, 2, 2, 'k')));
    expect(await a.segments.sweep()).toEqual({ expired: [], orphans: [] });
    clock.advance(5_001);
    const b = h.sharedWriters ? await h.second(a, options) : a;
    const { expired, orphans } = await b.segments.sweep();
    expect(expired).toEqual([]);
    expect(orphans.map(joined)).toEqual(['ok']);
    expect(orphans[0].handovers).toBe(2);
    await b.segments.finish(orphans[0]);
    expect(await b.segments.sweep()).toEqual({ expired: [], orphans: [] });
  });

  it('expires a message pending past its timeout, after a restart too, and never splices it', async () => {
    const clock = manualClock();
    const options = { now: clock.now, reassembly: { timeoutMs: 10_000 } };
    let store = await h.open(options);
    const firstAt = clock.now();
    await store.segments.add(seg(8, 1, 3, 'old-1'));
    await store.segments.add(seg(8, 2, 3, 'old-2'));
    clock.advance(4_000);
    await store.segments.add(seg(9, 1, 2, 'young'));
    store = await h.reopen(store, options);
    clock.advance(6_000);
    const { expired } = await store.segments.sweep();
    expect(expired).toEqual([
      {
        originator: '+15550001',
        recipient: '+15559999',
        sourcePort: 9200,
        destinationPort: 2948,
        reference: 8,
        referenceBits: 8,
        total: 3,
        reason: 'expired',
        received: [1, 2],
        bytes: 10,
        firstAt,
      },
    ]);
    // The reference's next message starts afresh: its last segment does not join the old two.
    expect(await store.segments.add(seg(8, 3, 3, 'new-3'))).toEqual({ status: 'held', received: 1, lost: [] });
    expect((await store.segments.sweep()).expired).toEqual([]);
  });

  it('drops a stale message when its reference comes back before a sweep', async () => {
    const clock = manualClock();
    const options = { now: clock.now, reassembly: { timeoutMs: 10_000 } };
    const store = await h.open(options);
    await store.segments.add(seg(2, 1, 2, 'stale'));
    clock.advance(10_000);
    const o = await store.segments.add(seg(2, 2, 2, 'fresh'));
    expect(o).toMatchObject({
      status: 'held',
      received: 1,
      lost: [{ reference: 2, reason: 'expired', received: [1] }],
    });
  });

  it('evicts the oldest message of the originator holding the most, and reports the bound', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, reassembly: { maxPendingMessages: 3, maxPendingPerOriginator: 3 } });
    const from = (o: string) => ({ originator: o });
    await store.segments.add(seg(1, 1, 2, 'a1', from('A')));
    clock.advance(1);
    await store.segments.add(seg(2, 1, 2, 'b1', from('B')));
    clock.advance(1);
    await store.segments.add(seg(3, 1, 2, 'b2', from('B')));
    clock.advance(1);
    const o = await store.segments.add(seg(4, 1, 2, 'c1', from('C')));
    expect(o).toMatchObject({
      status: 'held',
      lost: [{ originator: 'B', reference: 2, reason: 'evicted', bound: 'messages' }],
    });
    expect((await store.segments.list()).map((m) => [m.originator, m.reference])).toEqual([
      ['A', 1],
      ['B', 3],
      ['C', 4],
    ]);
  });

  it('holds each originator to maxPendingPerOriginator, evicting its own oldest', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, reassembly: { maxPendingPerOriginator: 2 } });
    await store.segments.add(seg(1, 1, 2, 'x', { originator: 'F' }));
    clock.advance(1);
    await store.segments.add(seg(2, 1, 2, 'x', { originator: 'Q' }));
    clock.advance(1);
    await store.segments.add(seg(3, 1, 2, 'x', { originator: 'F' }));
    clock.advance(1);
    const o = await store.segments.add(seg(4, 1, 2, 'x', { originator: 'F' }));
    expect(o.lost).toMatchObject([{ originator: 'F', reference: 1, bound: 'originator' }]);
    expect((await store.segments.list()).map((m) => m.reference)).toEqual([2, 3, 4]);
  });

  it('holds maxPendingBytes, dropping a message that alone is over it', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, reassembly: { maxPendingBytes: 10 } });
    await store.segments.add(seg(1, 1, 3, '12345', { originator: 'A' }));
    clock.advance(1);
    const o = await store.segments.add(seg(2, 1, 3, '123456', { originator: 'B' }));
    expect(o).toMatchObject({ status: 'held', lost: [{ reference: 1, reason: 'evicted', bound: 'bytes', bytes: 5 }] });
    const big = await store.segments.add(seg(2, 2, 3, '12345', { originator: 'B' }));
    expect(big).toMatchObject({
      status: 'dropped',
      lost: [{ originator: 'B', reference: 2, received: [1, 2], bytes: 11 }],
    });
    expect(await store.segments.list()).toEqual([]);
  });

  it('refuses what it cannot store with BAD_INPUT', async () => {
    const store = await h.open();
    const bad: Partial<StoredSegment>[] = [
      { total: 1, sequence: 1 },
      { sequence: 0 },
      { sequence: 3 },
      { reference: undefined },
      { reference: 70_000 },
      { total: 256 },
      { sourcePort: -1 },
      { data: 'text' as never },
      { originator: 'x'.repeat(300) },
      // Not well-formed UTF-16 (a lone surrogate): no UTF-8 form for Redis to keep apart from U+FFFD.
      { originator: '+1555\udc00' },
      { recipient: '\ud83d' },
    ];
    for (const b of bad) {
      const e = await store.segments.add(seg(1, 1, 2, 'a', b)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe('BAD_INPUT');
    }
    expect(store.available).toBe(true);
    // A surrogate pair is a well-formed character, taken as any other.
    expect((await store.segments.add(seg(1, 1, 2, 'a', { originator: '+1555\ud83d\ude00' }))).status).toBe('held');
  });

  it('remembers duplicates for their window, forgets on request, and shares them between nodes', async () => {
    const clock = manualClock();
    const a = await h.open({ now: clock.now });
    expect(await a.duplicates.remember('single-1', 60_000)).toBe(true);
    expect(await a.duplicates.remember('single-1', 60_000)).toBe(false);
    expect(await a.duplicates.remember(text('single-1'), 60_000)).toBe(false);
    expect(await a.duplicates.remember('single-2', 60_000)).toBe(true);
    await a.duplicates.forget('single-2');
    expect(await a.duplicates.remember('single-2', 60_000)).toBe(true);
    const b = h.sharedWriters ? await h.second(a, { now: clock.now }) : await h.reopen(a, { now: clock.now });
    expect(await b.duplicates.remember('single-1', 60_000)).toBe(false);
    if (name !== 'redis') {
      // Redis keeps each for its window by its own clock (PX): the injected clock moves the others.
      clock.advance(60_001);
      expect(await b.duplicates.remember('single-1', 60_000)).toBe(true);
    }
  });

  it('says whether a key is remembered without remembering it, on every node', async () => {
    const clock = manualClock();
    const a = await h.open({ now: clock.now });
    expect(await a.duplicates.seen('single-3')).toBe(false);
    // Looking does not remember: the key is still new to remember().
    expect(await a.duplicates.remember('single-3', 60_000)).toBe(true);
    expect(await a.duplicates.seen('single-3')).toBe(true);
    expect(await a.duplicates.seen(text('single-3'))).toBe(true);
    const b = h.sharedWriters ? await h.second(a, { now: clock.now }) : await h.reopen(a, { now: clock.now });
    expect(await b.duplicates.seen('single-3')).toBe(true);
    await b.duplicates.forget('single-3');
    expect(await b.duplicates.seen('single-3')).toBe(false);
    if (name !== 'redis') {
      expect(await b.duplicates.remember('single-4', 1_000)).toBe(true);
      clock.advance(1_001);
      expect(await b.duplicates.seen('single-4')).toBe(false);
    }
  });

  it('keeps records with a version, and another instance hears of a change', async () => {
    const a = await h.open({ registrationPollMs: 50 });
    expect(await a.registrations.version()).toBe(0);
    expect(await a.registrations.put('app-1', { pushApplicationId: 2, accept: ['text/plain'] })).toBe(1);
    expect(await a.registrations.put('app-2', { pushApplicationId: 4 })).toBe(2);
    expect(await a.registrations.get('app-1')).toEqual({ pushApplicationId: 2, accept: ['text/plain'] });
    expect(await a.registrations.get('none')).toBeUndefined();
    const b = await h.second(a, { registrationPollMs: 50 });
    const heard: number[] = [];
    b.registrations.watch((v) => heard.push(v));
    expect(await a.registrations.delete('app-2')).toBe(3);
    expect(await a.registrations.delete('app-2')).toBe(3);
    await until(() => heard.includes(3), 2_000, 'the second instance to hear of the change');
    expect(await b.registrations.list()).toEqual([
      { id: 'app-1', value: { pushApplicationId: 2, accept: ['text/plain'] } },
    ]);
    expect(await b.registrations.version()).toBe(3);
    const again = await h.reopen(a);
    expect(await again.registrations.list()).toEqual([
      { id: 'app-1', value: { pushApplicationId: 2, accept: ['text/plain'] } },
    ]);
  });

  it('queues items, hands each out once, and forgets it when acknowledged', async () => {
    const store = await h.open();
    const id1 = await store.queues.enqueue('wml.ua', { data: text('push-1'), attributes: { originator: '+1555' } });
    await store.queues.enqueue('wml.ua', { data: text('push-2') });
    await store.queues.enqueue('mms.ua', { data: text('mms-1') });
    expect(await store.queues.names()).toEqual(['mms.ua', 'wml.ua']);
    const [first] = await store.queues.take('wml.ua');
    expect(first).toMatchObject({ id: id1, attributes: { originator: '+1555' }, deliveries: 1 });
    expect(str(first.data)).toBe('push-1');
    expect(await store.queues.counts('wml.ua')).toEqual({ queue: 'wml.ua', ready: 1, inFlight: 1 });
    await store.queues.ack('wml.ua', first.id);
    const rest = await store.queues.take('wml.ua', 10);
    expect(rest.map((i) => str(i.data))).toEqual(['push-2']);
    await store.queues.ack('wml.ua', rest[0].id);
    expect(await store.queues.take('wml.ua', 10)).toEqual([]);
    expect(await store.queues.counts('wml.ua')).toEqual({ queue: 'wml.ua', ready: 0, inFlight: 0 });
    expect(await store.queues.names()).toEqual(['mms.ua']);
  });

  it('delivers an item not acknowledged before a restart again', async () => {
    let store = await h.open({ queueReclaimMs: 60_000 });
    await store.queues.enqueue('q', { data: text('survives') });
    const [taken] = await store.queues.take('q');
    expect(taken.deliveries).toBe(1);
    store = await h.reopen(store, { queueReclaimMs: 60_000 });
    // Its consumer is gone: the item is ready again (memory, lmdb) or taken over at once (Redis).
    const again = [...(await store.queues.take('q')), ...(await store.queues.reclaim('q'))];
    expect(again.map((i) => [str(i.data), i.deliveries])).toEqual([['survives', 2]]);
  });

  it('takes over an item in flight past queueReclaimMs', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, queueReclaimMs: 200 });
    await store.queues.enqueue('q', { data: text('slow') });
    await store.queues.take('q');
    expect(await store.queues.reclaim('q')).toEqual([]);
    clock.advance(201);
    // Redis measures idle time by its own clock.
    if (name === 'redis') await new Promise((r) => setTimeout(r, 250));
    const taken = await store.queues.reclaim('q');
    expect(taken.map((i) => [str(i.data), i.deliveries])).toEqual([['slow', 2]]);
  });

  it('reclaims a lapsed item behind many freshly reclaimed ones', async () => {
    // 1 s: the second reclaim must come before the first 25 lapse again, even under load.
    const store = await h.open({ queueReclaimMs: 1_000 });
    const ahead = 25; // Redis's XAUTOCLAIM COUNT 1 looks at 10 entries a call
    for (let i = 0; i <= ahead; i++) await store.queues.enqueue('q', { data: text(`i${i}`) });
    expect((await store.queues.take('q', ahead + 1)).length).toBe(ahead + 1);
    await new Promise((r) => setTimeout(r, 1_100));
    // The first ones reclaimed (in flight afresh, still failing), the last one left lapsed.
    expect((await store.queues.reclaim('q', ahead)).map((i) => str(i.data))).toEqual(
      Array.from({ length: ahead }, (_, i) => `i${i}`),
    );
    const taken = await store.queues.reclaim('q', 1);
    expect(taken.map((i) => [str(i.data), i.deliveries])).toEqual([[`i${ahead}`, 2]]);
  });

  it('refuses an item over maxQueued with QUEUE_FULL', async () => {
    const store = await h.open({ maxQueued: 2 });
    await store.queues.enqueue('q', { data: text('1') });
    await store.queues.enqueue('q', { data: text('2') });
    const e = await store.queues.enqueue('q', { data: text('3') }).catch((x: unknown) => x);
    expect((e as StoreError).code).toBe('QUEUE_FULL');
    expect(store.available).toBe(true);
  });

  it('consumes one item at a time and acknowledges each only after its handler settled', async () => {
    const store = await h.open();
    await store.queues.enqueue('app', { data: text('a') });
    await store.queues.enqueue('app', { data: text('b') });
    const seen: string[] = [];
    let finishFirst!: () => void;
    const consumer = store.queues.consume(
      'app',
      (item) => {
        seen.push(str(item.data));
        if (seen.length === 1) return new Promise<void>((r) => (finishFirst = r));
        if (seen.length === 2) throw new Error('handler failed');
        return undefined;
      },
      { blockMs: 100 },
    );
    const failures: unknown[] = [];
    consumer.on('handler-error', (_item, e) => failures.push(e));
    await until(() => seen.length === 1, 3_000, 'the first item');
    expect(await store.queues.counts('app')).toEqual({ queue: 'app', ready: 1, inFlight: 1 });
    finishFirst();
    await until(() => seen.length === 2 && failures.length === 1, 3_000, 'the second item');
    await store.queues.enqueue('app', { data: text('c') });
    await until(() => seen.length === 3, 3_000, 'an item enqueued while it waits');
    await until(async () => (await store.queues.counts('app')).inFlight === 0, 3_000, 'the last acknowledgement');
    await consumer.stop();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(await store.queues.counts('app')).toEqual({ queue: 'app', ready: 0, inFlight: 0 });
  });

  it('takes back every lapsed item at once, not one per reclaim period', async () => {
    const store = await h.open({ queueReclaimMs: 200 });
    for (const d of ['a', 'b', 'c']) await store.queues.enqueue('left', { data: text(d) });
    // Taken and left in flight (a handler's unacknowledged rejection leaves them so).
    for (let i = 0; i < 3; i++) await store.queues.take('left');
    await new Promise((r) => setTimeout(r, 300));
    const seen: string[] = [];
    // A long wait for ready items: the old one-reclaim-per-period loop waited it out after each.
    const consumer = store.queues.consume('left', (item) => void seen.push(str(item.data)), { blockMs: 5_000 });
    await until(() => seen.length === 3, 2_000, 'the three lapsed items');
    await consumer.stop();
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(await store.queues.counts('left')).toEqual({ queue: 'left', ready: 0, inFlight: 0 });
  });

  it('reports a handler that does not settle in handlerTimeoutMs and goes on to the next item', async () => {
    const store = await h.open();
    await store.queues.enqueue('hung', { data: text('1') });
    await store.queues.enqueue('hung', { data: text('2') });
    const seen: string[] = [];
    const timedOut: string[] = [];
    const consumer = store.queues.consume(
      'hung',
      (item) => {
        seen.push(str(item.data));
        return seen.length === 1 ? new Promise<void>(() => {}) : undefined;
      },
      { handlerTimeoutMs: 100, blockMs: 50 },
    );
    consumer.on('timeout', (item) => timedOut.push(str(item.data)));
    await until(() => seen.length === 2, 3_000, 'the next item after the hung one');
    await consumer.stop();
    expect(timedOut).toEqual(['1']);
    expect(await store.queues.counts('hung')).toEqual({ queue: 'hung', ready: 0, inFlight: 0 });
  });

  it('reports what is pending and queued', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now });
    await store.segments.add(seg(1, 1, 3, 'abc'));
    clock.advance(1_000);
    await store.segments.add(seg(2, 2, 2, 'de', { originator: 'B' }));
    await store.queues.enqueue('wml.ua', { data: text('x') });
    await store.registrations.put('r', { a: 1 });
    clock.advance(500);
    const report = await store.inspect(1);
    expect(report).toMatchObject({
      backend: name,
      pending: { messages: 2, segments: 2, bytes: 5, oldestAgeMs: 1_500, truncated: true },
      queues: [{ queue: 'wml.ua', ready: 1, inFlight: 0 }],
      registrations: 1,
      registrationsVersion: 1,
    });
    expect(report.pending.list).toEqual([
      expect.objectContaining({ reference: 1, received: [1], bytes: 3, ageMs: 1_500, state: 'open' }),
    ]);
  });

  it('refuses calls after close with STORE_CLOSED', async () => {
    const store = await h.open();
    await store.close();
    const e = await store.segments.add(seg(1, 1, 2, 'a')).catch((x: unknown) => x);
    expect((e as StoreError).code).toBe('STORE_CLOSED');
  });
});
