/**
 * The state layer's bounds and periods, each with its default (docs/state.md lists them all).
 * Nodes sharing one Redis should be given the same values: each applies its own.
 */
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../bounds.js';

export interface ReassemblyBounds {
  /** A message not complete this long after its first segment is dropped ('expired'). */
  timeoutMs?: number;
  /** Most messages waiting for segments; over it, the oldest of the originator holding the most goes. */
  maxPendingMessages?: number;
  /** Most user-data octets held for them; over it, likewise. */
  maxPendingBytes?: number;
  /** Most messages waiting per originator; over it, that originator's own oldest goes. */
  maxPendingPerOriginator?: number;
  /** Completed messages remembered (for timeoutMs) to know a resent segment as a late duplicate (memory, lmdb). */
  maxRecentMessages?: number;
  /** A claim on a complete message held this long lapses even if its holder lives (a hung handler). */
  claimTimeoutMs?: number;
}

/**
 * How soon a stored change is on the disk itself, in the words of Redis' appendfsync
 * (docs/state.md has what each survives): 'always', before the call resolves; 'everysec', at
 * most `SYNC_INTERVAL_MS` after (lmdb: the call resolves once its commit has flushed its data
 * pages, the meta page following with the next commit or the next sync, so a crash of the
 * machine undoes at most the last commit); 'no', when the operating system writes it out (a
 * crash of the machine may damage an lmdb file).
 */
export const STORE_SYNC = Object.freeze(['always', 'everysec', 'no'] as const);
export type StoreSync = (typeof STORE_SYNC)[number];

/** 'everysec': the longest a change stays with the operating system before it is synced. */
export const SYNC_INTERVAL_MS = 1_000;

/** Whether `sync` keeps at least what `wanted` keeps. */
export function syncAtLeast(sync: StoreSync, wanted: StoreSync): boolean {
  return STORE_SYNC.indexOf(sync) <= STORE_SYNC.indexOf(wanted);
}

export function isStoreSync(v: unknown): v is StoreSync {
  return typeof v === 'string' && (STORE_SYNC as readonly string[]).includes(v);
}

export interface StoreOptions {
  /**
   * lmdb: when a change is on disk (default 'always'). Redis: what this node needs of the
   * server's appendfsync, which it reads and reports but does not change (default: no need).
   */
  sync?: StoreSync;
  /** Milliseconds clock; injectable for tests. Nodes sharing a store need clocks in step (NTP). */
  now?: () => number;
  reassembly?: ReassemblyBounds;
  /** Keys the duplicate memory holds at most (memory, lmdb; Redis keeps each for its window). */
  maxDuplicates?: number;
  /** Items one queue holds at most (ready and in flight); over it, enqueue rejects QUEUE_FULL. */
  maxQueued?: number;
  /** An item in flight this long (its consumer died or hangs) is taken over by reclaim(). */
  queueReclaimMs?: number;
  /** How often a store instance looks for registration changes made elsewhere. */
  registrationPollMs?: number;
  /** How often an unavailable store tries a write to see whether it is back. */
  probeIntervalMs?: number;
  /** Redis: a node not heard from for this long is dead (its claims and queue items are taken over). */
  nodeTtlMs?: number;
  /** Redis: a command not answered in this long fails with STORE_UNAVAILABLE. */
  commandTimeoutMs?: number;
  /** Redis: prefix of every key, so several gateways can share one server. */
  prefix?: string;
  /** lmdb: open for reading only (`wappush store inspect` beside a running `listen`). */
  readOnly?: boolean;
  /**
   * This instance's node name; default host:pid:random. Unique per live process: a PPG takes
   * up its own node's pending pushes at start, so it refuses to start on Redis while its
   * nodeId is live there (Store.nodeWasLive).
   */
  nodeId?: string;
}

export const DEFAULT_STORE_OPTIONS = Object.freeze({
  timeoutMs: 120_000,
  maxPendingMessages: 10_000,
  maxPendingBytes: 16 * 1024 * 1024,
  maxRecentMessages: 10_000,
  claimTimeoutMs: 120_000,
  maxDuplicates: 10_000,
  maxQueued: 1_000,
  queueReclaimMs: 60_000,
  registrationPollMs: 1_000,
  probeIntervalMs: 1_000,
  nodeTtlMs: 10_000,
  commandTimeoutMs: 5_000,
  prefix: 'wappush:',
});

/** Longest segment user data taken: SMPP message_payload's length field allows 65,535 octets. */
export const MAX_SEGMENT_OCTETS = 65_535;
/** Segments in one message at most: the concatenation element's count octet. */
export const MAX_SEGMENTS = 255;
/** Longest queue or record name, and longest address in a message's identity. */
export const MAX_NAME_LENGTH = 256;
/** Largest registration record (its JSON text) and largest queue item. */
export const MAX_RECORD_OCTETS = 64 * 1024;
export const MAX_QUEUE_ITEM_OCTETS = 1024 * 1024;
/** Most items one take() or reclaim() returns. */
export const MAX_BATCH = 1_000;
/** Most pending messages one inspect() lists by default. */
export const DEFAULT_LIST_LIMIT = 1_000;

export interface ResolvedOptions {
  now: () => number;
  timeoutMs: number;
  maxPendingMessages: number;
  maxPendingBytes: number;
  maxPendingPerOriginator: number;
  maxRecentMessages: number;
  claimTimeoutMs: number;
  maxDuplicates: number;
  maxQueued: number;
  queueReclaimMs: number;
  registrationPollMs: number;
  probeIntervalMs: number;
  nodeTtlMs: number;
  commandTimeoutMs: number;
  prefix: string;
  readOnly: boolean;
  /** As given: each backend has its own default. */
  sync: StoreSync | undefined;
}

/** Each default by ??, each bound checked (a RangeError names the option). */
export function resolveOptions(o: StoreOptions = {}): ResolvedOptions {
  const d = DEFAULT_STORE_OPTIONS;
  const r = o.reassembly ?? {};
  const maxPendingMessages = positiveBound(r.maxPendingMessages ?? d.maxPendingMessages, 'maxPendingMessages');
  const prefix = o.prefix ?? d.prefix;
  if (typeof prefix !== 'string' || prefix.length > 64)
    throw new RangeError('prefix must be a string of at most 64 characters');
  if (o.sync !== undefined && !isStoreSync(o.sync))
    throw new RangeError(`sync must be one of ${STORE_SYNC.join(', ')}, not ${JSON.stringify(o.sync)}`);
  return {
    now: o.now ?? Date.now,
    timeoutMs: positiveBound(r.timeoutMs ?? d.timeoutMs, 'timeoutMs', MAX_TIMER_MS),
    maxPendingMessages,
    maxPendingBytes: positiveBound(r.maxPendingBytes ?? d.maxPendingBytes, 'maxPendingBytes'),
    maxPendingPerOriginator: positiveBound(r.maxPendingPerOriginator ?? maxPendingMessages, 'maxPendingPerOriginator'),
    maxRecentMessages: nonNegativeBound(r.maxRecentMessages ?? d.maxRecentMessages, 'maxRecentMessages'),
    claimTimeoutMs: positiveBound(r.claimTimeoutMs ?? d.claimTimeoutMs, 'claimTimeoutMs', MAX_TIMER_MS),
    maxDuplicates: nonNegativeBound(o.maxDuplicates ?? d.maxDuplicates, 'maxDuplicates'),
    maxQueued: positiveBound(o.maxQueued ?? d.maxQueued, 'maxQueued'),
    queueReclaimMs: positiveBound(o.queueReclaimMs ?? d.queueReclaimMs, 'queueReclaimMs', MAX_TIMER_MS),
    registrationPollMs: positiveBound(o.registrationPollMs ?? d.registrationPollMs, 'registrationPollMs', MAX_TIMER_MS),
    probeIntervalMs: positiveBound(o.probeIntervalMs ?? d.probeIntervalMs, 'probeIntervalMs', MAX_TIMER_MS),
    nodeTtlMs: positiveBound(o.nodeTtlMs ?? d.nodeTtlMs, 'nodeTtlMs', MAX_TIMER_MS),
    commandTimeoutMs: positiveBound(o.commandTimeoutMs ?? d.commandTimeoutMs, 'commandTimeoutMs', MAX_TIMER_MS),
    prefix,
    readOnly: o.readOnly ?? false,
    sync: o.sync,
  };
}
