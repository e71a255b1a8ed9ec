// PushCAI 5.1 "MUST reject an Application Registration indicating an already-registered Push
// Application ID" across the nodes of a cluster: nodes sharing a Redis store are one Push
// Client, so an application another node holds is already registered here too. A real
// redis-server of the test's own (test/durable/nodes.ts), nodes on real SMPP links.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { node, redisServer, type Cleanup } from '../durable/nodes.js';
import { APP, clusterNode, gateReads, outcome, settleOrder } from './cluster.js';
import { until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const named = (name: string, more: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  pushApplicationId: APP,
  applicationId: `urn:example:${name}`,
  ...more,
});

describe('PushCAI 5.1 duplicate App ID across nodes sharing a store', () => {
  it('refuses on one node an application of the App ID another node holds on the same binding', async () => {
    const redis = await redisServer(cleanup);
    const a = await node(cleanup, redis.url);
    const b = await node(cleanup, redis.url);
    // OTA-WSP on port 2948 from any source: the binding of both, which cannot keep them apart.
    expect(await outcome(await a.client.register(named('a')))).toEqual({ status: 'success' });
    await until(() => b.client.followedRegistrations().length === 1, 5_000, 'B to follow A');

    const refused = await b.client.register(named('b'));
    expect(refused).toMatchObject({
      status: 'rejected',
      reason: 'duplicate-application-id',
      option: 'pushApplicationId',
      message: expect.stringContaining('on another node, urn:example:a'),
    });
    // What 5.1 allows still is: the same application on another node, another App ID, a port of its own.
    expect(await outcome(await b.client.register(named('a')))).toEqual({ status: 'success' });
    expect(await outcome(await b.client.register({ ...named('b'), pushApplicationId: 'x-example:other.ua' }))).toEqual({
      status: 'success',
    });
    expect(
      await outcome(await b.client.register(named('b', { connectionProfiles: [{ protocol: 'OTA-WSP', port: 2949 }] }))),
    ).toEqual({ status: 'success' });
  });

  it('of two nodes that admit duplicates and each read the other after its write, one keeps its registration', async () => {
    const redis = await redisServer(cleanup);
    // A settle bound no loaded machine reaches: the one that withdraws does so at its first read.
    const a = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    const b = await clusterNode(cleanup, redis.url, { duplicateSettleMs: 30_000 });
    // Neither node reads the table until both have written: each admits its registration (it
    // follows nothing of the other's), and each reads the other's record after its own write.
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
    const [ra, rb] = await Promise.all([a.client.register(named('a')), b.client.register(named('b'))]);
    expect([ra.status, rb.status]).toEqual(['accepted', 'accepted']);
    const done = await Promise.all([outcome(ra), outcome(rb)]);
    const kept = done.filter((d) => d.status === 'success');
    // Never both: whatever the timing.
    expect(kept.length).toBeLessThanOrEqual(1);
    // One, the one whose application id sorts first: the other withdrew at its first read.
    const [winner, loser] = settleOrder('a', 'b').map((n) => `urn:example:${n}`);
    expect(done.map((d) => d.status)).toEqual(
      winner === 'urn:example:a' ? ['success', 'failure'] : ['failure', 'success'],
    );
    expect(done.filter((d) => d.status !== 'success')).toEqual([
      expect.objectContaining({ status: 'failure', reason: 'duplicate-application-id' }),
    ]);
    // The store holds the kept one only, and the nodes agree on it.
    const records = await a.store.registrations.list();
    expect(records.map((r) => (r.value as { applicationId?: string }).applicationId)).toEqual([winner]);
    const active = [...a.client.registrations(), ...b.client.registrations()].filter((r) => r.state === 'active');
    expect(active.map((r) => r.applicationId)).toEqual([winner]);
    expect(active.map((r) => r.applicationId)).not.toContain(loser);
    const follower = winner === 'urn:example:a' ? b : a;
    await until(
      () =>
        follower.client
          .followedRegistrations()
          .map((r) => r.applicationId)
          .join() === winner,
      5_000,
      'the other node to follow the one kept',
    );
  });

  it('one stored before another node wrote its duplicate stays, though its application id sorts after', async () => {
    const redis = await redisServer(cleanup);
    const [first, second] = settleOrder('a', 'b');
    // Both bind to Push Servers on one host (one expected source): `/hold` answers once released.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (req.url === '/hold') void released.then(() => res.writeHead(204).end());
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const via = (path: string) => ({
      connectionProfiles: [{ protocol: 'OTA-HTTP' as const, port: 0, contactPoint: `${base}${path}` }],
    });
    // It waits out the settle bound (the other stays): a short one keeps the test short.
    const a = await clusterNode(cleanup, redis.url, { otaHttp: {}, duplicateSettleMs: 200 });
    const b = await clusterNode(cleanup, redis.url, { otaHttp: {} });
    // The one that sorts first is admitted, then held at its Push Server, unstored; the other is
    // admitted (nothing stored to refuse it), stored and checked: it stays.
    const early = await a.client.register(named(first, via('/hold')));
    const late = await b.client.register(named(second, via('/now')));
    expect(await outcome(late)).toEqual({ status: 'success' });
    release();
    // Stored after it, the first one finds it, waits for it to withdraw, and withdraws itself.
    expect(await outcome(early)).toMatchObject({
      status: 'failure',
      reason: 'duplicate-application-id',
      message: expect.stringContaining(`urn:example:${second}`),
    });
    const records = await a.store.registrations.list();
    expect(records.map((r) => (r.value as { applicationId?: string }).applicationId)).toEqual([
      `urn:example:${second}`,
    ]);
    expect(a.client.registrations().filter((r) => r.state === 'active')).toEqual([]);
  });
});
