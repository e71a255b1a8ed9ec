// Contact points that are hostnames, across nodes sharing a Redis store (a real redis-server of
// the test's own): a node follows another node's registration with its hostname resolved here,
// so a push from that address arriving here reaches it, and an application of the same App ID
// expecting that address on the same route fails its binding here (PushCAI 5.1 unique delivery).
import { afterEach, describe, expect, it } from 'vitest';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { redisServer, type Cleanup } from '../durable/nodes.js';
import { APP, clusterNode, outcome } from './cluster.js';
import { postPush, until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Route of OTA-HTTP on requested port 0 (routingTable.ts routeOf). */
const HTTP_0 = 0x1_0000;

/** Application `urn:example:NAME` of APP on OTA-HTTP, requested port 0, expecting pushes from `contactPoint`. */
const onHttp = (name: string, contactPoint: string, handler?: (e: PushEvent) => void): RegistrationRequest => ({
  pushApplicationId: APP,
  applicationId: `urn:example:${name}`,
  connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint }],
  handler,
});

async function twoNodes() {
  const redis = await redisServer(cleanup);
  const a = await clusterNode(cleanup, redis.url, { otaHttp: {} });
  const b = await clusterNode(cleanup, redis.url, { otaHttp: {} });
  return { a, b };
}

describe('a hostname contact point of a registration on another node', () => {
  it('is resolved where it is followed: a push from its address arriving there reaches it', async () => {
    const { a, b } = await twoNodes();
    const got: string[] = [];
    expect(
      await outcome(await a.client.register(onHttp('a', 'localhost', (e) => void got.push(e.contentType)))),
    ).toEqual({
      status: 'success',
    });
    // B listens on a port of its own for requested port 0 once it has a registration there.
    const other = { ...onHttp('other', '192.0.2.1'), pushApplicationId: 'x-example:other.ua' };
    expect(await outcome(await b.client.register(other))).toEqual({ status: 'success' });
    await until(
      () => b.client.followedRegistrations().some((r) => r.sources(HTTP_0)?.has('127.0.0.1') === true),
      5_000,
      'B to follow A with its hostname resolved',
    );
    const status = await postPush(b.client.httpPort(0)!, 'hello', {
      'Content-Type': 'text/plain',
      'X-Wap-Application-Id': APP,
    });
    expect(status).toBe(204);
    await until(() => got.length === 1, 5_000, "the push to reach A's application");
    expect(got).toEqual(['text/plain']);
  });

  it('fails the binding of another application of the App ID expecting that address on the same route', async () => {
    const { a, b } = await twoNodes();
    expect(await outcome(await a.client.register(onHttp('a', 'localhost')))).toEqual({ status: 'success' });
    await until(
      () => b.client.followedRegistrations().some((r) => r.sources(HTTP_0)?.has('127.0.0.1') === true),
      5_000,
      'B to follow A with its hostname resolved',
    );
    // Another name, so admitted; its address is one A's hostname resolves to.
    expect(await outcome(await b.client.register(onHttp('b', '127.0.0.1')))).toMatchObject({
      status: 'failure',
      reason: 'duplicate-application-id',
      message: expect.stringContaining('127.0.0.1 is an expected source of a registration on another node'),
    });
    expect(b.client.registrations()).toEqual([]);
  });
});
