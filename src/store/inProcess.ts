/**
 * A store whose state lives in this process (memory), or whose working copy does while every
 * change goes to disk (lmdb). Decisions are made on the working copy, synchronously, so two
 * calls never race; a call resolves once the changes made so far are stored (`settled()`).
 */
import { type SegmentTaker, type Settle, StoreBase } from './base.js';
import { Consumer, type ConsumerSource } from './consumer.js';
import { StoreError, StoreErrorCode } from './errors.js';
import { checkName, checkSegment, duplicateKey } from './keys.js';
import {
  DEFAULT_LIST_LIMIT,
  MAX_BATCH,
  MAX_QUEUE_ITEM_OCTETS,
  MAX_RECORD_OCTETS,
  type StoreOptions,
} from './options.js';
import { DuplicateState } from './state/duplicates.js';
import { QueueState } from './state/queues.js';
import { MAX_PUSH_RECORDS, RecordState } from './state/records.js';
import { ReassemblyState } from './state/reassembly.js';
import { NO_SINK, type Sink } from './state/sink.js';
import type {
  CompletedMessage,
  ConsumeOptions,
  DuplicateMemory,
  JsonValue,
  QueueConsumer,
  QueueCounts,
  QueueEntry,
  QueueItem,
  PlainTable,
  QueueStore,
  RecordTable,
  SegmentOutcome,
  SegmentStore,
  Store,
  StoredRecord,
  StoredSegment,
  ForgottenEarly,
  StoreReport,
  SweepResult,
} from './types.js';

/** The four kinds of state, and the nodes that share them (several memory stores in one process). */
export class Space {
  readonly reassembly: ReassemblyState;
  readonly duplicates: DuplicateState;
  readonly records: RecordState;
  readonly pushes: RecordState;
  readonly queues: QueueState;
  readonly nodes = new Set<string>();
  /** Record watchers by node, told of changes other nodes make. */
  readonly watchers = new Map<string, Set<(version: number) => void>>();
  /**
   * One object per state, read live: the stores attached to it hand out the same one, so the
   * metrics count a shared state once.
   */
  readonly forgottenEarly: ForgottenEarly;

  constructor(options: ConstructorParameters<typeof ReassemblyState>[0], sink: Sink = NO_SINK) {
    this.reassembly = new ReassemblyState(options, sink);
    this.duplicates = new DuplicateState(options, sink);
    this.records = new RecordState(sink);
    this.pushes = new RecordState(sink, 'p', MAX_PUSH_RECORDS);
    this.queues = new QueueState(options, sink);
    const duplicates = this.duplicates;
    const reassembly = this.reassembly;
    this.forgottenEarly = Object.freeze({
      get duplicates() {
        return duplicates.forgottenEarly;
      },
      get recentMessages() {
        return reassembly.recentForgottenEarly;
      },
    });
  }

  setSink(sink: Sink): void {
    this.reassembly.setSink(sink);
    this.duplicates.setSink(sink);
    this.records.setSink(sink);
    this.pushes.setSink(sink);
    this.queues.setSink(sink);
  }

  readonly live = (nodeId: string): boolean => this.nodes.has(nodeId);
}

export abstract class InProcessStore extends StoreBase implements Store, SegmentTaker {
  readonly segments: SegmentStore;
  readonly duplicates: DuplicateMemory;
  readonly registrations: RecordTable;
  readonly pushes: PlainTable;
  readonly queues: QueueStore;
  protected space!: Space;
  /** The callback-style callers of the batch being gathered: one settlement answers them all. */
  private waiting: CommitWaiters | undefined;

  constructor(options: StoreOptions) {
    super(options);
    this.segments = {
      // Only what the caller acknowledges waits for the disk: a held segment, or a duplicate of one
      // (stored by an add that may still be committing). A completion is delivered at once:
      // its segments' own adds answer for them, and the completing one is not written.
      add: (s) => this.change(() => this.add(s), acknowledged),
      finish: (m) => this.change(() => this.space.reassembly.finish(m.key)),
      release: (m) => this.change(() => this.space.reassembly.release(m.key, this.nodeId)),
      sweep: () => this.change(() => this.sweep()),
      list: (limit = DEFAULT_LIST_LIMIT) => this.read(() => this.space.reassembly.list(limit).list),
    };
    this.duplicates = {
      remember: (key, windowMs) =>
        this.change(() => {
          if (typeof windowMs !== 'number' || !(windowMs >= 0))
            throw new StoreError(StoreErrorCode.BAD_INPUT, 'windowMs must be a number >= 0');
          return this.space.duplicates.remember(duplicateKey(key), windowMs);
        }),
      seen: (key) => this.read(() => this.space.duplicates.has(duplicateKey(key))),
      forget: (key) => this.change(() => this.space.duplicates.forget(duplicateKey(key))),
    };
    this.registrations = {
      list: () => this.read(() => this.recordList()),
      get: (id) => this.read(() => this.recordGet(id)),
      put: (id, value) =>
        this.change(() => this.recordChanged(this.space.records.put(checkName(id, 'record id'), recordJson(value)))),
      delete: (id) => this.change(() => this.recordChanged(this.space.records.delete(checkName(id, 'record id')))),
      version: () => this.read(() => this.recordVersion()),
      watch: (listener) => this.watch(listener),
    };
    this.pushes = {
      list: () => this.read(() => tableList(this.space.pushes)),
      get: (id) => this.read(() => tableGet(this.space.pushes, id)),
      put: (id, value) => this.change(() => this.space.pushes.put(checkName(id, 'record id'), recordJson(value))),
      delete: (id) => this.change(() => this.space.pushes.delete(checkName(id, 'record id'))),
      version: () => this.read(() => this.space.pushes.version),
    };
    this.queues = {
      enqueue: (queue, entry) =>
        this.change(() => this.space.queues.enqueue(checkName(queue, 'queue'), checkEntry(entry))),
      take: (queue, count = 1) =>
        this.change(() => this.space.queues.take(checkName(queue, 'queue'), this.nodeId, checkCount(count))),
      ack: (queue, id) => this.change(() => this.space.queues.ack(checkName(queue, 'queue'), String(id))),
      reclaim: (queue, count = MAX_BATCH) =>
        this.change(() =>
          this.space.queues.reclaim(checkName(queue, 'queue'), this.nodeId, this.space.live, checkCount(count)),
        ),
      consume: (queue, handler, options) => this.consume(queue, handler, options),
      counts: (queue) => this.read(() => this.space.queues.counts(checkName(queue, 'queue'))),
      names: () => this.read(() => this.space.queues.names()),
    };
  }

  get forgottenEarly(): ForgottenEarly {
    return this.space.forgottenEarly;
  }

  inspect(limit = DEFAULT_LIST_LIMIT): Promise<StoreReport> {
    return this.read(() => {
      const r = this.space.reassembly.list(limit);
      const queues: QueueCounts[] = this.space.queues.names().map((n) => this.space.queues.counts(n));
      return {
        backend: this.backend,
        location: this.location,
        pending: {
          messages: r.messages,
          segments: r.segments,
          bytes: r.bytes,
          oldestAgeMs: r.oldest,
          list: r.list,
          truncated: r.messages > r.list.length,
        },
        queues,
        registrations: this.space.records.records.size,
        registrationsVersion: this.space.records.version,
      };
    });
  }

  protected abstract readonly location: string;

  abstract close(): Promise<void>;

  /** Resolves once every change made so far is stored; rejects (StoreError) when one was not. */
  protected abstract settled(): Promise<void> | undefined;

  /**
   * Runs a change on the working copy now, and resolves with its result once it is stored
   * (when `durable` says the result needs it).
   */
  protected change<T>(fn: () => T, durable: (value: T) => boolean = always): Promise<T> {
    let value: T;
    try {
      this.ready();
      value = fn();
    } catch (error) {
      return Promise.reject(error instanceof StoreError ? error : this.fail(error, 'write'));
    }
    if (!durable(value)) return Promise.resolve(value);
    const pending = this.settled();
    return pending === undefined ? Promise.resolve(value) : pending.then(() => value);
  }

  /** segments.add, calling back instead of resolving: at once when nothing waits for a commit. */
  addSegment(segment: StoredSegment, done: Settle<SegmentOutcome>): void {
    let outcome: SegmentOutcome;
    try {
      this.ready();
      outcome = this.add(segment);
    } catch (error) {
      done(error instanceof StoreError ? error : this.fail(error, 'write'));
      return;
    }
    const pending = acknowledged(outcome) ? this.settled() : undefined;
    if (pending === undefined) done(undefined, outcome);
    else this.waitersOf(pending).added(done, outcome);
  }

  /** segments.finish, calling back once stored. */
  finishMessage(message: CompletedMessage, done: Settle<void>): void {
    try {
      this.ready();
      this.space.reassembly.finish(message.key);
    } catch (error) {
      done(error instanceof StoreError ? error : this.fail(error, 'write'));
      return;
    }
    const pending = this.settled();
    if (pending === undefined) done(undefined);
    else this.waitersOf(pending).finished(done);
  }

  /**
   * duplicates.seen for a key already hashed (duplicateKey), calling back at once: the bearer
   * hashes a single SMS's key once for its check and its remembering, and makes no promise.
   */
  seenHashed(hashed: string, done: Settle<boolean>): void {
    let seen: boolean;
    try {
      if (this.closed) this.ready();
      seen = this.space.duplicates.has(hashed);
    } catch (error) {
      done(error instanceof StoreError ? error : this.fail(error, 'read'));
      return;
    }
    done(undefined, seen);
  }

  /**
   * duplicates.remember for a key already hashed, calling back once the change is stored (with
   * the commit's other callers, from its one settlement), or at once when nothing waits for one.
   */
  rememberHashed(hashed: string, windowMs: number, done: Settle<boolean>): void {
    let fresh: boolean;
    try {
      this.ready();
      if (typeof windowMs !== 'number' || !(windowMs >= 0))
        throw new StoreError(StoreErrorCode.BAD_INPUT, 'windowMs must be a number >= 0');
      fresh = this.space.duplicates.remember(hashed, windowMs);
    } catch (error) {
      done(error instanceof StoreError ? error : this.fail(error, 'write'));
      return;
    }
    const pending = this.settled();
    if (pending === undefined) done(undefined, fresh);
    else this.waitersOf(pending).remembered(done, fresh);
  }

  /** The callback-style callers waiting on `pending` (settled()'s promise for the batch being gathered). */
  private waitersOf(pending: Promise<void>): CommitWaiters {
    if (this.waiting?.pending === pending) return this.waiting;
    const w = new CommitWaiters(pending);
    this.waiting = w;
    const settle = (error: unknown) => {
      if (this.waiting === w) this.waiting = undefined;
      w.settle(error);
    };
    pending.then(
      () => settle(undefined),
      (error: unknown) => settle(error ?? new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'a commit failed')),
    );
    return w;
  }

  protected read<T>(fn: () => T): Promise<T> {
    try {
      if (this.closed) this.ready();
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error instanceof StoreError ? error : this.fail(error, 'read'));
    }
  }

  protected recordList(): StoredRecord[] {
    return tableList(this.space.records);
  }

  protected recordGet(id: string): JsonValue | undefined {
    return tableGet(this.space.records, id);
  }

  protected recordVersion(): number {
    return this.space.records.version;
  }

  protected watch(listener: (version: number) => void): () => void {
    let set = this.space.watchers.get(this.nodeId);
    if (set === undefined) this.space.watchers.set(this.nodeId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private add(s: StoredSegment): SegmentOutcome {
    return this.space.reassembly.add(s, checkSegment(s), this.nodeId, this.space.live);
  }

  private sweep(): SweepResult {
    this.space.duplicates.sweep(this.o.now());
    return this.space.reassembly.sweep(this.nodeId, this.space.live, MAX_BATCH);
  }

  private consume(
    queue: string,
    handler: (item: QueueItem) => void | Promise<void>,
    options?: ConsumeOptions,
  ): QueueConsumer {
    checkName(queue, 'queue');
    let waiting: { cancel: () => void } | undefined;
    // The consumer's own takes and acknowledgements do not wait for their commit: they ride in
    // the next group commit, so one application's pushes are handed over at the handler's pace,
    // not two fsyncs apiece. A crash before that commit hands the item over again (at least
    // once), its `deliveries` possibly not counting the handover the crash cut short.
    const take = () => this.change(() => this.space.queues.take(queue, this.nodeId, 1), never);
    const source: ConsumerSource = {
      next: async (blockMs) => {
        const now = await take();
        if (now.length > 0) return now;
        const w = this.space.queues.wait(queue, blockMs);
        waiting = w;
        await w.promise;
        waiting = undefined;
        return take();
      },
      reclaim: () => this.queues.reclaim(queue, 1),
      ack: (id) => this.change(() => this.space.queues.ack(queue, id), never),
      interrupt: () => waiting?.cancel(),
      close: () => {},
    };
    return new Consumer(queue, handler, source, Math.max(1, Math.floor(this.o.queueReclaimMs / 2)), options);
  }

  liveNodes(nodeIds: readonly string[]): Promise<Set<string>> {
    return this.read(() => new Set(nodeIds.filter(this.space.live)));
  }

  /** After a record change made here: the other nodes sharing the space are told. Returns the version. */
  protected recordChanged(version: number): number {
    for (const [node, set] of this.space.watchers)
      if (node !== this.nodeId) for (const l of set) queueMicrotask(() => l(version));
    return version;
  }

  /** Gives back what this node holds, so the nodes sharing the space (or the next process) take it over. */
  protected releaseHeld(): void {
    this.space.reassembly.releaseAll(this.nodeId);
    this.space.queues.releaseAll(this.nodeId);
    this.space.nodes.delete(this.nodeId);
    this.space.watchers.delete(this.nodeId);
  }
}

/**
 * Who waits on one commit (settled() gives the same promise for every change of a batch), with
 * what each gets, in the order they came: kept in arrays, not a closure or promise each.
 */
class CommitWaiters {
  private readonly adds: Settle<SegmentOutcome>[] = [];
  private readonly outcomes: SegmentOutcome[] = [];
  private readonly finishes: Settle<void>[] = [];
  private readonly remembers: Settle<boolean>[] = [];
  private readonly fresh: boolean[] = [];

  constructor(readonly pending: Promise<void>) {}

  remembered(done: Settle<boolean>, fresh: boolean): void {
    this.remembers.push(done);
    this.fresh.push(fresh);
  }

  added(done: Settle<SegmentOutcome>, outcome: SegmentOutcome): void {
    this.adds.push(done);
    this.outcomes.push(outcome);
  }

  finished(done: Settle<void>): void {
    this.finishes.push(done);
  }

  /** Calls each back (`error` set: the commit failed); one that throws does not stop the rest. */
  settle(error: unknown): void {
    for (let i = 0; i < this.adds.length; i++) {
      try {
        if (error === undefined) this.adds[i](undefined, this.outcomes[i]);
        else this.adds[i](error);
      } catch (e) {
        rethrowLater(e);
      }
    }
    for (let i = 0; i < this.remembers.length; i++) {
      try {
        if (error === undefined) this.remembers[i](undefined, this.fresh[i]);
        else this.remembers[i](error);
      } catch (e) {
        rethrowLater(e);
      }
    }
    for (const done of this.finishes) {
      try {
        done(error);
      } catch (e) {
        rethrowLater(e);
      }
    }
  }
}

/** A caller's fault surfaces on its own (an uncaught exception), not in its neighbours' answers. */
function rethrowLater(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

const always = () => true;
const never = () => false;

function tableList(table: RecordState): StoredRecord[] {
  return [...table.records].map(([id, json]) => ({ id, value: JSON.parse(json) as JsonValue }));
}

function tableGet(table: RecordState, id: string): JsonValue | undefined {
  const json = table.records.get(checkName(id, 'record id'));
  return json === undefined ? undefined : (JSON.parse(json) as JsonValue);
}
const acknowledged = (o: SegmentOutcome) => o.status === 'held' || o.status === 'duplicate';

function recordJson(value: JsonValue): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StoreError(StoreErrorCode.BAD_INPUT, `a record must be JSON: ${(error as Error).message}`);
  }
  if (json === undefined) throw new StoreError(StoreErrorCode.BAD_INPUT, 'a record must be a JSON value');
  if (Buffer.byteLength(json) > MAX_RECORD_OCTETS)
    throw new StoreError(StoreErrorCode.BAD_INPUT, `a record's JSON must be at most ${MAX_RECORD_OCTETS} octets`);
  return json;
}

export function checkEntry(entry: QueueEntry): QueueEntry {
  if (entry === null || typeof entry !== 'object' || !(entry.data instanceof Uint8Array))
    throw new StoreError(StoreErrorCode.BAD_INPUT, 'a queue entry is { data: Uint8Array, attributes? }');
  let size = entry.data.length;
  if (entry.attributes !== undefined) {
    if (entry.attributes === null || typeof entry.attributes !== 'object')
      throw new StoreError(StoreErrorCode.BAD_INPUT, 'queue entry attributes are an object of strings');
    for (const [k, v] of Object.entries(entry.attributes)) {
      if (typeof v !== 'string')
        throw new StoreError(StoreErrorCode.BAD_INPUT, `queue entry attribute ${k} must be a string`);
      size += k.length + v.length;
    }
  }
  if (size > MAX_QUEUE_ITEM_OCTETS)
    throw new StoreError(StoreErrorCode.BAD_INPUT, `a queue entry must be at most ${MAX_QUEUE_ITEM_OCTETS} octets`);
  return entry;
}

export function checkCount(count: number): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_BATCH)
    throw new StoreError(StoreErrorCode.BAD_INPUT, `count must be 1-${MAX_BATCH}`);
  return count;
}
