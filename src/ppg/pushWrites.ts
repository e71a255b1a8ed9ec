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
import { StoreError, StoreErrorCode } from '../store/errors.js';
import type { PushRecord, PushRecords } from './pushRecord.js';
import { waitForReturn, type StoreAvailability } from './storeReturn.js';

export type { StoreAvailability } from './storeReturn.js';

/** Default longest wait of a status change for a write to ride in, ms. */
export const DEFAULT_STATUS_WRITE_MS = 100;

/**
 * Default wait before records whose write failed are written again by the retry timer, ms; it
 * doubles after each timer retry that fails, up to STORE_RETRY_CAP_MS (or storeRetryMs when
 * that is longer), and starts again once a record whose write had failed is stored.
 */
export const DEFAULT_STORE_RETRY_MS = 1_000;

/** Longest wait between two retries of failed writes, ms (storeRetryMs may set a longer one). */
export const STORE_RETRY_CAP_MS = 30_000;

/** A record's key in memory (the store's key, pushKey, is made by PushRecords). */
const keyOf = (record: PushRecord) => `${record.initiator}\0${record.pushId}`;

/**
 * Store errors that writing again never clears: a closed store, one opened read-only (fixed at
 * open), a record the store does not take (BAD_INPUT: over its size limit). Its record is not
 * retried.
 */
const PERMANENT: ReadonlySet<string> = new Set([
  StoreErrorCode.STORE_CLOSED,
  StoreErrorCode.STORE_READ_ONLY,
  StoreErrorCode.BAD_INPUT,
]);
const permanent = (e: unknown) => e instanceof StoreError && PERMANENT.has(e.code);

/** Failed records written again in one flush: reported once, whatever their number. */
interface RetryRound {
  /** Retried writes not yet settled. */
  left: number;
  /** The first temporary error of the round, reported once it has settled. */
  error?: unknown;
  /** Run by the retry timer: its failure doubles the wait. */
  timer: boolean;
}

export class PushWrites {
  /** Changed and not yet handed to the store, by key: written with the next write. */
  private readonly dirty = new Map<string, PushRecord>();
  /** Changed, written once delayMs has passed since (or when something asks it stored), oldest first. */
  private readonly idle = new Map<string, { record: PushRecord; since: number }>();
  /** The last write of a record on its way, by key (rejects when it failed). */
  private readonly writing = new Map<string, Promise<void>>();
  /** Whose last write failed, by key: written again in the next retry round, or when asked stored. */
  private readonly failedWrites = new Map<string, PushRecord>();
  /** Called once a record's last change is stored (true) or its last write failed (false), by key. */
  private readonly waiters = new Map<string, Array<(stored: boolean) => void>>();
  /** Records that left memory as their last write failed (`leftMemory`), by key, till one is stored. */
  private readonly left = new Map<string, PushRecord>();
  /**
   * Whose last write failed with an error that never clears (`permanent`), by key: not retried;
   * written again only with a change of it or when asked stored. Dropped as the record leaves memory.
   */
  private readonly givenUp = new Map<string, PushRecord>();
  /** Records refused at accept (forget): never handed to the store after, whatever asks. */
  private readonly refused = new WeakSet<PushRecord>();
  private timer: NodeJS.Timeout | undefined;
  /** Writes failed records again when no other write does (a PPG gone quiet after a failure). */
  private retryTimer: NodeJS.Timeout | undefined;
  /** The next timer retry's wait: retryMs, doubled after each timer retry that failed. */
  private retryWaitMs: number;
  /**
   * A retry failed since a record whose write had failed was last stored: failed records then
   * no longer ride along with other writes, only the timer (and the store's return) tries them.
   */
  private retryFailed = false;
  /** Retry rounds on their way: the last to settle arms the timer. */
  private rounds = 0;
  /**
   * Stops waiting for the store's return; set only while failed writes wait for it, so a
   * PushWrites leaves no wait on a shared store otherwise (nor when the Ppg making it fails to
   * construct). The store has one listener for all who wait (storeReturn.ts).
   */
  private unwatch: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly records: PushRecords,
    private readonly delayMs: number,
    private readonly failed: (e: unknown) => void,
    /** A record that left memory unstored is stored at last (retention may count it now). */
    private readonly storedAfterLeaving: (record: PushRecord) => void = () => {},
    private readonly retryMs: number = DEFAULT_STORE_RETRY_MS,
    /** Failed records are not retried while it is unavailable, and are at once when it is back. */
    private readonly store?: StoreAvailability,
  ) {
    this.retryWaitMs = retryMs;
  }

  /** Listens for the store's return while failed writes wait for it, and only then. */
  private watchStore(): void {
    const want = !this.closed && this.failedWrites.size > 0 && this.store !== undefined;
    if (want === (this.unwatch !== undefined)) return;
    if (want) this.unwatch = waitForReturn(this.store!, () => this.retry());
    else {
      this.unwatch!();
      this.unwatch = undefined;
    }
  }

  /**
   * Tells `failed` of a store error, once the bookkeeping is done: a throwing listener is the
   * application's fault, and must not leave a record unretried or a timer unarmed; its error is
   * made a process warning rather than thrown into a write's settling.
   */
  private report(e: unknown): void {
    try {
      this.failed(e);
    } catch (thrown) {
      // A string, not the Error: Node drops the code and detail of an Error warning.
      process.emitWarning(
        `a store-error listener threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
        {
          code: 'WAPPUSH_STORE_ERROR_LISTENER',
          detail: 'a store-error listener threw; the PPG went on',
        },
      );
    }
  }

  /** The store takes calls now (a write would not fail at once with STORE_UNAVAILABLE). */
  private get available(): boolean {
    return this.store?.available ?? true;
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
   * record's write, rejecting when it failed. Each failed write of a change is told to `failed`
   * once, here (its callers answer or give up, and tell no more). Records whose last write
   * failed are tried again with it, as one retry round (`RetryRound`), when `retry` says so or
   * no retry has failed since one of them was stored (`retryFailed`); never while the store is
   * unavailable, unless `force` (close).
   */
  private flush(retry = false, timer = false, force = false): Map<string, Promise<void>> {
    if (this.idle.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Keys whose write had failed: stored now, the retry wait starts again.
    const wasFailed = new Set<string>();
    let round: RetryRound | undefined;
    const retried = new Set<string>();
    const take = this.failedWrites.size > 0 && (force || (this.available && (retry || !this.retryFailed)));
    for (const [key, record] of this.failedWrites) {
      if (this.dirty.has(key)) {
        // A newer change of it (or a query asking it stored) is written now anyway.
        this.failedWrites.delete(key);
        wasFailed.add(key);
      } else if (take) {
        this.failedWrites.delete(key);
        this.dirty.set(key, record);
        wasFailed.add(key);
        retried.add(key);
        round ??= { left: 0, timer };
        round.left++;
      }
    }
    const out = new Map<string, Promise<void>>();
    for (const [key, record] of this.dirty) {
      if (this.refused.has(record)) continue;
      this.givenUp.delete(key);
      const again = wasFailed.has(key);
      // Only a record written again with no change of it (nor asked stored): its failure is the round's.
      const inRound = retried.has(key);
      const write = this.records.put(record);
      this.writing.set(key, write);
      out.set(key, write);
      void write.then(
        () => {
          if (again) {
            this.retryWaitMs = this.retryMs;
            this.retryFailed = false;
          }
          if (inRound) this.roundSettled(round!);
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
          const lost = permanent(e);
          if (inRound) round!.error ??= e;
          const newer = this.newer(key, write) || this.refused.has(record);
          if (!newer) {
            if (lost) {
              // Never stored by writing again: not retried, and no longer counted when out of memory.
              if (!this.left.delete(key)) this.givenUp.set(key, record);
            } else {
              // Kept till a write of it succeeds; whoever waits to let it leave memory is told now.
              this.failedWrites.set(key, record);
              this.watchStore();
              if (!inRound) this.armRetry();
            }
            this.wake(key, false);
          }
          // The application hears of it once the record is kept for a retry (or let go).
          if (inRound) this.roundSettled(round!);
          else this.report(e);
        },
      );
    }
    this.dirty.clear();
    this.watchStore();
    if (round !== undefined) this.rounds++;
    return out;
  }

  /**
   * The last write of a retry round settled: a failed round is told once (one `failed`, whatever
   * the number of its records); a failed timer round doubles the wait; the timer is armed again.
   */
  private roundSettled(round: RetryRound): void {
    if (--round.left > 0) return;
    this.rounds--;
    if (round.error !== undefined) {
      this.retryFailed = true;
      if (round.timer) this.retryWaitMs = Math.min(this.retryWaitMs * 2, Math.max(this.retryMs, STORE_RETRY_CAP_MS));
    }
    this.armRetry();
    if (round.error !== undefined) this.report(round.error);
  }

  /**
   * Writes the records whose write failed now, unless the store is unavailable (its return
   * retries them at once): the store is back, or a push was refused for want of room.
   */
  retry(): void {
    if (this.closed || this.failedWrites.size === 0 || !this.available) return;
    // The round's end arms the timer again if it is needed.
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.flush(true);
  }

  /**
   * Writes the failed records again after the retry wait, unless a write of any push took them
   * first; a store that keeps failing is tried less often, at most STORE_RETRY_CAP_MS apart.
   * While the store is unavailable the timer writes nothing and waits again: the store's
   * `available` event retries them. Unref'd: it never holds the process open; close() stops it
   * (and writes them itself).
   */
  private armRetry(): void {
    if (this.closed || this.retryTimer !== undefined || this.rounds > 0 || this.failedWrites.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.failedWrites.size === 0) return;
      if (this.available) this.flush(true, true);
      else this.armRetry();
    }, this.retryWaitMs);
    this.retryTimer.unref();
  }

  /**
   * Resolves once what is known of the record now is stored, writing it now when it waits
   * (again when a change came meanwhile); rejects when a write of it failed.
   */
  async stored(record: PushRecord): Promise<void> {
    const key = keyOf(record);
    for (;;) {
      if (this.dirty.has(key) || this.idle.has(key) || this.failedWrites.has(key) || this.givenUp.has(key)) {
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

  /**
   * The record left memory as its last write failed (whenStored said false). One whose write
   * failed for good (`givenUp`) is let go: the store keeps its last stored copy.
   */
  leftMemory(record: PushRecord): void {
    const key = keyOf(record);
    if (this.givenUp.delete(key)) return;
    this.left.set(key, record);
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
    if (this.givenUp.get(key) === record) this.givenUp.delete(key);
    this.waiters.delete(key);
    this.watchStore();
  }

  /**
   * Calls `f(true)` once what is known of the record now is stored, without hurrying its write;
   * `f(false)` once its last write failed (or at once, when it had): a push that is done need
   * not wait in memory for a later write. The record is still written again (a retry round).
   */
  whenStored(record: PushRecord, f: (stored: boolean) => void): void {
    const key = keyOf(record);
    const pending = this.dirty.has(key) || this.idle.has(key) || this.writing.has(key);
    if (!pending) return f(!this.failedWrites.has(key) && !this.givenUp.has(key));
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
    this.watchStore();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [k, { record }] of this.idle) this.dirty.set(k, record);
    this.idle.clear();
    this.flush(true, false, true);
    while (this.writing.size > 0) await Promise.allSettled([...this.writing.values()]);
  }
}
