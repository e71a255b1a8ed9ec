/**
 * WSP basic rules (WAP-230-WSP 8.4.2.1-8.4.2.4): Short-integer, Long-integer, Integer-value,
 * Value-length, Text-string, Quoted-string, Token-text, Text-value, Date-value,
 * Version-value, Q-value, and the generic value extent used to skip unknown values.
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { ByteReader } from '../reader.js';
import { decodeUtf8 } from '../utf8.js';
import { warn, WarningCode } from '../warnings.js';
import type { ByteWriter } from '../writer.js';

/** Octet 127 before a text whose first octet is >= 128 (WAP-230 8.4.2.1). */
export const QUOTE = 0x7f;
/** Octet 31: a uintvar length follows (WAP-230 8.4.2.2). */
export const LENGTH_QUOTE = 0x1f;
/** Octet 34 ('"') that starts a Quoted-string. */
export const QUOTED_STRING_START = 0x22;
/** Short-integer values are 0x80 | value, value 0..127. */
export const SHORT_INTEGER_MAX = 0x7f;
/** Longest Long-integer we turn into a JS number exactly (48 bits). */
const LONG_INTEGER_MAX_OCTETS = 6;

export function readShortInteger(r: ByteReader): number {
  const at = r.pos;
  const b = r.u8();
  if ((b & 0x80) === 0) throw new DecodeError('BAD_VALUE', at, `expected a Short-integer, got 0x${hex2(b)}`);
  return b & 0x7f;
}

export function readLongInteger(r: ByteReader): number {
  const at = r.pos;
  const len = r.u8();
  if (len < 1 || len > 30) throw new DecodeError('BAD_VALUE', at, `bad Long-integer length ${len}`);
  if (len > LONG_INTEGER_MAX_OCTETS) {
    throw new DecodeError('BAD_VALUE', at, `Long-integer of ${len} octets exceeds the supported 48 bits`);
  }
  if (len > 1 && r.pos < r.end && r.buf[r.pos] === 0) sayLongIntegerZero(at + 1, len);
  return r.uint(len, 'a Long-integer');
}

export function readIntegerValue(r: ByteReader): number {
  const b = r.peek();
  return b & 0x80 ? (r.pos++, b & 0x7f) : readLongInteger(r);
}

/**
 * Integer-value where WAP-230 says Integer-value (headers, parameters, media and charset codes):
 * a value that fits a Short-integer sent as a one-octet Long-integer is said (NON_MINIMAL). A
 * longer Long-integer with a small value starts with a zero octet: readLongInteger says that.
 */
export function readIntegerValueChecked(r: ByteReader): number {
  // The Short-integer here, the rest out of line: small enough for V8 to inline into its callers.
  const b = r.peek();
  if (b & 0x80) {
    r.pos++;
    return b & 0x7f;
  }
  return readLongIntegerChecked(r, b);
}

function readLongIntegerChecked(r: ByteReader, first: number): number {
  const at = r.pos;
  const v = readLongInteger(r);
  if (first === 1 && v <= SHORT_INTEGER_MAX) sayShortFits(at, v);
  return v;
}

/** A uintvar (WAP-230 8.1.2); one that starts with 0x80 (a leading zero septet) is not the shortest. */
export function readUintvar(r: ByteReader, what: string): number {
  if (r.pos < r.end && r.buf[r.pos] === 0x80) sayLeadingZeroSeptet(r.pos, what);
  return r.uintvar();
}

/** Value-length: Short-length (0-30) or Length-quote + uintvar; checked against the input. */
export function readValueLength(r: ByteReader): number {
  // A Short-length here, the rest out of line: small enough for V8 to inline into its callers.
  const b = r.u8();
  if (b <= 30 && b <= r.end - r.pos) return b;
  return readLongValueLength(r, b);
}

/** readValueLength past its first octet `b`: Length-quote and uintvar, or the errors. */
function readLongValueLength(r: ByteReader, b: number): number {
  const at = r.pos - 1;
  let len: number;
  if (b <= 30) len = b;
  else if (b === LENGTH_QUOTE) {
    len = readUintvar(r, 'Value-length');
    if (len <= 30) sayLengthQuote(at, len);
  } else throw new DecodeError('BAD_VALUE', at, `expected a Value-length, got 0x${hex2(b)}`);
  if (len > r.remaining)
    throw new DecodeError('BAD_LENGTH', at, `Value-length ${len} runs past the end (${r.remaining} left)`);
  return len;
}

/**
 * Reads octets up to the NUL and returns them decoded; the NUL is consumed. TEXT (RFC 2616 2.2,
 * which WAP-230 8.4.2.1 takes) has no control characters but the LWS ones (HT, CR, LF); a token
 * has none at all.
 */
function readNulTerminated(r: ByteReader, what: string, lws: boolean): string {
  const end = r.findNul(what);
  const buf = r.buf;
  for (let i = r.pos; i < end; i++) {
    const b = buf[i];
    if ((b < 0x20 || b === 0x7f) && !(lws && (b === 0x09 || b === 0x0a || b === 0x0d))) controlCharacter(i, b, what);
  }
  const s = decodeUtf8(buf, r.pos, end);
  r.pos = end + 1;
  return s;
}

export function readTextString(r: ByteReader): string {
  if (r.peek() === QUOTE) r.pos++;
  return readNulTerminated(r, 'a Text-string', true);
}

export function readTokenText(r: ByteReader): string {
  return readNulTerminated(r, 'a Token-text', false);
}

/** Quoted-string: '"' TEXT NUL. The opening quote is not part of the value. */
export function readQuotedString(r: ByteReader): string {
  const at = r.pos;
  if (r.u8() !== QUOTED_STRING_START) throw new DecodeError('BAD_VALUE', at, 'expected a Quoted-string');
  return readNulTerminated(r, 'a Quoted-string', true);
}

/** Text-value: No-value (NUL) | Token-text | Quoted-string. */
export function readTextValue(r: ByteReader): string {
  const b = r.peek();
  if (b === 0) {
    r.pos++;
    return '';
  }
  if (b === QUOTED_STRING_START) return readQuotedString(r);
  return readTokenText(r);
}

/** Date-value: seconds since 1970-01-01T00:00:00Z as a Long-integer, shown as ISO 8601. */
export function readDateValue(r: ByteReader): string {
  return isoFromSeconds(readLongInteger(r));
}

/** Version-value: Short-integer (major in bits 6-4, minor in 3-0, 15 = none) or Text-string. */
export function readVersionValue(r: ByteReader): string {
  const b = r.peek();
  if (b & 0x80) {
    r.pos++;
    const major = (b >> 4) & 0x07;
    const minor = b & 0x0f;
    return minor === 0x0f ? `${major}` : `${major}.${minor}`;
  }
  return readTextString(r);
}

/** Q-value (WAP-230 8.4.2.3): uintvar 1-100 for two decimals, 101-1099 for three. */
export function readQValue(r: ByteReader): number {
  const at = r.pos;
  const q = readUintvar(r, 'Q-value');
  if (q >= 1 && q <= 100) return (q - 1) / 100;
  if (q >= 101 && q <= 1099) return (q - 100) / 1000;
  throw new DecodeError('BAD_VALUE', at, `Q-value out of range: ${q}`);
}

/** Octet 127 then a Page-identity; 1-31 shift directly (WAP-230 8.4.2.6). */
export const SHIFT_DELIMITER = 0x7f;
/** The header code page a list starts on (WAP-230 8.4.2.6): the well-known fields'. */
export const DEFAULT_PAGE = 1;

/**
 * The code page a header list's octet `b` (just read) shifts to, its Page-identity read after
 * a Shift-delimiter; -1 when `b` starts a header instead. One reading for the decoder and the
 * skim, so that both keep to the same pages.
 */
export function pageShift(r: ByteReader, b: number): number {
  if (b === SHIFT_DELIMITER) return r.u8();
  return b >= 1 && b <= 31 ? b : -1;
}

/**
 * The end offset of the field value that starts at r.pos, by its first octet alone
 * (WAP-230 8.4.1.2): 0-30 length-prefixed data, 31 uintvar length, 32-127 text to NUL,
 * 128-255 one octet. Does not move the reader.
 */
export function valueEnd(r: ByteReader): number {
  const save = r.pos;
  const b = r.peek();
  let end: number;
  if (b <= 31) {
    r.pos++;
    const len = b === LENGTH_QUOTE ? r.uintvar() : b;
    end = r.pos + len;
    if (end > r.end) {
      const at = save;
      r.pos = save;
      throw new DecodeError('BAD_LENGTH', at, `value length ${len} runs past the end`);
    }
  } else if (b < 0x80) {
    end = r.findNul('a text value') + 1;
  } else {
    end = save + 1;
  }
  r.pos = save;
  return end;
}

export function isoFromSeconds(sec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return `@${sec}`;
  return d.toISOString().replace('.000Z', 'Z');
}

export function secondsFromIso(value: string | number): number {
  if (typeof value === 'number') return value;
  if (value.startsWith('@')) return Number(value.slice(1));
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new EncodeError('BAD_INPUT', `not a date: ${value}`);
  return Math.floor(ms / 1000);
}

// Cold paths, out of line: the readers above stay small enough for V8 to inline them whole.

function sayLongIntegerZero(at: number, len: number): void {
  warn(WarningCode.NON_MINIMAL, at, `Long-integer of ${len} octets starts with a zero octet`);
}

function sayShortFits(at: number, v: number): void {
  warn(WarningCode.NON_MINIMAL, at, `Long-integer ${v} where a Short-integer fits`);
}

function sayLengthQuote(at: number, len: number): void {
  warn(WarningCode.NON_MINIMAL, at, `Length-quote for a Value-length of ${len} (a Short-length fits)`);
}

function sayLeadingZeroSeptet(at: number, what: string): void {
  warn(WarningCode.NON_MINIMAL, at, `${what}: uintvar starts with 0x80 (a leading zero septet)`);
}

function controlCharacter(at: number, b: number, what: string): never {
  throw new DecodeError('BAD_VALUE', at, `control character 0x${hex2(b)} in ${what}`);
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

// ---- writers --------------------------------------------------------------------------

export function writeShortInteger(w: ByteWriter, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > SHORT_INTEGER_MAX) {
    throw new EncodeError('OUT_OF_RANGE', `Short-integer out of range: ${v}`);
  }
  w.u8(0x80 | v);
}

export function writeLongInteger(w: ByteWriter, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 48 - 1) {
    throw new EncodeError('OUT_OF_RANGE', `Long-integer out of range: ${v}`);
  }
  let n = 1;
  while (v >= 2 ** (8 * n)) n++;
  w.u8(n).uint(v, n);
}

export function writeIntegerValue(w: ByteWriter, v: number): void {
  if (Number.isInteger(v) && v >= 0 && v <= SHORT_INTEGER_MAX) w.u8(0x80 | v);
  else writeLongInteger(w, v);
}

export function writeValueLength(w: ByteWriter, len: number): void {
  if (len <= 30) w.u8(len);
  else w.u8(LENGTH_QUOTE).uintvar(len);
}

/** What `inner` holds, after its Value-length: the general form of a value. */
export function writeValueBlock(w: ByteWriter, inner: ByteWriter): void {
  const b = inner.finish();
  writeValueLength(w, b.length);
  w.bytes(b);
}

/** What the decoder refuses in TEXT (RFC 2616 2.2): control characters but HT, CR and LF; in a token, all of them. */
function checkText(s: string, what: string, lws = true): void {
  // eslint-disable-next-line no-control-regex -- the control characters are what is looked for
  const ctl = (lws ? /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/ : /[\x00-\x1f\x7f]/).exec(s);
  if (ctl) {
    const c = ctl[0].charCodeAt(0);
    throw new EncodeError('BAD_INPUT', c === 0 ? `${what} cannot contain NUL` : `${what} cannot contain 0x${hex2(c)}`);
  }
}

export function writeTextString(w: ByteWriter, s: string): void {
  checkText(s, 'Text-string');
  const c = s.length ? s.charCodeAt(0) : 0;
  if (c >= 0x7f) w.u8(QUOTE);
  else if (c !== 0 && c < 0x20) throw new EncodeError('BAD_INPUT', 'Text-string cannot start with a control character');
  w.utf8(s).u8(0);
}

export function writeTokenText(w: ByteWriter, s: string): void {
  checkText(s, 'Token-text', false);
  const c = s.length ? s.charCodeAt(0) : 0;
  if (s.length === 0 || c < 0x20 || c >= 0x7f || c === QUOTED_STRING_START) {
    throw new EncodeError('BAD_INPUT', `not a Token-text: ${JSON.stringify(s)}`);
  }
  w.utf8(s).u8(0);
}

export function writeQuotedString(w: ByteWriter, s: string): void {
  checkText(s, 'Quoted-string');
  w.u8(QUOTED_STRING_START).utf8(s).u8(0);
}

/** Text-value: an empty string is No-value; a token when it is one, else quoted. */
export function writeTextValue(w: ByteWriter, s: string): void {
  if (s === '') w.u8(0);
  else if (isToken(s)) writeTokenText(w, s);
  else writeQuotedString(w, s);
}

export function writeDateValue(w: ByteWriter, value: string | number): void {
  writeLongInteger(w, secondsFromIso(value));
}

export function writeVersionValue(w: ByteWriter, v: string): void {
  const m = /^([0-7])(?:\.(\d{1,2}))?$/.exec(v);
  if (m && (m[2] === undefined || Number(m[2]) < 15)) {
    const minor = m[2] === undefined ? 15 : Number(m[2]);
    w.u8(0x80 | (Number(m[1]) << 4) | minor);
  } else writeTextString(w, v);
}

export function writeQValue(w: ByteWriter, q: number): void {
  if (!(q >= 0 && q < 1)) throw new EncodeError('OUT_OF_RANGE', `Q-value out of range: ${q}`);
  const two = Math.round(q * 100);
  if (Math.abs(two / 100 - q) < 1e-9) w.uintvar(two + 1);
  else w.uintvar(Math.round(q * 1000) + 100);
}

/** RFC 2616 token characters: what Token-text may carry without quoting. */
export function isToken(s: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s);
}
