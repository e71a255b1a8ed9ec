import { DecodeError, EncodeError } from '../codec/errors.js';
import type { Concatenation, Ports } from './udh.js';

/**
 * The text-based WDP header for SMS in a 7-bit alphabet, where no UDH can be sent
 * (WAP-259-WDP, GSM SMS adaptation, text header; the same `//SCK` format as Nokia Smart
 * Messaging). After "//SCK", hex digits, all upper or lower case:
 *
 *   //SCKdd                 8-bit destination port
 *   //SCKddoo               8-bit destination and originator ports
 *   //SCKddoorrttss         ... plus reference, total segments, segment number (2 digits each)
 *   //SCKLdddd, //SCKLddddoooo, //SCKLddddoooorrttss   the same with 16-bit ports
 *
 * The header ends at one space, a CR LF, an LF, or the end of the message; the terminator is
 * not user data. With no originator port, the originator is the destination port (Smart
 * Messaging's rule; the WDP text header leaves it open).
 */
export interface TextHeader {
  /** Octets the header takes, terminator included. */
  length: number;
  ports: Ports;
  concatenation?: Concatenation;
}

const PREFIX = [0x2f, 0x2f, 0x53, 0x43, 0x4b]; // "//SCK"

/** True when the user data starts with "//SCK" (case as sent: the format is upper case). */
export function hasTextHeader(buf: Uint8Array, start = 0, end = buf.length): boolean {
  if (end - start < PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (buf[start + i] !== PREFIX[i]) return false;
  return true;
}

export function decodeTextHeader(buf: Uint8Array, start = 0, end = buf.length): TextHeader {
  if (!hasTextHeader(buf, start, end)) throw new DecodeError('BAD_VALUE', start, 'text header must start with "//SCK"');
  let p = start + PREFIX.length;
  const long = p < end && buf[p] === 0x4c; // 'L'
  if (long) p++;
  const digitsAt = p;
  while (p < end && hexValue(buf[p]) >= 0) p++;
  const digits = p - digitsAt;
  let length: number;
  if (p === end) length = p - start;
  else if (buf[p] === 0x20 || buf[p] === 0x0a) length = p + 1 - start;
  else if (buf[p] === 0x0d && p + 1 < end && buf[p + 1] === 0x0a) length = p + 2 - start;
  else
    throw new DecodeError(
      'BAD_VALUE',
      p,
      `text header: unexpected character 0x${buf[p].toString(16).padStart(2, '0')} (a hex digit, space or line end was expected)`,
    );

  const w = long ? 4 : 2;
  const field = (i: number, n: number) => hexNumber(buf, digitsAt + i, n);
  if (digits !== w && digits !== 2 * w && digits !== 2 * w + 6) {
    throw new DecodeError(
      'BAD_LENGTH',
      digitsAt,
      `text header holds ${digits} hex digits; //SCK${long ? 'L' : ''} takes ${w}, ${2 * w} or ${2 * w + 6}`,
    );
  }
  const destination = field(0, w);
  const source = digits >= 2 * w ? field(w, w) : destination;
  const header: TextHeader = { length, ports: { destination, source, bits: long ? 16 : 8 } };
  if (digits === 2 * w + 6) {
    header.concatenation = {
      reference: field(2 * w, 2),
      referenceBits: 8,
      total: field(2 * w + 2, 2),
      sequence: field(2 * w + 4, 2),
    };
  }
  return header;
}

/** The header text, terminating space included, e.g. "//SCKL0B8423F0010301 ". */
export function encodeTextHeader(ports: Ports, concatenation?: Concatenation): string {
  const w = ports.bits === 8 ? 2 : 4;
  const max = ports.bits === 8 ? 0xff : 0xffff;
  for (const v of [ports.destination, ports.source]) {
    if (!Number.isInteger(v) || v < 0 || v > max)
      throw new EncodeError('OUT_OF_RANGE', `port ${v} does not fit ${ports.bits}-bit addressing`);
  }
  let s = '//SCK' + (w === 4 ? 'L' : '') + hexDigits(ports.destination, w) + hexDigits(ports.source, w);
  if (concatenation) {
    const { reference, total, sequence } = concatenation;
    for (const v of [reference, total, sequence]) {
      if (!Number.isInteger(v) || v < 0 || v > 0xff)
        throw new EncodeError('OUT_OF_RANGE', `text header fields take 0..255, not ${v}`);
    }
    s += hexDigits(reference, 2) + hexDigits(total, 2) + hexDigits(sequence, 2);
  }
  return s + ' ';
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function hexNumber(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 16 + hexValue(buf[at + i]);
  return v;
}

function hexDigits(v: number, n: number): string {
  return v.toString(16).toUpperCase().padStart(n, '0');
}
