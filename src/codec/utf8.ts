/**
 * UTF-8 to and from JS strings. Push strings are short and almost always ASCII, where a
 * plain loop beats TextDecoder's per-call cost by far; anything else goes to TextDecoder
 * (non-fatal: malformed sequences become U+FFFD, exactly as TextDecoder does).
 */
import { host } from './host.js';
import { warn, WarningCode } from './warnings.js';

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Below this many octets a plain loop beats any native call's fixed cost. */
const ASCII_LOOP_MAX = 8;

export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n <= ASCII_LOOP_MAX) {
    let s = '';
    for (let i = start; i < end; i++) {
      const b = buf[i];
      if (b >= 0x80) return slow(buf, start, end);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return slow(buf, start, end);
}

function slow(buf: Uint8Array, start: number, end: number): string {
  // A host's native slicer (Node's Buffer#utf8Slice costs about half of TextDecoder#decode for
  // push-sized strings: 39 vs 61 ns for 17 octets); malformed sequences become U+FFFD in both.
  const slice = host.utf8Slice;
  const s = slice ? slice(buf, start, end) : decoder.decode(buf.subarray(start, end));
  // V8 answers this at once for one-byte strings, which all-ASCII text is.
  if (s.includes('\ufffd')) saySequence(buf, start, end);
  return s;
}

/**
 * Says (CHARSET) where the first octet that is not UTF-8 is, if there is one: a U+FFFD in the
 * text may also have been sent as such (EF BF BD). A cold path: only text with a U+FFFD comes here.
 */
function saySequence(buf: Uint8Array, start: number, end: number): void {
  const bad = malformedAt(buf, start, end);
  if (bad >= 0)
    warn(WarningCode.CHARSET, bad, `octet 0x${buf[bad].toString(16).padStart(2, '0')} is not UTF-8; read as U+FFFD`);
}

/** The offset of the first octet of a malformed UTF-8 sequence in [start, end) (RFC 3629 4), or -1. */
export function malformedAt(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end;) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n >= end) return i;
    const c = buf[i + 1];
    if (c < lo || c > hi) return i;
    for (let k = 2; k <= n; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** Octets the string takes in UTF-8, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Up to this many characters, ASCII text is copied by a loop: TextEncoder#encode allocates its
 * result natively, which cost about 1 us per call here, most of an SI encode, and encodeInto
 * needs a subarray and a native call.
 */
export const ASCII_ENCODE_LOOP_MAX = 64;

/**
 * Copies `s` into `out` at `at` if it is ASCII, one octet a character (`out` must have room for
 * s.length octets); false at the first character that is not, with what came before written.
 */
export function copyAscii(s: string, out: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return false;
    out[at + i] = c;
  }
  return true;
}

export function encodeUtf8(s: string): Uint8Array {
  if (s.length <= ASCII_ENCODE_LOOP_MAX) {
    const out = new Uint8Array(s.length);
    if (copyAscii(s, out, 0)) return out;
  }
  return encoder.encode(s);
}

export function encodeUtf8Into(s: string, out: Uint8Array, at: number): number {
  return encoder.encodeInto(s, out.subarray(at)).written;
}
