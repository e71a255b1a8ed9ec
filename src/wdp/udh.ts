import { DecodeError, EncodeError } from '../codec/errors.js';

/**
 * TP-User-Data-Header, 3GPP TS 23.040 9.2.3.24: UDHL, then information elements, each
 * IEI, IEDL, data. The IEIs we act on (values from 23.040 table 9.2.3.24):
 */
export const Iei = Object.freeze({
  /** Concatenated short messages, 8-bit reference number (9.2.3.24.1) */
  Concat8: 0x00,
  /** Application port addressing scheme, 8-bit address (9.2.3.24.3) */
  Ports8: 0x04,
  /** Application port addressing scheme, 16-bit address (9.2.3.24.4) */
  Ports16: 0x05,
  /** Concatenated short messages, 16-bit reference number (9.2.3.24.8) */
  Concat16: 0x08,
} as const);

/** IEDL each IEI above must have; anything else is a BAD_LENGTH. */
const FIXED_LENGTH: Readonly<Record<number, number>> = Object.freeze({
  [Iei.Concat8]: 3,
  [Iei.Ports8]: 2,
  [Iei.Ports16]: 4,
  [Iei.Concat16]: 4,
});

export interface Concatenation {
  reference: number;
  referenceBits: 8 | 16;
  total: number;
  sequence: number;
}

export interface Ports {
  destination: number;
  source: number;
  bits: 8 | 16;
}

/** An element this layer does not interpret, kept for whoever does. `data` is a view. */
export interface InformationElement {
  iei: number;
  data: Uint8Array;
}

export interface UserDataHeader {
  /** Octets the header takes, UDHL octet included: user data starts at start + length. */
  length: number;
  concatenation?: Concatenation;
  ports?: Ports;
  /** Every other element, in wire order. */
  others: InformationElement[];
}

const NO_OTHERS: InformationElement[] = [];

/**
 * Walks the header at `start` of `buf` (TP-UD with UDHI set). Offsets in errors are absolute.
 * Concatenation values are reported as they are (a sequence of 0, say): what to do with
 * them is the reassembler's rule, not the header's.
 */
export function decodeUdh(buf: Uint8Array, start = 0, end = buf.length): UserDataHeader {
  if (start >= end) throw new DecodeError('TRUNCATED', start, 'input ends before the UDHL octet');
  const udhl = buf[start];
  const headerEnd = start + 1 + udhl;
  if (headerEnd > end) {
    throw new DecodeError(
      'BAD_LENGTH',
      start,
      `UDHL ${udhl} runs past the end of the user data (${end - start - 1} octets follow)`,
    );
  }
  let concatenation: Concatenation | undefined;
  let ports: Ports | undefined;
  let others = NO_OTHERS;
  let p = start + 1;
  while (p < headerEnd) {
    const at = p;
    const iei = buf[p++];
    if (p >= headerEnd)
      throw new DecodeError('BAD_LENGTH', at, `element 0x${hex2(iei)} has no length octet inside the header`);
    const iedl = buf[p++];
    if (p + iedl > headerEnd) {
      throw new DecodeError('BAD_LENGTH', at + 1, `element 0x${hex2(iei)} length ${iedl} runs past the header end`);
    }
    const want = FIXED_LENGTH[iei];
    if (want !== undefined && iedl !== want) {
      throw new DecodeError('BAD_LENGTH', at + 1, `element 0x${hex2(iei)} must be ${want} octets long, not ${iedl}`);
    }
    switch (iei) {
      case Iei.Concat8:
      case Iei.Concat16:
        if (concatenation) {
          throw new DecodeError(
            'BAD_VALUE',
            at,
            concatenation.referenceBits === (iei === Iei.Concat8 ? 8 : 16)
              ? `concatenation element 0x${hex2(iei)} repeated`
              : 'both 8-bit and 16-bit concatenation elements present',
          );
        }
        concatenation =
          iei === Iei.Concat8
            ? { reference: buf[p], referenceBits: 8, total: buf[p + 1], sequence: buf[p + 2] }
            : { reference: (buf[p] << 8) | buf[p + 1], referenceBits: 16, total: buf[p + 2], sequence: buf[p + 3] };
        break;
      case Iei.Ports8:
      case Iei.Ports16:
        if (ports) {
          throw new DecodeError(
            'BAD_VALUE',
            at,
            ports.bits === (iei === Iei.Ports8 ? 8 : 16)
              ? `port addressing element 0x${hex2(iei)} repeated`
              : 'both 8-bit and 16-bit port addressing elements present',
          );
        }
        // 23.040: destination port first, then originator port.
        ports =
          iei === Iei.Ports8
            ? { destination: buf[p], source: buf[p + 1], bits: 8 }
            : { destination: (buf[p] << 8) | buf[p + 1], source: (buf[p + 2] << 8) | buf[p + 3], bits: 16 };
        break;
      default:
        if (others === NO_OTHERS) others = [];
        others.push({ iei, data: buf.subarray(p, p + iedl) });
    }
    p += iedl;
  }
  return { length: 1 + udhl, concatenation, ports, others };
}

export interface UdhInit {
  concatenation?: Concatenation;
  ports?: Ports;
  others?: readonly InformationElement[];
}

/** Octets encodeUdh will write, UDHL included (0 when there is nothing to write). */
export function udhLength(init: UdhInit): number {
  let n = 0;
  if (init.ports) n += init.ports.bits === 8 ? 4 : 6;
  if (init.concatenation) n += init.concatenation.referenceBits === 8 ? 5 : 6;
  if (init.others) for (const e of init.others) n += 2 + e.data.length;
  return n === 0 ? 0 : n + 1;
}

/**
 * Writes the header into `out` at `at`; returns the offset after it. Ports come first, the
 * order Kannel and most handsets use; 23.040 does not fix one.
 */
export function writeUdh(out: Uint8Array, at: number, init: UdhInit): number {
  const len = udhLength(init);
  if (len === 0) return at;
  if (len - 1 > 0xff) throw new EncodeError('OUT_OF_RANGE', `user data header of ${len - 1} octets exceeds 255`);
  checkUdh(init);
  let p = at;
  out[p++] = len - 1;
  const ports = init.ports;
  if (ports) {
    if (ports.bits === 8) {
      out[p++] = Iei.Ports8;
      out[p++] = 2;
      out[p++] = ports.destination;
      out[p++] = ports.source;
    } else {
      out[p++] = Iei.Ports16;
      out[p++] = 4;
      out[p++] = ports.destination >> 8;
      out[p++] = ports.destination & 0xff;
      out[p++] = ports.source >> 8;
      out[p++] = ports.source & 0xff;
    }
  }
  const c = init.concatenation;
  if (c) {
    if (c.referenceBits === 8) {
      out[p++] = Iei.Concat8;
      out[p++] = 3;
      out[p++] = c.reference;
    } else {
      out[p++] = Iei.Concat16;
      out[p++] = 4;
      out[p++] = c.reference >> 8;
      out[p++] = c.reference & 0xff;
    }
    out[p++] = c.total;
    out[p++] = c.sequence;
  }
  if (init.others) {
    for (const e of init.others) {
      out[p++] = e.iei;
      out[p++] = e.data.length;
      out.set(e.data, p);
      p += e.data.length;
    }
  }
  return p;
}

function checkUdh(init: UdhInit): void {
  const max = (bits: number) => (bits === 8 ? 0xff : 0xffff);
  const inRange = (v: number, hi: number) => Number.isInteger(v) && v >= 0 && v <= hi;
  const { ports, concatenation: c } = init;
  if (ports && !(inRange(ports.destination, max(ports.bits)) && inRange(ports.source, max(ports.bits)))) {
    throw new EncodeError(
      'OUT_OF_RANGE',
      `ports ${ports.source} -> ${ports.destination} do not fit ${ports.bits}-bit addressing`,
    );
  }
  if (c && !(inRange(c.reference, max(c.referenceBits)) && inRange(c.total, 0xff) && inRange(c.sequence, 0xff))) {
    throw new EncodeError(
      'OUT_OF_RANGE',
      `concatenation ${c.reference}/${c.total}/${c.sequence} does not fit a ${c.referenceBits}-bit element`,
    );
  }
  if (init.others) {
    for (const e of init.others) {
      if (!inRange(e.iei, 0xff) || e.data.length > 0xff)
        throw new EncodeError('OUT_OF_RANGE', `element 0x${hex2(e.iei)} cannot be written`);
    }
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
