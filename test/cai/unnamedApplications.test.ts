// PushCAI 5.1 lets two applications of one App ID register without a name when their bindings
// keep their pushes apart ("unless unique: a specific bearer binding"): here, one port, each
// expecting pushes from its own SMS address. Unnamed, they are told apart by that binding in
// the store too (src/cai/recordId.ts): a record, and a queue, of each. On memory (one node,
// restarted on the same store) and on a real redis-server of the test's own (two nodes).
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { unnamedRecordIdBefore } from '../../src/cai/recordId.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { nodeSmsc, redisServer, type Cleanup } from '../durable/nodes.js';
import { APP, clusterNode, outcome } from './cluster.js';
import { datagram, slPush, until } from './helpers.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** An unnamed application of APP on OTA-WSP port 2948 expecting pushes from SMS address `from`. */
const unnamed = (from: string, handler?: (e: PushEvent) => void): RegistrationRequest => ({
  pushApplicationId: APP,
  connectionProfiles: [{ protocol: 'OTA-WSP', port: 2948, contactPoint: from }],
  handler,
});

/** A push for APP from `from`, its SL naming `href`. */
const pushFrom = (from: string, href: string) => datagram(slPush(href, APP), { originator: from });

/** The SL hrefs a handler got. */
function hrefs() {
  const got: string[] = [];
  return {
    got,
    handler: (e: PushEvent) => void got.push(String((e.toJSON() as { body?: { href?: string } }).body?.href)),
  };
}

describe('unnamed applications of one App ID on bindings of their own, in a store', () => {
  it('on memory: each push reaches the application it is for, and a restart restores both', async () => {
    const a = await clusterNode(cleanup, 'memory', {}, { registrationPollMs: 60_000 });
    const one = hrefs();
    const two = hrefs();
    expect(await outcome(await a.client.register(unnamed('9201', one.handler)))).toEqual({ status: 'success' });
    expect(await outcome(await a.client.register(unnamed('9202', two.handler)))).toEqual({ status: 'success' });
    a.client.deliverDatagram(pushFrom('9202', 'http://example.com/two'));
    a.client.deliverDatagram(pushFrom('9201', 'http://example.com/one'));
    await until(() => one.got.length + two.got.length === 2, 5_000, 'both pushes to be handled');
    expect([one.got, two.got]).toEqual([['http://example.com/one'], ['http://example.com/two']]);
    expect(await a.store.registrations.list()).toHaveLength(2);

    // The same store, a new client: both come back.
    await a.client.close();
    const { port } = await nodeSmsc(cleanup);
    const again = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store: a.store, otaHttp: false });
    cleanup.push(() => again.close());
    await again.start();
    expect(again.heldRegistrations()).toEqual([]);
    expect(
      again
        .registrations()
        .map((r) => r.profiles[0].contactPoint)
        .sort(),
    ).toEqual(['9201', '9202']);
  });

  it("on Redis: each node follows the other node's, and a push at one node reaches the other's application", async () => {
    const redis = await redisServer(cleanup);
    const a = await clusterNode(cleanup, redis.url);
    const b = await clusterNode(cleanup, redis.url);
    const one = hrefs();
    const two = hrefs();
    expect(await outcome(await a.client.register(unnamed('9201', one.handler)))).toEqual({ status: 'success' });
    expect(await outcome(await b.client.register(unnamed('9202', two.handler)))).toEqual({ status: 'success' });
    expect(await a.store.registrations.list()).toHaveLength(2);
    for (const [n, other] of [
      [a, '9202'],
      [b, '9201'],
    ] as const)
      await until(
        () => n.client.followedRegistrations().some((r) => r.profiles[0].contactPoint === other),
        5_000,
        `node following the registration expecting ${other}`,
      );
    const unrouted: unknown[] = [];
    for (const n of [a, b]) n.client.on('unrouted', (u) => unrouted.push(u));
    a.client.deliverDatagram(pushFrom('9202', 'http://example.com/two'));
    b.client.deliverDatagram(pushFrom('9201', 'http://example.com/one'));
    await until(() => one.got.length + two.got.length === 2, 5_000, 'both pushes to be handled');
    expect([one.got, two.got]).toEqual([['http://example.com/one'], ['http://example.com/two']]);
    expect(unrouted).toEqual([]);
  });

  it('a record stored under the id every unnamed application of its App ID had before is restored, then stored under its own', async () => {
    const a = await clusterNode(cleanup, 'memory', {}, { registrationPollMs: 60_000 });
    await a.client.close();
    const old = {
      pushApplicationId: APP,
      connectionProfiles: [{ protocol: 'OTA-WSP', port: 2948, contactPoint: '9201' }],
    };
    const oldId = `${unnamedRecordIdBefore(APP)}.${a.store.nodeId}`;
    await a.store.registrations.put(oldId, old);
    const { port } = await nodeSmsc(cleanup);
    const again = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store: a.store, otaHttp: false });
    cleanup.push(() => again.close());
    await again.start();
    expect(again.registrations().map((r) => r.profiles[0].contactPoint)).toEqual(['9201']);
    // The next save writes it under the id its binding gives, and the old one goes.
    expect(await outcome(await again.register(unnamed('9202')))).toEqual({ status: 'success' });
    const ids = (await a.store.registrations.list()).map((r) => r.id);
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(oldId);
  });
});
