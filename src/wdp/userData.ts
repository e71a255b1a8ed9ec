import { DecodeError } from '../codec/errors.js';
import type { Segment } from './datagram.js';
import { decodeTextHeader, hasTextHeader } from './textHeader.js';
import { decodeUdh, type Concatenation, type Ports } from './udh.js';

export interface UserDataContext {
  originator?: string;
  recipient?: string;
  /** TP-UDHI / esm_class 0x40: the user data starts with a UDH. Default true. */
  udhi?: boolean;
  /** Look for a "//SCK" text header when there is no UDH (7-bit alphabets). Default false. */
  textHeader?: boolean;
}

/**
 * One SMS TP-User-Data (octets, not packed septets) -> a Segment. The data is a view of `ud`
 * after whatever header it had. Without UDH or text header: a lone segment with no ports.
 */
export function segmentFromUserData(ud: Uint8Array, ctx: UserDataContext = {}): Segment {
  const originator = ctx.originator ?? '';
  const recipient = ctx.recipient ?? '';
  if (ctx.udhi ?? true) {
    const h = decodeUdh(ud);
    return withHeader(originator, recipient, h.ports, h.concatenation, ud.subarray(h.length));
  }
  if (ctx.textHeader && hasTextHeader(ud)) {
    const h = decodeTextHeader(ud);
    return withHeader(originator, recipient, h.ports, h.concatenation, ud.subarray(h.length));
  }
  return { originator, recipient, total: 1, sequence: 1, data: ud };
}

/** A segment from what a UDH or a text header said; both carry the same facts. */
function withHeader(
  originator: string,
  recipient: string,
  ports: Ports | undefined,
  c: Concatenation | undefined,
  data: Uint8Array,
): Segment {
  return {
    originator,
    recipient,
    sourcePort: ports?.source,
    destinationPort: ports?.destination,
    reference: c?.reference,
    referenceBits: c?.referenceBits,
    total: c ? c.total : 1,
    sequence: c ? c.sequence : 1,
    data,
  };
}

/** The same error, `by` octets further on: for errors found inside a field of a bigger PDU. */
export function shiftError(e: unknown, by: number): unknown {
  if (e instanceof DecodeError && by !== 0) return new DecodeError(e.code, e.offset + by, e.message);
  return e;
}
