// The forwarding of the queue the version before names every unnamed application of an App ID
// by (src/cai/forwarder.ts; docs/pushcai.md "Application ids in the store"): a dead holder's
// record does not stop it, a failed read of the record table is tried again, a push that cannot
// be stored again while the store is away comes round again (reported once, or not at all), a
// deferral is counted once each time round, and a follower that lags makes it wait rather than spin. On the
// memory and lmdb stores and a real redis-server of the test's own; a node of the version
// before is played by a store of its own node id holding a record in that version's form.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient, type PushClientOptions, type UnroutedPush } from '../../src/cai/client.js';
import { PushEvent } from '../../src/cai/pushEvent.js';
import { applicationRecordId, unnamedRecordIdBefore } from '../../src/cai/recordId.js';
import { queueName, StoreQueues, type QueueHost } from '../../src/cai/storeQueues.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { StoreError, StoreErrorCode } from '../../src/store/errors.js';
import type { MemoryStore } from '../../src/store/memory.js';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { Store } from '../../src/store/types.js';
import { nodeSmsc, redisServer, type Cleanup } from '../durable/nodes.js';
import { APP, outcome } from './cluster.js';
import { datagram, slPush, until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const OLD = unnamedRecordIdBefore(APP);
const OLD_QUEUE = `app:${OLD}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const unavailable = () => new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'the test took the store away');

/** An unnamed application of APP on OTA-WSP port 2948 expecting pushes from SMS address `from`. */
const unnamed = (from: string, more: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  pushApplicationId: APP,
  connectionProfiles: [{ protocol: 'OTA-WSP', port: 2948, contactPoint: from }],
  ...more,
});

/** The record a node of the version before wrote for an unnamed application from `from` (its request). */
const recordOf = (from: string) => ({
  pushApplicationId: APP,
  connectionProfiles: [{ protocol: 'OTA-WSP', port: 2948, contactPoint: from }],
});

/** A store on `backend`, closed at cleanup; a Redis URL when the test has a server already. */
async function storeOn(backend: string, options: StoreOptions = {}, url?: string): Promise<Store> {
  let spec = backend;
  if (backend === 'redis') spec = url ?? (await redisServer(cleanup)).url;
  else if (backend === 'lmdb') {
    spec = mkdtempSync(join(tmpdir(), 'wappush-forward-'));
    const dir = spec;
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  }
  const store = await openStore(spec, options);
  cleanup.push(() => store.close());
  return store;
}

/** A started PushClient on `store`, with what it reports collected. */
async function nodeOn(store: Store, options: Omit<PushClientOptions, 'smsc' | 'store'> = {}) {
  const { port } = await nodeSmsc(cleanup);
  const client = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp: false, ...options });
  cleanup.push(() => client.close());
  const seen = { unrouted: [] as UnroutedPush[], storeErrors: [] as unknown[], deferred: 0 };
  client.on('unrouted', (u) => void seen.unrouted.push(u));
  client.on('store-error', (e) => void seen.storeErrors.push(e));
  client.on('deferred', () => void seen.deferred++);
  await client.start();
  return { client, seen };
}

/** Registers an unnamed application from `from` whose handler collects each push's href into `got`. */
async function registerInto(client: PushClient, from: string, got: string[], more: Partial<RegistrationRequest> = {}) {
  const request = unnamed(from, {
    handler: (e: PushEvent) => void got.push(String((e.toJSON() as { body?: { href?: string } }).body?.href)),
    ...more,
  });
  expect(await outcome(await client.register(request))).toEqual({ status: 'success' });
}

/** As a node of the version before puts a push from `from` in the old queue. */
async function queueOld(store: Store, from: string, href: string): Promise<void> {
  const d = datagram(slPush(href, APP), { originator: from });
  await store.queues.enqueue(OLD_QUEUE, {
    data: d.payload,
    attributes: { o: d.originator, r: d.recipient, n: '1', dp: '2948' },
  });
}

const emptied =
  (store: Store, queue = OLD_QUEUE) =>
  async () => {
    const c = await store.queues.counts(queue);
    return c.ready === 0 && c.inFlight === 0;
  };

describe.each(['memory', 'redis'])('a live holder of the old queue on %s', (backend) => {
  it('holds the forwarding while it lives; once it dies, the forwarding resumes', async () => {
    const url = backend === 'redis' ? (await redisServer(cleanup)).url : undefined;
    const store = await storeOn(backend, { registrationPollMs: 200 }, url);
    const old =
      backend === 'memory' ? (store as MemoryStore).attach() : await storeOn(backend, { nodeId: 'old-node' }, url);
    const { client, seen } = await nodeOn(store);
    const record = `${OLD}.${old.nodeId}`;
    // Written once this node runs: followed, not restored (memory restores what it finds at start).
    await old.registrations.put(record, recordOf('9202'));
    await until(() => client.followedRegistrations().length === 1, 5_000, 'the old record followed');
    const got: string[] = [];
    await registerInto(client, '9201', got);
    await queueOld(old, '9201', 'http://example.com/after-death');
    // Several of this node's polls: the holder's consumer would take it; this node does not.
    await sleep(800);
    expect(got).toEqual([]);
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 1, inFlight: 0 });
    // Its record stays (on Redis the follower would collect it): only its node's liveness goes.
    const table = store.registrations;
    const remove = table.delete.bind(table);
    table.delete = (id) => (id === record ? table.version() : remove(id));
    // Its node stops without a word (its liveness goes with its store).
    await old.close();
    await until(() => got.length === 1, 10_000, 'the push forwarded once the holder died');
    expect(got).toEqual(['http://example.com/after-death']);
    expect(seen.unrouted).toEqual([]);
    expect((await store.registrations.list()).map((r) => r.id)).toContain(record);
  });
});

describe('a failed read of the record table', () => {
  it("is tried again with storeRetry's backoff: the forwarding starts once a read succeeds", async () => {
    const store = await storeOn('memory', { registrationPollMs: 60_000 });
    const { client, seen } = await nodeOn(store, { storeRetry: { initialMs: 100, maxMs: 400 } });
    const table = store.registrations;
    const list = table.list.bind(table);
    let failing = false;
    let reads = 0;
    table.list = async () => {
      reads++;
      if (failing) throw unavailable();
      return list();
    };
    failing = true;
    const got: string[] = [];
    await registerInto(client, '9201', got);
    await queueOld(store, '9201', 'http://example.com/after-failures');
    await until(() => reads >= 3, 5_000, 'three failed reads');
    // Backed off: a handful of reads in a second, not a loop.
    const before = reads;
    await sleep(1_000);
    expect(reads - before).toBeLessThan(6);
    expect(got).toEqual([]);
    failing = false;
    await until(() => got.length === 1, 5_000, 'the push forwarded once the table reads');
    expect(seen.storeErrors.length).toBeGreaterThanOrEqual(3);
    expect(seen.unrouted).toEqual([]);
  });

  it('with a push in hand leaves it unacknowledged: it comes round again, reported nowhere', async () => {
    const store = await storeOn('memory', { registrationPollMs: 60_000, queueReclaimMs: 500 });
    const { client, seen } = await nodeOn(store, { storeRetry: { initialMs: 100, maxMs: 400 } });
    const got: string[] = [];
    await registerInto(client, '9201', got);
    // The forwarding has started (its first read done): the next read is the one for the push.
    await sleep(300);
    const table = store.registrations;
    const list = table.list.bind(table);
    let fail = 1;
    table.list = async () => {
      if (fail > 0) {
        fail--;
        throw unavailable();
      }
      return list();
    };
    await queueOld(store, '9201', 'http://example.com/in-hand');
    await until(() => got.length === 1, 10_000, 'the push forwarded when it came round');
    expect(fail).toBe(0);
    expect(got).toEqual(['http://example.com/in-hand']);
    expect(seen.unrouted).toEqual([]);
    await until(emptied(store), 5_000, 'the old queue empty');
  });
});

describe.each(['memory', 'lmdb', 'redis'])('a forwarded push the store cannot take again on %s', (backend) => {
  it('while the store is away: not reported, it comes round again and reaches its application once', async () => {
    const store = await storeOn(backend, { registrationPollMs: 200, queueReclaimMs: 500 });
    const { client, seen } = await nodeOn(store);
    const got: string[] = [];
    await registerInto(client, '9201', got);
    const queues = store.queues;
    const enqueue = queues.enqueue.bind(queues);
    let refused = 0;
    // The first time it is routed again, its application's queue is away.
    queues.enqueue = (queue, entry) => {
      if (queue !== OLD_QUEUE && refused === 0) {
        refused++;
        return Promise.reject(unavailable());
      }
      return enqueue(queue, entry);
    };
    await queueOld(store, '9201', 'http://example.com/outage');
    await until(() => got.length === 1, 10_000, 'the push forwarded when it came round');
    expect(refused).toBe(1);
    await until(emptied(store), 5_000, 'the old queue empty');
    await sleep(300);
    expect(got).toEqual(['http://example.com/outage']);
    expect(seen.unrouted).toEqual([]);
    expect(seen.storeErrors).toContainEqual(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
  });

  it("with overflow 'redeliver' and its queue full: counted deferred once per time round, not unrouted", async () => {
    const store = await storeOn(backend, { registrationPollMs: 200, queueReclaimMs: 500, maxQueued: 1 });
    const { client, seen } = await nodeOn(store, { overflow: 'redeliver' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    cleanup.push(async () => release());
    const got: string[] = [];
    // The application's handler holds its first push: its queue (maxQueued 1, the push in hand counting) is full.
    await registerInto(client, '9201', got, {
      handler: async (e: PushEvent) => {
        got.push(String((e.toJSON() as { body?: { href?: string } }).body?.href));
        if (got.length === 1) await held;
      },
    });
    const [r] = client.registrations();
    const d = datagram(slPush('http://example.com/first', APP), { originator: '9201' });
    await store.queues.enqueue(queueName(r), { data: d.payload, attributes: { o: '9201', r: d.recipient, n: '1' } });
    await until(() => got.length === 1, 5_000, 'the first push in hand');
    // Each time the forwarded push finds the queue full.
    const queues = store.queues;
    const enqueue = queues.enqueue.bind(queues);
    let full = 0;
    queues.enqueue = (queue, entry) =>
      enqueue(queue, entry).catch((e: unknown) => {
        if (queue !== OLD_QUEUE && e instanceof StoreError && e.code === StoreErrorCode.QUEUE_FULL) full++;
        throw e;
      });
    await queueOld(store, '9201', 'http://example.com/forwarded');
    // Round twice at least (it lapses in hand after 500 ms; the forwarding waits storeRetry's 1 s).
    await until(() => full >= 2, 10_000, 'the forwarded push deferred twice');
    await sleep(100);
    // Not reported as well: it is in the old queue still, in hand, to come round; counted once
    // each time it found the queue full, as a push an SMSC sends again is.
    expect(seen.unrouted).toEqual([]);
    expect(client.stats).toMatchObject({ deferred: full, unrouted: 0 });
    expect(seen.deferred).toBe(full);
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 0, inFlight: 1 });
    release();
    await until(() => got.length === 2, 10_000, 'the forwarded push when it came round');
    expect(got).toEqual(['http://example.com/first', 'http://example.com/forwarded']);
    expect(client.stats).toMatchObject({ deferred: full, unrouted: 0 });
    expect(seen.deferred).toBe(full);
  });
});

describe('a forwarded push for two applications, one of whose queues is full', () => {
  it("is copied into the other's queue once, not each time it comes round", async () => {
    // maxQueued 2: y's queue full of two pushes; x's would take a second copy.
    const store = (await storeOn('memory', {
      registrationPollMs: 200,
      queueReclaimMs: 300,
      maxQueued: 2,
    })) as MemoryStore;
    const other = store.attach();
    cleanup.push(() => other.close());
    const { client, seen } = await nodeOn(store, { overflow: 'redeliver', storeRetry: { initialMs: 100, maxMs: 100 } });
    // The forwarding of the old queue starts with an unnamed application here (on another port).
    await registerInto(client, '9201', [], {
      connectionProfiles: [{ protocol: 'OTA-WSP', port: 2949, contactPoint: '9201' }],
    });
    // Two named applications of APP held by another node of this version: a push from any
    // source on port 2948 is queued for both (two records as a race of duplicates leaves them).
    const queues: string[] = [];
    for (const name of ['x', 'y']) {
      const id = applicationRecordId(APP, `urn:example:${name}`, undefined);
      queues.push(`app:${id}`);
      await other.registrations.put(`${id}.${other.nodeId}`, {
        pushApplicationId: APP,
        applicationId: `urn:example:${name}`,
      });
    }
    const [x, y] = queues;
    // x's enqueue settles later than y's refusal, as on lmdb (a refusal at once, an enqueue at
    // its commit): x must still count as having it when the push is left to come round.
    const enqueue = store.queues.enqueue.bind(store.queues);
    store.queues.enqueue = (queue, entry) =>
      queue === x ? sleep(20).then(() => enqueue(queue, entry)) : enqueue(queue, entry);
    await until(() => client.followedRegistrations().length === 2, 5_000, 'both followed');
    for (const n of [1, 2])
      await store.queues.enqueue(y, { data: new Uint8Array([n]), attributes: { o: 'f', r: 'r', n: '1' } });
    await queueOld(store, '9300', 'http://example.com/both');
    await until(() => client.stats.deferred >= 3, 10_000, 'the push round three times');
    expect(await store.queues.counts(x)).toMatchObject({ ready: 1, inFlight: 0 });
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 0, inFlight: 1 });
    // y takes it once it has room: the old queue empties, and x has still its one copy.
    const [first] = await store.queues.take(y);
    await store.queues.ack(y, first.id);
    await until(emptied(store), 5_000, 'the old queue forwarded');
    expect(await store.queues.counts(x)).toMatchObject({ ready: 1, inFlight: 0 });
    expect(await store.queues.counts(y)).toMatchObject({ ready: 2, inFlight: 0 });
    expect(seen.unrouted).toEqual([]);
  });
});

describe('a follower that has not seen the old holder go', () => {
  it('makes the forwarding wait, not route the push back into the old queue in a loop', async () => {
    const store = (await storeOn('memory', { registrationPollMs: 200 })) as MemoryStore;
    const old = store.attach();
    cleanup.push(() => old.close());
    const record = `${OLD}.${old.nodeId}`;
    const { client, seen } = await nodeOn(store);
    await old.registrations.put(record, recordOf('9202'));
    await until(() => client.followedRegistrations().length === 1, 5_000, 'the old record followed');
    const got: string[] = [];
    await registerInto(client, '9201', got);
    // The follower's reads stop at the liveness of the nodes they name: it routes pushes from
    // 9202 to the old holder (its queue, the old one) until it reads again.
    let shut = true;
    let waiting = 0;
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    cleanup.push(async () => open());
    const liveNodes = store.liveNodes.bind(store);
    store.liveNodes = async (ids) => {
      if (shut) {
        waiting++;
        await opened;
      }
      return liveNodes(ids);
    };
    // This node puts nothing in the old queue but what it gives back; should it route the push
    // there again and again, the loop is cut here (on memory it never yields to a timer).
    const queues = store.queues;
    const enqueue = queues.enqueue.bind(queues);
    let intoOld = 0;
    queues.enqueue = (queue, entry) => {
      if (queue === OLD_QUEUE && ++intoOld > 50)
        return Promise.reject(new Error('routed into the old queue in a loop'));
      return enqueue(queue, entry);
    };
    // The holder goes (its record deleted), unseen by the follower held at its read.
    await old.registrations.delete(record);
    await until(() => waiting >= 1, 5_000, "the follower's read held");
    await queueOld(old, '9202', 'http://example.com/lagging');
    // Another unnamed application of the App ID starts here: the forwarding asks again.
    await registerInto(client, '9203', got);
    await sleep(600);
    expect(intoOld).toBe(0);
    expect(await store.queues.counts(OLD_QUEUE)).toMatchObject({ ready: 1, inFlight: 0 });
    // The follower reads again: the push is routed as one arriving now (no one takes 9202's).
    shut = false;
    open();
    await until(emptied(store), 5_000, 'the old queue forwarded');
    await until(() => seen.unrouted.length === 1, 5_000, 'the push routed again');
    expect(seen.unrouted).toMatchObject([{ reason: 'contact-point' }]);
    expect(intoOld).toBe(0);
    expect(got).toEqual([]);
  });
});

describe.each(['memory', 'redis'])('a push in hand given back to the old queue on %s', (backend) => {
  /** A QueueHost whose storedUnder answers `holder()`; what it is given, recorded. */
  function host(holder: () => boolean) {
    const seen = { unrouted: [] as unknown[], redispatched: [] as string[] };
    const h: QueueHost = {
      eventOf: (d) =>
        new PushEvent({
          protocol: 'OTA-WSP',
          datagram: d,
          bodyOffset: 0,
          contentType: 'application/vnd.wap.slc',
          applicationId: APP,
          port: 2948,
          originator: d.originator,
          recipient: d.recipient,
          transactionId: 1,
        }),
      httpEventOf: () => {
        throw new Error('no OTA-HTTP push here');
      },
      handOver: () => {},
      delivered: () => {},
      error: () => {},
      timeout: () => {},
      claimed: () => {},
      storeError: () => {},
      readBy: () => Promise.resolve(false),
      unrouted: (u) => void seen.unrouted.push(u.error),
      withdrawnDuplicate: () => {},
      storedUnder: () => Promise.resolve(holder()),
      redispatch: (e) => (seen.redispatched.push(e.originator), Promise.resolve()),
    };
    return { h, seen };
  }

  it('while the store is away stays in hand, not reported: it comes round again', async () => {
    const store = await storeOn(backend, { queueReclaimMs: 500 });
    // No holder when the forwarding starts; one once the push is taken.
    let holder = false;
    let asked = 0;
    const { h, seen } = host(() => (asked++ === 0 ? false : holder));
    const queues = store.queues;
    const enqueue = queues.enqueue.bind(queues);
    let refused = 0;
    const q = new StoreQueues(store, h, 5_000, { recheckMs: 100, retry: { initialMs: 100, maxMs: 100 } });
    cleanup.push(() => q.close());
    q.forward(OLD);
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    await sleep(100);
    holder = true;
    queues.enqueue = (queue, entry) => {
      // The first give-back finds the store away.
      if (refused === 0 && asked > 1) {
        refused++;
        return Promise.reject(unavailable());
      }
      return enqueue(queue, entry);
    };
    await enqueue(OLD_QUEUE, { data: new Uint8Array([1]), attributes: { o: 'p1', r: 'r', n: '1' } });
    await until(() => refused === 1, 5_000, 'the give-back refused');
    await sleep(200);
    expect(seen.unrouted).toEqual([]);
    expect(await enqueueCounts(store)).toMatchObject({ ready: 0, inFlight: 1 });
    // The holder goes: the forwarding takes the push again once it lapsed in hand.
    holder = false;
    await until(() => seen.redispatched.length === 1, 10_000, 'the push forwarded when it came round');
    expect(seen.redispatched).toEqual(['p1']);
    expect(seen.unrouted).toEqual([]);
  });

  it('to a full queue is reported unrouted with QUEUE_FULL', async () => {
    const store = await storeOn(backend, { maxQueued: 1 });
    let holder = false;
    let asked = 0;
    const { h, seen } = host(() => (asked++ === 0 ? false : holder));
    const q = new StoreQueues(store, h, 5_000, { recheckMs: 60_000, retry: { initialMs: 100, maxMs: 100 } });
    cleanup.push(() => q.close());
    q.forward(OLD);
    await until(() => asked >= 1, 5_000, 'the forwarding to ask');
    await sleep(100);
    holder = true;
    await store.queues.enqueue(OLD_QUEUE, { data: new Uint8Array([1]), attributes: { o: 'p1', r: 'r', n: '1' } });
    await until(() => seen.unrouted.length === 1, 5_000, 'the push reported');
    expect(seen.unrouted).toMatchObject([{ code: 'QUEUE_FULL' }]);
    expect(seen.redispatched).toEqual([]);
  });
});

const enqueueCounts = (store: Store) => store.queues.counts(OLD_QUEUE);
