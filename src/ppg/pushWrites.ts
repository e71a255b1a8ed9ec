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

/** A record's key in memory (the store's key, pushKey, is made by PushRecords). */
const keyOf = (record: PushRecord) => `${record.initiator}\0${record.pushId}`;

export class PushWrites {
  /** Changed and not yet handed to the store, by key: written with the next write. */
  private readonly dirty = new Map<string, PushRecord>();
  /** Changed, written once delayMs has passed since (or when something asks it stored), oldest first. */
  private readonly idle = new Map<string, { record: PushRecord; since: number }>();
  /** The last write of a record on its way, by key (settles, never rejects). */
  private readonly writing = new Map<string, Promise<void>>();
  /** Called once a record's waiting change is written (or its write failed), by key. */
  private readonly waiters = new Map<string, Array<() => void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly records: PushRecords,
    private readonly delayMs: number,
    private readonly failed: (e: unknown) => void,
  ) {}

  /** A change written within delayMs; with the next write of any push when `rideAlong`. */
  later(record: PushRecord, rideAlong: boolean): void {
    const key = keyOf(record);
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
    return this.flush(key).get(key)!;
  }

  /**
   * Hands every waiting change to the store now, in one turn (so in one commit); returns each
   * record's write, rejecting when it failed. Failures are told to `failed`, but `own`'s,
   * which its caller answers.
   */
  flush(own?: string): Map<string, Promise<void>> {
    if (this.idle.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const out = new Map<string, Promise<void>>();
    for (const [key, record] of this.dirty) {
      const write = this.records.put(record);
      const done = write.then(
        () => {},
        (e: unknown) => {
          if (key !== own) this.failed(e);
        },
      );
      this.writing.set(key, done);
      out.set(key, write);
      void done.then(() => {
        if (this.writing.get(key) === done) this.writing.delete(key);
        const wake = this.waiters.get(key);
        if (wake === undefined) return;
        this.waiters.delete(key);
        for (const f of wake) f();
      });
    }
    this.dirty.clear();
    return out;
  }

  /** Resolves once what is known of the record now is stored, writing it now when it waits. */
  stored(record: PushRecord): Promise<void> {
    const key = keyOf(record);
    if (this.dirty.has(key) || this.idle.has(key)) return this.now(record).catch(() => {});
    return this.writing.get(key) ?? Promise.resolve();
  }

  /** Calls `f` once what is known of the record now is stored, without hurrying its write. */
  whenStored(record: PushRecord, f: () => void): void {
    const key = keyOf(record);
    if (this.dirty.has(key) || this.idle.has(key)) {
      const list = this.waiters.get(key);
      if (list) list.push(f);
      else this.waiters.set(key, [f]);
      return;
    }
    const write = this.writing.get(key);
    if (write) void write.then(f);
    else f();
  }

  /** Writes everything waiting; resolves once every write on its way has settled. */
  async close(): Promise<void> {
    for (const [k, { record }] of this.idle) this.dirty.set(k, record);
    this.idle.clear();
    this.flush();
    await Promise.all([...this.writing.values()]);
  }
}
