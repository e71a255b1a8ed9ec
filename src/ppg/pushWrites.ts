/**
 * When a push record is written. An accepted push is written at once and answered once that
 * write is stored: one record, in one commit. Later changes (message_ids after the submit,
 * receipts, the notification sent) wait until the next write of any push, or `delayMs` at
 * most, and go in that commit: under load a push costs the store its accept commit and rides
 * in others' for the rest. Anything told outside the PPG (a status query's answer, a cancel's,
 * a result notification) first has what it tells written (`stored`), so a crash never takes
 * back what an initiator was told. docs/ppg.md says what survives a crash at each point.
 */
import type { PushRecord, PushRecords } from './pushRecord.js';

/** Default longest wait of a status change for a write to ride in, ms. */
export const DEFAULT_STATUS_WRITE_MS = 100;

/** A record's key in memory (the store's key, pushKey, is made by PushRecords). */
const keyOf = (record: PushRecord) => `${record.initiator}\0${record.pushId}`;

export class PushWrites {
  /** Changed and not yet handed to the store, by key. */
  private readonly dirty = new Map<string, PushRecord>();
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

  /** A change written with the next write, within delayMs. */
  later(record: PushRecord): void {
    this.dirty.set(keyOf(record), record);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      this.timer.unref();
    }
  }

  /** Writes the record now, with every change waiting; rejects when its write failed. */
  now(record: PushRecord): Promise<void> {
    const key = keyOf(record);
    this.dirty.set(key, record);
    return this.flush(key).get(key)!;
  }

  /**
   * Hands every waiting change to the store now, in one turn (so in one commit); returns each
   * record's write, rejecting when it failed. Failures are told to `failed`, but `own`'s,
   * which its caller answers.
   */
  flush(own?: string): Map<string, Promise<void>> {
    clearTimeout(this.timer);
    this.timer = undefined;
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
    if (this.dirty.has(key)) return this.now(record).catch(() => {});
    return this.writing.get(key) ?? Promise.resolve();
  }

  /** Calls `f` once what is known of the record now is stored, without hurrying its write. */
  whenStored(record: PushRecord, f: () => void): void {
    const key = keyOf(record);
    if (this.dirty.has(key)) {
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
    this.flush();
    await Promise.all([...this.writing.values()]);
  }
}
