/**
 * Who holds the reassembler's pending messages: a share per originator and per bind, each
 * with its messages oldest first, so that a bound can take room from whoever holds the most
 * rather than from whoever came first (one sender must not push out everyone else).
 *
 * Originator shares are ranked two ways, in buckets that a change moves in O(1): by message
 * count (exact) and by bytes (by power of two: "the most" means within a factor of two of the
 * most). Within a bucket the share that entered it first comes first, so repeated evictions
 * go round the biggest holders and bring them down together.
 */

/** A pending message as the shares see it (T: the record type itself). */
export interface Held<T extends Held<T>> {
  bytes: number;
  originatorShare: Share<T> | undefined;
  /** Neighbours in its originator's list, oldest first. */
  prevO: T | undefined;
  nextO: T | undefined;
  bindShare: Share<T> | undefined;
  prevB: T | undefined;
  nextB: T | undefined;
}

export interface Share<T extends Held<T>> {
  readonly key: string;
  messages: number;
  bytes: number;
  /** Its oldest and newest message. */
  head: T | undefined;
  tail: T | undefined;
  /** Bucket by message count, and its neighbours there (ranked shares only). */
  prevC: Share<T> | undefined;
  nextC: Share<T> | undefined;
  /** Bucket by bytes: 0 for none, else floor(log2(bytes)) + 1; and its neighbours there. */
  level: number;
  prevL: Share<T> | undefined;
  nextL: Share<T> | undefined;
}

function newShare<T extends Held<T>>(key: string): Share<T> {
  return {
    key,
    messages: 0,
    bytes: 0,
    head: undefined,
    tail: undefined,
    prevC: undefined,
    nextC: undefined,
    level: 0,
    prevL: undefined,
    nextL: undefined,
  };
}

function levelOf(bytes: number): number {
  if (bytes <= 0xffffffff) return 32 - Math.clz32(bytes);
  return 33 + Math.floor(Math.log2(bytes / 0x100000000));
}

/**
 * Lists of shares in numbered buckets (by count, or by bytes level), each oldest-entered
 * first, and the highest bucket in use. Two classes rather than one with a flag: each keeps
 * to its own pair of link fields.
 */
class CountBuckets<T extends Held<T>> {
  private readonly heads: (Share<T> | undefined)[] = [];
  private readonly tails: (Share<T> | undefined)[] = [];
  top = 0;

  first(bucket: number): Share<T> | undefined {
    return this.heads[bucket];
  }

  add(s: Share<T>, bucket: number): void {
    const tail = this.tails[bucket];
    s.prevC = tail;
    s.nextC = undefined;
    if (tail === undefined) this.heads[bucket] = s;
    else tail.nextC = s;
    this.tails[bucket] = s;
    if (bucket > this.top) this.top = bucket;
  }

  remove(s: Share<T>, bucket: number): void {
    const { prevC: prev, nextC: next } = s;
    if (prev === undefined) this.heads[bucket] = next;
    else prev.nextC = next;
    if (next === undefined) this.tails[bucket] = prev;
    else next.prevC = prev;
    s.prevC = s.nextC = undefined;
    while (this.top > 0 && this.heads[this.top] === undefined) this.top--;
  }
}

class LevelBuckets<T extends Held<T>> {
  private readonly heads: (Share<T> | undefined)[] = [];
  private readonly tails: (Share<T> | undefined)[] = [];
  top = 0;

  first(bucket: number): Share<T> | undefined {
    return this.heads[bucket];
  }

  add(s: Share<T>, bucket: number): void {
    const tail = this.tails[bucket];
    s.prevL = tail;
    s.nextL = undefined;
    if (tail === undefined) this.heads[bucket] = s;
    else tail.nextL = s;
    this.tails[bucket] = s;
    if (bucket > this.top) this.top = bucket;
  }

  remove(s: Share<T>, bucket: number): void {
    const { prevL: prev, nextL: next } = s;
    if (prev === undefined) this.heads[bucket] = next;
    else prev.nextL = next;
    if (next === undefined) this.tails[bucket] = prev;
    else next.prevL = prev;
    s.prevL = s.nextL = undefined;
    while (this.top > 0 && this.heads[this.top] === undefined) this.top--;
  }
}

/**
 * Emptied originator shares kept (with their Map entry) for the originator's next message; past
 * this many the one idle longest is forgotten. Forgetting each share as it emptied and making
 * a new one for the next message cost a Map insertion and deletion per message, and V8's Map
 * rebuilds its table as deletions pile up (measured: a tenth of the 3-segment pipeline).
 */
export const MAX_IDLE_ORIGINATOR_SHARES = 256;

/** The originators' shares, ranked by messages and by bytes. */
export class OriginatorShares<T extends Held<T>> {
  private readonly byKey = new Map<string, Share<T>>();
  private readonly byCount = new CountBuckets<T>();
  private readonly byLevel = new LevelBuckets<T>();
  /** Empty shares, longest idle first, linked by their count-bucket fields (they are in no bucket). */
  private idleHead: Share<T> | undefined = undefined;
  private idleTail: Share<T> | undefined = undefined;
  private idle = 0;

  /** Originators with messages pending. */
  get size(): number {
    return this.byKey.size - this.idle;
  }

  get(key: string): Share<T> | undefined {
    return this.byKey.get(key);
  }

  /** The share of `key`, made if it has none. */
  acquire(key: string): Share<T> {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = newShare<T>(key);
      this.byKey.set(key, s);
    } else if (s.messages === 0) this.unidle(s);
    return s;
  }

  /** Appends a new message (its bytes counted later, by addBytes). */
  add(s: Share<T>, m: T): void {
    m.originatorShare = s;
    m.prevO = s.tail;
    m.nextO = undefined;
    if (s.tail === undefined) s.head = m;
    else s.tail.nextO = m;
    s.tail = m;
    if (s.messages > 0) this.byCount.remove(s, s.messages);
    else this.byLevel.add(s, s.level);
    s.messages++;
    this.byCount.add(s, s.messages);
  }

  addBytes(s: Share<T>, n: number): void {
    s.bytes += n;
    const level = levelOf(s.bytes);
    if (level !== s.level) {
      this.byLevel.remove(s, s.level);
      s.level = level;
      this.byLevel.add(s, level);
    }
  }

  /** Takes a message (and its bytes) out; a share left empty is forgotten. */
  remove(m: T): void {
    const s = m.originatorShare!;
    if (m.prevO === undefined) s.head = m.nextO;
    else m.prevO.nextO = m.nextO;
    if (m.nextO === undefined) s.tail = m.prevO;
    else m.nextO.prevO = m.prevO;
    m.prevO = m.nextO = m.originatorShare = undefined;
    this.byCount.remove(s, s.messages);
    s.messages--;
    s.bytes -= m.bytes;
    if (s.messages === 0) {
      this.byLevel.remove(s, s.level);
      s.level = 0;
      this.keepIdle(s);
      return;
    }
    const level = levelOf(s.bytes);
    if (level !== s.level) {
      this.byLevel.remove(s, s.level);
      s.level = level;
      this.byLevel.add(s, level);
    }
    this.byCount.add(s, s.messages);
  }

  private keepIdle(s: Share<T>): void {
    s.prevC = this.idleTail;
    s.nextC = undefined;
    if (this.idleTail === undefined) this.idleHead = s;
    else this.idleTail.nextC = s;
    this.idleTail = s;
    if (++this.idle > MAX_IDLE_ORIGINATOR_SHARES) {
      const oldest = this.idleHead!;
      this.unidle(oldest);
      this.byKey.delete(oldest.key);
    }
  }

  private unidle(s: Share<T>): void {
    const { prevC: prev, nextC: next } = s;
    if (prev === undefined) this.idleHead = next;
    else prev.nextC = next;
    if (next === undefined) this.idleTail = prev;
    else next.prevC = prev;
    s.prevC = s.nextC = undefined;
    this.idle--;
  }

  /** The oldest message of the originator holding the most messages. */
  oldestOfMostMessages(): T | undefined {
    return this.byCount.first(this.byCount.top)?.head;
  }

  /** The oldest message other than `keep` of an originator holding the most bytes (within a factor of 2). */
  oldestOfMostBytes(keep: T | undefined): T | undefined {
    for (let level = this.byLevel.top; level >= 0; level--) {
      for (let s = this.byLevel.first(level); s !== undefined; s = s.nextL) {
        const m = s.head === keep ? keep!.nextO : s.head;
        if (m !== undefined) return m;
      }
    }
    return undefined;
  }
}

/**
 * Emptied bind shares kept for the bind's next message (binds are few and long-lived);
 * forgetting each one as it emptied cost a Map insertion and deletion per message.
 */
export const MAX_IDLE_BIND_SHARES = 64;

/** The binds' shares: a list per bind, oldest first; not ranked. */
export class BindShares<T extends Held<T>> {
  private readonly byKey = new Map<string, Share<T>>();
  /** Shares kept with no message. */
  private idle = 0;

  get(key: string): Share<T> | undefined {
    return this.byKey.get(key);
  }

  acquire(key: string): Share<T> {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = newShare<T>(key);
      this.byKey.set(key, s);
    } else if (s.messages === 0) this.idle--;
    return s;
  }

  add(s: Share<T>, m: T): void {
    m.bindShare = s;
    m.prevB = s.tail;
    m.nextB = undefined;
    if (s.tail === undefined) s.head = m;
    else s.tail.nextB = m;
    s.tail = m;
    s.messages++;
  }

  remove(m: T): void {
    const s = m.bindShare!;
    if (m.prevB === undefined) s.head = m.nextB;
    else m.prevB.nextB = m.nextB;
    if (m.nextB === undefined) s.tail = m.prevB;
    else m.nextB.prevB = m.prevB;
    m.prevB = m.nextB = m.bindShare = undefined;
    s.messages--;
    s.bytes -= m.bytes;
    if (s.messages > 0) return;
    if (this.idle < MAX_IDLE_BIND_SHARES) this.idle++;
    else this.byKey.delete(s.key);
  }

  /** The bind's oldest message other than `keep`. */
  oldest(s: Share<T>, keep: T | undefined): T | undefined {
    return s.head === keep ? keep!.nextB : s.head;
  }
}

/** The originator share's oldest message other than `keep`. */
export function oldestOf<T extends Held<T>>(s: Share<T>, keep: T | undefined): T | undefined {
  return s.head === keep ? keep!.nextO : s.head;
}
