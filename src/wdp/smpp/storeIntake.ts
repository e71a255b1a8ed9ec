/**
 * The link's intake of concatenated segments on a durable Store (docs/state.md): a segment is
 * acknowledged only once the store has it, so nothing the SMSC forgets is held only in memory.
 * Single SMS are checked against the store's repeat window (shared by the nodes, kept across a
 * restart). A link without a store keeps its synchronous Reassembler path and its own window.
 */
import { type SegmentTaker, type Settle, segmentTakerOf } from '../../store/base.js';
import { InProcessStore } from '../../store/inProcess.js';
import { duplicateKey } from '../../store/keys.js';
import { StoreError, StoreErrorCode } from '../../store/errors.js';
import type {
  CompletedMessage,
  LostMessage as StoreLostMessage,
  SegmentOutcome,
  Store,
  StoredSegment,
} from '../../store/types.js';
import type { Segment, WdpDatagram } from '../datagram.js';
import { copyPayload, type EvictionPolicy } from '../reassembler.js';
import { SegmentAt } from '../segmentAt.js';
import { CommandStatus } from './status.js';

/** What the intake needs of its link: the handler, the 'lost' report and the in-flight count. */
export interface IntakeHost {
  /**
   * Calls the link's handler, then `settled` with true once it settled well, false when it
   * failed: at once for a handler that returns at once (no promise on the way).
   */
  deliver(datagram: WdpDatagram, settled: (ok: boolean) => void): void;
  /** A message dropped before it completed (store-side expiry or eviction). */
  lost(m: StoreLostMessage): void;
  /** A segment waiting on the store or its handler (counts toward maxInFlight). */
  begin(): void;
  end(): void;
  /** The store could not take a segment (answered ESME_RX_T_APPN). */
  refused(error: unknown): void;
  /** finish/release/sweep failed in the background: reported, nothing else to do. */
  storeError(error: unknown): void;
  /** A single SMS the store's repeat window knew: acknowledged, not handed over. */
  repeated(): void;
}

/**
 * Whether a backend has the completed message stored whole and claimed when the completing add
 * answers, so that a crash before its finish() is stored leaves a claim that lapses and is
 * handed over again by a sweep (a duplicate, never a loss). Redis writes it so in the add's
 * script. lmdb does not write the completing segment at all (its resend completes the message
 * again), so there the answer waits for finish(): answered before, a crash would leave the other
 * segments behind, acknowledged and never completed, to expire as a false loss and to refuse a
 * later push that reuses the reference. Memory keeps nothing across a crash, and its finish()
 * calls back at once.
 */
const CLAIM_STORED_WHOLE = Object.freeze({ memory: false, lmdb: false, redis: true } as const);

/** Store bounds map onto the reassembler's eviction policies, so a 'lost' line reads the same. */
const POLICY = Object.freeze({ messages: 'global', bytes: 'global', originator: 'originator-quota' } as const);

export function evictionPolicy(m: StoreLostMessage): EvictionPolicy | undefined {
  if (m.reason !== 'evicted' || m.bound === undefined) return undefined;
  return POLICY[m.bound];
}

/** A concatenated segment the store can take: 2-255 segments, its sequence within them. */
export function storable<S extends Segment | SegmentAt>(segment: S): segment is S & { reference: number } {
  return (
    segment.reference !== undefined &&
    segment.total >= 2 &&
    segment.total <= 255 &&
    segment.sequence >= 1 &&
    segment.sequence <= segment.total
  );
}

/** A completed message's parts, joined into the one buffer its datagram's payload views. */
export function datagramOf(m: CompletedMessage): WdpDatagram {
  const payload = new Uint8Array(m.bytes);
  let at = 0;
  for (const part of m.parts) {
    payload.set(part, at);
    at += part.length;
  }
  const d: WdpDatagram = { originator: m.originator, recipient: m.recipient, segments: m.total, payload };
  if (m.sourcePort !== undefined) d.sourcePort = m.sourcePort;
  if (m.destinationPort !== undefined) d.destinationPort = m.destinationPort;
  return d;
}

function toStored(s: Segment & { reference: number }): StoredSegment {
  return storedWith(s, s.data);
}

/**
 * A segment read for the store (the link's record, or a Segment of the general decode) as the
 * store takes it, its octets copied: the record's, and a Segment's, are the socket chunk's.
 */
export function storedSegmentOf(s: (Segment | SegmentAt) & { reference: number }): StoredSegment {
  return storedWith(s, copyPayload(s instanceof SegmentAt ? s.octets() : s.data));
}

/** The fields the store takes of a segment, with `data` for its octets. */
function storedWith(s: (Segment | SegmentAt) & { reference: number }, data: Uint8Array): StoredSegment {
  const out: StoredSegment = {
    originator: s.originator,
    recipient: s.recipient,
    reference: s.reference,
    total: s.total,
    sequence: s.sequence,
    data,
  };
  if (s.sourcePort !== undefined) out.sourcePort = s.sourcePort;
  if (s.destinationPort !== undefined) out.destinationPort = s.destinationPort;
  if (s.referenceBits !== undefined) out.referenceBits = s.referenceBits;
  return out;
}

export class StoreIntake {
  private sweeping = false;
  /** Single SMS being handed over here, by hashed repeat key: a copy arriving meanwhile waits for the sender's retry. */
  private readonly singles = new Set<string>();
  /** The store's segment calls, by callback (one settlement per commit for an in-process store). */
  private readonly taker: SegmentTaker;
  /** The store, when it keeps its state in this process (memory, lmdb): its duplicate memory by callback. */
  private readonly local: InProcessStore | undefined;

  constructor(
    readonly store: Store,
    private readonly host: IntakeHost,
  ) {
    this.taker = segmentTakerOf(store);
    this.local = store instanceof InProcessStore ? store : undefined;
  }

  /**
   * Stores the segment, then answers: ESME_ROK once it is stored (or known), the handler's
   * outcome for the one that completes its message, ESME_RX_T_APPN when the store cannot write,
   * the message is being delivered elsewhere, or another message holds its key.
   */
  take(segment: Segment & { reference: number }, reply: (status: number) => void): void {
    this.takeStored(toStored(segment), reply);
  }

  /** take() for a segment as the store takes it (storedSegmentOf): the link's way, no Segment made. */
  takeStored(segment: StoredSegment, reply: (status: number) => void): void {
    if (!this.store.available) {
      this.host.refused(new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'the store is unavailable'));
      reply(CommandStatus.ESME_RX_T_APPN);
      return;
    }
    this.host.begin();
    // Called back once stored: from the store's one settlement for its commit, or at once when
    // nothing is to wait for (then the answer goes out with the read that brought the segment).
    this.taker.addSegment(segment, (error, outcome) => {
      if (outcome !== undefined && error === undefined) {
        this.answer(outcome, reply);
        return;
      }
      this.host.refused(error);
      const permanent = error instanceof StoreError && error.code === StoreErrorCode.BAD_INPUT;
      this.host.end();
      reply(permanent ? CommandStatus.ESME_RX_P_APPN : CommandStatus.ESME_RX_T_APPN);
    });
  }

  /**
   * A single SMS, under the store's repeat window: one the store remembers is acknowledged
   * and not handed over; another is handed over and remembered once its handler settled, then
   * acknowledged once the memory of it is stored. Remembering after the handover (not before)
   * means a crash in between costs a duplicate on the resend, never a loss. The key is hashed
   * once here (duplicateKey); a store that keeps its state in this process is asked with the
   * hash and calls back, with no promise (at once for the check, with its commit's other callers
   * for the remembering).
   */
  single(datagram: WdpDatagram, key: string, windowMs: number, reply: (status: number) => void): void {
    const hashed = duplicateKey(key);
    if (this.singles.has(hashed)) {
      reply(CommandStatus.ESME_RX_T_APPN);
      return;
    }
    if (!this.store.available) {
      this.host.refused(new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'the store is unavailable'));
      reply(CommandStatus.ESME_RX_T_APPN);
      return;
    }
    this.singles.add(hashed);
    this.host.begin();
    const done = (status: number) => {
      this.singles.delete(hashed);
      this.host.end();
      reply(status);
    };
    const local = this.local;
    const remembered: Settle<boolean> = (error) => {
      // Delivered all the same: the answer goes out, only the memory of it is missing.
      if (error !== undefined) this.host.storeError(error);
      done(CommandStatus.ESME_ROK);
    };
    const settled = (ok: boolean) => {
      if (!ok) done(CommandStatus.ESME_RX_T_APPN);
      else if (windowMs <= 0) done(CommandStatus.ESME_ROK);
      else if (local !== undefined) local.rememberHashed(hashed, windowMs, remembered);
      else
        this.store.duplicates.remember(key, windowMs).then(
          () => remembered(undefined),
          (e: unknown) => remembered(e ?? new Error('the store failed')),
        );
    };
    const checked: Settle<boolean> = (error, seen) => {
      if (error !== undefined) {
        this.host.refused(error);
        done(CommandStatus.ESME_RX_T_APPN);
      } else if (seen === true) {
        this.host.repeated();
        done(CommandStatus.ESME_ROK);
      } else this.host.deliver(datagram, settled);
    };
    if (windowMs <= 0) checked(undefined, false);
    else if (local !== undefined) local.seenHashed(hashed, checked);
    else
      this.store.duplicates.seen(key).then(
        (seen) => checked(undefined, seen),
        (e: unknown) => checked(e ?? new Error('the store failed')),
      );
  }

  private answer(outcome: SegmentOutcome, reply: (status: number) => void): void {
    for (const m of outcome.lost) this.host.lost(m);
    switch (outcome.status) {
      case 'complete':
        this.deliver(outcome.message, (ok) => {
          this.host.end();
          reply(ok ? CommandStatus.ESME_ROK : CommandStatus.ESME_RX_T_APPN);
        });
        return;
      case 'conflict':
        // Another message's segments under this key (a reference reused while an older message
        // is still pending): temporary, since the older one completes or expires and this is
        // then taken. A permanent error would have the SMSC drop a push that can still arrive.
        this.host.end();
        reply(CommandStatus.ESME_RX_T_APPN);
        return;
      case 'busy':
        this.host.end();
        reply(CommandStatus.ESME_RX_T_APPN);
        return;
      default: // held, duplicate, dropped: stored or known
        this.host.end();
        reply(CommandStatus.ESME_ROK);
    }
  }

  /**
   * Hands a claimed message to the handler; finish() after it settled well, release() after it
   * failed (`settled(false)` at once). `settled(true)` comes once finish() is stored, or at once
   * on a backend that stored the message whole and claimed (CLAIM_STORED_WHOLE): there finish()
   * goes on in the background, with the next turn's calls.
   */
  private deliver(m: CompletedMessage, settled: (ok: boolean) => void): void {
    this.host.deliver(datagramOf(m), (ok) => {
      if (!ok) {
        this.store.segments.release(m).catch((e: unknown) => this.host.storeError(e));
        settled(false);
        return;
      }
      // Own keys only: a backend name such as 'constructor' must not read the prototype's.
      if (Object.hasOwn(CLAIM_STORED_WHOLE, this.store.backend) && CLAIM_STORED_WHOLE[this.store.backend]) {
        this.taker.finishMessage(m, (error) => {
          if (error !== undefined) this.host.storeError(error);
        });
        settled(true);
        return;
      }
      // finish() is stored before the completing segment is answered (see CLAIM_STORED_WHOLE).
      // One that failed on lmdb left the other segments stored (read back from disk once the
      // store is back), so the answer is ESME_RX_T_APPN: the SMSC's resend completes the message
      // again (a duplicate). ESME_ROK would leave them never to complete: a false 'expired' and
      // a conflict for a push that reuses the reference. Memory fails only once closed, and
      // keeps nothing then: the handler's success stands.
      this.taker.finishMessage(m, (error) => {
        if (error !== undefined) this.host.storeError(error);
        settled(error === undefined || this.store.backend === 'memory');
      });
    });
  }

  /** Expires what is past its timeout and delivers lapsed claims (a crashed node's, a timed-out handler's). */
  async sweep(): Promise<void> {
    if (this.sweeping || !this.store.available) return;
    this.sweeping = true;
    try {
      const { expired, orphans, unreported, errors } = await this.store.segments.sweep();
      for (const e of errors ?? []) this.host.storeError(e);
      // A node that kept more loss reports than it may hold (Redis cut off for long) names how
      // many it could not keep, so an operator knows 'lost' lines are missing; said before the
      // reports, so a throwing 'lost' listener cannot hide it.
      if (unreported !== undefined && unreported > 0)
        this.host.storeError(
          new StoreError(
            StoreErrorCode.STORE_UNAVAILABLE,
            `${unreported} dropped messages went unreported: more loss reports waited for a sweep than this node keeps`,
          ),
        );
      for (const m of expired) this.host.lost(m);
      for (const m of orphans) {
        this.host.begin();
        this.deliver(m, () => this.host.end());
      }
    } catch (e) {
      this.host.storeError(e);
    } finally {
      this.sweeping = false;
    }
  }
}
