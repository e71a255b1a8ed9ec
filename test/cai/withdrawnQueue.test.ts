// A registration that withdrew as a duplicate (docs/pushcai.md "Duplicates across nodes"):
// what other nodes queued for it is reported unrouted by its node, but only while no
// registration on any node reads that queue. Nodes on a real redis-server of the test's own,
// on real SMPP links; a gate holds both nodes' reads until both have written (a race).
import { afterEach, describe, expect, it } from 'vitest';
import type { UnroutedPush } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { applicationRecordId } from '../../src/cai/recordId.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { Metrics } from '../../src/ops/metrics.js';
import { redisServer, type Cleanup } from '../durable/nodes.js';
import { parseExposition, sampleValue } from '../ops/exposition.js';
import { APP, clusterNode, gateReads, outcome, settleOrder } from './cluster.js';
import { datagram, slPush, until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Node = Awaited<ReturnType<typeof clusterNode>>;

const named = (name: string, more: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  pushApplicationId: APP,
  applicationId: `urn:example:${name}`,
  ...more,
});

/** The queue of application `urn:example:NAME` of APP, as every node names it (recordId.ts). */
const queueOf = (name: string) => `app:${applicationRecordId(APP, `urn:example:${name}`, undefined)}`;

/** Push `n` as a node routing to an application puts it in that application's queue. */
async function queuePush(node: Node, queue: string, n: number): Promise<void> {
  const d = datagram(slPush(`http://example.com/${n}`, APP), { originator: `+1555000${n}` });
  await node.store.queues.enqueue(queue, {
    data: d.payload,
    attributes: { o: d.originator, r: d.recipient, n: '1', sp: '9200', dp: '2948' },
  });
}

/**
 * Registers `ra` on `a` and `rb` on `b` at once, neither node reading the table until both
 * have written: each admits its registration, and each reads the other's record after its own
 * write. Resolves with both outcomes.
 */
async function race(a: Node, b: Node, ra: RegistrationRequest, rb: RegistrationRequest) {
  const reads = [gateReads(a.store.registrations), gateReads(b.store.registrations)];
  for (const gate of reads) {
    cleanup.push(() => gate.open());
    gate.shut();
  }
  let written = 0;
  for (const table of [a.store.registrations, b.store.registrations]) {
    const put = table.put.bind(table);
    table.put = async (id, value) => {
      const version = await put(id, value);
      if (++written === 2) for (const gate of reads) gate.open();
      return version;
    };
  }
  return Promise.all([outcome(await a.client.register(ra)), outcome(await b.client.register(rb))]);
}

function unroutedOn(...nodes: Node[]): UnroutedPush[] {
  const all: UnroutedPush[] = [];
  for (const n of nodes) n.client.on('unrouted', (u) => all.push(u));
  return all;
}

const href = (e: PushEvent) => String((e.toJSON() as { body?: { href?: string } }).body?.href);

describe('the queue of a registration that withdrew as a duplicate', () => {
  it('is drained by its node: what was queued for it is reported unrouted, and the queue is left empty', async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const b = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const [, loser] = settleOrder('a', 'b');
    const losing = loser === 'a' ? a : b;
    // A push another node queued for it, answered ESME_ROK there, as one following its record does.
    await queuePush(a, queueOf(loser), 1);
    const unrouted = unroutedOn(losing);
    const done = await race(a, b, named('a'), named('b'));
    expect(done.map((x) => x.status).sort()).toEqual(['failure', 'success']);
    await until(() => unrouted.length === 1, 10_000, 'the queued push to be reported');
    expect(unrouted[0]).toMatchObject({
      reason: 'no-registration',
      event: { contentType: 'application/vnd.wap.slc', originator: '+15550001' },
    });
    expect(losing.client.stats.unrouted).toBe(1);
    expect(await a.store.queues.counts(queueOf(loser))).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it('is drained only once the write that took its record out succeeded', async () => {
    const redis = await redisServer(cleanup);
    const options = { duplicateSettleMs: 30_000, storeRetry: { initialMs: 300, maxMs: 300 } };
    const a = await clusterNode(cleanup, redis.url, options);
    const b = await clusterNode(cleanup, redis.url, options);
    const [, loser] = settleOrder('a', 'b');
    const losing = loser === 'a' ? a : b;
    await queuePush(a, queueOf(loser), 1);
    // The withdrawing node's first delete of its record fails: it is retried storeRetry later.
    const log: string[] = [];
    const table = losing.store.registrations;
    const remove = table.delete.bind(table);
    table.delete = async (id) => {
      if (!log.includes('delete-failed')) {
        log.push('delete-failed');
        throw new Error('the store is away');
      }
      const version = await remove(id);
      log.push('deleted');
      return version;
    };
    losing.client.on('unrouted', () => log.push('unrouted'));
    const done = await race(a, b, named('a'), named('b'));
    expect(done.map((x) => x.status).sort()).toEqual(['failure', 'success']);
    await until(() => log.includes('unrouted'), 10_000, 'the queued push to be reported');
    expect(log).toEqual(['delete-failed', 'deleted', 'unrouted']);
  });

  it('is left to the same application registered on another node during the drain: none of its pushes unrouted', async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const b = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const c = await clusterNode(cleanup, redis.url);
    const [, loser] = settleOrder('a', 'b');
    await queuePush(a, queueOf(loser), 0);
    const unrouted = unroutedOn(a, b, c);
    const done = await race(a, b, named('a'), named('b'));
    expect(done.map((x) => x.status).sort()).toEqual(['failure', 'success']);
    // Queued before any registration read it: drained.
    await until(() => unrouted.length === 1, 10_000, 'the push queued before to be reported');
    // The loser's application, on a port of its own on a third node, within the drain's window.
    const got: string[] = [];
    const onC = named(loser, {
      connectionProfiles: [{ protocol: 'OTA-WSP', port: 2949 }],
      handler: (e) => void got.push(href(e)),
    });
    expect(await outcome(await c.client.register(onC))).toEqual({ status: 'success' });
    for (let n = 1; n <= 10; n++) await queuePush(a, queueOf(loser), n);
    await until(() => got.length === 10, 10_000, "every push to reach the third node's application");
    expect(got.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `http://example.com/${i + 1}`).sort());
    expect(unrouted).toHaveLength(1);
  });

  it("of unnamed duplicates is not the winner's: none of the winner's pushes unrouted", async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const b = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const got: string[] = [];
    const handler = (e: PushEvent) => void got.push(href(e));
    // One port: one from any source, one from 9202 only. They cannot be told apart from 9202.
    const any: RegistrationRequest = { pushApplicationId: APP, handler };
    const from9202: RegistrationRequest = {
      pushApplicationId: APP,
      connectionProfiles: [{ protocol: 'OTA-WSP', port: 2948, contactPoint: '9202' }],
      handler,
    };
    const unrouted = unroutedOn(a, b);
    const done = await race(a, b, any, from9202);
    expect(done.map((x) => x.status).sort()).toEqual(['failure', 'success']);
    const winner = done[0].status === 'success' ? a : b;
    // Pushes the winner takes while the loser's node drains its own queue.
    for (let n = 1; n <= 10; n++)
      winner.client.deliverDatagram(datagram(slPush(`http://example.com/${n}`, APP), { originator: '9202' }));
    await until(() => got.length === 10, 10_000, 'every push to reach the winner');
    expect(unrouted).toEqual([]);
  });

  it("is drained of a push queued with the winner's too: the winner has it, the loser's copy is a withdrawn duplicate", async () => {
    const redis = await redisServer(cleanup);
    const fallback: UnroutedPush[] = [];
    const options = { duplicateSettleMs: 30_000, fallback: (u: UnroutedPush) => void fallback.push(u) };
    const a = await clusterNode(cleanup, redis.url, options);
    const b = await clusterNode(cleanup, redis.url, options);
    const c = await clusterNode(cleanup, redis.url, options);
    const [winner, loser] = settleOrder('a', 'b');
    const losing = loser === 'a' ? a : b;
    // The loser's record stays until the third node follows both: a push there goes to both queues.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    cleanup.push(async () => release());
    const table = losing.store.registrations;
    const remove = table.delete.bind(table);
    table.delete = async (id) => {
      await released;
      return remove(id);
    };
    const got: string[] = [];
    const handler = (e: PushEvent) => void got.push(href(e));
    const unrouted = unroutedOn(a, b, c);
    const duplicates: PushEvent[] = [];
    losing.client.on('withdrawn-duplicate', (d) => void duplicates.push(d.event));
    const metrics = new Metrics({ process: false });
    metrics.observe(losing.client);
    const racing = race(a, b, named('a', { handler }), named('b', { handler }));
    await until(() => c.client.followedRegistrations().length === 2, 10_000, 'the third node to follow both');
    c.client.deliverDatagram(datagram(slPush('http://example.com/both', APP), { originator: '9202' }));
    // In both queues (or the winner's handler has it already) before the loser's record goes.
    await until(
      async () => (await c.store.queues.counts(queueOf(loser))).ready === 1,
      10_000,
      "the push in the loser's queue",
    );
    release();
    const done = await racing;
    expect(done.map((x) => x.status)).toEqual(winner === 'a' ? ['success', 'failure'] : ['failure', 'success']);
    await until(() => duplicates.length === 1, 10_000, "the loser's copy drained");
    expect(href(duplicates[0])).toBe('http://example.com/both');
    await until(() => got.length === 1, 10_000, 'the winner to have the push');
    expect(got).toEqual(['http://example.com/both']);
    expect(unrouted).toEqual([]);
    expect(fallback).toEqual([]);
    expect(losing.client.stats).toMatchObject({ unrouted: 0, withdrawnDuplicates: 1 });
    // As the operator sees it (docs/operations.md).
    const scraped = parseExposition(await metrics.text());
    expect(scraped.get('wappush_pushes_withdrawn_duplicates_total')?.type).toBe('counter');
    expect(sampleValue(scraped, 'wappush_pushes_withdrawn_duplicates_total')).toBe(1);
  });
});
