/**
 * Segments held for reassembly, in this process: the memory backend's whole state and the lmdb
 * backend's working copy (every change also goes to its Sink). The Redis backend does the same
 * in one Lua script (redis/scripts.ts); the contract tests hold the two to one behaviour.
 *
 * In the sink a pending message is one record, ['m', slot], rewritten whole with each segment
 * held: { k: message key, a: first seen, p: its segments (null where missing) }, and a done
 * memory is ['d', slot] = { k, p: fingerprints, at }. The slot is a number counted up as
 * messages arrive and complete, not the message key, so each commit's records sit together at
 * the end of lmdb's tree (one or two pages written per commit, not one per message), and a
 * message costs one write per held segment plus two at its finish. A new slot's first write is a
 * Sink.create, so a message held and finished within one batch costs its done record alone.
 *
 * A message is 'open' while segments are missing. The segment that completes it is not
 * written: its sender has no acknowledgement until the handler settled, so it resends it
 * after a crash. The complete message is claimed by the caller (state 'claimed') until
 * finish() (delivered: forgotten, remembered as done) or release() (handler failed: kept whole,
 * 'released', until the sender's resend claims it again or its timeout passes).
 */
import { fingerprint, identityOf, identityOfKey, sameBytes } from '../keys.js';
import { Entry, List, type Link } from '../list.js';
import type { ResolvedOptions } from '../options.js';
import type {
  CompletedMessage,
  EvictionBound,
  LossReason,
  LostMessage,
  MessageIdentity,
  PendingMessage,
  SegmentOutcome,
  StoredSegment,
  SweepResult,
} from '../types.js';
import type { Sink } from './sink.js';

type HeldState = 'open' | 'claimed' | 'released';

class Held implements Link<Held> {
  prev: Held | undefined = undefined;
  next: Held | undefined = undefined;
  list: List<Held> | undefined = undefined;
  readonly parts: (Uint8Array | undefined)[];
  received = 0;
  bytes = 0;
  state: HeldState = 'open';
  claimer = '';
  claimAt = 0;
  handovers = 0;
  /** Its record's slot in the sink (0: none yet, read from an older layout). */
  slot = 0;
  /** Whether its slot was handed to the sink before (or read from the store): a new one is created. */
  stored = false;
  lane: Lane | undefined = undefined;
  readonly laneEntry = new Entry<Held>(this);
  constructor(
    readonly key: string,
    readonly id: MessageIdentity,
    readonly firstAt: number,
  ) {
    this.parts = new Array<Uint8Array | undefined>(id.total);
  }
}

/** One originator's open messages, oldest first. */
class Lane {
  readonly messages = new List<Entry<Held>>();
  constructor(readonly originator: string) {}
}

class Done implements Link<Done> {
  prev: Done | undefined = undefined;
  next: Done | undefined = undefined;
  list: List<Done> | undefined = undefined;
  constructor(
    readonly key: string,
    readonly prints: number[],
    readonly at: number,
    /** Its record's slot in the sink (0: none yet, read from an older layout). */
    public slot: number,
  ) {}
}

/** What the sink holds for a pending message. */
export interface MessageRecord {
  k: string;
  a: number;
  p: (Uint8Array | null)[];
}

/** Whether a node still lives (its claims hold). */
export type Liveness = (nodeId: string) => boolean;

export class ReassemblyState {
  private readonly held = new Map<string, Held>();
  /** Open messages, oldest first. */
  private readonly open = new List<Held>();
  /** Complete ones (claimed or released), in the order they completed. */
  private readonly complete = new List<Held>();
  private readonly lanes = new Map<string, Lane>();
  /** Lanes by how many messages they hold, for "the originator holding the most". */
  private readonly byCount = new Map<number, Set<Lane>>();
  private maxCount = 0;
  private readonly done = new Map<string, Done>();
  private readonly doneOrder = new List<Done>();
  /** Completed messages forgotten for `maxRecentMessages` before `timeoutMs` passed (see forgottenEarly in types.ts). */
  recentForgottenEarly = 0;
  private openBytes = 0;
  /** The next record slot (see the top of this file). */
  private nextSlot = 1;

  constructor(
    private readonly o: ResolvedOptions,
    private sink: Sink,
  ) {}

  setSink(sink: Sink): void {
    this.sink = sink;
  }

  get messages(): number {
    return this.open.size;
  }

  get bytes(): number {
    return this.openBytes;
  }

  add(s: StoredSegment, key: string, me: string, live: Liveness): SegmentOutcome {
    const now = this.o.now();
    const lost: LostMessage[] = [];
    const deadline = now - this.o.timeoutMs;
    let h = this.held.get(key);
    if (h !== undefined && h.state !== 'claimed' && h.firstAt <= deadline) {
      this.drop(h, 'expired', undefined, lost);
      h = undefined;
    }
    const data = s.data;
    const i = s.sequence - 1;
    if (h !== undefined && h.state !== 'open') {
      if (!sameBytes(h.parts[i]!, data)) return { status: 'conflict', lost };
      if (h.state === 'claimed' && this.claimHolds(h, now, live)) return { status: 'busy', lost };
      return { status: 'complete', message: this.claim(h, me, now), lost };
    }
    if (h !== undefined) {
      const held = h.parts[i];
      if (held !== undefined)
        return sameBytes(held, data) ? { status: 'duplicate', late: false, lost } : { status: 'conflict', lost };
    } else {
      const d = this.done.get(key);
      if (d !== undefined) {
        if (d.at > deadline && d.prints[i] === fingerprint(data)) return { status: 'duplicate', late: true, lost };
        this.forgetDone(d);
      }
      h = this.create(key, s, now, lost);
    }
    if (h.received + 1 === h.id.total) {
      this.unlinkOpen(h);
      h.parts[i] = data;
      h.received++;
      h.bytes += data.length;
      this.complete.push(h);
      return { status: 'complete', message: this.claim(h, me, now), lost };
    }
    while (this.openBytes + data.length > this.o.maxPendingBytes) {
      const victim = this.victim(h);
      if (victim === undefined) break;
      this.drop(victim, 'evicted', 'bytes', lost);
    }
    h.parts[i] = data;
    h.received++;
    h.bytes += data.length;
    this.openBytes += data.length;
    if (this.openBytes > this.o.maxPendingBytes) {
      // Alone over the bound: it can never complete, so it goes, this segment with it.
      this.drop(h, 'evicted', 'bytes', lost);
      return { status: 'dropped', lost };
    }
    if (h.stored) this.sink.put(['m', h.slot], this.record(h));
    else {
      this.sink.create(['m', h.slot], this.record(h));
      h.stored = true;
    }
    return { status: 'held', received: h.received, lost };
  }

  finish(key: string): void {
    const h = this.held.get(key);
    if (h === undefined || h.state === 'open') return;
    const now = this.o.now();
    this.remove(h);
    if (this.o.maxRecentMessages === 0) return;
    const prints = h.parts.map((p) => fingerprint(p!));
    const d = new Done(key, prints, now, this.nextSlot++);
    const old = this.done.get(key);
    if (old !== undefined) this.forgetDone(old);
    const deadline = now - this.o.timeoutMs;
    while (this.doneOrder.size >= this.o.maxRecentMessages) {
      const oldest = this.doneOrder.head!;
      if (oldest.at > deadline) this.recentForgottenEarly++;
      this.forgetDone(oldest);
    }
    this.done.set(key, d);
    this.doneOrder.push(d);
    this.sink.create(['d', d.slot], { k: key, p: prints, at: now });
  }

  release(key: string, me: string): void {
    const h = this.held.get(key);
    if (h === undefined || h.state !== 'claimed' || h.claimer !== me) return;
    h.state = 'released';
    h.claimer = '';
  }

  /** Releases every claim `nodeId` holds (it is closing: the senders will resend). */
  releaseAll(nodeId: string): void {
    for (const h of this.complete) if (h.state === 'claimed' && h.claimer === nodeId) this.release(h.key, nodeId);
  }

  sweep(me: string, live: Liveness, limit: number): SweepResult {
    const now = this.o.now();
    const deadline = now - this.o.timeoutMs;
    const expired: LostMessage[] = [];
    const orphans: CompletedMessage[] = [];
    for (let h = this.open.head; h !== undefined && h.firstAt <= deadline && expired.length < limit; h = this.open.head)
      this.drop(h, 'expired', undefined, expired);
    for (let d = this.doneOrder.head; d !== undefined && d.at <= deadline; d = this.doneOrder.head) this.forgetDone(d);
    for (const h of this.complete) {
      if (expired.length + orphans.length >= limit) break;
      if (h.state === 'released') {
        if (h.firstAt <= deadline) this.drop(h, 'expired', undefined, expired);
      } else if (!this.claimHolds(h, now, live)) {
        orphans.push(this.claim(h, me, now));
      }
    }
    return { expired, orphans };
  }

  list(limit: number): {
    list: PendingMessage[];
    messages: number;
    segments: number;
    bytes: number;
    oldest: number | null;
  } {
    const now = this.o.now();
    const list: PendingMessage[] = [];
    let segments = 0;
    let bytes = 0;
    let oldest: number | null = null;
    for (const h of this.held.values()) {
      segments += h.received;
      bytes += h.bytes;
      if (oldest === null || h.firstAt < oldest) oldest = h.firstAt;
    }
    const all = [...this.held.values()].sort((a, b) => a.firstAt - b.firstAt);
    for (const h of all.slice(0, limit)) {
      list.push({
        ...identityOf(h.id),
        received: receivedOf(h),
        bytes: h.bytes,
        firstAt: h.firstAt,
        ageMs: now - h.firstAt,
        state: h.state === 'open' ? 'open' : h.state === 'claimed' ? 'delivering' : 'released',
      });
    }
    return { list, messages: this.held.size, segments, bytes, oldest: oldest === null ? null : now - oldest };
  }

  /**
   * Rebuilds a pending message from its record (lmdb's load); false when the record is left
   * over (its key is held by another record) and is to be deleted.
   */
  restoreRecord(slot: number, r: MessageRecord): boolean {
    this.seenSlot(slot);
    if (this.held.has(r.k)) return false;
    this.restoreMessage(r.k, r.a, slot);
    r.p.forEach((data, i) => {
      if (data !== null) this.restoreSegment(r.k, i + 1, data);
    });
    return true;
  }

  /**
   * Rebuilds from stored records (lmdb's load). The older layout (a header ['m', KEY], then its
   * segments ['s', KEY, n]) comes without a slot; migrate() writes such messages anew.
   */
  restoreMessage(key: string, firstAt: number, slot = 0): boolean {
    if (this.held.has(key)) return false;
    const h = new Held(key, identityOfKey(key), firstAt);
    h.slot = slot;
    h.stored = true;
    this.seenSlot(slot);
    this.held.set(key, h);
    this.linkOpen(h);
    return true;
  }

  restoreSegment(key: string, sequence: number, data: Uint8Array): boolean {
    const h = this.held.get(key);
    if (
      h === undefined ||
      h.state !== 'open' ||
      sequence < 1 ||
      sequence > h.id.total ||
      h.parts[sequence - 1] !== undefined
    )
      return false;
    if (h.received + 1 === h.id.total) {
      // Whole on disk (the completing segment is not written, so only an older version wrote
      // this): a claim by nobody, which the next sweep takes over and hands out.
      this.unlinkOpen(h);
      h.parts[sequence - 1] = data;
      h.received++;
      h.bytes += data.length;
      this.complete.push(h);
      h.state = 'claimed';
      return true;
    }
    h.parts[sequence - 1] = data;
    h.received++;
    h.bytes += data.length;
    this.openBytes += data.length;
    return true;
  }

  /** A done memory; false when its key already has one (this record is left over). */
  restoreDone(key: string, prints: number[], at: number, slot = 0): boolean {
    this.seenSlot(slot);
    if (this.done.has(key)) return false;
    const d = new Done(key, prints, at, slot);
    this.done.set(key, d);
    this.doneOrder.push(d);
    return true;
  }

  /** Slots are never reused: a new record's key is past every one read, left over or not. */
  private seenSlot(slot: number): void {
    if (slot >= this.nextSlot) this.nextSlot = slot + 1;
  }

  /**
   * After a load, with the sink set: what was read from the older layout is written in this one
   * (the loader deletes the old keys after these writes, so a crash in between leaves both,
   * and the next load keeps the new and deletes the old again).
   */
  migrate(): void {
    for (const h of this.held.values()) {
      if (h.slot !== 0) continue;
      h.slot = this.nextSlot++;
      if (h.received > 0) this.sink.put(['m', h.slot], this.record(h));
    }
    for (const d of this.doneOrder) {
      if (d.slot !== 0) continue;
      d.slot = this.nextSlot++;
      this.sink.put(['d', d.slot], { k: d.key, p: d.prints, at: d.at });
    }
  }

  /** After a load: open messages in first-seen order (the order expiry walks). */
  sortOpen(): void {
    const all = [...this.open].sort((a, b) => a.firstAt - b.firstAt);
    for (const h of all) {
      this.open.remove(h);
      this.open.push(h);
    }
    const done = [...this.doneOrder].sort((a, b) => a.at - b.at);
    for (const d of done) {
      this.doneOrder.remove(d);
      this.doneOrder.push(d);
    }
  }

  private claimHolds(h: Held, now: number, live: Liveness): boolean {
    return h.claimAt > now - this.o.claimTimeoutMs && live(h.claimer);
  }

  private claim(h: Held, me: string, now: number): CompletedMessage {
    h.state = 'claimed';
    h.claimer = me;
    h.claimAt = now;
    h.handovers++;
    const id = h.id;
    // Written out, not spread: this runs once per message and a spread costs more than the rest.
    const m: CompletedMessage = {
      originator: id.originator,
      recipient: id.recipient,
      reference: id.reference,
      total: id.total,
      key: h.key,
      parts: h.parts as Uint8Array[],
      bytes: h.bytes,
      firstAt: h.firstAt,
      handovers: h.handovers,
    };
    if (id.sourcePort !== undefined) m.sourcePort = id.sourcePort;
    if (id.destinationPort !== undefined) m.destinationPort = id.destinationPort;
    if (id.referenceBits !== undefined) m.referenceBits = id.referenceBits;
    return m;
  }

  private create(key: string, s: StoredSegment, now: number, lost: LostMessage[]): Held {
    const lane = this.lanes.get(s.originator);
    if (lane !== undefined && lane.messages.size >= this.o.maxPendingPerOriginator)
      this.drop(lane.messages.head!.value, 'evicted', 'originator', lost);
    while (this.open.size >= this.o.maxPendingMessages) this.drop(this.victim(undefined)!, 'evicted', 'messages', lost);
    const h = new Held(key, identityOf(s as MessageIdentity), now);
    h.slot = this.nextSlot++;
    this.held.set(key, h);
    this.linkOpen(h);
    return h;
  }

  /** What a bound evicts: the oldest open message of the originator holding the most, never `keep`. */
  private victim(keep: Held | undefined): Held | undefined {
    const lanes = this.byCount.get(this.maxCount);
    if (lanes !== undefined) {
      for (const lane of lanes) {
        for (const e of lane.messages) if (e.value !== keep) return e.value;
        break;
      }
    }
    for (const h of this.open) if (h !== keep) return h;
    return undefined;
  }

  private drop(h: Held, reason: LossReason, bound: EvictionBound | undefined, into: LostMessage[]): void {
    this.remove(h);
    const lost: LostMessage = {
      ...identityOf(h.id),
      reason,
      received: receivedOf(h),
      bytes: h.bytes,
      firstAt: h.firstAt,
    };
    if (bound !== undefined) lost.bound = bound;
    if (h.state === 'released') lost.handlerFailed = true;
    into.push(lost);
  }

  /** Forgets a message, in memory and in the sink. */
  private remove(h: Held): void {
    this.held.delete(h.key);
    if (h.state === 'open') this.unlinkOpen(h);
    else this.complete.remove(h);
    this.sink.del(['m', h.slot]);
  }

  /** A pending message's record: its key, when first seen, and its segments held so far. */
  private record(h: Held): MessageRecord {
    const p = new Array<Uint8Array | null>(h.id.total);
    for (let i = 0; i < p.length; i++) p[i] = h.parts[i] ?? null;
    return { k: h.key, a: h.firstAt, p };
  }

  private forgetDone(d: Done): void {
    this.done.delete(d.key);
    this.doneOrder.remove(d);
    this.sink.del(['d', d.slot]);
  }

  private linkOpen(h: Held): void {
    this.open.push(h);
    let lane = this.lanes.get(h.id.originator);
    if (lane === undefined) this.lanes.set(h.id.originator, (lane = new Lane(h.id.originator)));
    this.recount(lane, 1);
    lane.messages.push(h.laneEntry);
    h.lane = lane;
  }

  private unlinkOpen(h: Held): void {
    this.open.remove(h);
    this.openBytes -= h.bytes;
    const lane = h.lane!;
    this.recount(lane, -1);
    lane.messages.remove(h.laneEntry);
    if (lane.messages.size === 0) this.lanes.delete(lane.originator);
    h.lane = undefined;
  }

  /** Moves a lane between count buckets before its size changes by `delta`. */
  private recount(lane: Lane, delta: 1 | -1): void {
    const from = lane.messages.size;
    const to = from + delta;
    if (from > 0) {
      const bucket = this.byCount.get(from)!;
      bucket.delete(lane);
      if (bucket.size === 0) this.byCount.delete(from);
    }
    if (to > 0) {
      let bucket = this.byCount.get(to);
      if (bucket === undefined) this.byCount.set(to, (bucket = new Set()));
      bucket.add(lane);
    }
    if (to > this.maxCount) this.maxCount = to;
    while (this.maxCount > 0 && !this.byCount.has(this.maxCount)) this.maxCount--;
  }
}

function receivedOf(h: Held): number[] {
  const received: number[] = [];
  for (let n = 1; n <= h.id.total; n++) if (h.parts[n - 1] !== undefined) received.push(n);
  return received;
}
