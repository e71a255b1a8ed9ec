/**
 * What every backend shares: its node name, closing, and availability. A call that fails for
 * want of the backend turns the store unavailable ('unavailable', once); from then on calls
 * fail fast with STORE_UNAVAILABLE, and a probe every `probeIntervalMs` tries a write until
 * one succeeds ('available').
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { StoreError, StoreErrorCode, unavailable } from './errors.js';
import { resolveOptions, type ResolvedOptions, type StoreOptions } from './options.js';
import type { CompletedMessage, SegmentOutcome, Store, StoreBackend, StoreEvents, StoredSegment } from './types.js';

export function defaultNodeId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export abstract class StoreBase extends EventEmitter<StoreEvents> {
  abstract readonly backend: StoreBackend;
  readonly nodeId: string;
  protected readonly o: ResolvedOptions;
  protected closed = false;
  private up = true;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(options: StoreOptions = {}) {
    super();
    this.o = resolveOptions(options);
    const id = options.nodeId ?? defaultNodeId();
    if (typeof id !== 'string' || id.length === 0 || id.length > 128)
      throw new StoreError(StoreErrorCode.BAD_SPEC, 'nodeId must be a non-empty string of at most 128 characters');
    this.nodeId = id;
  }

  get pollMs(): number {
    return this.o.registrationPollMs;
  }

  get available(): boolean {
    return this.up;
  }

  /** Throws when the store cannot take a call now. */
  protected ready(): void {
    if (this.closed) throw new StoreError(StoreErrorCode.STORE_CLOSED, `the ${this.backend} store is closed`);
    if (!this.up)
      throw new StoreError(
        StoreErrorCode.STORE_UNAVAILABLE,
        `the ${this.backend} store is unavailable (waiting for it to come back)`,
      );
  }

  /** A call failed for want of the backend: the store turns unavailable. Returns the error to throw. */
  protected fail(cause: unknown, what: string): StoreError {
    const error = unavailable(cause, what);
    if (error.code !== StoreErrorCode.STORE_UNAVAILABLE) return error;
    if (this.up && !this.closed) {
      this.up = false;
      this.startProbing();
      this.emit('unavailable', error);
    }
    return error;
  }

  /** The backend answered a probe: calls go through again. */
  protected recovered(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    if (this.up || this.closed) return;
    this.up = true;
    this.emit('available');
  }

  /** One write to see whether the store can take calls again; true when it can. */
  async probe(): Promise<boolean> {
    if (this.closed) return false;
    if (this.probing) return this.up;
    this.probing = true;
    try {
      await this.tryWrite();
      if (!this.up) await this.reload();
      this.recovered();
      return true;
    } catch (error) {
      this.fail(error, 'probe');
      return false;
    } finally {
      this.probing = false;
    }
  }

  /** A small write that fails when the backend cannot write. */
  protected abstract tryWrite(): Promise<void>;

  /** After an outage, before calls go through again: re-read what the working copy may have lost. */
  protected async reload(): Promise<void> {}

  protected stopProbing(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private startProbing(): void {
    if (this.probeTimer) return;
    this.probeTimer = setInterval(() => void this.probe(), this.o.probeIntervalMs);
    this.probeTimer.unref();
  }
}

/** How a callback-style store call ends: `error` set when it failed, else its value. */
export type Settle<T> = (error: unknown, value?: T) => void;

/**
 * The link's intake path without a promise per segment (docs/state.md): a backend that keeps
 * its state in this process calls back once the change is stored, all of one commit's callers
 * from one settlement, and at once when there is nothing to wait for (the memory backend).
 * Others are reached through their promises (`segmentTakerOf`).
 */
export interface SegmentTaker {
  addSegment(segment: StoredSegment, done: Settle<SegmentOutcome>): void;
  finishMessage(message: CompletedMessage, done: Settle<void>): void;
}

/** The store's own SegmentTaker, or one over its promise calls. */
export function segmentTakerOf(store: Store): SegmentTaker {
  if (takesSegments(store)) return store;
  return {
    addSegment: (segment, done) =>
      void store.segments.add(segment).then(
        (outcome) => done(undefined, outcome),
        (error: unknown) => done(error ?? new Error('the store failed')),
      ),
    finishMessage: (message, done) =>
      void store.segments.finish(message).then(
        () => done(undefined),
        (error: unknown) => done(error ?? new Error('the store failed')),
      ),
  };
}

function takesSegments(store: Store): store is Store & SegmentTaker {
  return (
    'addSegment' in store &&
    typeof store.addSegment === 'function' &&
    'finishMessage' in store &&
    typeof store.finishMessage === 'function'
  );
}
