/**
 * deliver_sm read while a session's intake is paused, kept in order for when it resumes
 * (docs/smpp.md "While intake is paused"). The session goes on reading while paused
 * so that the SMSC's enquire_link, which TCP delivers behind them, is answered; what it reads
 * of deliver_sm meanwhile is copied here (a view would keep its whole socket chunk alive),
 * unanswered, up to a count and MAX_HELD_OCTETS. Nothing here is acknowledged: a connection
 * that ends drops them, and the SMSC sends them again.
 */

/**
 * Octets of held deliver_sm, at most, whatever the count allows: 15 PDUs of the largest length
 * SMPP framing takes (66,048 octets), several thousand of a WAP push's (about 200).
 */
export const MAX_HELD_OCTETS = 1024 * 1024;

/**
 * Taken slots at the front of the array, at least, before it is compacted (and only once they
 * are half of it): a queue that never empties (an SMSC window wider than maxInFlight, steady
 * traffic) would otherwise gain one empty slot per deliver_sm. Compacting moves the live half
 * at most, so each take costs O(1) amortized.
 */
const COMPACT_AFTER = 32;

export class HeldFrames {
  private frames: (Uint8Array | undefined)[] = [];
  /** When each frame was held (performance.now()), in step with `frames`: their age (maxHoldMs). */
  private heldAt: number[] = [];
  private next = 0;
  private octets = 0;
  /** Frames held now: a field, not a getter, as the session reads it once a socket read. */
  size = 0;

  /** Keeps a copy of `frame` if `limit` frames and MAX_HELD_OCTETS leave room for it; false if not. */
  hold(frame: Uint8Array, limit: number, now: number): boolean {
    if (this.size >= limit || this.octets + frame.length > MAX_HELD_OCTETS) return false;
    this.frames.push(frame.slice());
    this.heldAt.push(now);
    this.octets += frame.length;
    this.size++;
    return true;
  }

  /** The oldest frame, taken out; undefined when none is held. */
  take(): Uint8Array | undefined {
    if (this.next === this.frames.length) return undefined;
    const frame = this.frames[this.next]!;
    this.frames[this.next++] = undefined;
    this.octets -= frame.length;
    this.size--;
    if (this.next === this.frames.length) this.clear();
    else if (this.next >= COMPACT_AFTER && this.next * 2 >= this.frames.length) {
      this.frames = this.frames.slice(this.next);
      this.heldAt = this.heldAt.slice(this.next);
      this.next = 0;
    }
    return frame;
  }

  /** When the oldest frame held was held (performance.now()); undefined when none is. */
  oldestHeldAt(): number | undefined {
    return this.size === 0 ? undefined : this.heldAt[this.next];
  }

  /** Slots the queue's array has now, taken ones included: what it costs in memory (tests). */
  get capacity(): number {
    return this.frames.length;
  }

  /** Takes out every frame after the oldest `keep`, oldest first: a limit lowered while some are held. */
  dropBeyond(keep: number): Uint8Array[] {
    if (this.size <= keep) return [];
    const dropped = this.frames.splice(this.next + keep) as Uint8Array[];
    this.heldAt.splice(this.next + keep);
    for (const f of dropped) this.octets -= f.length;
    this.size -= dropped.length;
    if (this.next === this.frames.length) this.clear();
    return dropped;
  }

  clear(): void {
    this.frames = [];
    this.heldAt = [];
    this.next = 0;
    this.octets = 0;
    this.size = 0;
  }
}
