// PushCAI 5.1 "MUST reject an Application Registration indicating an already-registered Push
// Application ID" across the nodes of a cluster: nodes sharing a Redis store are one Push
// Client, so an application another node holds is already registered here too. A real
// redis-server of the test's own (test/durable/nodes.ts), nodes on real SMPP links.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistrationResponse } from '../../src/cai/registration.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { node, redisServer, type Cleanup } from '../durable/nodes.js';
import { until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-example:cluster.ua';
const named = (name: string, more: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  pushApplicationId: APP,
  applicationId: `urn:example:${name}`,
  ...more,
});

async function outcome(r: RegistrationResponse) {
  return r.status === 'accepted' ? await r.completed : r;
}

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

  it('of two nodes that admit duplicates at the same moment, one keeps its registration, the other fails', async () => {
    const redis = await redisServer(cleanup);
    // One Push Server both bind to: it holds each CPI until both have come, so each node
    // admitted its registration before either was stored, as neither had seen the other.
    const held: ServerResponse[] = [];
    let both = false;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (both) return void res.writeHead(204).end();
      held.push(res);
      if (held.length === 2) {
        both = true;
        for (const r of held) r.writeHead(204).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ppg`;
    const a = await node(cleanup, redis.url, {}, {});
    const b = await node(cleanup, redis.url, {}, {});
    const profile = { connectionProfiles: [{ protocol: 'OTA-HTTP' as const, port: 0, contactPoint: uri }] };
    const [ra, rb] = await Promise.all([
      a.client.register(named('a', profile)),
      b.client.register(named('b', profile)),
    ]);
    expect([ra.status, rb.status]).toEqual(['accepted', 'accepted']);
    const done = await Promise.all([outcome(ra), outcome(rb)]);
    expect(held).toHaveLength(2);
    // One stays, the other fails as the duplicate (the one whose application id sorts after).
    const kept = done.filter((d) => d.status === 'success');
    expect(kept).toHaveLength(1);
    expect(done.filter((d) => d.status !== 'success')).toEqual([
      expect.objectContaining({ status: 'failure', reason: 'duplicate-application-id' }),
    ]);
    // The store holds the kept one only, and the nodes agree on it.
    const winner = done[0].status === 'success' ? 'urn:example:a' : 'urn:example:b';
    const records = await a.store.registrations.list();
    expect(records.map((r) => (r.value as { applicationId?: string }).applicationId)).toEqual([winner]);
    const active = [...a.client.registrations(), ...b.client.registrations()].filter((r) => r.state === 'active');
    expect(active.map((r) => r.applicationId)).toEqual([winner]);
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
    // The order racing duplicates settle by (docs/pushcai.md): the application id, a SHA-256
    // of the App ID and name (store.ts registrationRecordId), compared as text.
    const id = (name: string) =>
      createHash('sha256')
        .update(JSON.stringify([APP, `urn:example:${name}`]))
        .digest('base64url');
    const [first, second] = ['a', 'b'].sort((x, y) => (id(x) < id(y) ? -1 : 1));
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
    const a = await node(cleanup, redis.url, {}, {});
    const b = await node(cleanup, redis.url, {}, {});
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
