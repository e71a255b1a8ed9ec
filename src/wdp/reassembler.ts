import { EventEmitter } from 'node:events';
import { nonNegativeBound, positiveBound } from '../bounds.js';
import type { Segment, WdpDatagram } from './datagram.js';
import { copyPrinting, fingerprint, fingerprintAt } from './fingerprint.js';
import { identityHash, MessageIndex, sameIdentity, type Indexed } from './messageIndex.js';
import { RecentMessages } from './recentMessages.js';
import { RunChunks, type Run, type RunChunk } from './runChunks.js';
import { SegmentAt } from './segmentAt.js';
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
  /**
   * The fingerprint of each part held, by sequence - 1: those of a message of up to
   * INLINE_PRINTS segments in fields of the record (small integers, four octets each), a longer
   * one's in `longPrints` (kept, and grown, from one message to the next). An Int32Array per
   * record cost about 250 octets a pending message, more than half its bookkeeping.
   */
  print0 = 0;
  print1 = 0;
  print2 = 0;
  print3 = 0;
  longPrints: Int32Array | undefined = undefined;
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
  start(segment: SegmentAt, hash: number, total: number, firstAt: number, bind: string | undefined): void {
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
    this.partLength = segment.end - segment.start;
    if (total > INLINE_PRINTS && (this.longPrints === undefined || this.longPrints.length < total))
      this.longPrints = new Int32Array(total);
  }

  /** Keeps the fingerprint of part `i` (sequence - 1). */
  setPrint(i: number, print: number): void {
    if (this.total > INLINE_PRINTS) this.longPrints![i] = print;
    else if (i === 0) this.print0 = print;
    else if (i === 1) this.print1 = print;
    else if (i === 2) this.print2 = print;
    else this.print3 = print;
  }

  /** Its fingerprints in sequence order from index 0: `scratch` filled, or its own longPrints. */
  printsInto(scratch: Int32Array): Int32Array {
    if (this.total > INLINE_PRINTS) return this.longPrints!;
    scratch[0] = this.print0;
    scratch[1] = this.print1;
    scratch[2] = this.print2;
    scratch[3] = this.print3;
    return scratch;
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

/** Segments of a message whose fingerprints its pending record holds in fields of its own (Pending.print0..3). */
const INLINE_PRINTS = 4;

/**
 * Released records kept for the next messages, at most this many. Each message's record, made
 * new, was young while the long-lived indexes and shares pointed at it: every link into them
 * went through V8's old-to-new write barrier, and the record through a scavenge. A spare, long
 * lived, takes neither.
 */
export const MAX_SPARE_RECORDS = 64;

const NO_OCTETS = new Uint8Array(0);
const NO_VIEW = new DataView(NO_OCTETS.buffer);

/**
 * A message of more segments than this is never taken whole from a preview (its segments are
 * pushed as push() takes them): the sequences seen are kept as bits of one 32-bit word.
 */
export const MAX_PREVIEW_TOTAL = 32;

/**
 * A preview of at most this many segments finds each one's message by going through the
 * messages found so far (at most this many comparisons of a hash, most often far fewer); a
 * longer one through a hash table. The link's reads are a window's PDUs (10 at BENCH_WINDOW).
 */
const PREVIEW_SCAN_MAX = 16;

/** What preview() found of a message among the segments shown (PreviewState.state). */
const WHOLE = 0; // every segment there, once each: to be taken whole
const APART = 1; // to be taken as push() takes each segment
const TAKEN = 2; // taken whole: some of its segments pushed, not the last
const DONE = 3; // completed

/**
 * preview()'s arrays: per segment shown, its message's number (-1: a single SMS or a segment
 * that is to be rejected) and the next segment of the same message; per message, its first and
 * last segment, total, sequences seen (bits), how many, their octets, its state, and the bind
 * and time of its first segment pushed. `table` finds a message by identity hash.
 */
interface PreviewState {
  table: Int32Array;
  groupOf: Int32Array;
  next: Int32Array;
  first: Int32Array;
  last: Int32Array;
  total: Int32Array;
  seen: Int32Array;
  count: Int32Array;
  bytes: Int32Array;
  state: Uint8Array;
  bind: (string | undefined)[];
  at: Float64Array;
  /** A completed message's segments by sequence - 1 (emptied after). */
  order: (SegmentAt | undefined)[];
}

export { fingerprint };

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
  /** Fingerprints of a message completed whole from a preview (takeWhole), or of a short pending one. */
  private readonly prints = new Int32Array(MAX_PREVIEW_TOTAL);
  /** What push() takes a Segment as (SegmentAt), filled again for each. */
  private readonly adapter = new SegmentAt();
  /** The segments shown to preview(), how many, and the next to be pushed (undefined: none shown). */
  private batch: readonly SegmentAt[] | undefined = undefined;
  private batchCount = 0;
  private batchNext = 0;
  private batchState: PreviewState | undefined = undefined;
  /**
   * Events of endPreview(), emitted once every segment taken is held: its segments were
   * answered already, so a listener that throws must not leave one of them held nowhere.
   */
  private deferring = false;
  private readonly deferred: DeferredEvent[] = [];
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
   * Completed messages forgotten for `maxRecentMessages` before `timeoutMs` passed: a segment
   * of one of them resent late is taken as a new message, not a late duplicate.
   */
  get recentForgottenEarly(): number {
    return this.recent.forgottenEarly;
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
    return this.take(this.adapter.of(segment), segment, bind, at);
  }

  /**
   * push() for a segment held as a SegmentAt (a reader's record, filled again for the next
   * SMS: src/wdp/segmentAt.ts): the same rules and results; a single-segment datagram's payload
   * is a view of its octets. When `segment` was shown to preview() it is taken as preview()
   * says; anything else taken ends the preview first.
   */
  pushAt(segment: SegmentAt, bind?: string, at?: number): WdpDatagram | undefined {
    return this.take(segment, undefined, bind, at);
  }

  /**
   * Shows the reassembler the segments about to be pushed (pushAt) one by one in this order:
   * the deliver_sm of one socket chunk. A message whose every segment is among them, once each
   * with one total, none of it pending or remembered as completed, and within the bytes bounds,
   * never becomes pending: its segments before the last are taken as they are pushed (counted,
   * not copied), and the last one copies all of them into the payload, in one pass that also
   * takes their fingerprints. No pending record, index entry, share, run or expiry bookkeeping;
   * it takes no room from other messages and so evicts none. Every other segment is taken as
   * push() takes it, in its turn. The segments' octets must stay as they are until
   * endPreview(), and so must `segments[0 .. count - 1]`.
   */
  preview(segments: readonly SegmentAt[], count: number): void {
    if (this.batch !== undefined) this.endPreview();
    if (count < 2) return;
    const b = this.previewState(count);
    // A read of a window's PDUs holds a few messages: each segment's is found by going through
    // them, with no table to clear; a longer read finds them through the table.
    const scan = count <= PREVIEW_SCAN_MAX;
    let size = 8;
    while (size < 2 * count) size *= 2;
    const mask = size - 1;
    const table = b.table;
    if (!scan) table.fill(0, 0, size);
    let groups = 0;
    for (let i = 0; i < count; i++) {
      const s = segments[i];
      b.groupOf[i] = -1;
      const total = s.total;
      const sequence = s.sequence;
      if (s.reference === undefined || total <= 1 || sequence === 0 || sequence > total) continue;
      const hash = identityHash(s);
      s.hash = hash;
      let k = hash & mask;
      let g = -1;
      if (scan) {
        for (let h = 0; h < groups; h++) {
          const lead = segments[b.first[h]];
          if (lead.hash === hash && sameIdentity(lead, s)) {
            g = h;
            break;
          }
        }
      } else
        for (; table[k] !== 0; k = (k + 1) & mask) {
          const lead = segments[b.first[table[k] - 1]];
          if (lead.hash === hash && sameIdentity(lead, s)) {
            g = table[k] - 1;
            break;
          }
        }
      if (g < 0) {
        g = groups++;
        if (!scan) table[k] = g + 1;
        b.first[g] = i;
        b.total[g] = total;
        b.seen[g] = 0;
        b.count[g] = 0;
        b.bytes[g] = 0;
        b.state[g] = total <= MAX_PREVIEW_TOTAL ? WHOLE : APART;
      } else b.next[b.last[g]] = i;
      b.groupOf[i] = g;
      b.last[g] = i;
      b.next[i] = -1;
      if (b.state[g] !== WHOLE) continue;
      const bit = 1 << (sequence - 1);
      b.bytes[g] += s.end - s.start;
      if (total !== b.total[g] || (b.seen[g] & bit) !== 0 || b.bytes[g] > this.maxMessageBytes) b.state[g] = APART;
      else {
        b.seen[g] |= bit;
        b.count[g]++;
      }
    }
    for (let g = 0; g < groups; g++) if (b.state[g] === WHOLE && b.count[g] !== b.total[g]) b.state[g] = APART;
    this.batch = segments;
    this.batchCount = count;
    this.batchNext = 0;
  }

  /**
   * The segments shown to preview() are pushed, or no more of them will be (the read stopped
   * early): the segments taken of a message whose last segment was not pushed are taken now
   * as push() would have taken them, so nothing pushed is lost. The link calls it at the end
   * of each read of its socket.
   */
  endPreview(): void {
    const segments = this.batch;
    if (segments === undefined) return;
    const b = this.batchState!;
    const pushed = this.batchNext;
    this.batch = undefined;
    this.batchCount = 0;
    this.batchNext = 0;
    this.deferring = true;
    // Each segment here was answered already: one that cannot be taken (a clock that throws)
    // must not keep those after it from being held, so the first throw waits for the loop's end.
    let failed = false;
    let first: unknown;
    try {
      for (let i = 0; i < pushed; i++) {
        const g = b.groupOf[i];
        if (g >= 0 && b.state[g] === TAKEN) {
          const at = b.at[g];
          try {
            this.takeApart(segments[i], undefined, b.bind[g], Number.isNaN(at) ? undefined : at);
          } catch (error) {
            if (!failed) first = error;
            failed = true;
          }
        }
      }
      if (failed) throw first;
    } finally {
      this.deferring = false;
      // Also when a segment could not be taken (a clock that throws): what was dropped before
      // it was dropped, and is told now, not at some later read's end as if it were of that one.
      if (this.deferred.length > 0) this.emitDeferred();
    }
  }

  /** The events endPreview() held back, in order; a listener's throw becomes a process warning. */
  private emitDeferred(): void {
    const events = this.deferred.splice(0);
    for (const e of events) {
      if (e.name === 'rejected') this.tell('rejected', e.rejected, true);
      else this.tell(e.name, e.lost, true);
    }
  }

  /**
   * Calls every listener of `name`, each whatever one before it threw: on a reassembler shared
   * by links, one application listener's bug must not keep another link from its 'lost'. Each
   * throw becomes a process warning (WAPPUSH_LISTENER_ERROR), but for the first one outside
   * endPreview(), thrown on once every listener was called: push() throws it, as it always has
   * (the segment not taken, for its sender to send again).
   */
  private tell<K extends keyof ReassemblerEvents>(name: K, arg: ReassemblerEvents[K][0], deferred: boolean): void {
    const listeners = this.rawListeners(name);
    let thrown = false;
    let first: unknown;
    for (const listener of listeners) {
      try {
        Reflect.apply(listener, this, [arg]);
      } catch (error) {
        if (!deferred && !thrown) {
          thrown = true;
          first = error;
        } else
          process.emitWarning(`a reassembler '${name}' listener threw: ${String(error)}`, {
            code: 'WAPPUSH_LISTENER_ERROR',
          });
      }
    }
    if (thrown) throw first;
  }

  /** Arrays for preview() of `count` segments (grown as needed, kept). */
  private previewState(count: number): PreviewState {
    let b = this.batchState;
    if (b === undefined || b.groupOf.length < count) {
      const n = Math.max(count, 2 * (b?.groupOf.length ?? 16));
      let size = 8;
      while (size < 2 * n) size *= 2;
      b = this.batchState = {
        table: new Int32Array(size),
        groupOf: new Int32Array(n),
        next: new Int32Array(n),
        first: new Int32Array(n),
        last: new Int32Array(n),
        total: new Int32Array(n),
        seen: new Int32Array(n),
        count: new Int32Array(n),
        bytes: new Int32Array(n),
        state: new Uint8Array(n),
        bind: new Array<string | undefined>(n).fill(undefined),
        at: new Float64Array(n),
        order: new Array<SegmentAt | undefined>(MAX_PREVIEW_TOTAL).fill(undefined),
      };
    }
    return b;
  }

  private take(s: SegmentAt, segment: Segment | undefined, bind: string | undefined, at: number | undefined) {
    this.stats.segments++;
    const batch = this.batch;
    if (batch !== undefined) {
      const i = this.batchNext;
      if (i < this.batchCount && batch[i] === s && segment === undefined) {
        const b = this.batchState!;
        const g = b.groupOf[i];
        if (g >= 0 && b.state[g] !== APART) {
          // Counted pushed only once taken: a listener that throws leaves it not taken, as push() does.
          const d = this.takeWhole(s, i, g, b, bind, at);
          this.batchNext = i + 1;
          return d;
        }
        this.batchNext = i + 1;
      } else this.endPreview();
    }
    return this.takeApart(s, segment, bind, at);
  }

  /**
   * A segment of a message whole among those previewed: taken without a copy until the last,
   * which completes the message. At its first segment the message may be pending or remembered
   * after all: it is then taken apart, as push() takes it.
   */
  private takeWhole(
    s: SegmentAt,
    i: number,
    g: number,
    b: PreviewState,
    bind: string | undefined,
    at: number | undefined,
  ): WdpDatagram | undefined {
    const hash = s.hash;
    // Before any state changes: an 'expired' listener that throws leaves the segment untaken.
    const now = at ?? this.clock();
    this.expire(now);
    if (b.state[g] === WHOLE) {
      if (this.pending.get(s, hash) !== undefined || this.recent.find(s, hash) >= 0) {
        b.state[g] = APART;
        return this.takeApart(s, undefined, bind, now);
      }
      b.state[g] = TAKEN;
      b.bind[g] = bind;
      b.at[g] = at ?? NaN;
    }
    if (i !== b.last[g]) return undefined;
    b.state[g] = DONE;
    const total = b.total[g];
    const order = b.order;
    for (let k = b.first[g]; k >= 0; k = b.next[k]) {
      const part = this.batch![k];
      order[part.sequence - 1] = part;
    }
    const length = b.bytes[g];
    let to: DataView;
    let base: number;
    let payload: Uint8Array;
    if (length > PAYLOAD_CHUNK_OCTETS >> 2) {
      payload = new Uint8Array(length);
      to = new DataView(payload.buffer);
      base = 0;
    } else {
      base = cut(length);
      to = chunkView;
      payload = new Uint8Array(chunk, base, length);
    }
    const prints = this.prints;
    let p = base;
    for (let k = 0; k < total; k++) {
      const part = order[k]!;
      const n = part.end - part.start;
      prints[k] = copyPrinting(part.view, part.start, part.end, to, p);
      p += n;
      order[k] = undefined;
    }
    this.recent.rememberPrints(s, hash, prints, total, now);
    this.stats.datagrams++;
    return datagram(s, total, payload);
  }

  /** push()'s way with a segment (counted already): `segment` is the caller's, when it gave one. */
  private takeApart(
    s: SegmentAt,
    segment: Segment | undefined,
    bind: string | undefined,
    at: number | undefined,
  ): WdpDatagram | undefined {
    const stats = this.stats;
    const total = s.total;
    const sequence = s.sequence;
    const single = s.reference === undefined || total === 1;
    // A single SMS into a reassembler holding nothing has nothing to expire: no clock read.
    const quiet = single && this.count === 0 && this.recent.size === 0;
    const now = quiet ? 0 : (at ?? this.clock());
    if (!quiet) this.expire(now);
    if (single) {
      if (total === 1 && sequence !== 1) return this.reject(s, segment, 'bad-sequence');
      stats.datagrams++;
      return datagram(s, 1, segment === undefined ? s.octets() : segment.data);
    }
    if (total === 0) return this.reject(s, segment, 'bad-total');
    if (sequence === 0 || sequence > total) return this.reject(s, segment, 'bad-sequence');

    const hash = identityHash(s);
    let msg = this.pending.get(s, hash);
    if (msg !== undefined && msg.total !== total) {
      this.drop(msg, 'superseded', undefined);
      msg = undefined;
    }
    const from = s.view;
    const start = s.start;
    const end = s.end;
    if (msg === undefined) {
      const done = this.recent.find(s, hash);
      if (done >= 0) {
        if (this.recent.repeats(done, total, sequence, fingerprintAt(from, start, end))) {
          stats.duplicates++;
          stats.lateDuplicates++;
          return undefined;
        }
        this.recent.forget(done);
      }
      const share = this.makeRoom(s.originator, bind);
      msg = this.spare;
      if (msg === undefined) msg = new Pending();
      else {
        this.spare = msg.nextQ;
        this.spares--;
      }
      msg.start(s, hash, total, now, bind);
      this.pending.add(msg);
      const newest = this.newest;
      msg.prevQ = newest;
      msg.nextQ = undefined;
      if (newest === undefined) this.oldest = msg;
      else newest.nextQ = msg;
      this.newest = msg;
      this.count++;
      this.originators.add(share ?? this.originators.acquire(s.originator), msg);
      if (bind !== undefined) this.binds.add(this.binds.acquire(bind), msg);
    } else {
      const held = heldPart(msg, sequence, from, start, end);
      if (held !== HELD_NONE) {
        if (held === HELD_SAME) {
          stats.duplicates++;
          return undefined;
        }
        return this.reject(s, segment, 'conflicting-duplicate');
      }
    }
    const n = end - start;
    if (msg.parts === undefined && !extendsRun(msg, sequence, n)) this.scatter(msg);
    msg.received++;
    if (msg.received < total) {
      if (msg.parts !== undefined) {
        msg.parts[sequence - 1] = partOf(from, start, end);
        msg.setPrint(sequence - 1, fingerprintAt(from, start, end));
      } else
        msg.setPrint(sequence - 1, this.runs.append(msg, from, start, end, (total - msg.first + 1) * msg.partLength));
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
      if (msg.parts !== undefined) msg.parts[sequence - 1] = NO_OCTETS;
      msg.bytes += n;
      this.originators.addBytes(msg.originatorShare!, n);
      if (msg.bindShare !== undefined) msg.bindShare.bytes += n;
      this.bytes += n;
      this.drop(msg, 'evicted', 'oversize');
      return undefined;
    }
    this.release(msg);
    msg.bytes += n;
    let payload: Uint8Array;
    const parts = msg.parts;
    if (parts === undefined) {
      // The run is the whole message: its region, with the last segment written in, is the payload.
      msg.setPrint(sequence - 1, this.runs.append(msg, from, start, end, n));
      // Through the region's DataView: its `buffer` and `byteOffset` cost a fraction of a typed array's.
      const view = msg.storeView;
      payload = new Uint8Array(view.buffer, view.byteOffset + msg.base, msg.fill);
    } else {
      parts[sequence - 1] = partOf(from, start, end);
      msg.setPrint(sequence - 1, fingerprintAt(from, start, end));
      payload = payloadOf(msg.bytes);
      let p = 0;
      for (let i = 0; i < total; i++) {
        const part = parts[i]!;
        payload.set(part, p);
        p += part.length;
      }
    }
    this.recent.rememberPrints(msg, hash, msg.printsInto(this.prints), total, now);
    stats.datagrams++;
    const d = datagram(msg, total, payload);
    this.recycle(msg);
    return d;
  }

  /** Drops every message whose timeout has passed; returns how many. push() calls it too. */
  sweep(): number {
    this.endPreview();
    return this.expire(this.clock());
  }

  /** Drops everything pending, reporting each as evicted ('cleared'). */
  clear(): void {
    this.endPreview();
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
    if (this.deferring) this.deferred.push({ name: reason, lost });
    else this.tell(reason, lost, false);
  }

  private reject(s: SegmentAt, given: Segment | undefined, reason: RejectReason): undefined {
    const segment = given ?? s.toSegment();
    const stats = this.stats;
    stats.rejected++;
    if (reason === 'bad-sequence') stats.badSequence++;
    else if (reason === 'bad-total') stats.badTotal++;
    else stats.conflictingDuplicates++;
    if (this.deferring) this.deferred.push({ name: 'rejected', rejected: { reason, segment } });
    else if (this.listenerCount('rejected') > 0) this.tell('rejected', { reason, segment }, false);
    return undefined;
  }
}

/** An event endPreview() holds back until every segment it takes is held. */
type DeferredEvent = { name: LossReason; lost: LostMessage } | { name: 'rejected'; rejected: RejectedSegment };

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
function newChunk(): ArrayBufferLike {
  // A buffer of its own (not a view of Node's pool): its ArrayBuffer is the chunk, from offset 0.
  return Buffer.allocUnsafeSlow(PAYLOAD_CHUNK_OCTETS).buffer;
}

/**
 * The chunk being cut, whole (its ArrayBuffer: a payload is made from it with no typed array's
 * `buffer` or `byteOffset` read, calls in Node 20's V8 that cost more than the view they make),
 * and a DataView of it; `chunkUsed` is where its last cut ends (the next starts 8-aligned).
 */
let chunk = newChunk();
let chunkView = new DataView(chunk);
let chunkUsed = 0;

/** Offset in `chunk` of `length` octets, a new chunk begun if they do not fit (length <= a quarter chunk). */
function cut(length: number): number {
  // Each cut starts 8-aligned, as Node's pool aligns its buffers.
  let at = (chunkUsed + 7) & ~7;
  if (at + length > PAYLOAD_CHUNK_OCTETS) {
    chunk = newChunk();
    chunkView = new DataView(chunk);
    at = 0;
  }
  chunkUsed = at + length;
  return at;
}

function payloadOf(length: number): Uint8Array {
  if (length > PAYLOAD_CHUNK_OCTETS >> 2) return new Uint8Array(length);
  const at = cut(length);
  return new Uint8Array(chunk, at, length);
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
function partOf(from: DataView, start: number, end: number): Uint8Array {
  return new Uint8Array(from.buffer, from.byteOffset + start, end - start).slice();
}

/** heldPart(): the sequence is not held, held with the same octets, or held with others. */
const HELD_NONE = 0;
const HELD_SAME = 1;
const HELD_OTHER = 2;

/** Whether `msg` holds part `sequence`, and if so whether octets `start` to `end` of `from` are the same. */
function heldPart(msg: Pending, sequence: number, from: DataView, start: number, end: number): number {
  const parts = msg.parts;
  if (parts !== undefined) {
    const held = parts[sequence - 1];
    if (held === undefined) return HELD_NONE;
    return sameOctets(held, 0, held.length, from, start, end) ? HELD_SAME : HELD_OTHER;
  }
  const i = sequence - msg.first;
  if (i < 0 || i >= msg.received) return HELD_NONE;
  const at = msg.base + i * msg.partLength;
  const to = i === msg.received - 1 ? msg.base + msg.fill : at + msg.partLength;
  return sameOctets(msg.store, at, to, from, start, end) ? HELD_SAME : HELD_OTHER;
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

function datagram(s: SegmentAt | Pending, segments: number, payload: Uint8Array): WdpDatagram {
  return {
    originator: s.originator,
    recipient: s.recipient,
    sourcePort: s.sourcePort,
    destinationPort: s.destinationPort,
    segments,
    payload,
  };
}

/** Whether `a` from `start` to `end` holds octets `from` to `to` of `b`. */
function sameOctets(a: Uint8Array, start: number, end: number, b: DataView, from: number, to: number): boolean {
  if (end - start !== to - from) return false;
  for (let i = start, j = from; i < end; i++, j++) if (a[i] !== b.getUint8(j)) return false;
  return true;
}
