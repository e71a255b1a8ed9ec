import { type MessageIdentity } from './messageIndex.js';

/**
 * Completed messages, remembered so that a segment resent after its message completed is
 * known as a late duplicate. Every completed multi-segment message passes through here, so
 * it keeps no object per message: each message is a record of SLOT_OCTETS in one buffer
 * (identity numbers, completion time, the fingerprint of each segment), its two addresses in
 * an array beside it, found by an open-addressing table of slot numbers.
 *
 * The records are a ring in completion order: the oldest is forgotten first (by the bound and
 * by expiry alike), so forgetting it moves the ring's start and touches nothing else. Its table
 * entry is left behind, stale: a probe tells a stale entry by the record it names (a hole, or
 * another message's), and the table is rebuilt from the ring once stale entries fill it past
 * TABLE_LOAD. Taking each entry out as its message went (a shift of the probe run behind it)
 * cost a cache miss per message in a table of hundreds of kilobytes, and a doubly linked
 * oldest-first list one more at the neighbour; the rebuild writes every entry once per some
 * thousands of messages, in one pass (measured, bench/pipeline.ts: see docs/smpp.md).
 *
 * A message forgotten out of order (its reference reused) leaves a hole in the ring, skipped
 * when the start reaches it. A ring full with holes in it grows to at most twice the bound, and
 * at twice the bound is compacted: each compaction frees more slots than the bound, so its cost
 * per message stays constant whatever order messages are forgotten in.
 *
 * The addresses are kept as the segment's strings: the link's deliver_sm reader gives the
 * segments of a sender one string per address (deliverSegment.ts), long-lived already, so
 * keeping it costs a pointer, where copying its characters in cost more than the rest of the
 * record.
 */

/** Fingerprints kept in the slot itself; a message of more segments keeps its own array of them. */
export const RECENT_INLINE_SEGMENTS = 4;

/** Slots allocated at first; the ring doubles as needed, up to the bound (twice it with holes). */
const INITIAL_SLOTS = 256;

/** `undefined` in an identity field (a port, the reference) is this in its Int32Array. */
const NONE = -1;

/**
 * The table is rebuilt when live and stale entries fill this fraction of it. It has at least
 * two positions per slot, so right after a rebuild it is at most half full, and a rebuild comes
 * at most once per (TABLE_LOAD - 1/2) x its size messages remembered.
 */
const TABLE_LOAD = 0.7;

/**
 * A slot's record, in 32-bit words: the completion time (a float64 in words 0-1, so a slot's
 * first word is even), then the numbers (TOTAL 0: a hole, no message), then the fingerprints.
 */
const HASH = 2;
const TOTAL = 3;
const SOURCE_PORT = 4;
const DESTINATION_PORT = 5;
const REFERENCE = 6;
const PRINTS = 8;
const SLOT_WORDS = PRINTS + RECENT_INLINE_SEGMENTS;
/** 48 octets a slot. */
export const SLOT_OCTETS = SLOT_WORDS * 4;

export class RecentMessages {
  /** Messages remembered (the ring's records that are not holes). */
  private live = 0;
  /** Slots in the ring, and of them the span from the oldest on (messages and holes). */
  private capacity = 0;
  private span = 0;
  /** The oldest's slot, and its completion time (Infinity when none: expire() runs for every segment pushed). */
  private oldest = 0;
  private oldestAt = Infinity;
  /** The records: one buffer seen as words and as float64 (the times). */
  private words = new Int32Array(0);
  private times = new Float64Array(0);
  /** Originator at 2 * slot, recipient at 2 * slot + 1 (left in place when a slot is forgotten). */
  private addresses: string[] = [];
  /** Fingerprints of a message of more than RECENT_INLINE_SEGMENTS segments. */
  private longPrints: (Int32Array | undefined)[] = [];
  /**
   * Open addressing, linear probing: at each position two words, slot + 1 (0 for empty) and
   * the hash it was entered under. With the hash beside it a probe reads a slot only for an
   * entry of the same hash.
   */
  private table = new Int32Array(0);
  private mask = 0;
  /** Positions of the table not empty (live and stale), and how many may be before a rebuild. */
  private filled = 0;
  private fillLimit = 0;

  /**
   * Messages forgotten for `max` while their late-duplicate window (the reassembler's timeout)
   * was still open: the reassembler expires first, so whatever the bound pushes out is early.
   */
  forgottenEarly = 0;

  /** `max` is the bound on messages remembered (0: nothing is). */
  constructor(readonly max: number) {}

  get size(): number {
    return this.live;
  }

  /** The slot holding a message of this identity, or -1. `hash` is identityHash()'s (a 32-bit integer). */
  find(id: MessageIdentity, hash: number): number {
    if (this.live === 0) return NONE;
    const table = this.table;
    const mask = this.mask;
    const words = this.words;
    for (let i = hash & mask; table[2 * i] !== 0; i = (i + 1) & mask) {
      if (table[2 * i + 1] !== hash) continue;
      const s = table[2 * i] - 1;
      const w = s * SLOT_WORDS;
      // A stale entry names a hole or another message's record: neither matches.
      if (words[w + TOTAL] !== 0 && words[w + HASH] === hash && this.sameIdentity(s, id)) return s;
    }
    return NONE;
  }

  /** Whether slot `s` holds a message of `total` segments whose segment `sequence` had fingerprint `print`. */
  repeats(s: number, total: number, sequence: number, print: number): boolean {
    const w = s * SLOT_WORDS;
    if (this.words[w + TOTAL] !== total) return false;
    if (total <= RECENT_INLINE_SEGMENTS) return this.words[w + PRINTS + sequence - 1] === print;
    return this.longPrints[s]![sequence - 1] === print;
  }

  /**
   * Remembers a completed message by its segments' fingerprints; the oldest goes first when the
   * bound is reached. `prints` holds them in sequence order from index 0 (it may be longer than
   * `total`, and is not kept). The message's identity must not be remembered already (the
   * reassembler forgets it first).
   */
  rememberPrints(id: MessageIdentity, hash: number, prints: Int32Array, total: number, at: number): void {
    if (this.max === 0) return;
    if (this.live >= this.max) {
      this.forgottenEarly++;
      this.forgetOldest();
    }
    if (this.span === this.capacity) this.relayout();
    let s = this.oldest + this.span;
    if (s >= this.capacity) s -= this.capacity;
    const words = this.words;
    const w = s * SLOT_WORDS;
    this.times[w >> 1] = at;
    words[w + HASH] = hash;
    words[w + TOTAL] = total;
    words[w + SOURCE_PORT] = id.sourcePort ?? NONE;
    words[w + DESTINATION_PORT] = id.destinationPort ?? NONE;
    words[w + REFERENCE] = id.reference ?? NONE;
    this.addresses[2 * s] = id.originator;
    this.addresses[2 * s + 1] = id.recipient;
    if (total <= RECENT_INLINE_SEGMENTS) {
      for (let i = 0; i < total; i++) words[w + PRINTS + i] = prints[i];
    } else this.longPrints[s] = prints.slice(0, total);
    if (this.span === 0) this.oldestAt = at;
    this.span++;
    this.live++;
    this.enter(s, hash);
    if (this.filled > this.fillLimit) this.rebuildTable();
  }

  /** Forgets every message completed at or before `deadline`. */
  expire(deadline: number): void {
    while (this.oldestAt <= deadline) this.forgetOldest();
  }

  /** Forgets slot `s` (from find()): the oldest moves the ring's start, any other leaves a hole. */
  forget(s: number): void {
    if (s === this.oldest) {
      this.forgetOldest();
      return;
    }
    this.clearSlot(s);
    this.live--;
  }

  /** Forgets the oldest message, and moves the start past it and past any holes after it. */
  private forgetOldest(): void {
    this.clearSlot(this.oldest);
    this.live--;
    const words = this.words;
    let s = this.oldest;
    do {
      s = s + 1 === this.capacity ? 0 : s + 1;
      this.span--;
    } while (this.span > 0 && words[s * SLOT_WORDS + TOTAL] === 0);
    this.oldest = this.span === 0 ? 0 : s;
    this.oldestAt = this.span === 0 ? Infinity : this.times[(s * SLOT_WORDS) >> 1];
  }

  /** Makes slot `s` a hole (its table entry goes stale; its addresses stay until the slot is used again). */
  private clearSlot(s: number): void {
    const w = s * SLOT_WORDS;
    if (this.words[w + TOTAL] > RECENT_INLINE_SEGMENTS) this.longPrints[s] = undefined;
    this.words[w + TOTAL] = 0;
  }

  private sameIdentity(s: number, id: MessageIdentity): boolean {
    const words = this.words;
    const w = s * SLOT_WORDS;
    return (
      words[w + REFERENCE] === (id.reference ?? NONE) &&
      words[w + SOURCE_PORT] === (id.sourcePort ?? NONE) &&
      words[w + DESTINATION_PORT] === (id.destinationPort ?? NONE) &&
      this.addresses[2 * s] === id.originator &&
      this.addresses[2 * s + 1] === id.recipient
    );
  }

  /** Enters slot `s` under `hash` at the first empty position of its probe run. */
  private enter(s: number, hash: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[2 * i] !== 0) i = (i + 1) & mask;
    table[2 * i] = s + 1;
    table[2 * i + 1] = hash;
    this.filled++;
  }

  /**
   * A ring with no free slot: grown (doubled, up to the bound; past it, to twice the bound, when
   * holes fill it) or, at twice the bound, compacted. Either way the messages are laid out
   * again oldest first from slot 0, without holes, and the table is built anew.
   */
  private relayout(): void {
    const old = this.capacity;
    let capacity = old;
    if (old < this.max) capacity = Math.min(this.max, Math.max(INITIAL_SLOTS, old * 2));
    else if (old < 2 * this.max) capacity = Math.min(2 * this.max, old * 2);
    const words = new Int32Array(capacity * SLOT_WORDS);
    const times = new Float64Array(words.buffer);
    const addresses = new Array<string>(2 * capacity).fill('');
    const longPrints = new Array<Int32Array | undefined>(capacity).fill(undefined);
    let t = 0;
    for (let k = 0, s = this.oldest; k < this.span; k++, s = s + 1 === old ? 0 : s + 1) {
      const w = s * SLOT_WORDS;
      if (this.words[w + TOTAL] === 0) continue;
      words.set(this.words.subarray(w, w + SLOT_WORDS), t * SLOT_WORDS);
      addresses[2 * t] = this.addresses[2 * s];
      addresses[2 * t + 1] = this.addresses[2 * s + 1];
      longPrints[t] = this.longPrints[s];
      t++;
    }
    this.words = words;
    this.times = times;
    this.addresses = addresses;
    this.longPrints = longPrints;
    this.capacity = capacity;
    this.oldest = 0;
    this.span = t;
    this.oldestAt = t === 0 ? Infinity : times[0];
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(2 * size);
    this.mask = size - 1;
    this.fillLimit = Math.floor(size * TABLE_LOAD);
    this.rebuildTable();
  }

  /** Empties the table and enters every remembered message again: no stale entries left. */
  private rebuildTable(): void {
    this.table.fill(0);
    this.filled = 0;
    const words = this.words;
    for (let k = 0, s = this.oldest; k < this.span; k++, s = s + 1 === this.capacity ? 0 : s + 1) {
      const w = s * SLOT_WORDS;
      if (words[w + TOTAL] !== 0) this.enter(s, words[w + HASH]);
    }
  }
}
