import { EventEmitter } from 'node:events';
import { nonNegativeBound, positiveBound } from '../bounds.js';
import type { Segment, WdpDatagram } from './datagram.js';
import { identityHash, MessageIndex, type Indexed } from './messageIndex.js';
import { RecentMessages } from './recentMessages.js';
import { RunChunks, type Run, type RunChunk } from './runChunks.js';
import { BindShares, oldestOf, OriginatorShares, type Held, type Share } from './shares.js';

/**
 * Bounds of a Reassembler. Every pending octet is counted; nothing else grows with input.
 * `maxPendingBytes` counts segment user data; the fixed cost per pending message (its record,
 * index entry and share, about 250 octets, and about 200 more per originator with messages
 * pending, or idle among the last MAX_IDLE_ORIGINATOR_SHARES (256); measured, see docs/smpp.md)
 * is bounded by `maxPendingMessages`.
 *
 * The bounds are fair: each originator (and each bind, for segments pushed with one) has a
 * quota of its own, and when a global bound needs room it is taken from the originator that
 * holds the most, oldest message first, so one sender cannot push out everyone else.
 */
export interface ReassemblerOptions {
  /** A message not complete this long after its first segment is dropped ('expired'). */
  timeoutMs?: number;
  /** Most messages waiting for segments; over it, the oldest of the originator holding the most goes. */
  maxPendingMessages?: number;
  /** Most user-data octets held for pending messages; over it, taken from the originator holding the most. */
  maxPendingBytes?: number;
  /** Most messages one originator may have pending; over it, its own oldest goes. Default 1,000. */
  maxPendingMessagesPerOriginator?: number;
  /** Most user-data octets one originator may have pending; over it, its own oldest goes. Default 1 MiB. */
  maxPendingBytesPerOriginator?: number;
  /** Most messages pending from one bind (the `bind` given to push); its own oldest goes. Default: maxPendingMessages. */
  maxPendingMessagesPerBind?: number;
  /** Most user-data octets pending from one bind. Default: maxPendingBytes. */
  maxPendingBytesPerBind?: number;
  /**
   * Completed messages remembered (for `timeoutMs` after they complete) so that a segment repeated after its
   * message completed is known as a duplicate, not the start of a new message. Each costs
   * about 100 octets (grown by doubling up to this bound, twice it at most when messages are
   * forgotten out of order; src/wdp/recentMessages.ts), 4 more per segment past the fourth.
   * Default: maxPendingMessages.
   */
  maxRecentMessages?: number;
  /**
   * Milliseconds clock; injectable for tests. Must not run backwards. push() reads it once per
   * segment unless its caller gives the time (the link gives one read per socket chunk).
   */
  now?: () => number;
}

export const DEFAULT_REASSEMBLER_OPTIONS = Object.freeze({
  timeoutMs: 120_000,
  maxPendingMessages: 10_000,
  maxPendingBytes: 16 * 1024 * 1024,
  maxPendingMessagesPerOriginator: 1_000,
  maxPendingBytesPerOriginator: 1024 * 1024,
});

/** Why a pending message was dropped before it completed. */
export type LossReason =
  | 'expired' // its timeout passed
  | 'evicted' // a pending-messages or pending-bytes bound needed the room
  | 'superseded'; // a segment with the same reference but another total arrived (reference reuse)

/** Which bound evicted a message (LostMessage.policy, and a count of each in the stats). */
export type EvictionPolicy =
  | 'global' // maxPendingMessages or maxPendingBytes, taken from the originator holding the most
  | 'originator-quota' // the originator's own maxPending*PerOriginator
  | 'bind-quota' // the bind's own maxPending*PerBind
  | 'oversize' // the message alone is over a bytes bound: it can never complete
  | 'cleared'; // clear()

/** What was lost with a dropped message: enough to log it or ask for a resend. */
export interface LostMessage {
  reason: LossReason;
  /** For 'evicted': which bound. */
  policy?: EvictionPolicy;
  /** The bind its first segment came by, if push() was told. */
  bind?: string;
  originator: string;
  recipient: string;
  sourcePort?: number;
  destinationPort?: number;
  reference: number;
  total: number;
  /** Sequence numbers that had arrived. */
  received: number[];
  /** Octets of user data that had arrived. */
  bytes: number;
  /** Clock value of its first segment. */
  firstAt: number;
}

export type RejectReason =
  | 'bad-sequence' // sequence 0, or above the total (23.040 9.2.3.24.1: ignore the element)
  | 'bad-total' // a total of 0 (23.040: ignore the element)
  | 'conflicting-duplicate'; // same sequence again with other octets: the first one is kept

export interface RejectedSegment {
  reason: RejectReason;
  segment: Segment;
}

export interface ReassemblerStats {
  /** Segments pushed. */
  segments: number;
  /** Datagrams completed (single-segment ones included). */
  datagrams: number;
  /** Exact duplicates ignored (those of already completed messages included). */
  duplicates: number;
  /** Of those, duplicates of a message that had already completed. */
  lateDuplicates: number;
  /** Segments rejected, by reason. */
  rejected: number;
  conflictingDuplicates: number;
  badSequence: number;
  badTotal: number;
  /** Messages dropped, by reason, and what they held. */
  expired: number;
  evicted: number;
  superseded: number;
  /** Of `evicted`, by policy. */
  evictedGlobal: number;
  evictedOriginatorQuota: number;
  evictedBindQuota: number;
  evictedOversize: number;
  evictedCleared: number;
  lostSegments: number;
  lostBytes: number;
}

/**
 * A message waiting for segments. A class, not an object literal: V8 builds a literal of this
 * many fields through its slow path (measured: the literal was a fifth of the 3-segment
 * pipeline's time, bench/pipeline.ts).
 *
 * Its parts are held one of two ways. As a run (`parts` undefined), the common case: the parts
 * `first` .. `first + received - 1`, in order, one after the other in one region of a run
 * chunk (`store` from `base`, `fill` octets of `room`; src/wdp/runChunks.ts), each `partLength`
 * long but the last segment of the message, which may be shorter. A completed run is its own
 * payload, so in-order segments cost one copy each and no object per part. Any other order (or
 * a part of another length) turns the run into `parts`, one copy of its own per sequence.
 */
class Pending implements Indexed, Held<Pending>, Run {
  originator = '';
  recipient = '';
  sourcePort: number | undefined = undefined;
  destinationPort: number | undefined = undefined;
  reference: number | undefined = undefined;
  hash = 0;
  total = 0;
  firstAt = 0;
  bind: string | undefined = undefined;
  chain: this | undefined = undefined;
  parts: (Uint8Array | undefined)[] | undefined = undefined;
  store: Uint8Array = NO_OCTETS;
  /** The same octets as a DataView, for fingerprintOf. */
  storeView: DataView = NO_VIEW;
  base = 0;
  room = 0;
  fill = 0;
  first = 0;
  partLength = 0;
  /** The run chunk its region is in, and its neighbours there (runChunks.ts). */
  chunk: RunChunk | undefined = undefined;
  prevR: Run | undefined = undefined;
  nextR: Run | undefined = undefined;
  received = 0;
  bytes = 0;
  /** Neighbours in first-segment order (the reassembler's list, oldest first); in the spares' list, the next spare. */
  prevQ: Pending | undefined = undefined;
  nextQ: Pending | undefined = undefined;
  originatorShare: Share<Pending> | undefined = undefined;
  prevO: Pending | undefined = undefined;
  nextO: Pending | undefined = undefined;
  bindShare: Share<Pending> | undefined = undefined;
  prevB: Pending | undefined = undefined;
  nextB: Pending | undefined = undefined;

  /** Its identity and first segment's facts (a new record, or a spare taken again). */
  start(segment: Segment, hash: number, total: number, firstAt: number, bind: string | undefined): void {
    this.originator = segment.originator;
    this.recipient = segment.recipient;
    this.sourcePort = segment.sourcePort;
    this.destinationPort = segment.destinationPort;
    this.reference = segment.reference;
    this.hash = hash;
    this.total = total;
    this.firstAt = firstAt;
    this.bind = bind;
    this.first = segment.sequence;
    this.partLength = segment.data.length;
  }

  /** Holds nothing more (a spare): no octets, no parts. */
  clear(): void {
    this.parts = undefined;
    this.store = NO_OCTETS;
    this.storeView = NO_VIEW;
    this.base = this.room = this.fill = 0;
    this.received = this.bytes = 0;
    this.bind = undefined;
  }
}

/**
 * Released records kept for the next messages, at most this many. Each message's record, made
 * new, was young while the long-lived indexes and shares pointed at it: every link into them
 * went through V8's old-to-new write barrier, and the record through a scavenge. A spare, long
 * lived, takes neither.
 */
export const MAX_SPARE_RECORDS = 64;

const NO_OCTETS = new Uint8Array(0);
const NO_VIEW = new DataView(NO_OCTETS.buffer);

const POLICY_STAT = Object.freeze({
  global: 'evictedGlobal',
  'originator-quota': 'evictedOriginatorQuota',
  'bind-quota': 'evictedBindQuota',
  oversize: 'evictedOversize',
  cleared: 'evictedCleared',
} as const satisfies Record<EvictionPolicy, keyof ReassemblerStats>);

interface ReassemblerEvents {
  expired: [LostMessage];
  evicted: [LostMessage];
  superseded: [LostMessage];
  rejected: [RejectedSegment];
}

/**
 * Concatenated-SMS reassembly (3GPP TS 23.040 9.2.3.24.1/.8). A message is identified by
 * originator, recipient, ports and reference; segments come in any order.
 *
 * Rules for what the standard leaves to the receiver:
 * - An exact duplicate of a held segment is ignored (counted in `duplicates`).
 * - A second segment with the same sequence and other octets is rejected; the first is kept.
 * - Sequence 0, a sequence above the total, or a total of 0 rejects the segment (23.040 says
 *   to ignore such an element; a fragment of a datagram is never useful alone).
 * - A segment whose total differs from its pending message's means the sender reused the
 *   reference: the pending message is dropped ('superseded') and a new one starts.
 * - A message is dropped ('expired') `timeoutMs` after its first segment. When a bound needs
 *   room a message is 'evicted' (its `policy` says which bound): an originator or bind over its
 *   quota loses its own oldest; a global bound takes the oldest message of the originator that
 *   holds the most (messages, or bytes within a factor of two). A message alone over a bytes
 *   bound goes at once ('oversize'). Every drop is an event.
 * - A segment equal to one of a message completed less than `timeoutMs` ago (same identity,
 *   total, sequence and octets) is a late duplicate, ignored and counted. One that differs
 *   starts a new message (the reference was reused).
 *
 * Copies: a single-segment datagram's payload is the segment's own view. The parts of a
 * message that come in order are copied once each, one after the other, into one region of
 * one of the reassembler's run chunks (src/wdp/runChunks.ts), which is the payload when the
 * message completes (see Pending). A message whose parts come otherwise holds each part as a
 * copy of its own and is copied once more, into a payload chunk, when it completes. The
 * caller's buffers are never kept. `heldChunkOctets` says what pending runs keep alive.
 */
export class Reassembler extends EventEmitter<ReassemblerEvents> {
  readonly timeoutMs: number;
  readonly maxPendingMessages: number;
  readonly maxPendingBytes: number;
  readonly maxPendingMessagesPerOriginator: number;
  readonly maxPendingBytesPerOriginator: number;
  readonly maxPendingMessagesPerBind: number;
  readonly maxPendingBytesPerBind: number;
  readonly maxRecentMessages: number;
  /** The clock (options.now, by default Date.now). */
  readonly clock: () => number;
  /** The smallest bytes bound a single message must fit. */
  private readonly maxMessageBytes: number;
  private readonly originators = new OriginatorShares<Pending>();
  private readonly binds = new BindShares<Pending>();
  /** Completed messages by identity, and oldest first. */
  private readonly recent: RecentMessages;
  private readonly pending = new MessageIndex<Pending>();
  /** First-segment order, hence deadline order: the oldest expires first (linked through prevQ/nextQ). */
  private oldest: Pending | undefined = undefined;
  private newest: Pending | undefined = undefined;
  private count = 0;
  /** Released records for reuse (linked through nextQ), and how many. */
  private spare: Pending | undefined = undefined;
  private spares = 0;
  private bytes = 0;
  /** Fingerprints of the message being completed (grown to the largest total seen). */
  private prints = new Int32Array(8);
  /** Where runs are held: chunks of this reassembler's own. */
  private readonly runs = new RunChunks();
  readonly stats: ReassemblerStats = {
    segments: 0,
    datagrams: 0,
    duplicates: 0,
    lateDuplicates: 0,
    rejected: 0,
    conflictingDuplicates: 0,
    badSequence: 0,
    badTotal: 0,
    expired: 0,
    evicted: 0,
    superseded: 0,
    evictedGlobal: 0,
    evictedOriginatorQuota: 0,
    evictedBindQuota: 0,
    evictedOversize: 0,
    evictedCleared: 0,
    lostSegments: 0,
    lostBytes: 0,
  };

  constructor(options: ReassemblerOptions = {}) {
    super();
    this.timeoutMs = positiveBound(options.timeoutMs ?? DEFAULT_REASSEMBLER_OPTIONS.timeoutMs, 'timeoutMs');
    this.maxPendingMessages = positiveBound(
      options.maxPendingMessages ?? DEFAULT_REASSEMBLER_OPTIONS.maxPendingMessages,
      'maxPendingMessages',
    );
    this.maxPendingBytes = positiveBound(
      options.maxPendingBytes ?? DEFAULT_REASSEMBLER_OPTIONS.maxPendingBytes,
      'maxPendingBytes',
    );
    this.maxPendingMessagesPerOriginator = positiveBound(
      options.maxPendingMessagesPerOriginator ?? DEFAULT_REASSEMBLER_OPTIONS.maxPendingMessagesPerOriginator,
      'maxPendingMessagesPerOriginator',
    );
    this.maxPendingBytesPerOriginator = positiveBound(
      options.maxPendingBytesPerOriginator ?? DEFAULT_REASSEMBLER_OPTIONS.maxPendingBytesPerOriginator,
      'maxPendingBytesPerOriginator',
    );
    this.maxPendingMessagesPerBind = positiveBound(
      options.maxPendingMessagesPerBind ?? this.maxPendingMessages,
      'maxPendingMessagesPerBind',
    );
    this.maxPendingBytesPerBind = positiveBound(
      options.maxPendingBytesPerBind ?? this.maxPendingBytes,
      'maxPendingBytesPerBind',
    );
    this.maxMessageBytes = Math.min(
      this.maxPendingBytes,
      this.maxPendingBytesPerOriginator,
      this.maxPendingBytesPerBind,
    );
    this.maxRecentMessages = nonNegativeBound(
      options.maxRecentMessages ?? this.maxPendingMessages,
      'maxRecentMessages',
    );
    this.recent = new RecentMessages(this.maxRecentMessages);
    this.clock = options.now ?? Date.now;
  }

  /** Messages waiting for segments. */
  get pendingMessages(): number {
    return this.count;
  }

  /** User-data octets held for them. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /**
   * Octets of the run chunks (and runs' own buffers) that pending messages keep alive: at most
   * 16 KiB plus twice their runs' regions, as of the last chunk begun (src/wdp/runChunks.ts).
   * Payloads already delivered are not counted: what they keep alive is the application's.
   */
  get heldChunkOctets(): number {
    return this.runs.heldOctets;
  }

  /** What one originator has pending. */
  pendingOf(originator: string): { messages: number; bytes: number } {
    const s = this.originators.get(originator);
    return { messages: s?.messages ?? 0, bytes: s?.bytes ?? 0 };
  }

  /** What one bind has pending. */
  pendingOfBind(bind: string): { messages: number; bytes: number } {
    const s = this.binds.get(bind);
    return { messages: s?.messages ?? 0, bytes: s?.bytes ?? 0 };
  }

  /**
   * Takes one segment; returns the datagram it completes, if it completes one. `bind` names
   * the connection it came by, for the per-bind quotas; a message counts against the bind of
   * its first segment. `at` is the clock's time of its arrival when the caller has read it
   * already (the link reads it once per socket chunk); by default the clock is read here.
   *
   * The segment's data is not kept: a part held for a pending message is copied (so the
   * caller may reuse or drop its buffer), and a completed message is copied once into its
   * payload. A single-segment datagram's payload is the segment's own view.
   */
  push(segment: Segment, bind?: string, at?: number): WdpDatagram | undefined {
    const stats = this.stats;
    stats.segments++;
    const { total, sequence } = segment;
    const single = segment.reference === undefined || total === 1;
    // A single SMS into a reassembler holding nothing has nothing to expire: no clock read.
    const quiet = single && this.count === 0 && this.recent.size === 0;
    const now = quiet ? 0 : (at ?? this.clock());
    if (!quiet) this.expire(now);
    if (single) {
      if (total === 1 && sequence !== 1) return this.reject(segment, 'bad-sequence');
      stats.datagrams++;
      return datagram(segment, 1, segment.data);
    }
    if (total === 0) return this.reject(segment, 'bad-total');
    if (sequence === 0 || sequence > total) return this.reject(segment, 'bad-sequence');

    const hash = identityHash(segment);
    let msg = this.pending.get(segment, hash);
    if (msg !== undefined && msg.total !== total) {
      this.drop(msg, 'superseded', undefined);
      msg = undefined;
    }
    const data = segment.data;
    if (msg === undefined) {
      const done = this.recent.find(segment, hash);
      if (done >= 0) {
        if (this.recent.repeats(done, total, sequence, fingerprint(data))) {
          stats.duplicates++;
          stats.lateDuplicates++;
          return undefined;
        }
        this.recent.forget(done);
      }
      const share = this.makeRoom(segment.originator, bind);
      msg = this.spare;
      if (msg === undefined) msg = new Pending();
      else {
        this.spare = msg.nextQ;
        this.spares--;
      }
      msg.start(segment, hash, total, now, bind);
      this.pending.add(msg);
      const newest = this.newest;
      msg.prevQ = newest;
      msg.nextQ = undefined;
      if (newest === undefined) this.oldest = msg;
      else newest.nextQ = msg;
      this.newest = msg;
      this.count++;
      this.originators.add(share ?? this.originators.acquire(segment.originator), msg);
      if (bind !== undefined) this.binds.add(this.binds.acquire(bind), msg);
    } else {
      const held = heldPart(msg, sequence, data);
      if (held !== HELD_NONE) {
        if (held === HELD_SAME) {
          stats.duplicates++;
          return undefined;
        }
        return this.reject(segment, 'conflicting-duplicate');
      }
    }
    const n = data.length;
    if (msg.parts === undefined && !extendsRun(msg, sequence, n)) this.scatter(msg);
    msg.received++;
    if (msg.received < total) {
      if (msg.parts !== undefined) msg.parts[sequence - 1] = partOf(data);
      else this.runs.append(msg, data, (total - msg.first + 1) * msg.partLength);
      msg.bytes += n;
      this.bytes += n;
      const o = msg.originatorShare!;
      this.originators.addBytes(o, n);
      const b = msg.bindShare;
      if (b !== undefined) b.bytes += n;
      if (
        msg.bytes > this.maxMessageBytes ||
        o.bytes > this.maxPendingBytesPerOriginator ||
        this.bytes > this.maxPendingBytes ||
        (b !== undefined && b.bytes > this.maxPendingBytesPerBind)
      )
        this.fitBytes(msg, o, b);
      return undefined;
    }
    // Complete: its bytes are not to stay, so no other message makes room for them; but a
    // message over a bytes bound is dropped whichever segment took it over.
    if (msg.bytes + n > this.maxMessageBytes) {
      // (A run need not hold it: its received sequences and bytes are counted all the same.)
      if (msg.parts !== undefined) msg.parts[sequence - 1] = data;
      msg.bytes += n;
      this.originators.addBytes(msg.originatorShare!, n);
      if (msg.bindShare !== undefined) msg.bindShare.bytes += n;
      this.bytes += n;
      this.drop(msg, 'evicted', 'oversize');
      return undefined;
    }
    this.release(msg);
    msg.bytes += n;
    const prints = this.prints.length >= total ? this.prints : (this.prints = new Int32Array(total));
    let payload: Uint8Array;
    const parts = msg.parts;
    if (parts === undefined) {
      // The run is the whole message: its region, with the last segment written in, is the payload.
      this.runs.append(msg, data, n);
      const store = msg.store;
      const view = msg.storeView;
      const step = msg.partLength;
      let p = msg.base;
      for (let i = 0; i < total - 1; i++, p += step) prints[i] = fingerprintOf(view, p, p + step);
      prints[total - 1] = fingerprintOf(view, p, msg.base + msg.fill);
      payload = new Uint8Array(store.buffer, store.byteOffset + msg.base, msg.fill);
    } else {
      parts[sequence - 1] = data;
      payload = payloadOf(msg.bytes);
      let p = 0;
      for (let i = 0; i < total; i++) {
        const part = parts[i]!;
        payload.set(part, p);
        prints[i] = fingerprint(part, 0, part.length);
        p += part.length;
      }
    }
    this.recent.rememberPrints(msg, hash, prints, total, now);
    stats.datagrams++;
    const d = datagram(msg, total, payload);
    this.recycle(msg);
    return d;
  }

  /** Drops every message whose timeout has passed; returns how many. push() calls it too. */
  sweep(): number {
    return this.expire(this.clock());
  }

  /** Drops everything pending, reporting each as evicted ('cleared'). */
  clear(): void {
    for (let msg = this.oldest; msg !== undefined; msg = this.oldest) this.drop(msg, 'evicted', 'cleared');
  }

  /**
   * Room for one more message from `originator` (and `bind`): each quota takes its own oldest;
   * the global bound takes the oldest message of the originator holding the most. Returns the
   * originator's share if it has one left.
   */
  private makeRoom(originator: string, bind: string | undefined): Share<Pending> | undefined {
    const o = this.originators.get(originator);
    if (o !== undefined) {
      while (o.messages >= this.maxPendingMessagesPerOriginator) {
        this.drop(victim(o.head), 'evicted', 'originator-quota');
      }
    }
    const b = bind === undefined ? undefined : this.binds.get(bind);
    if (b !== undefined) {
      while (b.messages >= this.maxPendingMessagesPerBind) this.drop(victim(b.head), 'evicted', 'bind-quota');
    }
    while (this.count >= this.maxPendingMessages) {
      this.drop(victim(this.originators.oldestOfMostMessages()), 'evicted', 'global');
    }
    // The originator's share, unless an eviction emptied it (an empty share is forgotten).
    return o !== undefined && o.messages > 0 ? o : undefined;
  }

  /**
   * After `msg` grew: a message alone over a bytes bound goes ('oversize'); otherwise its
   * originator's and bind's quotas take their own oldest, and the global bound takes from the
   * originator holding the most bytes; `msg` itself is never the one taken.
   */
  private fitBytes(msg: Pending, o: Share<Pending>, b: Share<Pending> | undefined): void {
    if (msg.bytes > this.maxMessageBytes) {
      this.drop(msg, 'evicted', 'oversize');
      return;
    }
    while (o.bytes > this.maxPendingBytesPerOriginator)
      this.drop(victim(oldestOf(o, msg)), 'evicted', 'originator-quota');
    if (b !== undefined) {
      while (b.bytes > this.maxPendingBytesPerBind)
        this.drop(victim(this.binds.oldest(b, msg)), 'evicted', 'bind-quota');
    }
    while (this.bytes > this.maxPendingBytes) {
      this.drop(victim(this.originators.oldestOfMostBytes(msg)), 'evicted', 'global');
    }
  }

  private expire(now: number): number {
    let n = 0;
    const deadline = now - this.timeoutMs;
    this.recent.expire(deadline);
    for (let msg = this.oldest; msg !== undefined && msg.firstAt <= deadline; msg = this.oldest) {
      this.drop(msg, 'expired', undefined);
      n++;
    }
    return n;
  }

  /** Out of every index and share, its bytes no longer held. */
  private release(msg: Pending): void {
    this.pending.delete(msg);
    const { prevQ: prev, nextQ: next } = msg;
    if (prev === undefined) this.oldest = next;
    else prev.nextQ = next;
    if (next === undefined) this.newest = prev;
    else next.prevQ = prev;
    msg.prevQ = msg.nextQ = undefined;
    this.count--;
    this.originators.remove(msg);
    if (msg.bindShare !== undefined) this.binds.remove(msg);
    this.bytes -= msg.bytes;
  }

  private drop(msg: Pending, reason: LossReason, policy: EvictionPolicy | undefined): void {
    this.release(msg);
    const stats = this.stats;
    stats[reason]++;
    if (policy !== undefined) stats[POLICY_STAT[policy]]++;
    stats.lostSegments += msg.received;
    stats.lostBytes += msg.bytes;
    if (this.listenerCount(reason) > 0) this.report(msg, reason, policy);
    this.recycle(msg);
  }

  /** A released record, kept as a spare if there is room for one. */
  private recycle(msg: Pending): void {
    this.runs.detach(msg);
    msg.clear();
    if (this.spares >= MAX_SPARE_RECORDS) return;
    msg.nextQ = this.spare;
    this.spare = msg;
    this.spares++;
  }

  /**
   * Turns a run into parts, each a copy of its own: a message out of order is held apart from
   * the run chunks, so that it keeps no chunk alive.
   */
  private scatter(msg: Pending): void {
    const parts = new Array<Uint8Array | undefined>(msg.total).fill(undefined);
    const store = msg.store;
    const step = msg.partLength;
    for (let i = 0, p = msg.base; i < msg.received; i++, p += step) {
      const end = i === msg.received - 1 ? msg.base + msg.fill : p + step;
      parts[msg.first - 1 + i] = store.slice(p, end);
    }
    msg.parts = parts;
    this.runs.detach(msg);
    msg.store = NO_OCTETS;
    msg.storeView = NO_VIEW;
    msg.base = msg.room = msg.fill = 0;
  }

  private report(msg: Pending, reason: LossReason, policy: EvictionPolicy | undefined): void {
    const received: number[] = [];
    const parts = msg.parts;
    if (parts === undefined) for (let i = 0; i < msg.received; i++) received.push(msg.first + i);
    else for (let i = 0; i < msg.total; i++) if (parts[i] !== undefined) received.push(i + 1);
    const lost: LostMessage = {
      reason,
      originator: msg.originator,
      recipient: msg.recipient,
      sourcePort: msg.sourcePort,
      destinationPort: msg.destinationPort,
      reference: msg.reference!,
      total: msg.total,
      received,
      bytes: msg.bytes,
      firstAt: msg.firstAt,
    };
    if (policy !== undefined) lost.policy = policy;
    if (msg.bind !== undefined) lost.bind = msg.bind;
    this.emit(reason, lost);
  }

  private reject(segment: Segment, reason: RejectReason): undefined {
    const stats = this.stats;
    stats.rejected++;
    if (reason === 'bad-sequence') stats.badSequence++;
    else if (reason === 'bad-total') stats.badTotal++;
    else stats.conflictingDuplicates++;
    this.emit('rejected', { reason, segment });
    return undefined;
  }
}

/** A bound over its limit always has a message to give (see makeRoom and fitBytes). */
function victim(m: Pending | undefined): Pending {
  if (m === undefined) throw new Error('reassembler: a bound is over its limit with nothing to evict');
  return m;
}

/**
 * Payloads of single SMS and of messages joined from parts are cut from shared chunks of this
 * many octets (one over a quarter of it gets its own buffer): a view of a chunk costs a third
 * of Buffer.allocUnsafe's (which does the same with Node's 8 KiB pool, through more
 * JavaScript), and a payload keeps only its chunk alive, where a view of the caller's buffer
 * would keep that whole buffer (a socket chunk of up to 64 KiB) alive. No pending message is
 * held in them (runs have chunks of their own, src/wdp/runChunks.ts), so only delivered
 * payloads keep them alive.
 */
export const PAYLOAD_CHUNK_OCTETS = 16 * 1024;

/**
 * A chunk's octets are not zeroed (Buffer.allocUnsafeSlow): every octet handed out is written
 * before anyone can read it. Zeroing them cost about a tenth of reassembly. A plain Uint8Array
 * over them, as the rest of the octets the reassembler touches.
 */
function newChunk(): Uint8Array {
  const b = Buffer.allocUnsafeSlow(PAYLOAD_CHUNK_OCTETS);
  return new Uint8Array(b.buffer, b.byteOffset, PAYLOAD_CHUNK_OCTETS);
}

/** The chunk being cut, whole; `chunkUsed` is where its last cut ends (the next starts 8-aligned). */
let chunk = newChunk();
let chunkUsed = 0;

/** Offset in `chunk` of `length` octets, a new chunk begun if they do not fit (length <= a quarter chunk). */
function cut(length: number): number {
  // Each cut starts 8-aligned, as Node's pool aligns its buffers.
  let at = (chunkUsed + 7) & ~7;
  if (at + length > PAYLOAD_CHUNK_OCTETS) {
    chunk = newChunk();
    at = 0;
  }
  chunkUsed = at + length;
  return at;
}

function payloadOf(length: number): Uint8Array {
  if (length > PAYLOAD_CHUNK_OCTETS >> 2) return new Uint8Array(length);
  const at = cut(length);
  return new Uint8Array(chunk.buffer, chunk.byteOffset + at, length);
}

/**
 * A copy of `data` cut from the shared payload chunks: the link gives a single SMS's payload
 * its own octets this way, so that it does not keep the socket chunk it was read from alive.
 */
export function copyPayload(data: Uint8Array): Uint8Array {
  const out = payloadOf(data.length);
  out.set(data);
  return out;
}

/** A held part of a message no longer a run: a copy of its own (it keeps no shared chunk alive). */
function partOf(data: Uint8Array): Uint8Array {
  return data.slice();
}

/** heldPart(): the sequence is not held, held with the same octets, or held with others. */
const HELD_NONE = 0;
const HELD_SAME = 1;
const HELD_OTHER = 2;

/** Whether `msg` holds part `sequence`, and if so whether `data` is the same octets. */
function heldPart(msg: Pending, sequence: number, data: Uint8Array): number {
  const parts = msg.parts;
  if (parts !== undefined) {
    const held = parts[sequence - 1];
    if (held === undefined) return HELD_NONE;
    return sameOctets(held, 0, held.length, data) ? HELD_SAME : HELD_OTHER;
  }
  const i = sequence - msg.first;
  if (i < 0 || i >= msg.received) return HELD_NONE;
  const start = msg.base + i * msg.partLength;
  const end = i === msg.received - 1 ? msg.base + msg.fill : start + msg.partLength;
  return sameOctets(msg.store, start, end, data) ? HELD_SAME : HELD_OTHER;
}

/** Whether `msg` (a run) takes part `sequence` of `n` octets at its end, still a run. */
function extendsRun(msg: Pending, sequence: number, n: number): boolean {
  const received = msg.received;
  if (received === 0) return true;
  return (
    sequence === msg.first + received &&
    msg.fill === received * msg.partLength &&
    (n === msg.partLength || sequence === msg.total)
  );
}

function datagram(s: Segment | Pending, segments: number, payload: Uint8Array): WdpDatagram {
  return {
    originator: s.originator,
    recipient: s.recipient,
    sourcePort: s.sourcePort,
    destinationPort: s.destinationPort,
    segments,
    payload,
  };
}

/**
 * fingerprint() of octets `start` to `end` of `v`: the same number, read four octets at a time
 * (a DataView's 32-bit read is one load, where four octet reads are four; twice as quick).
 */
function fingerprintOf(v: DataView, start: number, end: number): number {
  let h0 = 0x811c9dc5 ^ (end - start);
  let h1 = LANE_SEED;
  const n = start + ((end - start) & ~7);
  let i = start;
  for (; i < n; i += 8) {
    h0 = Math.imul(h0 ^ v.getInt32(i, true), MIX);
    h1 = Math.imul(h1 ^ v.getInt32(i + 4, true), MIX);
    h0 ^= h0 >>> 15;
    h1 ^= h1 >>> 15;
  }
  let h = Math.imul(h0, JOIN) ^ h1;
  if (end - i >= 4) {
    h = Math.imul(h ^ v.getInt32(i, true), MIX);
    h ^= h >>> 15;
    i += 4;
  }
  if (i < end) {
    let w = 0;
    for (let s = 0; i < end; i++, s += 8) w |= v.getUint8(i) << s;
    h = Math.imul(h ^ w, MIX);
    h ^= h >>> 15;
  }
  return finish(h);
}

/** The second lane's start (FNV's 64-bit offset basis, low half): the lanes start apart. */
const LANE_SEED = 0x84222325 | 0;
/** Each step's multiplier (2^32 / the golden ratio, odd): about half its bits set, so a changed bit reaches many. */
const MIX = 0x9e3779b1 | 0;
/** The first lane's multiplier where the lanes join (murmur3's fmix32 constant): the lanes are weighed apart. */
const JOIN = 0x85ebca6b | 0;

/**
 * The last mix (half of murmur3's fmix32): the join's low bits depend on only the first lane's
 * low bits until high bits are folded down; then 30 bits, a small integer, so an array of them
 * holds no heap numbers.
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h >>> 2;
}

/**
 * A 32-bit fingerprint that tells a repeated segment from a different one without keeping its
 * octets: a multiply-xor step four octets at a time, in two lanes (the even and the odd four
 * octets of each eight) joined at the end. Each step waits for the multiply before it, so two
 * chains that do not wait for each other take half the time of one; it runs over every octet
 * of every completed message. Only this process compares them (the stores keep their own).
 *
 * Every step folds its high bits down (`h ^= h >>> 15`): a multiply alone carries a change only
 * upwards, so FNV's multiply-xor taken a word at a time left a word's bit 31 in bit 31 alone,
 * where the next word's bit 31 undid it, and the lanes' XOR undid it across lanes: flipping
 * 0x80 in any two octets at offsets 3, 7, 11, ... gave the same print, and a new message on a
 * reused reference that differed only so was swallowed as a late duplicate. Each step is one to
 * one in the word and in the state, so a change in one word always changes its lane, and a
 * change in one lane always changes the join; only the last cut to 30 bits (and two changed
 * words, by chance) can meet, at about one in 2^30.
 */
export function fingerprint(b: Uint8Array, start = 0, end = b.length): number {
  let h0 = 0x811c9dc5 ^ (end - start);
  let h1 = LANE_SEED;
  const n = start + ((end - start) & ~7);
  let i = start;
  for (; i < n; i += 8) {
    h0 = Math.imul(h0 ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), MIX);
    h1 = Math.imul(h1 ^ (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24)), MIX);
    h0 ^= h0 >>> 15;
    h1 ^= h1 >>> 15;
  }
  let h = Math.imul(h0, JOIN) ^ h1;
  if (end - i >= 4) {
    h = Math.imul(h ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), MIX);
    h ^= h >>> 15;
    i += 4;
  }
  if (i < end) {
    let w = 0;
    for (let s = 0; i < end; i++, s += 8) w |= b[i] << s;
    h = Math.imul(h ^ w, MIX);
    h ^= h >>> 15;
  }
  return finish(h);
}

/** Whether `a` from `start` to `end` holds the octets of `b`. */
function sameOctets(a: Uint8Array, start: number, end: number, b: Uint8Array): boolean {
  if (end - start !== b.length) return false;
  for (let i = start; i < end; i++) if (a[i] !== b[i - start]) return false;
  return true;
}
