/**
 * Range (WAP-230 8.4.2.42), given as HTTP writes it (RFC 2616 14.35):
 *   Range-value = Value-length (Byte-range-spec | Suffix-byte-range-spec)
 *   Byte-range-spec = <Octet 128> First-byte-pos [Last-byte-pos]   -> `bytes=500-999`, `bytes=500-`
 *   Suffix-byte-range-spec = <Octet 129> Suffix-length            -> `bytes=-500`
 * positions and lengths are uintvars.
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { ByteReader } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { readUintvar, readValueLength, writeValueBlock } from './primitives.js';

const BYTE_RANGE = 0x80;
const SUFFIX_BYTE_RANGE = 0x81;

export function readRange(r: ByteReader, vEnd: number): string {
  readValueLength(r);
  const at = r.pos;
  const form = r.u8();
  if (form === BYTE_RANGE) {
    const first = readUintvar(r, 'Range first-byte-pos');
    const last = r.pos < vEnd ? readUintvar(r, 'Range last-byte-pos') : '';
    return `bytes=${first}-${last}`;
  }
  if (form === SUFFIX_BYTE_RANGE) return `bytes=-${readUintvar(r, 'Range suffix-length')}`;
  throw new DecodeError(
    'BAD_VALUE',
    at,
    `Range form 0x${form.toString(16)} is neither Byte-range (0x80) nor Suffix (0x81)`,
  );
}

export function writeRange(w: ByteWriter, s: string): void {
  const m = /^bytes=(?:(\d+)-(\d*)|-(\d+))$/.exec(s.trim());
  if (!m) throw new EncodeError('BAD_INPUT', `Range must look like "bytes=N-[M]" or "bytes=-N": ${s}`);
  const inner = new ByteWriter(12);
  if (m[3] !== undefined) inner.u8(SUFFIX_BYTE_RANGE).uintvar(uint32(m[3]));
  else {
    inner.u8(BYTE_RANGE).uintvar(uint32(m[1]));
    if (m[2]) inner.uintvar(uint32(m[2]));
  }
  writeValueBlock(w, inner);
}

function uint32(digits: string): number {
  const n = Number(digits);
  if (n > 0xffffffff) throw new EncodeError('OUT_OF_RANGE', `Range position ${digits} is over 32 bits`);
  return n;
}
