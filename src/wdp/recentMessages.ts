import { type MessageIdentity } from './messageIndex.js';

/**
 * Completed messages, remembered so that a segment resent after its message completed is
 * known as a late duplicate. Every completed multi-segment message passes through here, so
 * it keeps no object per message: each message is a slot in typed arrays (identity numbers,
 * completion time, the fingerprint of each segment), found by an open-addressing table of
 * slot numbers and kept oldest first in a doubly linked list of slot numbers. The originator
 * and recipient are copied in as character codes: keeping the segment's own strings would
 * keep two or three young strings per message alive into the old generation.
 *
 * Measured with 10,000 remembered (bench/pipeline.ts, 3-segment pushes): the object-per-message
 * form (a record, its array of fingerprints, an index entry and a queue slot) cost as much as
 * reassembly itself and fed the young generation four objects per message.
 */

/** Fingerprints kept in the slot itself; a message of more segments keeps its own array of them. */
export const RECENT_INLINE_SEGMENTS = 4;

/**
 * Characters of an originator or recipient kept in the slot itself: SMPP v3.4's addresses (20)
 * and SMPP 5.0's GSM ones fit. A longer one is kept as its string.
 */
export const RECENT_INLINE_ADDRESS = 24;

/** Slots allocated at first; the arrays double as needed, up to the bound. */
const INITIAL_SLOTS = 256;

/** `undefined` in an identity field (a port, the reference) is this in its Int32Array. */
const NONE = -1;

export class RecentMessages {
  /** Slots in use. */
  private live = 0;
  private capacity = 0;
  private hash = new Int32Array(0);
  private total = new Int32Array(0);
  private at = new Float64Array(0);
  private sourcePort = new Int32Array(0);
  private destinationPort = new Int32Array(0);
  private reference = new Int32Array(0);
  private prints = new Int32Array(0);
  /** Fingerprints of a message of more than RECENT_INLINE_SEGMENTS segments. */
  private longPrints: (Int32Array | undefined)[] = [];
  /** Per slot, originator then recipient: its length (-1: kept in longAddress) and characters. */
  private addressLength = new Int32Array(0);
  private addressChars = new Uint16Array(0);
  private longAddress: (string | undefined)[] = [];
  /** Oldest-first list (NONE ends it); `next` also chains the free slots. */
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private oldest = NONE;
  private newest = NONE;
  private free = NONE;
  /** Open addressing, linear probing: slot + 1 at each position, 0 for empty; at most half full. */
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
    for (let i = hash & mask; table[i] !== 0; i = (i + 1) & mask) {
      const s = table[i] - 1;
      if (this.hash[s] === hash && this.sameIdentity(s, id)) return s;
    }
    return NONE;
  }

  /** Whether slot `s` holds a message of `total` segments whose segment `sequence` had fingerprint `print`. */
  repeats(s: number, total: number, sequence: number, print: number): boolean {
    if (this.total[s] !== total) return false;
    if (total <= RECENT_INLINE_SEGMENTS) return this.prints[s * RECENT_INLINE_SEGMENTS + sequence - 1] === print;
    return this.longPrints[s]![sequence - 1] === print;
  }

  /**
   * Remembers a completed message; the oldest goes first when the bound is reached. `parts`
   * are its segments' data, fingerprinted with `print`.
   */
  remember(
    id: MessageIdentity,
    hash: number,
    parts: readonly (Uint8Array | undefined)[],
    total: number,
    at: number,
    print: (data: Uint8Array) => number,
  ): void {
    if (this.max === 0) return;
    if (this.live >= this.max) this.forget(this.oldest);
    if (this.free === NONE) this.grow();
    const s = this.free;
    this.free = this.next[s];
    this.hash[s] = hash;
    this.total[s] = total;
    this.at[s] = at;
    this.sourcePort[s] = id.sourcePort ?? NONE;
    this.destinationPort[s] = id.destinationPort ?? NONE;
    this.reference[s] = id.reference ?? NONE;
    this.keepAddress(2 * s, id.originator);
    this.keepAddress(2 * s + 1, id.recipient);
    if (total <= RECENT_INLINE_SEGMENTS) {
      const base = s * RECENT_INLINE_SEGMENTS;
      for (let i = 0; i < total; i++) this.prints[base + i] = print(parts[i]!);
    } else {
      const own = new Int32Array(total);
      for (let i = 0; i < total; i++) own[i] = print(parts[i]!);
      this.longPrints[s] = own;
    }
    this.prev[s] = this.newest;
    this.next[s] = NONE;
    if (this.newest === NONE) this.oldest = s;
    else this.next[this.newest] = s;
    this.newest = s;
    this.live++;
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = s + 1;
  }

  /** Forgets every message completed at or before `deadline`. */
  expire(deadline: number): void {
    while (this.oldest !== NONE && this.at[this.oldest] <= deadline) this.forget(this.oldest);
  }

  /** Forgets slot `s` (from find()). */
  forget(s: number): void {
    this.unindex(s);
    const p = this.prev[s];
    const n = this.next[s];
    if (p === NONE) this.oldest = n;
    else this.next[p] = n;
    if (n === NONE) this.newest = p;
    else this.prev[n] = p;
    this.longPrints[s] = undefined;
    this.longAddress[2 * s] = this.longAddress[2 * s + 1] = undefined;
    this.next[s] = this.free;
    this.free = s;
    this.live--;
  }

  private sameIdentity(s: number, id: MessageIdentity): boolean {
    return (
      this.reference[s] === (id.reference ?? NONE) &&
      this.sourcePort[s] === (id.sourcePort ?? NONE) &&
      this.destinationPort[s] === (id.destinationPort ?? NONE) &&
      this.sameAddress(2 * s, id.originator) &&
      this.sameAddress(2 * s + 1, id.recipient)
    );
  }

  private keepAddress(k: number, address: string): void {
    const n = address.length;
    if (n > RECENT_INLINE_ADDRESS) {
      this.addressLength[k] = -1;
      this.longAddress[k] = address;
      return;
    }
    this.addressLength[k] = n;
    this.longAddress[k] = undefined;
    const chars = this.addressChars;
    const base = k * RECENT_INLINE_ADDRESS;
    for (let i = 0; i < n; i++) chars[base + i] = address.charCodeAt(i);
  }

  private sameAddress(k: number, address: string): boolean {
    const n = this.addressLength[k];
    if (n < 0) return this.longAddress[k] === address;
    if (address.length !== n) return false;
    const chars = this.addressChars;
    const base = k * RECENT_INLINE_ADDRESS;
    for (let i = 0; i < n; i++) if (chars[base + i] !== address.charCodeAt(i)) return false;
    return true;
  }

  /** Takes slot `s` out of the table, moving later entries of its probe run back (no tombstones). */
  private unindex(s: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.hash[s] & mask;
    while (table[i] !== s + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.hash[table[j] - 1] & mask;
      // Entry j may fill hole i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        table[i] = table[j];
        i = j;
      }
    }
    table[i] = 0;
  }

  /** Doubles the slots (up to the bound) and rebuilds the table at twice their number. */
  private grow(): void {
    const old = this.capacity;
    const capacity = Math.min(this.max, Math.max(INITIAL_SLOTS, old * 2));
    this.hash = copied(this.hash, new Int32Array(capacity));
    this.total = copied(this.total, new Int32Array(capacity));
    this.at = copied(this.at, new Float64Array(capacity));
    this.sourcePort = copied(this.sourcePort, new Int32Array(capacity));
    this.destinationPort = copied(this.destinationPort, new Int32Array(capacity));
    this.reference = copied(this.reference, new Int32Array(capacity));
    this.prints = copied(this.prints, new Int32Array(capacity * RECENT_INLINE_SEGMENTS));
    this.addressLength = copied(this.addressLength, new Int32Array(2 * capacity));
    this.addressChars = copied(this.addressChars, new Uint16Array(2 * capacity * RECENT_INLINE_ADDRESS));
    this.prev = copied(this.prev, new Int32Array(capacity));
    this.next = copied(this.next, new Int32Array(capacity));
    for (let s = old; s < capacity; s++) {
      this.longPrints.push(undefined);
      this.longAddress.push(undefined, undefined);
    }
    // The new slots, lowest first, ahead of any free ones (there are none: grow runs when none are).
    for (let s = capacity - 1; s >= old; s--) {
      this.next[s] = this.free;
      this.free = s;
    }
    this.capacity = capacity;
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let s = this.oldest; s !== NONE; s = this.next[s]) {
      let i = this.hash[s] & this.mask;
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
      this.table[i] = s + 1;
    }
  }
}

function copied<T extends Int32Array | Uint16Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
