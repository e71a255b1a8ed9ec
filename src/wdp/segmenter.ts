import { EncodeError } from '../codec/errors.js';
import { udhLength, writeUdh, type Concatenation, type Ports } from './udh.js';

/** WDP ports for WAP push (WAP-259-WDP Appendix B, IANA): the WSP connectionless push port. */
export const WDP_PORT_PUSH = 2948;
/** Source port a push proxy gateway sends from (WAP-259-WDP Appendix B: WSP connectionless). */
export const WDP_PORT_WSP = 9200;
/** TP-User-Data octets in one SMS (3GPP TS 23.040 9.2.3.24: 140 octets, UDH included). */
export const SMS_USER_DATA_OCTETS = 140;
/** TS 23.040: the segment count is one octet. */
export const MAX_SEGMENTS = 255;

export interface SegmentOptions {
  /** Default 9200. */
  sourcePort?: number;
  /** Default 2948. */
  destinationPort?: number;
  /** Port addressing element: 16-bit (default) or 8-bit; `false` sends no ports. */
  portBits?: 8 | 16 | false;
  /** Concatenation element width when more than one segment is needed. Default 8. */
  referenceBits?: 8 | 16;
  /** Concatenation reference. Required when the payload needs more than one segment. */
  reference?: number;
  /** Octets of TP-User-Data per SMS. Default 140. */
  maxUserData?: number;
}

/** How the payload is cut: segment count and user-data octets per segment. */
export function plan(
  payloadLength: number,
  options: SegmentOptions = {},
): { segments: number; perSegment: number; ports?: Ports } {
  const max = options.maxUserData ?? SMS_USER_DATA_OCTETS;
  const ports = portsOf(options);
  const single = max - headerOctets(ports);
  if (payloadLength <= single) return { segments: 1, perSegment: single, ports };
  const concatenation: Concatenation = {
    reference: 0,
    referenceBits: options.referenceBits ?? 8,
    total: 2,
    sequence: 1,
  };
  const perSegment = max - udhLength({ ports, concatenation });
  if (perSegment <= 0)
    throw new EncodeError('OUT_OF_RANGE', `maxUserData ${max} leaves no room for data after the UDH`);
  const segments = Math.ceil(payloadLength / perSegment);
  if (segments > MAX_SEGMENTS) {
    throw new EncodeError(
      'LIMIT',
      `payload of ${payloadLength} octets needs ${segments} segments; a concatenated SMS has at most ${MAX_SEGMENTS}`,
    );
  }
  return { segments, perSegment, ports };
}

/**
 * A payload (a WSP PDU, say) -> TP-User-Data of each SMS, each starting with its UDH: ports,
 * and a concatenation element when it takes more than one (an empty UDH when neither). All segments are views of one
 * buffer.
 */
export function segmentPayload(payload: Uint8Array, options: SegmentOptions = {}): Uint8Array[] {
  const { segments, perSegment, ports } = plan(payload.length, options);
  if (segments === 1) {
    const len = headerOctets(ports);
    const out = new Uint8Array(len + payload.length);
    writeUdh(out, 0, { ports }); // with no ports: UDHL 0, left by the zeroed buffer
    out.set(payload, len);
    return [out];
  }
  if (options.reference === undefined)
    throw new EncodeError('BAD_INPUT', 'a concatenation reference is needed for more than one segment');
  const referenceBits = options.referenceBits ?? 8;
  const headerLength = udhLength({ ports, concatenation: { reference: 0, referenceBits, total: 0, sequence: 0 } });
  const out = new Uint8Array(segments * headerLength + payload.length);
  const result: Uint8Array[] = [];
  let p = 0;
  for (let i = 0; i < segments; i++) {
    const start = p;
    const chunk = payload.subarray(i * perSegment, (i + 1) * perSegment);
    p = writeUdh(out, p, {
      ports,
      concatenation: { reference: options.reference, referenceBits, total: segments, sequence: i + 1 },
    });
    out.set(chunk, p);
    p += chunk.length;
    result.push(out.subarray(start, p));
  }
  return result;
}

/** Splits without headers: for carriages that say the same in TLVs (SMPP sar_*). */
export function splitPayload(payload: Uint8Array, perSegment: number): Uint8Array[] {
  const n = Math.max(1, Math.ceil(payload.length / perSegment));
  if (n > MAX_SEGMENTS)
    throw new EncodeError('LIMIT', `payload of ${payload.length} octets needs ${n} segments; at most ${MAX_SEGMENTS}`);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) parts.push(payload.subarray(i * perSegment, (i + 1) * perSegment));
  return parts;
}

/** Every segment starts with a UDH, if only an empty one (UDHL 0), so UDHI always holds. */
function headerOctets(ports: Ports | undefined): number {
  return Math.max(1, udhLength({ ports }));
}

function portsOf(options: SegmentOptions): Ports | undefined {
  if (options.portBits === false) return undefined;
  return {
    source: options.sourcePort ?? WDP_PORT_WSP,
    destination: options.destinationPort ?? WDP_PORT_PUSH,
    bits: options.portBits ?? 16,
  };
}

/**
 * Concatenation references, one sequence per recipient (23.040 asks that a reference be
 * unique per recipient for as long as the message may be in transit). Starts at a random
 * point so restarts do not reuse the last run's references first. Remembers at most
 * `maxRecipients` recipients, forgetting the least recently used.
 */
export class ReferenceAllocator {
  private readonly next8 = new Map<string, number>();
  private readonly next16 = new Map<string, number>();

  constructor(readonly maxRecipients = 65_536) {}

  next(recipient: string, bits: 8 | 16 = 8): number {
    const map = bits === 8 ? this.next8 : this.next16;
    const modulus = bits === 8 ? 0x100 : 0x10000;
    let v = map.get(recipient);
    if (v === undefined) {
      v = Math.floor(Math.random() * modulus);
      if (map.size >= this.maxRecipients) map.delete(map.keys().next().value!);
    } else {
      map.delete(recipient);
    }
    map.set(recipient, (v + 1) % modulus);
    return v;
  }
}
