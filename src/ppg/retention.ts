/**
 * How long the push table keeps a finished push (every recipient final and its notification
 * sent or given up on): at most `retentionMs` after it finished, and at most `maxRecords`
 * records in all. Pushes in progress are never removed; when they alone fill `maxRecords`,
 * a new push is refused (4001) rather than an unfinished one dropped.
 */
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';

/** Most push records the store's push table holds (src/store/state/records.ts MAX_PUSH_RECORDS). */
export const MAX_PUSH_TABLE = 100_000;

export const DEFAULT_RETENTION = Object.freeze({
  /** A finished push is kept this long for status queries: 24 hours. */
  retentionMs: 86_400_000,
  /** Push records kept at most (finished and in progress). */
  maxRecords: 50_000,
} as const);

export type RemovalReason = 'age' | 'count';

export interface RetentionBounds {
  retentionMs?: number;
  maxRecords?: number;
}

/** Finished pushes by key, oldest finished first; decides which to remove. */
export class Retention {
  readonly retentionMs: number;
  readonly maxRecords: number;
  /** Removed so far, by reason. */
  readonly removed: Record<RemovalReason, number> = { age: 0, count: 0 };
  private readonly finished = new Map<string, number>();

  constructor(bounds: RetentionBounds = {}) {
    this.retentionMs = positiveBound(bounds.retentionMs ?? DEFAULT_RETENTION.retentionMs, 'retentionMs', MAX_TIMER_MS);
    this.maxRecords = positiveBound(bounds.maxRecords ?? DEFAULT_RETENTION.maxRecords, 'maxRecords', MAX_PUSH_TABLE);
  }

  get size(): number {
    return this.finished.size;
  }

  /** A push finished at `at` (ms). Keys come in finishing order, but a restart may restore any order. */
  finish(key: string, at: number): void {
    this.finished.delete(key);
    this.finished.set(key, at);
  }

  /** A push no longer to be removed by this PPG (gone from the store, or its key reused). */
  forget(key: string): void {
    this.finished.delete(key);
  }

  /** Restores finished pushes read from the store (any order). */
  restore(entries: Iterable<[string, number]>): void {
    const all = [...this.finished, ...entries].sort((a, b) => a[1] - b[1]);
    this.finished.clear();
    for (const [k, at] of all) this.finished.set(k, at);
  }

  /**
   * What to remove now: every finished push older than retentionMs, then the oldest finished
   * ones while the table would hold more than maxRecords with `incoming` more (given `live`
   * pushes in progress). They leave the working set at once; the caller deletes them and counts.
   */
  due(now: number, live: number, incoming = 0): Array<{ key: string; reason: RemovalReason }> {
    const out: Array<{ key: string; reason: RemovalReason }> = [];
    for (const [key, at] of this.finished) {
      if (now - at >= this.retentionMs) out.push({ key, reason: 'age' });
      else if (this.finished.size - out.length + live + incoming > this.maxRecords) out.push({ key, reason: 'count' });
      else break;
    }
    for (const { key } of out) this.finished.delete(key);
    return out;
  }

  /** No room for `incoming` more even with every finished push removed. */
  full(live: number, incoming = 1): boolean {
    return live + incoming > this.maxRecords;
  }
}
