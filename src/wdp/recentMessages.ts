import { type MessageIdentity } from './messageIndex.js';

/**
 * Completed messages, remembered so that a segment resent after its message completed is
 * known as a late duplicate. Every completed multi-segment message passes through here, so
 * it keeps no object per message: each message is a record of SLOT_OCTETS in one buffer
 * (identity numbers, completion time, the fingerprint of each segment, its place in a doubly
 * linked oldest-first list, and the originator and recipient copied in as octets), found by an
 * open-addressing table of slot numbers. Keeping the segment's own strings would keep two or
 * three young strings per message alive into the old generation.
 *
 * Measured with 10,000 remembered (bench/pipeline.ts, 3-segment pushes): the object-per-message
 * form (a record, its array of fingerprints, an index entry and a queue slot) cost as much as
 * reassembly itself and fed the young generation four objects per message. A message's fields
 * in a dozen arrays of their own (one array per field) cost a cache miss per field: the oldest
 * message, forgotten as each new one is remembered, is cold. One record per message (two or
 * three cache lines) touches fewer.
 */

/** Fingerprints kept in the slot itself; a message of more segments keeps its own array of them. */
export const RECENT_INLINE_SEGMENTS = 4;

/**
 * Characters of an originator or recipient kept in the slot itself, one octet each: SMPP v3.4's
 * addresses (20) and SMPP 5.0's GSM ones fit. A longer one, or one with a character above
 * U+00FF (never from SMPP, whose addresses are read as Latin-1), is kept as its string.
 */
export const RECENT_INLINE_ADDRESS = 24;

/** Slots allocated at first; the buffer doubles as needed, up to the bound. */
const INITIAL_SLOTS = 256;

/** `undefined` in an identity field (a port, the reference) is this in its Int32Array. */
const NONE = -1;

/**
 * A slot's record, in 32-bit words: the completion time (a float64 in words 0-1, so a slot's
 * first word is even), then the numbers, then the fingerprints, then from word ADDRESS_WORD
 * the two addresses' octets.
 */
const HASH = 2;
const TOTAL = 3;
const SOURCE_PORT = 4;
const DESTINATION_PORT = 5;
const REFERENCE = 6;
const PREV = 7;
const NEXT = 8;
/** Originator's length, then recipient's (-1: kept in longAddress). */
const ADDRESS_LENGTH = 9;
const PRINTS = 11;
const ADDRESS_WORD = 16;
const SLOT_WORDS = ADDRESS_WORD + (2 * RECENT_INLINE_ADDRESS) / 4;
/** 112 octets a slot: its numbers in the first 64, its addresses after. */
export const SLOT_OCTETS = SLOT_WORDS * 4;

export class RecentMessages {
  /** Slots in use. */
  private live = 0;
  private capacity = 0;
  /** The records: one buffer seen as words, as float64 (the times) and as octets (the addresses). */
  private words = new Int32Array(0);
  private times = new Float64Array(0);
  private octets = new Uint8Array(0);
  /** Fingerprints of a message of more than RECENT_INLINE_SEGMENTS segments. */
  private longPrints: (Int32Array | undefined)[] = [];
  /** Addresses not kept inline: originator at 2 * slot, recipient at 2 * slot + 1. */
  private longAddress: (string | undefined)[] = [];
  private oldest = NONE;
  /** The oldest's completion time (Infinity when none): expire() runs for every segment pushed. */
  private oldestAt = Infinity;
  private newest = NONE;
  /** Free slots, chained through their NEXT word. */
  private free = NONE;
  /**
   * Open addressing, linear probing, at most half full: at each position two words, slot + 1
   * (0 for empty) and the slot's hash. With the hash beside it a probe, and the moves of a
   * removal, read no slot: the slots are cold (the oldest is forgotten as each new one comes),
   * the table's few lines less so.
   */
  private table = new Int32Array(0);
  private mask = 0;

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
      if (words[s * SLOT_WORDS + HASH] === hash && this.sameIdentity(s, id)) return s;
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
   * `total`, and is not kept).
   */
  rememberPrints(id: MessageIdentity, hash: number, prints: Int32Array, total: number, at: number): void {
    if (this.max === 0) return;
    if (this.live >= this.max) this.forget(this.oldest);
    if (this.free === NONE) this.grow();
    const words = this.words;
    const s = this.free;
    const w = s * SLOT_WORDS;
    this.free = words[w + NEXT];
    this.times[w >> 1] = at;
    words[w + HASH] = hash;
    words[w + TOTAL] = total;
    words[w + SOURCE_PORT] = id.sourcePort ?? NONE;
    words[w + DESTINATION_PORT] = id.destinationPort ?? NONE;
    words[w + REFERENCE] = id.reference ?? NONE;
    this.keepAddress(s, 0, id.originator);
    this.keepAddress(s, 1, id.recipient);
    if (total <= RECENT_INLINE_SEGMENTS) {
      for (let i = 0; i < total; i++) words[w + PRINTS + i] = prints[i];
    } else {
      const own = prints.slice(0, total);
      this.longPrints[s] = own;
    }
    const newest = this.newest;
    words[w + PREV] = newest;
    words[w + NEXT] = NONE;
    if (newest === NONE) {
      this.oldest = s;
      this.oldestAt = at;
    } else words[newest * SLOT_WORDS + NEXT] = s;
    this.newest = s;
    this.live++;
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[2 * i] !== 0) i = (i + 1) & mask;
    table[2 * i] = s + 1;
    table[2 * i + 1] = hash;
  }

  /** Forgets every message completed at or before `deadline`. */
  expire(deadline: number): void {
    while (this.oldestAt <= deadline) this.forget(this.oldest);
  }

  /** Forgets slot `s` (from find()). */
  forget(s: number): void {
    this.unindex(s);
    const words = this.words;
    const w = s * SLOT_WORDS;
    const p = words[w + PREV];
    const n = words[w + NEXT];
    if (p === NONE) {
      this.oldest = n;
      this.oldestAt = n === NONE ? Infinity : this.times[(n * SLOT_WORDS) >> 1];
    } else words[p * SLOT_WORDS + NEXT] = n;
    if (n === NONE) this.newest = p;
    else words[n * SLOT_WORDS + PREV] = p;
    // The side arrays only where this slot used them: a write to them is a cache line more.
    if (words[w + TOTAL] > RECENT_INLINE_SEGMENTS) this.longPrints[s] = undefined;
    if (words[w + ADDRESS_LENGTH] < 0) this.longAddress[2 * s] = undefined;
    if (words[w + ADDRESS_LENGTH + 1] < 0) this.longAddress[2 * s + 1] = undefined;
    words[w + NEXT] = this.free;
    this.free = s;
    this.live--;
  }

  private sameIdentity(s: number, id: MessageIdentity): boolean {
    const words = this.words;
    const w = s * SLOT_WORDS;
    return (
      words[w + REFERENCE] === (id.reference ?? NONE) &&
      words[w + SOURCE_PORT] === (id.sourcePort ?? NONE) &&
      words[w + DESTINATION_PORT] === (id.destinationPort ?? NONE) &&
      this.sameAddress(s, 0, id.originator) &&
      this.sameAddress(s, 1, id.recipient)
    );
  }

  /** Address `which` (0: originator, 1: recipient) of slot `s`. */
  private keepAddress(s: number, which: number, address: string): void {
    const n = address.length;
    const w = s * SLOT_WORDS;
    if (n <= RECENT_INLINE_ADDRESS) {
      const octets = this.octets;
      const base = (w + ADDRESS_WORD) * 4 + which * RECENT_INLINE_ADDRESS;
      let i = 0;
      for (; i < n; i++) {
        const c = address.charCodeAt(i);
        if (c > 0xff) break;
        octets[base + i] = c;
      }
      if (i === n) {
        this.words[w + ADDRESS_LENGTH + which] = n;
        return;
      }
    }
    this.words[w + ADDRESS_LENGTH + which] = -1;
    this.longAddress[2 * s + which] = address;
  }

  private sameAddress(s: number, which: number, address: string): boolean {
    const w = s * SLOT_WORDS;
    const n = this.words[w + ADDRESS_LENGTH + which];
    if (n < 0) return this.longAddress[2 * s + which] === address;
    if (address.length !== n) return false;
    const octets = this.octets;
    const base = (w + ADDRESS_WORD) * 4 + which * RECENT_INLINE_ADDRESS;
    for (let i = 0; i < n; i++) if (octets[base + i] !== address.charCodeAt(i)) return false;
    return true;
  }

  /** Takes slot `s` out of the table, moving later entries of its probe run back (no tombstones). */
  private unindex(s: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.words[s * SLOT_WORDS + HASH] & mask;
    while (table[2 * i] !== s + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; table[2 * j] !== 0; j = (j + 1) & mask) {
      const home = table[2 * j + 1] & mask;
      // Entry j may fill hole i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        table[2 * i] = table[2 * j];
        table[2 * i + 1] = table[2 * j + 1];
        i = j;
      }
    }
    table[2 * i] = 0;
  }

  /** Doubles the slots (up to the bound) and rebuilds the table at twice their number. */
  private grow(): void {
    const old = this.capacity;
    const capacity = Math.min(this.max, Math.max(INITIAL_SLOTS, old * 2));
    const buffer = new ArrayBuffer(capacity * SLOT_OCTETS);
    const words = new Int32Array(buffer);
    words.set(this.words);
    this.words = words;
    this.times = new Float64Array(buffer);
    this.octets = new Uint8Array(buffer);
    for (let s = old; s < capacity; s++) {
      this.longPrints.push(undefined);
      this.longAddress.push(undefined, undefined);
    }
    // The new slots, lowest first, ahead of any free ones (there are none: grow runs when none are).
    for (let s = capacity - 1; s >= old; s--) {
      words[s * SLOT_WORDS + NEXT] = this.free;
      this.free = s;
    }
    this.capacity = capacity;
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let s = this.oldest; s !== NONE; s = words[s * SLOT_WORDS + NEXT]) {
      const hash = words[s * SLOT_WORDS + HASH];
      let i = hash & this.mask;
      while (this.table[2 * i] !== 0) i = (i + 1) & this.mask;
      this.table[2 * i] = s + 1;
      this.table[2 * i + 1] = hash;
    }
  }
}
