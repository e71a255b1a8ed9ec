// What the Redis store tests share: nodes on one key prefix (each its own connection, closed
// after the test), a raw client to look at the keys, segments from one originator, and a
// completed outcome's text, and a dump of every key. The redis-server is backends.ts's (useRedis()).
import { Redis } from 'ioredis';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
import { afterTest, redisServer } from './backends.js';

let prefixes = 0;

/** `n` nodes on one fresh prefix (`tag` and a number), each its own connection. */
export async function nodes(
  n: number,
  options: StoreOptions = {},
  tag = 'r',
): Promise<{ stores: Store[]; prefix: string }> {
  const prefix = `${tag}${++prefixes}:`;
  const stores: Store[] = [];
  for (let i = 0; i < n; i++) {
    const s = await openStore(redisServer().url, { ...options, prefix });
    afterTest(() => s.close());
    stores.push(s);
  }
  return { stores, prefix };
}

/** A plain client of the test's redis-server, disconnected after the test. */
export function raw(): Redis {
  const r = new Redis({ port: redisServer().port, host: '127.0.0.1', protocol: 2 });
  afterTest(() => {
    r.disconnect();
  });
  return r;
}

/** Segments from `originator`, 16-bit references, the data as text. */
export function segmentsFrom(
  originator: string,
): (reference: number, sequence: number, total: number, data: string) => StoredSegment {
  return (reference, sequence, total, data) => ({
    originator,
    recipient: '+15559999',
    reference,
    referenceBits: 16,
    total,
    sequence,
    data: new Uint8Array(Buffer.from(data)),
  });
}

/** A complete outcome's parts as text; any other, its status in brackets. */
export const partsText = (o: SegmentOutcome): string =>
  o.status === 'complete' ? Buffer.concat(o.message.parts).toString() : `(${o.status})`;

/** Every key under `prefix` (but the node's liveness), its type and content, the prefix taken off. */
export async function dump(r: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const keys = (await r.keys(`${prefix}*`)).filter((k) => !k.startsWith(`${prefix}node:`)).sort();
  for (const k of keys) {
    const type = await r.type(k);
    const name = k.slice(prefix.length);
    if (type === 'hash') out[name] = await r.hgetall(k);
    else if (type === 'zset') out[name] = await r.zrange(k, '0', '-1', 'WITHSCORES');
    else if (type === 'string') {
      const v = await r.get(k);
      // The octets counter at 0 reads as absent: a message opened and completed in one call never touched it.
      if (name !== 'bytes' || v !== '0') out[name] = [v, (await r.pttl(k)) > 0];
    } else out[name] = type;
  }
  return out;
}
