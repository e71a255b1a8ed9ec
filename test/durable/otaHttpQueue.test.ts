// OTA-HTTP pushes on the store's per-application queues (issue 17): a push answered 204 to its
// sender is in the application's queue on disk (lmdb), so pushes waiting behind a busy handler
// come back after the process goes, as OTA-WSP pushes do; a push the store cannot take is
// answered 503 with Retry-After, never 204. Real HTTP on loopback, a real lmdb directory, a
// real redis-server.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { RedisServer } from '../helpers/redisServer.js';
import { sleep, until } from './pushes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const APP = 'x-wap-application:wml.ua';

/** A Service Indication (WAP-167) whose si-id names push `i`. */
function si(i: number): string {
  return `<?xml version="1.0"?><!DOCTYPE si PUBLIC "-//WAPFORUM//DTD SI 1.0//EN" "http://www.wapforum.org/DTD/si.dtd"><si><indication href="http://www.example.com/${i}" si-id="push-${i}">Push ${i}</indication></si>`;
}

/** Posts push `i`; resolves to the answer's status (and its Retry-After, in `lastRetryAfter`). */
let lastRetryAfter: string | undefined;
function post(port: number, i: number, body = Buffer.from(si(i))): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/wappush',
        headers: { 'Content-Type': 'text/vnd.wap.si', 'X-Wap-Application-Id': APP },
      },
      (res) => {
        res.resume();
        lastRetryAfter = res.headers['retry-after'];
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function siIdOf(e: PushEvent): string {
  return String((e.body as { siId?: unknown }).siId);
}

/** A PushClient on `store` with APP registered over OTA-HTTP; its port and the si-ids handled. */
async function httpApplication(store: Store): Promise<{ port: number; seen: string[] }> {
  const client = new PushClient({ store });
  cleanup.push(() => client.close());
  client.on('store-error', () => {});
  await client.start();
  const seen: string[] = [];
  const registered = await client.register({
    pushApplicationId: APP,
    accept: ['text/vnd.wap.si'],
    connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    handler: (e: PushEvent) => void seen.push(siIdOf(e)),
  });
  expect(registered.status === 'accepted' && (await registered.completed)).toEqual({ status: 'success' });
  return { port: client.httpPort(0)!, seen };
}

describe('OTA-HTTP pushes on the store queues', () => {
  it('lmdb: pushes answered to their sender while the handler was busy are delivered after the process goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-otahttp-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state');
    const PUSHES = 4;

    let store = new LmdbStore(path);
    const first = new PushClient({ store });
    await first.start();
    const seenFirst: string[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const registered = await first.register({
      pushApplicationId: APP,
      accept: ['text/vnd.wap.si'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
      handler: (e: PushEvent) => {
        seenFirst.push(siIdOf(e));
        return stuck;
      },
    });
    expect(registered.status === 'accepted' && (await registered.completed)).toEqual({ status: 'success' });
    const port = first.httpPort(0)!;
    // Each push answered 204: its sender forgets it.
    for (let i = 0; i < PUSHES; i++) expect(await post(port, i)).toBe(204);
    await until(
      () => seenFirst.length === 1,
      5_000,
      () => `first run handled ${JSON.stringify(seenFirst)}`,
    );
    expect(await store.queues.names()).toHaveLength(1);
    // The process goes: its store closes under it (what is on disk is what a crash leaves).
    await store.close();
    release();
    await first.close();

    // Second run on the same directory: the restored registration delivers what its queue holds.
    store = new LmdbStore(path);
    cleanup.push(() => store.close());
    const second = new PushClient({ store });
    cleanup.push(() => second.close());
    const seen: string[] = [];
    second.on('push', (e) => void seen.push(siIdOf(e)));
    await second.start();
    await until(
      () => new Set([...seenFirst, ...seen]).size === PUSHES,
      10_000,
      () => `first ${JSON.stringify(seenFirst)}, then ${JSON.stringify(seen)}`,
    );
    expect([...new Set([...seenFirst, ...seen])].sort()).toEqual(Array.from({ length: PUSHES }, (_, i) => `push-${i}`));
    expect(await store.queues.names()).toEqual([]);
  }, 30_000);

  it('Redis stopped: a push is answered 503 with Retry-After, not 204; once it is back, 204 and delivered', async () => {
    const redis = new RedisServer();
    await redis.start();
    cleanup.push(() => redis.close());
    const store = await openStore(redis.url, { probeIntervalMs: 200 });
    cleanup.push(() => store.close());
    const { port, seen } = await httpApplication(store);
    expect(await post(port, 0)).toBe(204);
    await until(
      () => seen.length === 1,
      5_000,
      () => `handled ${JSON.stringify(seen)}`,
    );
    await redis.stop();
    expect(await post(port, 1)).toBe(503);
    expect(lastRetryAfter).toBe('1');
    await redis.start();
    let status = 0;
    for (let i = 0; i < 100 && status !== 204; i++) {
      status = await post(port, 2);
      if (status !== 204) await sleep(100);
    }
    expect(status).toBe(204);
    await until(
      () => seen.includes('push-2'),
      10_000,
      () => `handled ${JSON.stringify(seen)}`,
    );
    expect(seen).not.toContain('push-1');
  }, 30_000);

  it('a push the store can never take (over its largest queue item) is 413, not a 503 retried forever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-otahttp-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = new LmdbStore(join(dir, 'state'));
    cleanup.push(() => store.close());
    const { port, seen } = await httpApplication(store);
    // Within the receiver's content limit (1 MiB) but, with what the request carried, over the
    // store's largest queue item (MAX_QUEUE_ITEM_OCTETS, also 1 MiB).
    const big = Buffer.from(si(0).replace('Push 0', 'x'.repeat(1_048_000)));
    expect(big.length).toBeLessThanOrEqual(1 << 20);
    expect(await post(port, 0, big)).toBe(413);
    expect(lastRetryAfter).toBeUndefined();
    // The store is not the worse for it: the next push is taken and handled.
    expect(await post(port, 1)).toBe(204);
    await until(
      () => seen.includes('push-1'),
      5_000,
      () => `handled ${JSON.stringify(seen)}`,
    );
  }, 30_000);
});
