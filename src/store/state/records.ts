/**
 * A record table in this process (the registrations, or the PPG's pushes): JSON text by id,
 * and a version that every change counts up, so another instance can tell it has something
 * to read.
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Sink } from './sink.js';

/** Most records one table holds. */
export const MAX_RECORDS = 10_000;
/** Most records the push table holds (the PPG's retention keeps it lower: docs/ppg.md). */
export const MAX_PUSH_RECORDS = 100_000;

/** Sink key of a table's records and of its version: 'r'/'rv' registrations, 'p'/'pv' pushes. */
export type RecordKind = 'r' | 'p';

export class RecordState {
  readonly records = new Map<string, string>();
  version = 0;

  constructor(
    private sink: Sink,
    private readonly kind: RecordKind = 'r',
    readonly max = MAX_RECORDS,
  ) {}

  setSink(sink: Sink): void {
    this.sink = sink;
  }

  put(id: string, json: string): number {
    if (!this.records.has(id) && this.records.size >= this.max)
      throw new StoreError(StoreErrorCode.BAD_INPUT, `the record table holds its most, ${this.max} records`);
    this.records.set(id, json);
    this.sink.put([this.kind, id], json);
    return this.bump();
  }

  delete(id: string): number {
    if (!this.records.delete(id)) return this.version;
    this.sink.del([this.kind, id]);
    return this.bump();
  }

  restore(id: string, json: string): void {
    this.records.set(id, json);
  }

  private bump(): number {
    this.version++;
    this.sink.put([`${this.kind}v`], this.version);
    return this.version;
  }
}
