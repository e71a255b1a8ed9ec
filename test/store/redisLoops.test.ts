// The Redis scripts' loops end whatever the keys hold (src/store/redis/scripts.ts): an index
// entry the eviction loop cannot take off the way it expected (an originator whose message key
// cjson cannot decode, a lone surrogate JSON.stringify writes as \ud800) once made the TURN
// script pick the same victim for ever, and Redis answered every client BUSY. On a real
// redis-server of the test's own, killed afterwards even if a script still runs; the store's
// command timeout is short so a loop fails the test instead of hanging it.
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { RedisServer } from '../helpers/redisServer.js';
import { segmentsFrom } from './redisNodes.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function server(): Promise<{ url: string; r: Redis }> {
  const s = await new RedisServer().start();
  cleanups.push(() => s.close());
  const r = new Redis({ port: s.port, host: '127.0.0.1', protocol: 2, commandTimeout: 1_000, maxRetriesPerRequest: 0 });
  cleanups.push(async () => {
    r.disconnect();
  });
  return { url: s.url, r };
}

async function store(url: string, bytes: number): Promise<Store> {
  const s = await openStore(url, { prefix: 'w:', commandTimeoutMs: 1_000, reassembly: { maxPendingBytes: bytes } });
  cleanups.push(() => s.close());
  return s;
}

describe('redis store: the scripts’ loops end', () => {
  it('an index entry of an originator whose key cjson cannot decode is evicted once, no BUSY', async () => {
    const { url, r } = await server();
    const s = await store(url, 4);
    const stale = JSON.stringify(['\ud800', '+15559999', null, null, 16, 1, 2]);
    expect(stale).toContain('\\ud800');
    await r.zadd('w:order', 1, stale);
    await r.zadd('w:o:\ud800', 1, stale);
    await r.zincrby('w:load', 1, '\ud800');
    const seg = segmentsFrom('+15550007');
    // Over the octets bound alone: the stale entry is taken off, then the message itself goes.
    expect((await s.segments.add(seg(1, 1, 2, 'eight oc'))).status).toBe('dropped');
    expect(await r.ping()).toBe('PONG');
    expect(await r.zrange('w:order', '0', '-1')).toEqual([]);
    expect(await r.zrange('w:o:\ud800', '0', '-1')).toEqual([]);
    expect(await r.zrange('w:load', '0', '-1')).toEqual([]);
  });
});
