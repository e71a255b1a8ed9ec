// A node whose liveness lapses while it runs (stalled past nodeTtlMs, or Redis lost its key) has
// its records collected by the other nodes. It writes them again, and tells its Push Servers the
// CPI with them again, once it is live: not at every read while it is not, when each rewrite is
// collected again and each CPI is undone by the next (the Push Server heard the same CPI over and
// over until the node's next heartbeat). A real redis-server, a Push Server on loopback.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { node, pushServer, redisServer, type Cleanup } from './nodes.js';
import { sleep, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';
const POLL_MS = 200;
/** Heartbeats every nodeTtlMs / 3 = 3 s: a lapse made by hand lasts until the next one. */
const NODE_TTL_MS = 9_000;

describe("a node's liveness lapsing while it runs", () => {
  it('its Push Server hears the CPI without the application once and with it once, not at every read', async () => {
    const redis = await redisServer(cleanup);
    // The Push Server: the X-Wap-Push-Accept-AppID of each CPI it is sent, in order.
    const { heard, uri } = await pushServer(cleanup);

    const options = { registrationPollMs: POLL_MS, nodeTtlMs: NODE_TTL_MS };
    const a = await node(cleanup, redis.url, options);
    const b = await node(cleanup, redis.url, options);
    const registered = await b.client.register({
      pushApplicationId: APP,
      pushServiceRegistrationUri: uri,
      handler: () => {},
    });
    expect(registered.status === 'accepted' && (await registered.completed)).toEqual({ status: 'success' });
    await until(
      () => a.client.followedRegistrations().length === 1,
      POLL_MS + 2_000,
      () => `A follows ${a.client.followedRegistrations().length}`,
    );
    expect(heard).toEqual([APP]);

    // B's liveness key goes (as when Redis loses it); B's next heartbeat brings it back.
    const raw = new Redis(redis.port, '127.0.0.1');
    cleanup.push(() => void raw.disconnect());
    const key = `wappush:node:${b.store.nodeId}`;
    // Just after a heartbeat (its TTL fresh), so the lapse lasts about nodeTtlMs / 3, many reads.
    const fresh = Date.now() + NODE_TTL_MS;
    while ((await raw.pttl(key)) < NODE_TTL_MS - 150) {
      if (Date.now() > fresh) throw new Error(`B's heartbeat not seen within ${NODE_TTL_MS} ms`);
      await sleep(10);
    }
    expect(await raw.del(key)).toBe(1);
    await until(
      () => a.client.followedRegistrations().length === 0,
      NODE_TTL_MS / 3 - 500,
      () => 'A did not take B for dead',
    );
    // Bounded: until B has beaten again, then A follows it again, then four more reads.
    const deadline = Date.now() + NODE_TTL_MS;
    while ((await raw.exists(key)) === 0) {
      if (Date.now() > deadline) throw new Error(`B's liveness not back within ${NODE_TTL_MS} ms`);
      await sleep(50);
    }
    await until(
      () => a.client.followedRegistrations().length === 1,
      POLL_MS + 2_000,
      () => `A follows ${a.client.followedRegistrations().length} after B is live again`,
    );
    await sleep(4 * POLL_MS);

    // A took B for dead and said so once; B, live again, wrote its record and said it once.
    expect(heard).toEqual([APP, '', APP]);
    expect(await raw.hkeys('wappush:reg')).toEqual([expect.stringMatching(new RegExp(`\\.${b.store.nodeId}$`))]);
    expect(a.client.cpi().acceptAppIds).toEqual([APP]);
  }, 30_000);
});
