/**
 * The record table (registrations) in this process: JSON text by id, and a version that
 * every change counts up, so another instance can tell it has something to read.
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Sink } from './sink.js';

/** Most records one table holds. */
export const MAX_RECORDS = 10_000;

export class RecordState {
  readonly records = new Map<string, string>();
  version = 0;

  constructor(private sink: Sink) {}

  setSink(sink: Sink): void {
    this.sink = sink;
  }

  put(id: string, json: string): number {
    if (!this.records.has(id) && this.records.size >= MAX_RECORDS)
      throw new StoreError(StoreErrorCode.BAD_INPUT, `the record table holds its most, ${MAX_RECORDS} records`);
    this.records.set(id, json);
    this.sink.put(['r', id], json);
    return this.bump();
  }

  delete(id: string): number {
    if (!this.records.delete(id)) return this.version;
    this.sink.del(['r', id]);
    return this.bump();
  }

  restore(id: string, json: string): void {
    this.records.set(id, json);
  }

  private bump(): number {
    this.version++;
    this.sink.put(['rv'], this.version);
    return this.version;
  }
}
