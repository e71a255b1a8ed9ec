/**
 * Where the in-process state writes its changes: nowhere (memory) or an lmdb batch. Keys are
 * arrays, ordered by lmdb's key encoding: ['m', slot] a pending message (its key, first-seen
 * time and segments), ['d', slot] a completed message's fingerprints, ['u', hash] a
 * duplicate memory, ['q', queue, n] a queue item, ['r', id] a record, ['rv'] their version, ['p', id] a push
 * record of the PPG, ['pv'] theirs.
 */
export type StateKey = (string | number)[];

export interface Sink {
  put(key: StateKey, value: unknown): void;
  /**
   * A put of a key the store has never held, nor been handed before (a new slot): so a del of
   * it before its batch is committed cancels both, and neither reaches the disk.
   */
  create(key: StateKey, value: unknown): void;
  del(key: StateKey): void;
}

export const NO_SINK: Sink = Object.freeze({
  put() {},
  create() {},
  del() {},
});
