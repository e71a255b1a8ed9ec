// Who holds a registration in a cluster (issue 17): each node hosting an application writes its
// own record of it, so the application stays registered, on every node and at its Push Server,
// until its last holder leaves; and a node that dies stops holding it once its liveness lapses
// (nodeTtlMs), so pushes for it are then what they are for any unregistered application, while
// what was queued before waits for the next node that registers it. A real redis-server; the
// node that dies is a `listen` process killed with SIGKILL (needs dist/).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { DEFAULT_STORE_OPTIONS, type StoreOptions } from '../../src/store/options.js';
import { node as startNode, nodeSmsc, pusher, pushServer, redisServer, type Cleanup } from './nodes.js';
import { Listener, pushOf, sleep, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';
/** How soon a node follows a change made on another: the store's poll, plus a margin for a loaded machine. */
const BOUND_MS = DEFAULT_STORE_OPTIONS.registrationPollMs + 1_000;

async function node(redisUrl: string, options: StoreOptions = {}) {
  const n = await startNode(cleanup, redisUrl, options);
  return { ...n, push: await pusher(cleanup, n.port) };
}

function collector() {
  const handled: number[] = [];
  const handler = (e: PushEvent) => {
    const p = pushOf(e.toJSON());
    if (typeof p === 'number') handled.push(p);
  };
  return { handled, handler };
}

describe('an application hosted on several nodes', () => {
  it('stays registered everywhere, and at its Push Server, until its last holder deregisters', async () => {
    const redis = await redisServer(cleanup);
    const server = await pushServer(cleanup);
    const [a, b, c] = [await node(redis.url), await node(redis.url), await node(redis.url)];
    const onA = collector();
    const onB = collector();
    const request = { pushApplicationId: APP, pushServiceRegistrationUri: server.uri };
    const ra = await a.client.register({ ...request, handler: onA.handler });
    expect(ra.status === 'accepted' && (await ra.completed)).toEqual({ status: 'success' });
    const rb = await b.client.register({ ...request, handler: onB.handler });
    expect(rb.status === 'accepted' && (await rb.completed)).toEqual({ status: 'success' });
    await until(
      () => c.client.cpi().acceptAppIds.includes(APP),
      BOUND_MS,
      () => `C's CPI: ${JSON.stringify(c.client.cpi())}`,
    );
    // Both nodes have followed each other's holding before one leaves.
    await sleep(BOUND_MS);
    expect(server.heard.length).toBeGreaterThan(0);
    expect(server.heard.every((h) => h === APP)).toBe(true);

    // A deregisters: B still hosts the application, so C keeps it, A routes it to B, and the
    // Push Server hears nothing that leaves it out (PushCAI 5.2).
    expect(await a.client.deregister(APP)).toEqual({ status: 'success' });
    await sleep(BOUND_MS);
    expect(c.client.cpi().acceptAppIds).toEqual([APP]);
    expect(a.client.followedRegistrations().map((r) => r.pushApplicationId)).toEqual([APP]);
    expect(a.client.cpi().acceptAppIds).toEqual([APP]);
    expect(server.heard.filter((h) => h !== APP)).toEqual([]);
    await Promise.all([a.push(0), c.push(1)]);
    await until(
      () => onB.handled.length === 2,
      10_000,
      () => `B handled ${JSON.stringify(onB.handled)}; unrouted on A ${a.unrouted.length}, on C ${c.unrouted.length}`,
    );
    expect([...onB.handled].sort()).toEqual([0, 1]);
    expect(onA.handled).toEqual([]);

    // B, the last holder, deregisters: gone from every node, and the Push Server hears it.
    expect(await b.client.deregister(APP)).toEqual({ status: 'success' });
    await until(
      () => a.client.cpi().acceptAppIds.length === 0 && c.client.cpi().acceptAppIds.length === 0,
      BOUND_MS,
      () =>
        `A's CPI ${JSON.stringify(a.client.cpi().acceptAppIds)}, C's ${JSON.stringify(c.client.cpi().acceptAppIds)}`,
    );
    expect(server.heard.at(-1)).toBe('');
    const raw = new Redis(redis.port, '127.0.0.1');
    cleanup.push(() => void raw.disconnect());
    expect(await raw.hlen('wappush:reg')).toBe(0);
  }, 60_000);

  it('a node that dies stops holding it once its liveness lapses; what was queued waits for the next host', async () => {
    const redis = await redisServer(cleanup);
    const dir = mkdtempSync(join(tmpdir(), 'wappush-holders-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const apps = join(dir, 'apps.json');
    writeFileSync(apps, JSON.stringify([{ pushApplicationId: APP }]));
    const a = await node(redis.url, { registrationPollMs: 300 });
    // B: a `listen` process hosting the application, bound to its own SMSC.
    const { port: portB } = await nodeSmsc(cleanup);
    const b = new Listener(
      ['--smsc', `smpp://client:pw@127.0.0.1:${portB}`, '--store', redis.url, '--register', apps],
      [],
    );
    cleanup.push(() => b.stop());
    b.start();
    await until(
      () => a.client.followedRegistrations().length === 1,
      15_000,
      () => `A follows ${a.client.followedRegistrations().length}; B: ${b.stderr.slice(-300)}`,
    );

    await b.kill();
    // Within B's liveness the push goes to the application's queue, as before.
    await a.push(0);
    expect(a.unrouted).toEqual([]);
    const died = Date.now();
    const lapse = DEFAULT_STORE_OPTIONS.nodeTtlMs + 300 + 3_000;
    await until(
      () => a.client.followedRegistrations().length === 0,
      lapse,
      () => `A still follows ${APP} ${Date.now() - died} ms after B died`,
    );
    console.log(`holders test: B's holding lapsed on A ${Date.now() - died} ms after SIGKILL`);
    expect(a.client.cpi().acceptAppIds).toEqual([]);
    // Now the application is registered nowhere: a push for it is unrouted, as for any unregistered one.
    await a.push(1);
    await until(
      () => a.unrouted.length === 1,
      5_000,
      () => 'the push after the lapse reported unrouted on A',
    );
    expect(a.unrouted[0].reason).toBe('no-registration');
    // The dead node's record is gone from the shared table.
    const raw = new Redis(redis.port, '127.0.0.1');
    cleanup.push(() => void raw.disconnect());
    let records = -1;
    for (let i = 0; i < 50 && records !== 0; i++) {
      records = await raw.hlen('wappush:reg');
      if (records !== 0) await sleep(100);
    }
    expect(records).toBe(0);

    // A registers it: the push queued while B was dying reaches A's handler.
    const onA = collector();
    const r = await a.client.register({ pushApplicationId: APP, handler: onA.handler });
    expect(r.status === 'accepted' && (await r.completed)).toEqual({ status: 'success' });
    await until(
      () => onA.handled.length === 1,
      10_000,
      () => `A handled ${JSON.stringify(onA.handled)}`,
    );
    await sleep(300);
    expect(onA.handled).toEqual([0]);
  }, 60_000);
});
