// The drain of a withdrawn registration's queue (src/cai/storeQueues.ts drain): a queue is an
// application's, so it is drained only while no registration on any node reads it, each push
// taken then reported unrouted; a push taken once a reader appears goes back in the queue. On a
// memory store and on a real redis-server of the test's own; the QueueHost is the test's, so
// it decides when a reader appears.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PushEvent } from '../../src/cai/pushEvent.js';
import { Registration } from '../../src/cai/registration.js';
import { queueName, StoreQueues, type QueueHost } from '../../src/cai/storeQueues.js';
import { StoreError, StoreErrorCode } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { redisServer, type Cleanup } from '../durable/nodes.js';
import { APP } from './cluster.js';
import { until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanup.length) await cleanup.pop()!();
});

const withdrawn = () =>
  new Registration(1, { pushApplicationId: APP, applicationId: 'urn:example:withdrawn' }, [
    { protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 2948 },
  ]);

async function storeOn(backend: string, maxQueued?: number): Promise<Store> {
  const url = backend === 'redis' ? (await redisServer(cleanup)).url : 'memory';
  const store = await openStore(url, { registrationPollMs: 60_000, maxQueued });
  cleanup.push(() => store.close());
  return store;
}

/** Puts push `name` in the queue as a node routing to the application does (its originator names it; empty: it does not read). */
async function queuePush(store: Store, r: Registration, name: string, data = new Uint8Array([1])): Promise<void> {
  await store.queues.enqueue(queueName(r), { data, attributes: { o: name, r: '+15559999', n: '1' } });
}

/** A QueueHost whose readBy answers `reader()`, recording what it is given; a push is known by its originator. */
function host(reader: () => boolean | Promise<boolean>) {
  const seen = { unrouted: [] as string[], handed: [] as string[], asked: [] as string[], duplicates: [] as string[] };
  const h: QueueHost = {
    eventOf: (d) => {
      if (d.payload.length === 0) throw new Error('not a push');
      return new PushEvent({
        protocol: 'OTA-WSP',
        // Not a Push PDU: the drain reads only its content, which is then the whole payload.
        datagram: d,
        bodyOffset: 0,
        contentType: 'application/vnd.wap.slc',
        applicationId: APP,
        port: 2948,
        originator: d.originator,
        recipient: d.recipient,
        transactionId: 1,
      });
    },
    httpEventOf: () => {
      throw new Error('no OTA-HTTP push here');
    },
    handOver: (e) => void seen.handed.push(e.originator),
    delivered: () => {},
    error: () => {},
    timeout: () => {},
    claimed: () => {},
    storeError: () => {},
    readBy: (id) => {
      seen.asked.push(id);
      return Promise.resolve(reader());
    },
    unrouted: (u) =>
      void seen.unrouted.push(u.event === undefined ? `undecodable ${u.datagram?.originator}` : u.event.originator),
    withdrawnDuplicate: (e) => void seen.duplicates.push(e.originator),
    storedUnder: () => Promise.resolve(false),
    redispatch: () => Promise.reject(new Error('no routing here')),
  };
  return { h, seen };
}

function queues(store: Store, h: QueueHost): StoreQueues {
  const q = new StoreQueues(store, h, 5_000);
  cleanup.push(() => q.close());
  return q;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['memory', 'redis'])("draining a withdrawn registration's queue on %s", (backend) => {
  it("reports each push unrouted while no registration reads the queue, and stops at the window's end", async () => {
    const store = await storeOn(backend);
    const r = withdrawn();
    await queuePush(store, r, 'p1');
    await queuePush(store, r, 'p2', new Uint8Array(0));
    const { h, seen } = host(() => false);
    // A window that outlasts both pushes however slow the machine; its end is then waited for.
    const q = queues(store, h);
    q.drain(r, 3_000);
    await until(() => seen.unrouted.length === 2, 10_000, 'both pushes reported');
    // The one that does not read is reported with its datagram.
    expect(seen.unrouted).toEqual(['p1', 'undecodable p2']);
    // Asked for this application, before it started and for each push.
    expect(seen.asked).toEqual([r.recordId, r.recordId, r.recordId]);
    await until(() => !q.draining(r), 10_000, "the window's end");
    await queuePush(store, r, 'late');
    // The drain's consumer is gone: the push stays, however long it waits.
    await sleep(300);
    expect(seen.unrouted).toHaveLength(2);
    expect(await store.queues.counts(queueName(r))).toMatchObject({ ready: 1, inFlight: 0 });
  });

  it('does not start while a registration reads the queue', async () => {
    const store = await storeOn(backend);
    const r = withdrawn();
    await queuePush(store, r, 'p1');
    const { h, seen } = host(() => true);
    queues(store, h).drain(r, 5_000);
    await until(() => seen.asked.length === 1, 5_000, 'the reader asked for');
    await sleep(300);
    expect(seen.unrouted).toEqual([]);
    expect(await store.queues.counts(queueName(r))).toMatchObject({ ready: 1, inFlight: 0 });
  });

  it('gives the push in hand back and ends once a registration reads the queue', async () => {
    const store = await storeOn(backend);
    const r = withdrawn();
    await queuePush(store, r, 'p1');
    let reader = false;
    const { h, seen } = host(() => reader);
    queues(store, h).drain(r, 5_000);
    await until(() => seen.unrouted.length === 1, 5_000, 'the first push reported');
    reader = true;
    await queuePush(store, r, 'p2');
    await queuePush(store, r, 'p3');
    await until(() => seen.asked.length === 3, 10_000, 'the reader asked for at the second push');
    // The push in hand goes back: both wait in the queue, none in hand.
    const settled = async () => {
      const c = await store.queues.counts(queueName(r));
      return c.ready === 2 && c.inFlight === 0;
    };
    await until(settled, 10_000, 'both pushes back in the queue');
    expect(seen.unrouted).toEqual(['p1']);
    expect(seen.asked).toHaveLength(3);
  });

  it('hands what it takes to a registration of this node that starts during the drain', async () => {
    const store = await storeOn(backend);
    const r = withdrawn();
    const { h, seen } = host(() => false);
    const q = queues(store, h);
    q.drain(r, 5_000);
    await until(() => seen.asked.length === 1, 5_000, 'the drain to start');
    const again = withdrawn();
    q.start(again);
    await queuePush(store, r, 'p1');
    await until(() => seen.handed.length === 1, 5_000, 'the push handed over');
    expect(seen.handed).toEqual(['p1']);
    expect(seen.unrouted).toEqual([]);
  });
});

describe('a drain asked while the same application stops on this node', () => {
  it('takes its consumer over, still stopping: the queue is drained', async () => {
    const store = await storeOn('memory');
    const r = withdrawn();
    const { h, seen } = host(() => false);
    const q = queues(store, h);
    q.start(r);
    // stop() lets its consumer go a turn later; the drain comes before that turn.
    q.stop(r);
    q.drain(r, 5_000);
    await queuePush(store, r, 'p1');
    await until(() => seen.unrouted.length === 1, 10_000, 'the push reported');
    expect(seen.unrouted).toEqual(['p1']);
    expect(seen.handed).toEqual([]);
  });
});

describe('a drain still asking whether to start', () => {
  it('is taken over by a registration of this node that starts meanwhile: it consumes the queue', async () => {
    const store = await storeOn('memory');
    const r = withdrawn();
    let answer!: (read: boolean) => void;
    const { h, seen } = host(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const q = queues(store, h);
    q.drain(r, 5_000);
    q.start(withdrawn());
    answer(false);
    await queuePush(store, r, 'p1');
    await until(() => seen.handed.length === 1, 5_000, 'the push handed over');
    expect(seen.handed).toEqual(['p1']);
    expect(seen.unrouted).toEqual([]);
  });
});

describe('a push the drain cannot give back', () => {
  it('is reported, not dropped: the queue is full, the push in hand counting', async () => {
    const store = await storeOn('memory', 2);
    const r = withdrawn();
    await queuePush(store, r, 'p1');
    await queuePush(store, r, 'p2');
    // A reader appears at the first push: it goes back, into a queue that holds its most.
    const { h, seen } = host(() => seen.asked.length > 1);
    const failures: unknown[] = [];
    h.unrouted = (u) => {
      seen.unrouted.push(u.event === undefined ? 'undecodable' : u.event.originator);
      failures.push(u.error);
    };
    queues(store, h).drain(r, 5_000);
    await until(() => seen.unrouted.length === 1, 10_000, 'the push it could not give back reported');
    expect(seen.unrouted).toEqual(['p1']);
    expect(failures[0]).toMatchObject({ code: 'QUEUE_FULL' });
    await until(async () => (await store.queues.counts(queueName(r))).inFlight === 0, 10_000, 'p1 settled');
    expect(await store.queues.counts(queueName(r))).toMatchObject({ ready: 1, inFlight: 0 });
  });

  it.each(['memory', 'redis'])(
    'is left in hand, not reported, while the store is away on %s: it comes round again',
    async (backend) => {
      const url = backend === 'redis' ? (await redisServer(cleanup)).url : 'memory';
      const store = await openStore(url, { registrationPollMs: 60_000, queueReclaimMs: 300 });
      cleanup.push(() => store.close());
      const r = withdrawn();
      await queuePush(store, r, 'p1');
      // A reader appears at the first push: it goes back, but the store does not take it.
      const { h, seen } = host(() => seen.asked.length > 1);
      const errors: unknown[] = [];
      h.storeError = (e) => void errors.push(e);
      const stored = store.queues;
      const enqueue = stored.enqueue.bind(stored);
      stored.enqueue = () => Promise.reject(new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'away'));
      cleanup.push(() => void (stored.enqueue = enqueue));
      const q = queues(store, h);
      q.drain(r, 5_000);
      await until(() => errors.length === 1, 10_000, 'the give-back failed');
      await until(() => !q.draining(r), 10_000, 'the drain ended');
      expect(errors[0]).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(seen.unrouted).toEqual([]);
      // Unacknowledged: once it lapsed in hand, the application's next consumer takes it.
      expect(await store.queues.counts(queueName(r))).toMatchObject({ ready: 0, inFlight: 1 });
      await sleep(400);
      const again = await store.queues.reclaim(queueName(r));
      expect(again.map((i) => i.attributes.o)).toEqual(['p1']);
    },
  );

  it('is reported when whether the queue has a reader cannot be read, and the queue is full', async () => {
    const store = await storeOn('memory', 1);
    const r = withdrawn();
    await queuePush(store, r, 'p1');
    const { h, seen } = host(() => {
      if (seen.asked.length > 1) throw new Error('the store is away');
      return false;
    });
    const failures: unknown[] = [];
    h.unrouted = (u) => {
      seen.unrouted.push(u.event === undefined ? 'undecodable' : u.event.originator);
      failures.push(u.error);
    };
    queues(store, h).drain(r, 5_000);
    await until(() => seen.unrouted.length === 1, 10_000, 'the push reported');
    expect(failures[0]).toMatchObject({ code: 'QUEUE_FULL' });
  });
});

describe("the drain's window", () => {
  it('is cleared when the queues close', async () => {
    const store = await storeOn('memory');
    // The readBy answer never comes: the window's timer is the only one the drain holds.
    const { h } = host(() => new Promise<boolean>(() => {}));
    const q = new StoreQueues(store, h, 5_000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    q.drain(withdrawn(), 60_000);
    expect(vi.getTimerCount()).toBe(1);
    await q.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
