/**
 * The three backends, each behind one small harness, so one contract suite runs against all:
 * open a store at a location, open another node on it, reopen it (close, then open again, as
 * a restart does), clean up. Redis runs a real redis-server (test/helpers/redisServer.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { Store } from '../../src/store/types.js';
import { RedisServer } from '../helpers/redisServer.js';

export interface Harness {
  /** The first store at a fresh location. */
  open(options?: StoreOptions): Promise<Store>;
  /** Another node at the same location, open beside the first (lmdb: a read-only instance). */
  second(first: Store, options?: StoreOptions): Promise<Store>;
  /** Closes `store` and opens the location again (a restart). */
  reopen(store: Store, options?: StoreOptions): Promise<Store>;
  /** Whether a second node can write (lmdb has one writer per directory). */
  readonly sharedWriters: boolean;
}

export type BackendName = 'memory' | 'lmdb' | 'redis';

const opened: Store[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
  while (cleanups.length) await cleanups.pop()!();
});

function track<T extends Store>(s: T): T {
  opened.push(s);
  return s;
}

/** A temporary directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function afterTest(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

const memory: Harness = {
  sharedWriters: true,
  open: async (options) => track(new MemoryStore(options)),
  second: async (first, options) => track((first as MemoryStore).attach(options)),
  reopen: async (store, options) => {
    await store.close();
    return track((store as MemoryStore).attach(options));
  },
};

const paths = new WeakMap<Store, string>();

const lmdb: Harness = {
  sharedWriters: false,
  open: async (options) => {
    const path = join(tempDir(), 'state');
    const s = track(new LmdbStore(path, options));
    paths.set(s, path);
    return s;
  },
  second: async (first, options) => track(new LmdbStore(paths.get(first)!, { ...options, readOnly: true })),
  reopen: async (store, options) => {
    await store.close();
    const path = paths.get(store)!;
    const s = track(new LmdbStore(path, options));
    paths.set(s, path);
    return s;
  },
};

let server: RedisServer | undefined;
let prefixes = 0;
const prefixOf = new WeakMap<Store, string>();

/** The suite's redis-server (started once per file, in beforeAll). */
export function redisServer(): RedisServer {
  if (!server) throw new Error('redis-server not started: call useRedis() at the top of the file');
  return server;
}

/** Starts one redis-server for the file's tests, stopped after them. */
export function useRedis(): void {
  beforeAll(async () => {
    server = await new RedisServer().start();
  }, 20_000);
  afterAll(async () => {
    await server?.close();
    server = undefined;
  });
}

const redis: Harness = {
  sharedWriters: true,
  open: async (options) => {
    // Each test its own key prefix: one server, no leftovers between tests.
    const prefix = `t${++prefixes}:`;
    const s = track(await openStore(redisServer().url, { ...options, prefix }));
    prefixOf.set(s, prefix);
    return s;
  },
  second: async (first, options) => {
    const prefix = prefixOf.get(first)!;
    const s = track(await openStore(redisServer().url, { ...options, prefix }));
    prefixOf.set(s, prefix);
    return s;
  },
  reopen: async (store, options) => {
    const prefix = prefixOf.get(store)!;
    await store.close();
    const s = track(await openStore(redisServer().url, { ...options, prefix }));
    prefixOf.set(s, prefix);
    return s;
  },
};

export const HARNESSES: Record<BackendName, Harness> = { memory, lmdb, redis };

/** A clock tests move by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
