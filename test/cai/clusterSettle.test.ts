// A registration on a store other nodes share, between its write and the end of the check that
// follows it (registrar.ts settleDuplicate, docs/pushcai.md "Duplicates across nodes"): what
// this node saves meanwhile keeps its record; a deregistration meanwhile stands; a withdrawal's
// write that fails is tried again; a close ends the wait. A real redis-server of the test's own,
// nodes on real SMPP links; a gate holds a node at its read after the write. On memory and
// lmdb, which no other process shares, there is no check after the write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redisServer, type Cleanup } from '../durable/nodes.js';
import { APP, clusterNode, gateReads, outcome, settleOrder } from './cluster.js';
import { until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const named = (name: string) => ({ pushApplicationId: APP, applicationId: `urn:example:${name}` });

async function storedNames(table: { list(): Promise<Array<{ value: unknown }>> }): Promise<string[]> {
  return (await table.list()).map((r) => String((r.value as { applicationId?: string }).applicationId)).sort();
}

/**
 * Node A holding a registration that sorts first at its wait for B's duplicate to withdraw:
 * B's stays (stored and checked before A wrote), so A waits for B's to go, reading the table
 * again. A's follower polls no more than once a minute, so the reads counted are those of the
 * wait and of changes announced.
 */
async function waitingOnDuplicate() {
  const redis = await redisServer(cleanup);
  const [first, second] = settleOrder('a', 'b');
  const a = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 60_000 }, { registrationPollMs: 60_000 });
  const b = await clusterNode(cleanup, redis.url);
  const reads = gateReads(a.store.registrations);
  cleanup.push(() => reads.open());
  reads.shut();
  expect(await outcome(await b.client.register(named(second)))).toEqual({ status: 'success' });
  const early = await a.client.register(named(first));
  await until(async () => (await storedNames(b.store.registrations)).length === 2, 5_000, 'both stored');
  const before = reads.calls;
  reads.open();
  await until(() => reads.calls >= before + 2, 5_000, 'A to read again while it waits');
  return { a, b, early, second, reads };
}

describe('a registration between its write and the check after it', () => {
  it("keeps its record through another registration's save on the same node", async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url);
    const b = await clusterNode(cleanup, redis.url);
    const deleted: string[] = [];
    const del = a.store.registrations.delete.bind(a.store.registrations);
    a.store.registrations.delete = (id) => {
      deleted.push(id);
      return del(id);
    };
    const reads = gateReads(a.store.registrations);
    cleanup.push(() => reads.open());
    reads.shut();
    const first = await a.client.register(named('a'));
    // Written, and held at its read after the write (nothing else on A reads the table now: B writes nothing).
    await until(() => reads.waiting > 0, 5_000, 'A to read after its write');
    // Another App ID on the same node: its save writes this node's records as they are.
    const second = await a.client.register({ pushApplicationId: 'x-example:other.ua', applicationId: 'urn:example:z' });
    await until(async () => (await storedNames(b.store.registrations)).includes('urn:example:z'), 5_000, 'z stored');
    reads.open();
    expect(await outcome(second)).toEqual({ status: 'success' });
    expect(await outcome(first)).toEqual({ status: 'success' });
    expect(deleted).toEqual([]);
    expect(await storedNames(b.store.registrations)).toEqual(['urn:example:a', 'urn:example:z']);
    // B follows it, so another application of its App ID on its binding is refused there.
    await until(
      () => b.client.followedRegistrations().some((r) => r.applicationId === 'urn:example:a'),
      5_000,
      'B to follow a',
    );
    expect(await b.client.register(named('b'))).toMatchObject({
      status: 'rejected',
      reason: 'duplicate-application-id',
    });
  });

  it('deregistered meanwhile, it stays out of the registry, the routes and the store', async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url);
    const reads = gateReads(a.store.registrations);
    cleanup.push(() => reads.open());
    reads.shut();
    const r = await a.client.register(named('a'));
    if (r.status !== 'accepted') throw new Error(r.message);
    await until(() => reads.waiting > 0, 5_000, 'A to read after its write');
    expect(await a.client.deregister(r.registration)).toEqual({ status: 'success' });
    reads.open();
    expect(await r.completed).toMatchObject({ status: 'failure', reason: 'deregistered' });
    expect(a.client.registrations()).toEqual([]);
    expect(r.registration.state).toBe('deregistered');
    expect(await a.store.registrations.list()).toEqual([]);
  });

  it('withdrawn as a duplicate, its record goes though the first write taking it out fails', async () => {
    const redis = await redisServer(cleanup);
    const [first, second] = settleOrder('a', 'b');
    const a = await clusterNode(cleanup, redis.url, { storeRetry: { initialMs: 20, maxMs: 100 } });
    const b = await clusterNode(cleanup, redis.url);
    // A reads nothing of B's until its read after its own write: it admits the duplicate.
    const reads = gateReads(a.store.registrations);
    cleanup.push(() => reads.open());
    reads.shut();
    expect(await outcome(await b.client.register(named(first)))).toEqual({ status: 'success' });
    const errors: unknown[] = [];
    a.client.on('store-error', (e) => errors.push(e));
    let failDeletes = 1;
    const del = a.store.registrations.delete.bind(a.store.registrations);
    a.store.registrations.delete = (id) => {
      if (failDeletes-- > 0) return Promise.reject(new Error('store away (test)'));
      return del(id);
    };
    const late = await a.client.register(named(second));
    expect(late.status).toBe('accepted');
    await until(async () => (await storedNames(b.store.registrations)).length === 2, 5_000, 'both stored');
    reads.open();
    // It sorts after B's: it withdraws at once; the write without it fails, and is tried again.
    expect(await outcome(late)).toMatchObject({ status: 'failure', reason: 'duplicate-application-id' });
    expect(errors.map((e) => (e as Error).message)).toEqual(['store away (test)']);
    await until(
      async () => (await storedNames(b.store.registrations)).join() === `urn:example:${first}`,
      5_000,
      'the withdrawn record to go',
    );
  });

  it('closed while it waits for a duplicate to withdraw, it fails as closed', async () => {
    const { a, b, early, second } = await waitingOnDuplicate();
    await a.client.close();
    expect(await outcome(early)).toMatchObject({ status: 'failure', reason: 'closed' });
    expect(await storedNames(b.store.registrations)).toEqual([`urn:example:${second}`]);
  });

  it('deregistered while it waits for a duplicate to withdraw, it stops waiting', async () => {
    const { a, b, early, second, reads } = await waitingOnDuplicate();
    if (early.status !== 'accepted') throw new Error(early.message);
    expect(await a.client.deregister(early.registration)).toEqual({ status: 'success' });
    const atDeregistration = reads.calls;
    // Well before the 60 s bound: the wait ends at its next look, without reading the table
    // again (a read in flight, and the one its leaving asks of the follower, at most).
    const done = await Promise.race([
      early.completed,
      new Promise((r) => setTimeout(() => r('still waiting after 5 s'), 5_000).unref()),
    ]);
    expect(done).toMatchObject({ status: 'failure', reason: 'deregistered' });
    expect(reads.calls - atDeregistration).toBeLessThanOrEqual(3);
    expect(await storedNames(b.store.registrations)).toEqual([`urn:example:${second}`]);
  });
});

describe('a registration on a store no other process shares', () => {
  it.each(['memory', 'lmdb'])('is not checked after its write on %s: no extra read of the table', async (backend) => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-settle-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const a = await clusterNode(
      cleanup,
      backend === 'memory' ? 'memory' : join(dir, 'state'),
      {},
      { registrationPollMs: 60_000 },
    );
    const reads = gateReads(a.store.registrations);
    expect(await outcome(await a.client.register(named('a')))).toEqual({ status: 'success' });
    await new Promise((r) => setTimeout(r, 200));
    // Only the follower's read at the change it made (routed: nothing on another node to check).
    expect(reads.calls).toBe(1);
  });
});
