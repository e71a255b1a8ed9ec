// A holder whose liveness lapses only for a while (a stall longer than nodeTtlMs): the other
// nodes take it for dead, delete its records and tell its Push Server the CPI without the
// application. Once it finds its records gone it writes them again, and its Push Server is to
// hear the CPI with the application again, or it would keep it dropped. A real redis-server;
// the stall is played by deleting the holder's liveness key and setting it again.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { openStore } from '../../src/store/open.js';
import { RedisServer } from '../helpers/redisServer.js';
import { sleep, until } from './pushes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';
/** Each node reads the table this often; its liveness is renewed far less often than the test lasts. */
const OPTIONS = { registrationPollMs: 200, nodeTtlMs: 60_000 };

async function node(redisUrl: string) {
  const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 200 } });
  const port = await smsc.listen();
  cleanup.push(() => smsc.close());
  const store = await openStore(redisUrl, OPTIONS);
  cleanup.push(() => store.close());
  const client = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp: false });
  cleanup.push(() => client.close());
  await client.start();
  return { client, store };
}

/** A Push Server on loopback: records the X-Wap-Push-Accept-AppID of each CPI it is sent; answers 204. */
async function pushServer() {
  const heard: string[] = [];
  const server: Server = createServer((req, res) => {
    heard.push(String(req.headers['x-wap-push-accept-appid'] ?? ''));
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { heard, uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/register` };
}

describe('a holder whose liveness lapsed for a while', () => {
  it('writes its records again and its Push Server hears the CPI with the application again', async () => {
    const redis = new RedisServer();
    await redis.start();
    cleanup.push(() => redis.close());
    const server = await pushServer();
    const a = await node(redis.url);
    const b = await node(redis.url);
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
