// The forwarding of a queue of the version before (src/cai/forwarder.ts) when a forward goes
// wrong: a forward slower than the application's handlerTimeoutMs is not acknowledged under
// it, and one its own timeout lets go is reported rather than lost; a push that cannot be
// stored again stops the taking until the backoff's wait is over (and what was left in flight
// comes back together); a close mid-push leaves the push in hand where it was; each push lets
// the event loop turn. On the memory and lmdb stores and a real redis-server of the test's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PushDeferred } from '../../src/cai/deferred.js';
import { Forwarder, type ForwarderHost } from '../../src/cai/forwarder.js';
import { PushEvent } from '../../src/cai/pushEvent.js';
import { unnamedRecordIdBefore } from '../../src/cai/recordId.js';
import { StoreQueues, type QueueHost } from '../../src/cai/storeQueues.js';
import { StoreError, StoreErrorCode } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { QueueItem, Store } from '../../src/store/types.js';
import { redisServer, type Cleanup } from '../durable/nodes.js';
import { APP } from './cluster.js';
import { until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const OLD = unnamedRecordIdBefore(APP);
const OLD_QUEUE = `app:${OLD}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const unavailable = () => new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'the test took the store away');

async function storeOn(backend: string, options: StoreOptions = {}): Promise<Store> {
  let spec = backend;
  if (backend === 'redis') spec = (await redisServer(cleanup)).url;
  else if (backend === 'lmdb') {
    spec = mkdtempSync(join(tmpdir(), 'wappush-forward-'));
    const dir = spec;
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  }
  const store = await openStore(spec, options);
  cleanup.push(() => store.close());
  return store;
}

/** As a node of the version before puts a push in the old queue: its originator names it here. */
const queueOld = (store: Store, name: string) =>
  store.queues.enqueue(OLD_QUEUE, { data: new Uint8Array([1]), attributes: { o: name, r: 'r', n: '1' } });

/** The Push event of a datagram from `originator` (the forwarder reads no more of it here). */
const eventFrom = (originator: string, payload: Uint8Array) =>
  new PushEvent({
    protocol: 'OTA-WSP',
    datagram: { payload, originator, recipient: 'r', segments: 1 },
    bodyOffset: 0,
    contentType: 'application/vnd.wap.slc',
    applicationId: APP,
    port: 2948,
    originator,
    recipient: 'r',
    transactionId: 1,
  });

const eventOf = (item: QueueItem) => eventFrom(item.attributes.o ?? '', item.data);

/**
 * A QueueHost whose storedUnder and redispatch are the test's; what it reports, recorded.
 * Each push's originator is its name.
 */
function host(parts: Pick<QueueHost, 'storedUnder' | 'redispatch'>) {
  const seen = { unrouted: [] as unknown[], storeErrors: [] as unknown[] };
  const h: QueueHost = {
    eventOf: (d) => eventFrom(d.originator, d.payload),
    httpEventOf: () => {
      throw new Error('no OTA-HTTP push here');
    },
    handOver: () => {},
    delivered: () => {},
    error: () => {},
    timeout: () => {},
    claimed: () => {},
    storeError: (e) => void seen.storeErrors.push(e),
    readBy: () => Promise.resolve(false),
    unrouted: (u) => void seen.unrouted.push(u.error),
    withdrawnDuplicate: () => {},
    ...parts,
  };
  return { h, seen };
}

describe.each(['memory', 'lmdb', 'redis'])('a forward that goes wrong on %s', (backend) => {
  it("slower than the application's handlerTimeoutMs: not acknowledged under it; it comes round again", async () => {
    const store = await storeOn(backend, { queueReclaimMs: 500 });
    let asked = 0;
    const tried: string[] = [];
    const redispatched: string[] = [];
    const { h, seen } = host({
      // The first read (before the consumer starts) at once; those for a push slower than 200 ms.
      storedUnder: async () => {
        if (asked++ > 0) await sleep(300);
        return false;
      },
      redispatch: async (e) => {
        tried.push(e.originator);
        if (tried.length === 1) throw unavailable();
        redispatched.push(e.originator);
      },
    });
    // The application's handlerTimeoutMs: 200 ms.
    const q = new StoreQueues(store, h, 200, { recheckMs: 100, retry: { initialMs: 100, maxMs: 100 } });
    cleanup.push(() => q.close());
    q.forward(OLD);
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    await queueOld(store, 'p1');
    await until(() => tried.length === 1, 5_000, 'the first forward');
    await sleep(50);
    // Left in flight: acknowledged at the timeout, it would be gone, reported nowhere.
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 0, inFlight: 1 });
    expect(seen.unrouted).toEqual([]);
    await until(() => redispatched.length === 1, 10_000, 'the push forwarded when it came round');
    await until(async () => (await store.queues.counts(OLD_QUEUE)).inFlight === 0, 5_000, 'the push acknowledged');
    expect(redispatched).toEqual(['p1']);
    expect(seen.unrouted).toEqual([]);
  });

  it('past its own timeout (acknowledged by then) and not stored again: reported unrouted', async () => {
    const store = await storeOn(backend, { queueReclaimMs: 60_000 });
    let asked = 0;
    const reported: unknown[] = [];
    const forwarderHost: ForwarderHost = {
      storedUnder: async () => {
        if (asked++ > 0) await sleep(300);
        return false;
      },
      redispatch: () => Promise.reject(unavailable()),
      read: eventOf,
      report: (_item, error) => void reported.push(error),
      storeError: () => {},
    };
    const forwarder = new Forwarder(store, forwarderHost, OLD, {
      timeoutMs: 200,
      recheckMs: 100,
      retry: { initialMs: 60_000, maxMs: 60_000 },
    });
    cleanup.push(() => forwarder.close());
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    await queueOld(store, 'p1');
    await until(() => reported.length === 1, 5_000, 'the push reported');
    expect(reported).toMatchObject([{ code: 'STORE_UNAVAILABLE' }]);
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it('not stored again: no more pushes are taken until the wait is over; all come round', async () => {
    const store = await storeOn(backend, { queueReclaimMs: 500 });
    let refusing = true;
    let asked = 0;
    const tried: string[] = [];
    const redispatched: string[] = [];
    const { h, seen } = host({
      storedUnder: () => (asked++, Promise.resolve(false)),
      redispatch: (e) => {
        tried.push(e.originator);
        // A queue full with overflow 'redeliver' (the dispatcher counted it) or the store away.
        if (refusing) return Promise.reject(tried.length % 2 ? new PushDeferred('full') : unavailable());
        redispatched.push(e.originator);
        return Promise.resolve();
      },
    });
    // A wait of 500 to 1,000 ms after each push not stored again.
    const q = new StoreQueues(store, h, 5_000, { recheckMs: 100, retry: { initialMs: 1_000, maxMs: 1_000 } });
    cleanup.push(() => q.close());
    q.forward(OLD);
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const name of names) await queueOld(store, name);
    await until(() => tried.length === 1, 5_000, 'the first forward');
    await sleep(300);
    // One taken and left; the rest ready, not each taken, counted and left in flight.
    expect(tried).toEqual(['p1']);
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 4, inFlight: 1 });
    // The pace while it lasts: one push per wait (at most 4 in 1.8 s; a late timer under load
    // can let one more through, never all of them).
    await sleep(1_500);
    expect(tried.length).toBeLessThan(names.length);
    refusing = false;
    await until(() => redispatched.length === names.length, 10_000, 'every push forwarded');
    expect([...redispatched].sort()).toEqual(names);
    await until(async () => (await store.queues.counts(OLD_QUEUE)).inFlight === 0, 5_000, 'the old queue acknowledged');
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 0, inFlight: 0 });
    expect(seen.unrouted).toEqual([]);
  });
});

describe.each(['memory', 'redis'])('a close mid-push on %s', (backend) => {
  it('leaves the push in hand in flight where it was, not put at the end of the queue', async () => {
    const store = await storeOn(backend, { queueReclaimMs: 60_000 });
    let asked = 0;
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    cleanup.push(async () => answer());
    const redispatched: string[] = [];
    const { h, seen } = host({
      // The read for the push in hand answers only once the close has begun.
      storedUnder: async () => {
        if (asked++ > 0) await answered;
        return false;
      },
      redispatch: (e) => (redispatched.push(e.originator), Promise.resolve()),
    });
    const q = new StoreQueues(store, h, 5_000, { recheckMs: 100, retry: { initialMs: 100, maxMs: 100 } });
    q.forward(OLD);
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    await queueOld(store, 'p1');
    await queueOld(store, 'p2');
    await until(() => asked >= 2, 5_000, 'the push in hand');
    const closed = q.close();
    answer();
    await closed;
    expect(redispatched).toEqual([]);
    expect(seen.unrouted).toEqual([]);
    // In flight still (the store's close or reclaim hands it out again), ahead of p2.
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 1, inFlight: 1 });
    expect((await store.queues.take(OLD_QUEUE)).map((i) => i.attributes.o)).toEqual(['p2']);
  });
});

describe('the forwarding of a push that routing puts back in the old queue', () => {
  it('lets a timer run between pushes on a store that answers at once', async () => {
    const store = await storeOn('memory');
    let asked = 0;
    let rounds = 0;
    const { h } = host({
      storedUnder: () => (asked++, Promise.resolve(false)),
      // As a follower that has not seen the old holder go routes it: into the old queue again.
      redispatch: async () => {
        if (++rounds < 2_000) await queueOld(store, 'again');
      },
    });
    const q = new StoreQueues(store, h, 5_000, { recheckMs: 100, retry: { initialMs: 100, maxMs: 100 } });
    cleanup.push(() => q.close());
    q.forward(OLD);
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    let roundsAtTimer: number | undefined;
    await queueOld(store, 'first');
    setTimeout(() => (roundsAtTimer = rounds), 0);
    await until(() => rounds >= 2_000, 20_000, 'the rounds');
    expect(roundsAtTimer).toBeDefined();
    expect(roundsAtTimer!).toBeLessThan(100);
  });
});
