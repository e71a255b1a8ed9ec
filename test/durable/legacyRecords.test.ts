// Registration records in the format from before holders were recorded (an id without `.NODE`,
// as a node of that version wrote them to Redis) name no node, so no liveness can hold them:
// they lapse at the first read, as a dead node's record does, instead of standing for good (the
// old follower routed such an application, and counted it in the CPI, long after its writer had
// gone). A real redis-server; the other node's writes are made by hand with ioredis, as its
// RECORD_PUT made them (HSET, INCR of the version, the announcement).
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { registrationRecordId } from '../../src/cai/store.js';
import { node, pusher, redisServer, type Cleanup } from './nodes.js';
import { until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const POLL_MS = 300;
/** The store's default key prefix (docs/state.md). */
const P = 'wappush:';

describe('a registration record without a holding node, on Redis', () => {
  it('lapses at the next read: not routed, not in the CPI, deleted; a live node’s record beside it is followed', async () => {
    const redis = await redisServer(cleanup);
    const { port, client, unrouted } = await node(cleanup, redis.url, { registrationPollMs: POLL_MS });

    const raw = new Redis(redis.port, '127.0.0.1');
    cleanup.push(() => void raw.disconnect());
    const put = async (id: string, request: object) => {
      await raw.hset(`${P}reg`, id, JSON.stringify(request));
      const v = await raw.incr(`${P}reg:v`);
      await raw.publish(`${P}reg:changed`, `${v} other`);
    };
    // The old format: the application's id alone. WML browser pushes, port 2948 -> 2948.
    const old = { pushApplicationId: 'x-wap-application:wml.ua', accept: ['application/vnd.wap.slc'] };
    await put(registrationRecordId(old), old);
    // The current format, of a node whose liveness key is there: the control that a read happened.
    const current = { pushApplicationId: 'x-wap-application:push.sia', accept: ['application/vnd.wap.sia'] };
    await raw.set(`${P}node:live-node`, String(Date.now()), 'PX', 60_000);
    await put(`${registrationRecordId(current)}.live-node`, current);

    await until(
      () => client.cpi().acceptAppIds.includes(current.pushApplicationId),
      POLL_MS + 2_000,
      () => `the live node's record not followed: CPI ${JSON.stringify(client.cpi())}`,
    );
    // Bounded: the record is looked for every 20 ms until a read's worth of time has gone by.
    const deadline = Date.now() + POLL_MS + 2_000;
    while ((await raw.hexists(`${P}reg`, registrationRecordId(old))) === 1) {
      if (Date.now() > deadline)
        throw new Error(`the old-format record still stored: ${JSON.stringify(await raw.hkeys(`${P}reg`))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(client.cpi().acceptAppIds).toEqual([current.pushApplicationId]);
    expect(client.followedRegistrations().map((r) => r.pushApplicationId)).toEqual([current.pushApplicationId]);

    // A push for the lapsed application is what it is for any unregistered one.
    const push = await pusher(cleanup, port);
    await push(1);
    await until(
      () => unrouted.length === 1,
      5_000,
      () => 'the push for the old-format application reported unrouted',
    );
    expect(unrouted[0].reason).toBe('no-registration');
  }, 30_000);
});
