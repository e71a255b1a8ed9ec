// A holder whose liveness lapses only for a while (a stall longer than nodeTtlMs): the other
// nodes take it for dead, delete its records and tell its Push Server the CPI without the
// application. Once it finds its records gone it writes them again, and its Push Server is to
// hear the CPI with the application again, or it would keep it dropped. A real redis-server;
// the stall is played by deleting the holder's liveness key and setting it again.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { node, pushServer, redisServer, type Cleanup } from './nodes.js';
import { sleep, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';
/** Each node reads the table this often; its liveness is renewed far less often than the test lasts. */
const OPTIONS = { registrationPollMs: 200, nodeTtlMs: 60_000 };

describe('a holder whose liveness lapsed for a while', () => {
  it('writes its records again and its Push Server hears the CPI with the application again', async () => {
    const redis = await redisServer(cleanup);
    const server = await pushServer(cleanup);
    const a = await node(cleanup, redis.url, OPTIONS);
    const b = await node(cleanup, redis.url, OPTIONS);
    const r = await a.client.register({
      pushApplicationId: APP,
      pushServiceRegistrationUri: server.uri,
      handler: () => {},
    });
    expect(r.status === 'accepted' && (await r.completed)).toEqual({ status: 'success' });
    await until(
      () => b.client.followedRegistrations().length === 1,
      5_000,
      () => `B follows ${b.client.followedRegistrations().length}`,
    );
    expect(server.heard).toEqual([APP]);

    // A stalls: its liveness lapses. B drops its holding and tells the Push Server.
    const raw = new Redis(redis.port, '127.0.0.1');
    cleanup.push(() => void raw.disconnect());
    const liveness = `wappush:node:${a.store.nodeId}`;
    expect(await raw.del(liveness)).toBe(1);
    await until(
      () => server.heard.includes(''),
      5_000,
      () => `the Push Server heard ${JSON.stringify(server.heard)}`,
    );
    // A's stall ends: its liveness is renewed, as its next heartbeat would.
    await raw.set(liveness, String(Date.now()), 'PX', OPTIONS.nodeTtlMs);
    await until(
      () => b.client.followedRegistrations().length === 1,
      5_000,
      () => `B follows ${b.client.followedRegistrations().length} after A's stall`,
    );
    expect(await raw.hlen('wappush:reg')).toBe(1);
    // Bounded: a few polls for the last CPI to arrive.
    for (let i = 0; i < 20 && server.heard.at(-1) !== APP; i++) await sleep(100);
    expect(server.heard.at(-1), JSON.stringify(server.heard)).toBe(APP);
    expect(b.client.cpi().acceptAppIds).toEqual([APP]);
  }, 30_000);
});
