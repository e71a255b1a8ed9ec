import type { Segment } from './datagram.js';
import type { MessageIdentity } from './messageIndex.js';

/**
 * A Segment as a reader holds it for the reassembler: the same facts, and its user data as
 * octets `start` to `end` of `view`, a DataView of the whole buffer it was read from, shared by
 * everything read from that buffer. One record is filled again for each SMS read (the link's
 * deliver_sm reader, src/wdp/smpp/deliverSegment.ts): no object and no typed-array view per
 * SMS, where a Segment costs one of each, and a view more than the copy of the octets it views.
 * The octets stay the caller's: the reassembler copies what it keeps.
 */
export class SegmentAt implements MessageIdentity {
  originator = '';
  recipient = '';
  sourcePort: number | undefined = undefined;
  destinationPort: number | undefined = undefined;
  reference: number | undefined = undefined;
  referenceBits: 8 | 16 | undefined = undefined;
  total = 1;
  sequence = 1;
  view: DataView = NO_VIEW;
  start = 0;
  end = 0;
  /** Read from a user data header: as a Segment it names every field (toSegment). */
  headed = true;
  /** identityHash() of it, where the reassembler has taken it already. */
  hash = 0;

  /** Takes the facts of `s` (its data stays where it is). */
  of(s: Segment): this {
    this.originator = s.originator;
    this.recipient = s.recipient;
    this.sourcePort = s.sourcePort;
    this.destinationPort = s.destinationPort;
    this.reference = s.reference;
    this.referenceBits = s.referenceBits;
    this.total = s.total;
    this.sequence = s.sequence;
    const data = s.data;
    this.view = viewOf(data);
    this.start = data.byteOffset;
    this.end = data.byteOffset + data.length;
    this.headed = true;
    return this;
  }

  /** Lets go of the buffer it was read from (a record kept for later must not keep a socket chunk alive). */
  release(): void {
    this.view = NO_VIEW;
  }

  get length(): number {
    return this.end - this.start;
  }

  /** A view of its user data. */
  octets(): Uint8Array {
    const v = this.view;
    return new Uint8Array(v.buffer, v.byteOffset + this.start, this.end - this.start);
  }

  /**
   * As a Segment of its own (its data a view of the caller's octets). An SMS without a header
   * has the fields a binary SMS without one has always had: addresses, total, sequence, data.
   */
  toSegment(): Segment {
    if (!this.headed)
      return { originator: this.originator, recipient: this.recipient, total: 1, sequence: 1, data: this.octets() };
    return {
      originator: this.originator,
      recipient: this.recipient,
      sourcePort: this.sourcePort,
      destinationPort: this.destinationPort,
      reference: this.reference,
      referenceBits: this.referenceBits,
      total: this.total,
      sequence: this.sequence,
      data: this.octets(),
    };
  }
}

const NO_VIEW: DataView = new DataView(new ArrayBuffer(0));

/**
 * The buffer last viewed, and its DataView: the PDUs of one socket chunk (or of one pool slab)
 * share one. Holds that one buffer alive until another is viewed.
 */
let lastBuffer: ArrayBufferLike = NO_VIEW.buffer;
let lastView: DataView = NO_VIEW;

/** A DataView of the whole buffer `b` is in (offsets in it are `b.byteOffset` on). */
export function viewOf(b: Uint8Array): DataView {
  const buffer = b.buffer;
  if (buffer !== lastBuffer) {
    lastView = new DataView(buffer);
    lastBuffer = buffer;
  }
  return lastView;
}
