import type { WdpDatagram } from './datagram.js';
import { Fifo } from './fifo.js';
import { identityHash, MessageIndex, type Indexed } from './messageIndex.js';
import { fingerprint } from './reassembler.js';

/** A single-SMS datagram remembered: its identity, its payload's fingerprint (as `reference`) and octets. */
class RecentSingle implements Indexed {
  chain: this | undefined = undefined;
  removed = false;
  hash = 0;

  constructor(
    readonly originator: string,
    readonly recipient: string,
    readonly sourcePort: number | undefined,
    readonly destinationPort: number | undefined,
    /** The payload's fingerprint, in the identity's reference field: it is part of the hash and of the match. */
    readonly reference: number,
    readonly payload: Uint8Array,
    readonly at: number,
  ) {}
}

/**
 * The link's memory of recent single SMS (no store): a datagram equal to one seen within the
 * window is a redelivery. Keyed by the identity's hash with the payload's fingerprint, not by
 * a string built per SMS (the base64 of the payload joined to the addresses cost more than the
 * rest of the single-SMS path); a match is confirmed octet by octet, so a fingerprint
 * collision never takes a new push for a repeat (at worst two pushes of one sender, alike in
 * fingerprint, are both remembered and the later one's repeat may pass: at least once holds).
 * Oldest first; past `max` or the window, the oldest goes.
 */
export class RecentSingles {
  private readonly index = new MessageIndex<RecentSingle>();
  private readonly order = new Fifo<RecentSingle>();
  /**
   * Singles forgotten for `max` while still within the window: each shortens the window the
   * link promises, so an operator must see it (a repeat of one of them is handed over again).
   */
  forgottenEarly = 0;

  constructor(
    readonly windowMs: number,
    readonly max: number,
  ) {}

  get size(): number {
    return this.order.size;
  }

  /** True when `d` repeats a datagram seen within the window; otherwise it is remembered, at `now`. */
  repeated(d: WdpDatagram, now: number): boolean {
    const deadline = now - this.windowMs;
    const order = this.order;
    for (let r = order.peek(); r !== undefined && (r.at <= deadline || order.size > this.max); r = order.peek()) {
      if (r.at > deadline) this.forgottenEarly++;
      this.index.delete(r);
      order.remove(r);
    }
    const entry = entryOf(d, now);
    const hash = (entry.hash = identityHash(entry));
    const seen = this.index.get(entry, hash);
    if (seen !== undefined && sameBytes(seen.payload, d.payload)) return true;
    this.index.add(entry);
    order.push(entry);
    return false;
  }

  /** Forgets `d` (its handler failed: the SMSC's resend must not be taken for a repeat). */
  forget(d: WdpDatagram): void {
    const probe = entryOf(d, 0);
    const seen = this.index.get(probe, identityHash(probe));
    if (seen === undefined || !sameBytes(seen.payload, d.payload)) return;
    this.index.delete(seen);
    this.order.remove(seen);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `d`'s entry in the memory, remembered at `at`. */
function entryOf(d: WdpDatagram, at: number): RecentSingle {
  return new RecentSingle(
    d.originator,
    d.recipient,
    d.sourcePort,
    d.destinationPort,
    fingerprint(d.payload),
    d.payload,
    at,
  );
}
