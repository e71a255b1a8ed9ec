/**
 * The state layer's one interface. Every backend (memory, lmdb, Redis) keeps the same four
 * kinds of state behind it, and every call is asynchronous: a promise that resolves means the
 * change is stored (for lmdb: committed and synced to disk; for Redis: applied by the server),
 * one that rejects with a StoreError means it is not.
 *
 * The store sits below wdp and cai, so it names its own shapes; wdp's Segment is one of
 * StoredSegment's shapes, field for field.
 */
import type { EventEmitter } from 'node:events';
import type { StoreError } from './errors.js';
import type { StoreSync } from './options.js';

export type StoreBackend = 'memory' | 'lmdb' | 'redis';

/** One SMS of a concatenated message (3GPP TS 23.040 9.2.3.24.1/.8), as the bearer read it. */
export interface StoredSegment {
  originator: string;
  recipient: string;
  sourcePort?: number;
  destinationPort?: number;
  /** Concatenation reference (0-65535). */
  reference?: number;
  /** 8 or 16: the reference's width on the wire, part of the message's identity. */
  referenceBits?: 8 | 16;
  /** Segments in the message (2-255). */
  total: number;
  /** This one's place, 1-based. */
  sequence: number;
  data: Uint8Array;
}

/** Which message a segment belongs to: originator, recipient, ports, reference (and its width), total. */
export interface MessageIdentity {
  originator: string;
  recipient: string;
  sourcePort?: number;
  destinationPort?: number;
  reference: number;
  referenceBits?: 8 | 16;
  total: number;
}

export type LossReason =
  | 'expired' // not complete `timeoutMs` after its first segment
  | 'evicted'; // a bound needed the room

/** Which bound evicted a message. */
export type EvictionBound =
  | 'messages' // maxPendingMessages: the oldest of the originator holding the most went
  | 'bytes' // maxPendingBytes
  | 'originator'; // maxPendingPerOriginator: that originator's own oldest went

/** A message dropped before it completed: enough to log it or ask for a resend. */
export interface LostMessage extends MessageIdentity {
  reason: LossReason;
  bound?: EvictionBound;
  /** Sequence numbers that had arrived. */
  received: number[];
  /** User-data octets that had arrived. */
  bytes: number;
  /** Clock value of its first segment. */
  firstAt: number;
  /**
   * Set when the message was complete, but its handler failed (or its holder closed before it
   * settled) on every try until `timeoutMs`: it was released, never finished. Absent otherwise.
   */
  handlerFailed?: true;
}

/**
 * A message whose segments are all in: handed to exactly one caller at a time (a claim). The
 * caller delivers it, then calls `segments.finish(m)` (the segments go, and the message is
 * remembered for `timeoutMs` so a resent segment is known as a late duplicate) or, when the
 * handler failed, `segments.release(m)` (kept, to be handed over again when the sender resends).
 * A claim whose holder dies (its node's liveness lapses) or that is held past `claimTimeoutMs`
 * is taken over by the next resend or sweep: at least once, never lost.
 */
export interface CompletedMessage extends MessageIdentity {
  /** The store's key of this message. */
  key: string;
  /** User data by sequence (index 0 is segment 1); views, valid until the next call. */
  parts: Uint8Array[];
  bytes: number;
  firstAt: number;
  /** How many times it has been handed over (more than 1: a handler may have seen it before). */
  handovers: number;
}

export type SegmentOutcome =
  /** Stored; the message waits for more. Acknowledge the segment. */
  | { status: 'held'; received: number; lost: LostMessage[] }
  /** This segment completed the message, claimed by this caller: deliver, then finish() or release(). */
  | { status: 'complete'; message: CompletedMessage; lost: LostMessage[] }
  /** The same segment is already stored (`late`: its message completed less than `timeoutMs` ago). Acknowledge. */
  | { status: 'duplicate'; late: boolean; lost: LostMessage[] }
  /** Another segment with this sequence and other octets is held; the first is kept. Refuse it permanently. */
  | { status: 'conflict'; lost: LostMessage[] }
  /** Its message is complete and being delivered by a live claim: answer a temporary error, the sender retries. */
  | { status: 'busy'; lost: LostMessage[] }
  /** Taken, but its message alone is over maxPendingBytes and was dropped (in `lost`). Acknowledge. */
  | { status: 'dropped'; lost: LostMessage[] };

export interface SweepResult {
  /**
   * Messages dropped because their timeout passed; on Redis also any drop whose report a failed
   * step could not give (its `reason` says which), so that no drop goes unreported.
   */
  expired: LostMessage[];
  /**
   * Complete messages whose claim lapsed (holder dead or past claimTimeoutMs), now claimed by
   * this caller; on Redis also released messages a sweep had handed over before, due again
   * (no SMSC resend may come for them: redis/scripts.ts, REDELIVERY_FIRST_MS).
   */
  orphans: CompletedMessage[];
  /**
   * Redis: drops whose reports could not be kept for this sweep (more than MAX_CARRIED_REPORTS
   * waited, redis/carried.ts): only their number is known. Absent when none.
   */
  unreported?: number;
  /**
   * Redis: failures the sweep went past (a finish it could not store again, FINISH_OWN), to
   * report as store errors; the sweep itself went through. Absent when none.
   */
  errors?: StoreError[];
}

/** One pending message as `wappush store inspect` shows it. */
export interface PendingMessage extends MessageIdentity {
  received: number[];
  bytes: number;
  firstAt: number;
  ageMs: number;
  /** open: waiting for segments; delivering: complete and claimed; released: complete, its handler failed. */
  state: 'open' | 'delivering' | 'released';
}

export interface SegmentStore {
  add(segment: StoredSegment): Promise<SegmentOutcome>;
  /** The claimed message was delivered: its segments go, a resend is recognised as a late duplicate. */
  finish(message: CompletedMessage): Promise<void>;
  /**
   * Its delivery failed: the message stays, whole, to be claimed again by the sender's resend
   * (on Redis, one a sweep handed over is handed out again by a later sweep too).
   */
  release(message: CompletedMessage): Promise<void>;
  /** Expires what is past its timeout and takes over lapsed claims. Call it every second or so. */
  sweep(): Promise<SweepResult>;
  /** What is pending, oldest first, at most `limit`. */
  list(limit?: number): Promise<PendingMessage[]>;
}

/** Memories of what was already seen (the link's single-SMS repeat window). */
export interface DuplicateMemory {
  /**
   * True when `key` was not seen in the last `windowMs` (it is remembered from now on),
   * false when it was: a repeat. Keys are hashed; any length is taken.
   */
  remember(key: string | Uint8Array, windowMs: number): Promise<boolean>;
  /**
   * Whether `key` is remembered now, without remembering it: a bearer checks before it hands
   * a message over and remembers only after the handover is stored, so a crash in between
   * costs a duplicate, never a loss.
   */
  seen(key: string | Uint8Array): Promise<boolean>;
  /** Forgets a key (its handler failed, so the repeat must get through). */
  forget(key: string | Uint8Array): Promise<void>;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface StoredRecord {
  id: string;
  value: JsonValue;
}

/** A shared table of records by id (the Push Client's registrations), with a version that counts changes. */
export interface RecordTable {
  list(): Promise<StoredRecord[]>;
  get(id: string): Promise<JsonValue | undefined>;
  /** Stores it; resolves to the table's new version. */
  put(id: string, value: JsonValue): Promise<number>;
  /** Resolves to the table's new version (unchanged when there was nothing to delete). */
  delete(id: string): Promise<number>;
  version(): Promise<number>;
  /**
   * Calls `listener` when another store instance (another node, or another process on the same
   * path) changed the table, within `registrationPollMs`. Returns the function that stops it.
   */
  watch(listener: (version: number) => void): () => void;
}

/**
 * A record table no one watches: the PPG's pushes and outcomes. A table of its own, so the
 * Push Client's registrations (and their watchers) never see a push go by.
 */
export type PlainTable = Omit<RecordTable, 'watch'>;

export interface QueueEntry {
  data: Uint8Array;
  /** Small facts beside the data (originator, ports, ...). */
  attributes?: Record<string, string>;
}

export interface QueueItem {
  id: string;
  data: Uint8Array;
  attributes: Record<string, string>;
  enqueuedAt: number;
  /** 1 on the first delivery; more when it is delivered again (its earlier consumer died or timed out). */
  deliveries: number;
}

export interface QueueCounts {
  queue: string;
  /** Waiting for a consumer. */
  ready: number;
  /** Taken and not yet acknowledged. */
  inFlight: number;
}

export interface ConsumeOptions {
  /** A handler not settled after this long is reported ('timeout') and its item acknowledged. Default 30,000 ms. */
  handlerTimeoutMs?: number;
  /** How long one wait for new items lasts before the consumer looks for lapsed ones. Default 1,000 ms. */
  blockMs?: number;
  /**
   * Whether a handler's rejection leaves its item unacknowledged (not reported as a
   * 'handler-error'): it stays in flight, and is handed out again once reclaimed (in flight past
   * queueReclaimMs; its consumer's node gone; on lmdb, the next start). Default: never.
   */
  unacknowledged?: (error: unknown) => boolean;
}

export interface QueueConsumer extends EventEmitter<{
  /** A handler threw or rejected; the item is acknowledged (the next goes on). */
  'handler-error': [QueueItem, unknown];
  timeout: [QueueItem];
  delivered: [QueueItem];
  /** The store failed; the consumer waits and tries again. */
  'store-error': [StoreError];
}> {
  readonly queue: string;
  /** Stops taking; resolves once the item being handled (if any) has settled and been acknowledged. */
  stop(): Promise<void>;
}

/** Per-name durable queues (the Push Client's per-application delivery queues). */
export interface QueueStore {
  /** Appends; resolves to the item's id once stored. Rejects QUEUE_FULL at `maxQueued`. */
  enqueue(queue: string, entry: QueueEntry): Promise<string>;
  /** Takes up to `count` ready items for this store instance (its consumer name: the node id). */
  take(queue: string, count?: number): Promise<QueueItem[]>;
  /** Acknowledges an item: it is gone. Call only after its handler settled. */
  ack(queue: string, id: string): Promise<void>;
  /** Takes over items in flight for longer than `queueReclaimMs`, or whose consumer is gone. */
  reclaim(queue: string, count?: number): Promise<QueueItem[]>;
  /** Runs `handler` on each item, one at a time, acknowledging each once its handler settled. */
  consume(queue: string, handler: (item: QueueItem) => void | Promise<void>, options?: ConsumeOptions): QueueConsumer;
  counts(queue: string): Promise<QueueCounts>;
  /** Names of queues that hold anything. */
  names(): Promise<string[]>;
}

/**
 * Entries the duplicate memories forgot because a count bound was reached, not because their
 * window passed: each one shortens the window the store promises (docs/state.md "Limits").
 */
export interface ForgottenEarly {
  /** Duplicate-memory keys (single SMS) forgotten for `maxDuplicates` within their window. */
  duplicates: number;
  /** Completed messages forgotten for `reassembly.maxRecentMessages` within `timeoutMs`. */
  recentMessages: number;
}

/** What `wappush store inspect` prints. */
export interface StoreReport {
  backend: StoreBackend;
  /** Path, or Redis URL without its password. */
  location: string;
  pending: {
    messages: number;
    segments: number;
    bytes: number;
    oldestAgeMs: number | null;
    list: PendingMessage[];
    /** More were pending than `limit` listed. */
    truncated: boolean;
  };
  queues: QueueCounts[];
  registrations: number;
  registrationsVersion: number;
  /** When a stored change is on disk (docs/state.md): lmdb as its writer opened it; Redis the server's appendfsync. */
  sync?: StoreSync;
}

export interface StoreEvents {
  /** A call failed for want of the backend; every call fails fast until 'available'. */
  unavailable: [StoreError];
  /** The backend answers again. */
  available: [];
}

export interface Store extends EventEmitter<StoreEvents> {
  readonly backend: StoreBackend;
  /** This instance's name among the nodes sharing the store (its claims and queue consumer). */
  readonly nodeId: string;
  /**
   * Redis: this nodeId was live in the store when this instance opened it (another instance
   * with the same nodeId, or one stopped without closing less than nodeTtlMs ago). The PPG
   * refuses to start then: it would take up that instance's pushes as its own.
   */
  readonly nodeWasLive?: boolean;
  readonly segments: SegmentStore;
  readonly duplicates: DuplicateMemory;
  readonly registrations: RecordTable;
  /** The PPG's push records (at most 100,000: src/store/state/records.ts MAX_PUSH_RECORDS). */
  readonly pushes: PlainTable;
  readonly queues: QueueStore;
  /** False between an 'unavailable' and the next 'available'. */
  readonly available: boolean;
  /** How often record watchers look again (registrationPollMs): a node's death is seen at this pace too. */
  readonly pollMs: number;
  /**
   * Which of these nodes are alive now: on Redis, those whose liveness (renewed every nodeTtlMs / 3,
   * lapsing after nodeTtlMs) holds; in this process, the stores open on the same state.
   */
  liveNodes(nodeIds: readonly string[]): Promise<Set<string>>;
  /**
   * When a stored change is on disk (docs/state.md): lmdb as opened; Redis the server's
   * appendfsync as last read (undefined when it does not say); memory undefined (never).
   */
  readonly sync?: StoreSync;
  /**
   * What this process's store forgot for a count bound while its window was still open (memory,
   * lmdb; Redis keeps each entry for its window and has none). Undefined where not counted.
   */
  readonly forgottenEarly?: ForgottenEarly;
  /** Tries a write now; resolves whether the store can write (and emits 'available' when it comes back). */
  probe(): Promise<boolean>;
  inspect(limit?: number): Promise<StoreReport>;
  /** Releases what this instance holds (claims, queue items in flight) and closes. */
  close(): Promise<void>;
}
