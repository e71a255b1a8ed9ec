import { EventEmitter } from 'node:events';
import { nonNegativeBound, positiveBound } from '../bounds.js';
import type { Segment, WdpDatagram } from './datagram.js';
import { Fifo } from './fifo.js';
import { identityHash, MessageIndex, type Indexed } from './messageIndex.js';

/**
 * Bounds of a Reassembler. Every pending octet is counted; nothing else grows with input.
 * `maxPendingBytes` counts segment user data; the fixed cost per pending message (its record
 * and its index entry, about 290 octets measured, see README) is bounded by `maxPendingMessages`.
 */
export interface ReassemblerOptions {
  /** A message not complete this long after its first segment is dropped ('expired'). */
  timeoutMs?: number;
  /** Most messages waiting for segments; over it, the oldest is dropped ('evicted'). */
  maxPendingMessages?: number;
  /** Most user-data octets held for pending messages; over it, oldest dropped ('evicted'). */
  maxPendingBytes?: number;
  /**
   * Completed messages remembered (for `timeoutMs` after they complete) so that a segment repeated after its
   * message completed is known as a duplicate, not the start of a new message. Each costs
   * its key and 4 octets per segment. Default: maxPendingMessages.
   */
  maxRecentMessages?: number;
  /** Milliseconds clock; injectable for tests. Must not run backwards. */
  now?: () => number;
}

export const DEFAULT_REASSEMBLER_OPTIONS = Object.freeze({
  timeoutMs: 120_000,
  maxPendingMessages: 10_000,
  maxPendingBytes: 16 * 1024 * 1024,
});

/** Why a pending message was dropped before it completed. */
export type LossReason =
  | 'expired' // its timeout passed
  | 'evicted' // a pending-messages or pending-bytes bound needed the room
  | 'superseded'; // a segment with the same reference but another total arrived (reference reuse)

/** What was lost with a dropped message: enough to log it or ask for a resend. */
export interface LostMessage {
  reason: LossReason;
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
  lostSegments: number;
  lostBytes: number;
}

interface Pending extends Indexed {
  total: number;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  firstAt: number;
  removed: boolean;
}

/** A completed message, remembered to recognise late duplicates: a hash per segment. */
interface Recent extends Indexed {
  total: number;
  /** fingerprint() of each segment, by sequence - 1. */
  hashes: number[];
  at: number;
  removed: boolean;
}

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
 * - A message is dropped ('expired') `timeoutMs` after its first segment; when a bound needs
 *   room, the oldest pending message goes first ('evicted'). Every drop is an event.
 * - A segment equal to one of a message completed less than `timeoutMs` ago (same identity,
 *   total, sequence and octets) is a late duplicate, ignored and counted. One that differs
 *   starts a new message (the reference was reused).
 *
 * Zero-copy: a single-segment datagram's payload is the segment's own view; a multi-segment
 * one is copied once, into one buffer, when its last segment arrives. Held segments are views,
 * so they keep their parent buffers alive until then.
 */
export class Reassembler extends EventEmitter<ReassemblerEvents> {
  readonly timeoutMs: number;
  readonly maxPendingMessages: number;
  readonly maxPendingBytes: number;
  readonly maxRecentMessages: number;
  private readonly now: () => number;
  /** Completed messages by identity, and oldest first. */
  private readonly recent = new MessageIndex<Recent>();
  private readonly recentOrder = new Fifo<Recent>();
  private readonly pending = new MessageIndex<Pending>();
  /** First-segment order, hence deadline order: the head expires first. */
  private readonly order = new Fifo<Pending>();
  private bytes = 0;
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
    this.maxRecentMessages = nonNegativeBound(
      options.maxRecentMessages ?? this.maxPendingMessages,
      'maxRecentMessages',
    );
    this.now = options.now ?? Date.now;
  }

  /** Messages waiting for segments. */
  get pendingMessages(): number {
    return this.order.size;
  }

  /** User-data octets held for them. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Takes one segment; returns the datagram it completes, if it completes one. */
  push(segment: Segment): WdpDatagram | undefined {
    const stats = this.stats;
    stats.segments++;
    const { total, sequence } = segment;
    const single = segment.reference === undefined || total === 1;
    // A single SMS into a reassembler holding nothing has nothing to expire: no clock read.
    const quiet = single && this.order.size === 0 && this.recentOrder.size === 0;
    const now = quiet ? 0 : this.now();
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
      this.drop(msg, 'superseded');
      msg = undefined;
    }
    const data = segment.data;
    if (msg === undefined) {
      const done = this.recentOrder.size === 0 ? undefined : this.recent.get(segment, hash);
      if (done !== undefined) {
        if (done.total === total && done.hashes[sequence - 1] === fingerprint(data)) {
          stats.duplicates++;
          stats.lateDuplicates++;
          return undefined;
        }
        this.forget(done);
      }
      while (this.order.size >= this.maxPendingMessages) this.dropOldest(undefined);
      msg = {
        originator: segment.originator,
        recipient: segment.recipient,
        sourcePort: segment.sourcePort,
        destinationPort: segment.destinationPort,
        reference: segment.reference,
        hash,
        chain: undefined,
        total,
        parts: new Array(total),
        received: 0,
        bytes: 0,
        firstAt: now,
        removed: false,
      };
      this.pending.add(msg);
      this.order.push(msg);
    } else {
      const held = msg.parts[sequence - 1];
      if (held !== undefined) {
        if (sameBytes(held, data)) {
          stats.duplicates++;
          return undefined;
        }
        return this.reject(segment, 'conflicting-duplicate');
      }
    }
    while (this.bytes + data.length > this.maxPendingBytes && this.order.size > 1) this.dropOldest(msg);
    if (this.bytes + data.length > this.maxPendingBytes) {
      // This message alone is over the bound: it cannot complete, so it goes, segment and all.
      msg.parts[sequence - 1] = data;
      msg.received++;
      msg.bytes += data.length;
      this.bytes += data.length;
      this.drop(msg, 'evicted');
      return undefined;
    }
    msg.parts[sequence - 1] = data;
    msg.received++;
    msg.bytes += data.length;
    this.bytes += data.length;
    if (msg.received < total) return undefined;

    this.pending.delete(msg);
    this.order.remove(msg);
    this.bytes -= msg.bytes;
    const payload = Buffer.allocUnsafe(msg.bytes);
    let p = 0;
    for (let i = 0; i < total; i++) {
      const part = msg.parts[i]!;
      payload.set(part, p);
      p += part.length;
    }
    if (this.maxRecentMessages > 0) {
      const hashes: number[] = new Array(total);
      for (let i = 0; i < total; i++) hashes[i] = fingerprint(msg.parts[i]!);
      this.remember({
        originator: msg.originator,
        recipient: msg.recipient,
        sourcePort: msg.sourcePort,
        destinationPort: msg.destinationPort,
        reference: msg.reference,
        hash,
        chain: undefined,
        total,
        hashes,
        at: now,
        removed: false,
      });
    }
    stats.datagrams++;
    return datagram(msg, total, payload);
  }

  /** Drops every message whose timeout has passed; returns how many. push() calls it too. */
  sweep(): number {
    return this.expire(this.now());
  }

  /** Drops everything pending, reporting each as evicted. */
  clear(): void {
    while (this.order.size > 0) this.dropOldest(undefined);
  }

  private remember(done: Recent): void {
    if (this.recentOrder.size >= this.maxRecentMessages) this.forget(this.recentOrder.peek()!);
    this.recent.add(done);
    this.recentOrder.push(done);
  }

  private forget(done: Recent): void {
    this.recent.delete(done);
    this.recentOrder.remove(done);
  }

  private expire(now: number): number {
    let n = 0;
    const deadline = now - this.timeoutMs;
    for (
      let done = this.recentOrder.peek();
      done !== undefined && done.at <= deadline;
      done = this.recentOrder.peek()
    ) {
      this.forget(done);
    }
    for (let msg = this.order.peek(); msg !== undefined && msg.firstAt <= deadline; msg = this.order.peek()) {
      this.drop(msg, 'expired');
      n++;
    }
    return n;
  }

  private dropOldest(keep: Pending | undefined): void {
    const msg = keep === undefined ? this.order.peek() : this.order.peekOther(keep);
    if (msg !== undefined) this.drop(msg, 'evicted');
  }

  private drop(msg: Pending, reason: LossReason): void {
    this.pending.delete(msg);
    this.order.remove(msg);
    this.bytes -= msg.bytes;
    const stats = this.stats;
    stats[reason]++;
    stats.lostSegments += msg.received;
    stats.lostBytes += msg.bytes;
    if (this.listenerCount(reason) === 0) return;
    const received: number[] = [];
    for (let i = 0; i < msg.total; i++) if (msg.parts[i] !== undefined) received.push(i + 1);
    this.emit(reason, {
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
    });
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
 * A 32-bit fingerprint that tells a repeated segment from a different one without keeping its
 * octets: FNV-1a's multiply-xor, four octets a step (four times cheaper than octet by octet;
 * it runs over every octet of every completed message).
 */
function fingerprint(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  const n = b.length & ~3;
  let i = 0;
  for (; i < n; i += 4) h = Math.imul(h ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), 0x01000193);
  for (; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 2; // 30 bits: a small integer, so an array of them holds no heap numbers
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
