/**
 * When a push record is written. An accepted push is written at once and answered once that
 * write is stored: one record, in one commit. A final state rides in the next write of any
 * push (`later(record, true)`); a change that is likely followed soon by another (message_ids
 * after the submit, whose receipt comes next; a notification sent) waits `delayMs`, so the
 * two make one write. A push thus costs the store its accept commit, and its outcome rides in
 * another's. Anything told outside the PPG (a status query's answer, a cancel's, a result
 * notification) first has what it tells written (`stored`), so a crash never takes back what
 * an initiator was told. docs/ppg.md says what survives a crash at each point.
 */
import type { PushRecord, PushRecords } from './pushRecord.js';

/** Default longest wait of a status change for a write to ride in, ms. */
export const DEFAULT_STATUS_WRITE_MS = 100;

/**
 * Default wait before records whose write failed are written again when nothing else writes,
 * ms; it doubles after each retry that fails, up to STORE_RETRY_CAP_MS (or storeRetryMs when
 * that is longer), and starts again once a write is stored.
 */
export const DEFAULT_STORE_RETRY_MS = 1_000;

/** Longest wait between two retries of failed writes, ms (storeRetryMs may set a longer one). */
export const STORE_RETRY_CAP_MS = 30_000;

/** A record's key in memory (the store's key, pushKey, is made by PushRecords). */
const keyOf = (record: PushRecord) => `${record.initiator}\0${record.pushId}`;

export class PushWrites {
  /** Changed and not yet handed to the store, by key: written with the next write. */
  private readonly dirty = new Map<string, PushRecord>();
  /** Changed, written once delayMs has passed since (or when something asks it stored), oldest first. */
  private readonly idle = new Map<string, { record: PushRecord; since: number }>();
  /** The last write of a record on its way, by key (rejects when it failed). */
  private readonly writing = new Map<string, Promise<void>>();
  /** Whose last write failed, by key: written again with the next write, when asked stored, or on retry. */
  private readonly failedWrites = new Map<string, PushRecord>();
  /** Called once a record's last change is stored (true) or its last write failed (false), by key. */
  private readonly waiters = new Map<string, Array<(stored: boolean) => void>>();
  /** Records that left memory as their last write failed (`leftMemory`), by key, till one is stored. */
  private readonly left = new Map<string, PushRecord>();
  /** Records refused at accept (forget): never handed to the store after, whatever asks. */
  private readonly refused = new WeakSet<PushRecord>();
  private timer: NodeJS.Timeout | undefined;
  /** Writes failed records again when no other write does (a PPG gone quiet after a failure). */
  private retryTimer: NodeJS.Timeout | undefined;
  /** The next retry's wait: retryMs, doubled after each retry armed, back to retryMs once stored. */
  private retryWaitMs: number;
  private closed = false;

  constructor(
    private readonly records: PushRecords,
    private readonly delayMs: number,
    private readonly failed: (e: unknown) => void,
    /** A record that left memory unstored is stored at last (retention may count it now). */
    private readonly storedAfterLeaving: (record: PushRecord) => void = () => {},
    private readonly retryMs: number = DEFAULT_STORE_RETRY_MS,
  ) {
    this.retryWaitMs = retryMs;
  }

  /**
   * A change written within delayMs; with the next write of any push when `rideAlong`. Once
   * closed, written at once: no timer outlives close(), so no change waits for a closed store.
   */
  later(record: PushRecord, rideAlong: boolean): void {
    const key = keyOf(record);
    if (this.closed) {
      this.idle.delete(key);
      this.dirty.set(key, record);
      this.flush();
      return;
    }
    if (rideAlong) {
      this.idle.delete(key);
      this.dirty.set(key, record);
    } else if (!this.dirty.has(key) && !this.idle.has(key)) this.idle.set(key, { record, since: Date.now() });
    this.arm(this.delayMs);
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // What waited delayMs is written, with what rides along; the younger wait on.
      const due = Date.now() - this.delayMs;
      for (const [k, { record, since }] of this.idle) {
        if (since > due) break;
        this.idle.delete(k);
        this.dirty.set(k, record);
      }
      this.flush();
      const next = this.idle.values().next();
      if (!next.done) this.arm(Math.max(0, next.value.since + this.delayMs - Date.now()));
    }, ms);
    this.timer.unref();
  }

  /** Writes the record now, with every change waiting; rejects when its write failed. */
  now(record: PushRecord): Promise<void> {
    const key = keyOf(record);
    this.idle.delete(key);
    this.dirty.set(key, record);
    return this.flush().get(key) ?? Promise.reject(new Error('the push was refused at accept'));
  }

  /**
   * Forgets a write that ended; true when a newer change of its key waits, or is on its way
   * (that one's write then wakes the waiters, or is tried again).
   */
  private newer(key: string, write: Promise<void>): boolean {
    if (this.writing.get(key) !== write) return true;
    this.writing.delete(key);
    return this.dirty.has(key) || this.idle.has(key);
  }

  /**
   * Hands every waiting change to the store now, in one turn (so in one commit); returns each
   * record's write, rejecting when it failed. Each failed write is told to `failed` once, here
   * (its callers answer or give up, and tell no more). Records whose last write failed are tried
   * again with it.
   */
  flush(): Map<string, Promise<void>> {
    if (this.idle.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const [key, record] of this.failedWrites) if (!this.dirty.has(key)) this.dirty.set(key, record);
    this.failedWrites.clear();
    const out = new Map<string, Promise<void>>();
    for (const [key, record] of this.dirty) {
      if (this.refused.has(record)) continue;
      const write = this.records.put(record);
      this.writing.set(key, write);
      out.set(key, write);
      void write.then(
        () => {
          this.retryWaitMs = this.retryMs;
          // Waiters are for the newest change: a newer one waiting wakes them once it is stored.
          if (this.newer(key, write)) return;
          const gone = this.left.get(key);
          if (gone !== undefined) {
            this.left.delete(key);
            this.storedAfterLeaving(gone);
          }
          this.wake(key, true);
        },
        (e: unknown) => {
          this.failed(e);
          if (this.newer(key, write) || this.refused.has(record)) return;
          // Kept till a write of it succeeds; whoever waits to let it leave memory is told now.
          this.failedWrites.set(key, record);
          this.armRetry();
          this.wake(key, false);
        },
      );
    }
    this.dirty.clear();
    return out;
  }

  /**
   * Writes the failed records again after the retry wait, unless a write of any push took them
   * first; a store that keeps failing is tried less often, at most STORE_RETRY_CAP_MS apart.
   * Unref'd: it never holds the process open; close() stops it (and writes them itself).
   */
  private armRetry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const ms = this.retryWaitMs;
    this.retryWaitMs = Math.min(ms * 2, Math.max(this.retryMs, STORE_RETRY_CAP_MS));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.failedWrites.size > 0) this.flush();
    }, ms);
    this.retryTimer.unref();
  }

  /**
   * Resolves once what is known of the record now is stored, writing it now when it waits
   * (again when a change came meanwhile); rejects when a write of it failed.
   */
  async stored(record: PushRecord): Promise<void> {
    const key = keyOf(record);
    for (;;) {
      if (this.dirty.has(key) || this.idle.has(key) || this.failedWrites.has(key)) {
        this.failedWrites.delete(key);
        await this.now(record);
        continue;
      }
      const write = this.writing.get(key);
      if (write === undefined) return;
      await write;
    }
  }

  private wake(key: string, stored: boolean): void {
    const wake = this.waiters.get(key);
    if (wake === undefined) return;
    this.waiters.delete(key);
    for (const f of wake) f(stored);
  }

  /**
   * Records out of memory whose last write failed, till a write of each is stored: they count
   * toward maxRecords. Steady while a retry is on its way (failedWrites is emptied by flush()).
   */
  get unstored(): number {
    return this.left.size;
  }

  /** The record left memory as its last write failed (whenStored said false). */
  leftMemory(record: PushRecord): void {
    this.left.set(keyOf(record), record);
  }

  /** The record of a push whose last write failed, waiting to be written again. */
  failedRecord(initiator: string, pushId: string): PushRecord | undefined {
    return this.left.get(`${initiator}\0${pushId}`);
  }

  /**
   * Drops a record whose first write failed: it was refused, so it is never written, though a
   * change of it or a retry of its write should come after (whatever the order of the settling).
   */
  forget(record: PushRecord): void {
    const key = keyOf(record);
    this.refused.add(record);
    if (this.dirty.get(key) === record) this.dirty.delete(key);
    if (this.idle.get(key)?.record === record) this.idle.delete(key);
    if (this.failedWrites.get(key) === record) this.failedWrites.delete(key);
    this.waiters.delete(key);
  }

  /**
   * Calls `f(true)` once what is known of the record now is stored, without hurrying its write;
   * `f(false)` once its last write failed (or at once, when it had): a push that is done need
   * not wait in memory for a later write. The record is still written with the next write.
   */
  whenStored(record: PushRecord, f: (stored: boolean) => void): void {
    const key = keyOf(record);
    const pending = this.dirty.has(key) || this.idle.has(key) || this.writing.has(key);
    if (!pending) return f(!this.failedWrites.has(key));
    const list = this.waiters.get(key);
    if (list) list.push(f);
    else this.waiters.set(key, [f]);
  }

  /**
   * Writes everything waiting; resolves once every write on its way has settled. A change
   * after this is written at once (`later`).
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [k, { record }] of this.idle) this.dirty.set(k, record);
    this.idle.clear();
    this.flush();
    while (this.writing.size > 0) await Promise.allSettled([...this.writing.values()]);
  }
}
