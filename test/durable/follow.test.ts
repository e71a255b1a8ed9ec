// Registrations shared between nodes (issue 17): two PushClients on one Redis store (a real
// redis-server), each bound to its own SMSC simulator. An application registered on node B
// only is followed by node A within the bound (registrationPollMs; pub/sub at once): A's CPI
// names it and A's pushes for it go to its queue on the store, which B consumes; deregistered
// on B, it leaves A's routes and CPI likewise.
import { afterEach, describe, expect, it } from 'vitest';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { Redis } from 'ioredis';
import { registrationRecordId } from '../../src/cai/store.js';
import { DEFAULT_STORE_OPTIONS } from '../../src/store/options.js';
import { node, pusher, redisServer, type Cleanup } from './nodes.js';
import { pushOf, sleep, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';
const PUSHES = 20;
/** How soon a node follows a change made on another: the store's poll, plus a margin for a loaded machine. */
const BOUND_MS = DEFAULT_STORE_OPTIONS.registrationPollMs + 1_000;

describe('registrations followed between two nodes on one Redis', () => {
  it('B registers: A routes to it within the bound and B handles what arrives at A; B deregisters: A stops', async () => {
    const redis = await redisServer(cleanup);
    const a = await node(cleanup, redis.url);
    const b = await node(cleanup, redis.url);
    expect(a.client.cpi().acceptAppIds).toEqual([]);

    const handled: number[] = [];
    const registered = await b.client.register({
      pushApplicationId: APP,
      handler: (e: PushEvent) => {
        const p = pushOf(e.toJSON());
        if (typeof p === 'number') handled.push(p);
      },
    });
    expect(registered.status).toBe('accepted');
    if (registered.status !== 'accepted') return;
    expect(await registered.completed).toEqual({ status: 'success' });
    const since = Date.now();
    await until(
      () => a.client.cpi().acceptAppIds.includes(APP),
      BOUND_MS,
      () => `A's CPI: ${JSON.stringify(a.client.cpi())}`,
    );
    console.log(`follow test: A followed B's registration in ${Date.now() - since} ms`);
    expect(a.client.registrations()).toEqual([]);
    expect(a.client.followedRegistrations().map((r) => [r.pushApplicationId, r.remote])).toEqual([[APP, true]]);

    // Every push comes in through A's bind; B's handler gets each one.
    const push = await pusher(cleanup, a.port);
    await Promise.all(Array.from({ length: PUSHES }, (_, i) => push(i)));
    await until(
      () => new Set(handled).size === PUSHES,
      20_000,
      () => `${new Set(handled).size} of ${PUSHES} handled on B`,
    );
    expect(a.unrouted).toEqual([]);
    expect(b.smsc.stats.binds).toBe(1);
    expect(b.client.stats.delivered).toBeGreaterThanOrEqual(PUSHES);

    // Deregistered on B: A no longer routes it, and says so, within the bound.
    expect(await b.client.deregister(registered.registration)).toEqual({ status: 'success' });
    const gone = Date.now();
    await until(
      () => !a.client.cpi().acceptAppIds.includes(APP),
      BOUND_MS,
      () => `A's CPI still ${JSON.stringify(a.client.cpi().acceptAppIds)}`,
    );
    console.log(`follow test: A followed B's deregistration in ${Date.now() - gone} ms`);
    await push(PUSHES);
    await until(
      () => a.unrouted.length === 1,
      5_000,
      () => 'the push after the deregistration reported unrouted on A',
    );
    expect(a.unrouted[0].reason).toBe('no-registration');
    expect(new Set(handled).size).toBe(PUSHES);
  }, 60_000);

  it('a change whose announcement was lost is followed by the periodic re-read, within registrationPollMs', async () => {
    const redis = await redisServer(cleanup);
    const pollMs = 300;
    const a = await node(cleanup, redis.url, { registrationPollMs: pollMs });
    // Another live node's write, made as the store makes it but without the pub/sub announcement.
    const raw = new Redis(redis.port, '127.0.0.1');
    cleanup.push(() => void raw.disconnect());
    const request = { pushApplicationId: 'x-wap-application:push.sia', accept: ['application/vnd.wap.sia'] };
    const id = `${registrationRecordId(request)}.other-node`;
    await raw.set('wappush:node:other-node', String(Date.now()), 'PX', 30_000);
    await raw.hset('wappush:reg', id, JSON.stringify(request));
    await raw.incr('wappush:reg:v');
    const since = Date.now();
    await until(
      () => a.client.cpi().acceptAppIds.includes('x-wap-application:push.sia'),
      pollMs + 1_000,
      () => `A's CPI: ${JSON.stringify(a.client.cpi())}`,
    );
    console.log(`follow test: an unannounced change followed in ${Date.now() - since} ms (poll ${pollMs} ms)`);
    expect(a.client.cpi().accept).toEqual(['application/vnd.wap.sia']);
    await raw.hdel('wappush:reg', id);
    await raw.incr('wappush:reg:v');
    await until(
      () => a.client.cpi().acceptAppIds.length === 0,
      pollMs + 1_000,
      () => `A's CPI still ${JSON.stringify(a.client.cpi().acceptAppIds)}`,
    );
  }, 30_000);

  it('an application registered on both nodes is one queue: each push handled once, by either', async () => {
    const redis = await redisServer(cleanup);
    const a = await node(cleanup, redis.url);
    const b = await node(cleanup, redis.url);
    const handled = new Map<number, string[]>();
    const on = (name: string) => (e: PushEvent) => {
      const p = pushOf(e.toJSON());
      if (typeof p === 'number') handled.set(p, [...(handled.get(p) ?? []), name]);
    };
    for (const [name, n] of [
      ['b', b],
      ['a', a],
    ] as const) {
      const r = await n.client.register({ pushApplicationId: APP, handler: on(name) });
      expect(r.status === 'accepted' && (await r.completed)).toEqual({ status: 'success' });
    }
    // Each node routes its own registration only, the other's record giving way to it.
    await sleep(BOUND_MS);
    for (const n of [a, b]) {
      expect(n.client.followedRegistrations()).toEqual([]);
      expect(n.client.cpi().acceptAppIds).toEqual([APP]);
    }
    const push = await pusher(cleanup, a.port);
    await Promise.all(Array.from({ length: PUSHES }, (_, i) => push(i)));
    await until(
      () => handled.size === PUSHES,
      20_000,
      () => `${handled.size} of ${PUSHES} handled`,
    );
    await sleep(300);
    expect([...handled.values()].filter((by) => by.length > 1)).toEqual([]);
  }, 60_000);
});
