// Records another version of wappush wrote, and records no registrar wrote, in a shared store
// (docs/pushcai.md "Application ids in the store"): a node follows a holder's record by the
// queue that holder reads, the id the record is stored under; a record whose value is no
// registration is skipped. Nodes on a real redis-server of the test's own; a node of the
// version before is played by a store of its own node id holding a record in that version's
// form (its heartbeat keeps it live).
import { afterEach, describe, expect, it } from 'vitest';
import { unnamedRecordIdBefore } from '../../src/cai/recordId.js';
import { PushClient } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { Registration } from '../../src/cai/registration.js';
import { openStore } from '../../src/store/open.js';
import { nodeSmsc, redisServer, type Cleanup } from '../durable/nodes.js';
import { APP, clusterNode, outcome } from './cluster.js';
import { datagram, slPush, until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** An unnamed application of APP on OTA-WSP port 2948 expecting pushes from SMS address `from`. */
const unnamed = (from: string) => ({
  pushApplicationId: APP,
  connectionProfiles: [{ protocol: 'OTA-WSP', port: 2948, contactPoint: from }],
});

const pushFrom = (from: string) => datagram(slPush('http://example.com/old', APP), { originator: from });

describe('a record of the version before (unnamed, under the id its App ID gave)', () => {
  it("is followed by the queue its holder reads: a push goes to the old id's queue", async () => {
    const redis = await redisServer(cleanup);
    const old = await openStore(redis.url, { nodeId: 'old-node' });
    cleanup.push(() => old.close());
    const a = await clusterNode(cleanup, redis.url);
    const oldQueue = `app:${unnamedRecordIdBefore(APP)}`;
    await old.registrations.put(`${unnamedRecordIdBefore(APP)}.old-node`, unnamed('9201'));
    await until(() => a.client.followedRegistrations().length === 1, 5_000, 'the old record followed');
    a.client.deliverDatagram(pushFrom('9201'));
    await until(
      async () => (await a.store.queues.counts(oldQueue)).ready === 1,
      5_000,
      "the push in the old id's queue",
    );
    // Not the queue this version names it by, which no node of the version before reads.
    const now = new Registration(1, unnamed('9201'), [
      { protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 2948, contactPoint: '9201' },
    ]);
    expect(await a.store.queues.counts(`app:${now.recordId}`)).toMatchObject({ ready: 0 });
  });
});

describe('the queue the version before names every unnamed application of an App ID by', () => {
  it('is forwarded by a node holding one while no record is stored under that id: the push reaches its application', async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url);
    const got: string[] = [];
    const request = {
      ...unnamed('9201'),
      handler: (e: PushEvent) => void got.push(String((e.toJSON() as { body?: { href?: string } }).body?.href)),
    };
    expect(await outcome(await a.client.register(request))).toEqual({ status: 'success' });
    // As a node of the version before puts a push for it in the queue it names it by.
    const old = await openStore(redis.url, { nodeId: 'old-node' });
    cleanup.push(() => old.close());
    const d = pushFrom('9201');
    await old.queues.enqueue(`app:${unnamedRecordIdBefore(APP)}`, {
      data: d.payload,
      attributes: { o: d.originator, r: d.recipient, n: '1', dp: '2948' },
    });
    await until(() => got.length === 1, 10_000, 'the push to reach the application');
    expect(got).toEqual(['http://example.com/old']);
  });

  it('is left to its holder of the version before while a record is stored under that id', async () => {
    const redis = await redisServer(cleanup);
    const old = await openStore(redis.url, { nodeId: 'old-node' });
    cleanup.push(() => old.close());
    await old.registrations.put(`${unnamedRecordIdBefore(APP)}.old-node`, unnamed('9202'));
    const a = await clusterNode(cleanup, redis.url);
    expect(await outcome(await a.client.register(unnamed('9201')))).toEqual({ status: 'success' });
    const d = pushFrom('9202');
    await old.queues.enqueue(`app:${unnamedRecordIdBefore(APP)}`, {
      data: d.payload,
      attributes: { o: d.originator, r: d.recipient, n: '1', dp: '2948' },
    });
    // Nothing takes it here: it waits for the old node's consumer.
    await new Promise((r) => setTimeout(r, 500));
    expect(await a.store.queues.counts(`app:${unnamedRecordIdBefore(APP)}`)).toMatchObject({ ready: 1, inFlight: 0 });
  });
});

describe('a record whose value is no registration', () => {
  it('is skipped, said once as a store error: the records beside it are followed', async () => {
    const redis = await redisServer(cleanup);
    const other = await openStore(redis.url, { nodeId: 'other-node' });
    cleanup.push(() => other.close());
    await other.registrations.put('junk.other-node', null);
    await other.registrations.put(`${unnamedRecordIdBefore(APP)}.other-node`, unnamed('9201'));
    const errors: unknown[] = [];
    const { port } = await nodeSmsc(cleanup);
    const store = await openStore(redis.url, { registrationPollMs: 100 });
    cleanup.push(() => store.close());
    let reads = 0;
    const list = store.registrations.list.bind(store.registrations);
    store.registrations.list = () => (reads++, list());
    const a = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp: false });
    cleanup.push(() => a.close());
    a.on('store-error', (e) => errors.push(e));
    await a.start();
    await until(() => a.followedRegistrations().length === 1, 5_000, 'the record beside it followed');
    reads = 0;
    // Several reads of the table later, it was said once.
    await until(() => reads >= 3, 5_000, 'three more reads');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('is skipped when a store one process owns is restored: the registrations beside it come back', async () => {
    const store = await openStore('memory', { registrationPollMs: 60_000 });
    cleanup.push(() => store.close());
    await store.registrations.put(`junk.${store.nodeId}`, null);
    await store.registrations.put(`${unnamedRecordIdBefore(APP)}.${store.nodeId}`, unnamed('9201'));
    const { port } = await nodeSmsc(cleanup);
    const a = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp: false });
    cleanup.push(() => a.close());
    await a.start();
    expect(a.registrations().map((r) => r.profiles[0].contactPoint)).toEqual(['9201']);
  });

  it('forwards what the old queue holds on a store one process owns whose own record is in the old form', async () => {
    const store = await openStore('memory', { registrationPollMs: 60_000 });
    cleanup.push(() => store.close());
    const oldQueue = `app:${unnamedRecordIdBefore(APP)}`;
    await store.registrations.put(`${unnamedRecordIdBefore(APP)}.${store.nodeId}`, unnamed('9201'));
    const d = pushFrom('9201');
    await store.queues.enqueue(oldQueue, {
      data: d.payload,
      attributes: { o: d.originator, r: d.recipient, n: '1', dp: '2948' },
    });
    const { port } = await nodeSmsc(cleanup);
    const a = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp: false });
    cleanup.push(() => a.close());
    const unrouted: unknown[] = [];
    a.on('unrouted', (u) => unrouted.push(u));
    await a.start();
    // Its own record under the old id is its restored registration, not a holder of the old
    // queue: what that queue held is routed again as a push arriving now, here to the restored
    // registration, which has no handler until its application registers again.
    await until(
      async () => {
        const c = await store.queues.counts(oldQueue);
        return c.ready === 0 && c.inFlight === 0;
      },
      5_000,
      'the old queue forwarded',
    );
    await until(() => unrouted.length === 1, 5_000, 'the forwarded push routed');
    expect(unrouted).toMatchObject([{ reason: 'no-handler' }]);
  });
});
