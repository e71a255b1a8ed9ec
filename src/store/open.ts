/**
 * `openStore(spec)`: `memory`, a directory path (the embedded lmdb store), or
 * `redis://[:PASSWORD@]HOST[:PORT][/DB]` (`rediss://` for TLS). A spec that is none of these is
 * refused with BAD_SPEC and a message that says what would be taken.
 */
import { StoreError, StoreErrorCode } from './errors.js';
import { MemoryStore } from './memory.js';
import type { StoreOptions } from './options.js';
import type { Store } from './types.js';

export type StoreSpec =
  | { backend: 'memory' }
  | { backend: 'lmdb'; path: string }
  | {
      backend: 'redis';
      host: string;
      port: number;
      db: number;
      tls: boolean;
      username?: string;
      password?: string;
      /** The URL without its password, for reports. */
      display: string;
    };

const USAGE = 'a store is `memory`, a directory path, or redis://HOST[:PORT][/DB]';
/** Highest Redis database number taken (Redis's `databases` setting is 16 by default). */
const MAX_REDIS_DB = 1_000;

const bad = (message: string) => new StoreError(StoreErrorCode.BAD_SPEC, `${message} (${USAGE})`);

export function parseStoreSpec(spec: string): StoreSpec {
  if (typeof spec !== 'string' || spec.trim() === '') throw bad('empty store spec');
  if (spec.includes('\0')) throw bad('a store spec may not hold NUL');
  if (spec === 'memory') return { backend: 'memory' };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return parseRedis(spec, scheme === 'rediss');
  // A drive letter (C:\...) is a path; any other scheme is a mistake, not a directory named "mysql:".
  if (scheme !== undefined && scheme.length > 1) throw bad(`unknown store scheme ${scheme}:`);
  return { backend: 'lmdb', path: spec };
}

function parseRedis(spec: string, tls: boolean): StoreSpec {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    // Not echoed: a Redis URL may hold a password, and errors reach stderr and logs.
    throw bad('the Redis URL is not a valid URL (not shown: it may hold a password)');
  }
  /** The URL as an error may show it: no user or password. */
  const where = `${u.protocol}//${u.host}`;
  if (!u.hostname) throw bad('no host in the Redis URL');
  if (u.search || u.hash) throw bad(`no query or fragment is taken in ${where}${u.pathname}`);
  const port = u.port ? Number(u.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`bad port in ${where}`);
  let db = 0;
  const path = u.pathname;
  if (path !== '' && path !== '/') {
    const m = /^\/(\d{1,4})$/.exec(path);
    if (!m || Number(m[1]) > MAX_REDIS_DB)
      throw bad(`the path of a Redis URL is /DB, a database number 0-${MAX_REDIS_DB}, not ${path}`);
    db = Number(m[1]);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const out: StoreSpec = {
    backend: 'redis',
    host,
    port,
    db,
    tls,
    display: `${tls ? 'rediss' : 'redis'}://${u.hostname}:${port}/${db}`,
  };
  if (u.username) out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  return out;
}

/**
 * Opens the store a spec names. Redis resolves once connected (or rejects STORE_UNAVAILABLE
 * when the server does not answer within `commandTimeoutMs`); lmdb opens at once.
 */
export async function openStore(spec: string, options: StoreOptions = {}): Promise<Store> {
  const s = parseStoreSpec(spec);
  if (s.backend === 'memory') return new MemoryStore(options);
  // Each backend's client library is loaded when first opened: a `decode` or a memory-only
  // embedder does not pay for lmdb's binding or ioredis at start (about 0.3 CPU-s together).
  if (s.backend === 'lmdb') {
    const { LmdbStore } = await import('./lmdb/lmdbStore.js');
    return new LmdbStore(s.path, options);
  }
  const { RedisStore } = await import('./redis/redisStore.js');
  return RedisStore.connect(s, options);
}
