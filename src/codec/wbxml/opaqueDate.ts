/**
 * Date attributes (SI created/si-expires, EMN timestamp). As OPAQUE data (WAP-167 8.2.2): the
 * digits of YYYYMMDDhhmmss packed two per octet (BCD), trailing zero octets left out, at most 7.
 * As text: ISO 8601 in UTC (WAP-167 7.2). Either way the date must exist: month 01-12, a day of
 * that month, hh 00-23, mm and ss 00-59 (a leap second is not taken: no JavaScript Date holds one).
 */
import { DecodeError, EncodeError } from '../errors.js';
import { offsetOf, type Where } from './origin.js';
import type { WbxmlElement } from './tree.js';

const MAX_OCTETS = 7;

/** What is wrong with a date, and where: an octet index (OPAQUE) or a character index (text). */
interface DateProblem {
  at: number;
  why: string;
}

/** The OPAQUE date `b` as ISO text, or a BAD_VALUE at `offset` + the index of its first bad octet. */
export function dateFromOpaque(b: Uint8Array, offset: number): string {
  const date = bcdDate(b, 0, b.length);
  if (date !== undefined) return date;
  const p = opaqueProblem(b);
  throw new DecodeError('BAD_VALUE', offset + p.at, `date ${p.why}`);
}

/**
 * `length` octets of BCD at `start` as "YYYY-MM-DDThh:mm:ssZ", missing octets as zeros; undefined
 * unless 1 to 7 octets of decimal digits that name a date that exists. One fromCharCode call
 * makes the string flat at once, about 4x quicker here than joining two-digit pieces. The SI fast
 * path and the tree path both read dates here, so both refuse the same dates.
 */
export function bcdDate(b: Uint8Array, start: number, length: number): string | undefined {
  if (length === 0 || length > MAX_OCTETS) return undefined;
  const o0 = b[start];
  const o1 = length > 1 ? b[start + 1] : 0;
  const o2 = length > 2 ? b[start + 2] : 0;
  const o3 = length > 3 ? b[start + 3] : 0;
  const o4 = length > 4 ? b[start + 4] : 0;
  const o5 = length > 5 ? b[start + 5] : 0;
  const o6 = length > 6 ? b[start + 6] : 0;
  if ((notBcd(o0) | notBcd(o1) | notBcd(o2) | notBcd(o3) | notBcd(o4) | notBcd(o5) | notBcd(o6)) !== 0)
    return undefined;
  // BCD octets order as their values do, so the fields are checked on the octets themselves.
  if (o2 === 0 || o2 > 0x12 || o3 === 0 || o3 > MONTH_DAYS_BCD[o2] || o4 > 0x23 || o5 > 0x59 || o6 > 0x59)
    return undefined;
  if (o2 === 0x02 && o3 === 0x29 && daysIn(bcd(o0) * 100 + bcd(o1), 2) !== 29) return undefined;
  return String.fromCharCode(
    hi(o0),
    lo(o0),
    hi(o1),
    lo(o1),
    0x2d,
    hi(o2),
    lo(o2),
    0x2d,
    hi(o3),
    lo(o3),
    0x54,
    hi(o4),
    lo(o4),
    0x3a,
    hi(o5),
    lo(o5),
    0x3a,
    hi(o6),
    lo(o6),
    0x5a,
  );
}

const DIGIT_0 = 0x30;
/** Where each octet's two digits start in "YYYY-MM-DDThh:mm:ssZ". */
const DIGIT_PAIRS = [0, 2, 5, 8, 11, 14, 17];
const hi = (x: number): number => DIGIT_0 + (x >> 4);
const lo = (x: number): number => DIGIT_0 + (x & 0x0f);
const bcd = (x: number): number => (x >> 4) * 10 + (x & 0x0f);
/** Non-zero unless both nibbles are decimal digits: a nibble above 9 carries into bit 4 when 6 is added. */
const notBcd = (x: number): number => (((x >> 4) + 6) | ((x & 0x0f) + 6)) & 0x10;

/** The fields of a date, in the order of its octets (the year takes two). */
const FIELDS = ['year', 'year', 'month', 'day', 'hour', 'minute', 'second'] as const;
/** Days of each month in a common year; February of a leap year has 29. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** MONTH_DAYS in BCD, indexed by the month's BCD octet (0x01-0x09, 0x10-0x12); 0 elsewhere. */
const MONTH_DAYS_BCD: readonly number[] = Array.from({ length: 0x13 }, (_, o) => {
  const month = bcd(o);
  const days = (o & 0x0f) <= 9 && month >= 1 && month <= 12 ? (month === 2 ? 29 : MONTH_DAYS[month - 1]) : 0;
  return ((days / 10) << 4) | (days % 10);
});

function daysIn(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Index into FIELDS of the first field out of range, or -1 when the date exists. */
function badField(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  if (month < 1 || month > 12) return 2;
  if (day < 1 || day > daysIn(year, month)) return 3;
  if (hour > 23) return 4;
  if (minute > 59) return 5;
  if (second > 59) return 6;
  return -1;
}

function rangeOf(field: number, year: number, month: number): string {
  if (field === 2) return '01-12';
  if (field === 3) return `01-${daysIn(year, month)} in ${String(year).padStart(4, '0')}-${pad2(month)}`;
  return field === 4 ? '00-23' : '00-59';
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Why bcdDate refused `b`, at the octet that is wrong (the last one there when the date stops short). */
function opaqueProblem(b: Uint8Array): DateProblem {
  if (b.length === 0) return { at: 0, why: 'of 0 octets (1 to 7 allowed)' };
  if (b.length > MAX_OCTETS) return { at: MAX_OCTETS, why: `of ${b.length} octets (1 to 7 allowed)` };
  for (let i = 0; i < b.length; i++)
    if (notBcd(b[i])) return { at: i, why: `octet 0x${b[i].toString(16).padStart(2, '0')} is not two BCD digits` };
  const v = (i: number) => (i < b.length ? bcd(b[i]) : 0);
  const year = v(0) * 100 + v(1);
  const field = badField(year, v(2), v(3), v(4), v(5), v(6));
  const value = v(field);
  const why = `${FIELDS[field]} ${pad2(value)} is not ${rangeOf(field, year, v(2))}`;
  if (field >= b.length) return { at: b.length - 1, why: `of ${b.length} octets ends before its ${FIELDS[field]}` };
  return { at: field, why };
}

/** Other ISO 8601 forms taken on input: fractions of a second, a numeric UTC offset, no seconds. */
const ISO_LOOSE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether `text` is a date an SI/EMN attribute may carry as text (WAP-167 7.2: ISO 8601, UTC) that exists. */
export function isIsoDate(text: string): boolean {
  const canonical = isCanonicalIso(text);
  return (
    (canonical || ISO_LOOSE.test(text)) &&
    textFieldProblem(text) === undefined &&
    (canonical || !Number.isNaN(Date.parse(text)))
  );
}

/** Character index and reason of the first date field of ISO text out of range; the text matched ISO_LOOSE. */
function textFieldProblem(text: string): DateProblem | undefined {
  const n = (at: number) => (text.charCodeAt(at) - DIGIT_0) * 10 + text.charCodeAt(at + 1) - DIGIT_0;
  const year = n(0) * 100 + n(2);
  const seconds = text.charCodeAt(16) === 0x3a;
  const field = badField(year, n(5), n(8), n(11), n(14), seconds ? n(17) : 0);
  if (field >= 0) {
    const at = DIGIT_PAIRS[field];
    return { at, why: `${FIELDS[field]} ${text.slice(at, at + 2)} is not ${rangeOf(field, year, n(5))}` };
  }
  // A numeric offset is hours and minutes too.
  const zone = text.length - 6;
  if (text.charCodeAt(text.length - 1) !== 0x5a && (n(zone + 1) > 23 || n(zone + 4) > 59))
    return { at: zone, why: `UTC offset ${text.slice(zone)} is not a time of day` };
  return undefined;
}

/** Why isIsoDate refused `text`, at the character that is wrong. */
function textProblem(text: string): DateProblem {
  const p = isCanonicalIso(text) || ISO_LOOSE.test(text) ? textFieldProblem(text) : undefined;
  if (p) return p;
  return { at: 0, why: `is neither an OPAQUE date nor ISO 8601 text: ${JSON.stringify(text.slice(0, 40))}` };
}

/**
 * A date attribute's value (attribute number `index` of `el`): the OPAQUE form, or ISO 8601 text.
 * Garbage or a date that does not exist is a BAD_VALUE at the octet (or character) that is wrong.
 */
export function dateAttribute(name: string, el: WbxmlElement, index: number, where: Where): string {
  const a = el.attributes[index];
  if (a.opaque) {
    const date = bcdDate(a.opaque, 0, a.opaque.length);
    if (date !== undefined) return date;
    const p = opaqueProblem(a.opaque);
    throw new DecodeError('BAD_VALUE', offsetOf(where, el, index, p.at), `${name}: date ${p.why}`);
  }
  if (isIsoDate(a.value)) return a.value;
  const p = textProblem(a.value);
  throw new DecodeError('BAD_VALUE', offsetOf(where, el, index, p.at), `${name} ${p.why}`);
}

/** ISO 8601 UTC ("1999-06-25T15:23:15Z", as SI XML writes it) -> OPAQUE octets. */
export function dateToOpaque(iso: string): Uint8Array {
  let text = iso;
  // Only ISO 8601 of a date that exists: Date.parse alone takes strings like "0" (as the year 2000)
  // and rolls 02-30 over into March.
  if (!isIsoDate(iso)) throw new EncodeError('BAD_INPUT', `not an ISO 8601 date that exists: ${JSON.stringify(iso)}`);
  if (!isCanonicalIso(text)) {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new EncodeError('BAD_INPUT', `not an ISO 8601 date: ${JSON.stringify(iso)}`);
    text = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (!isCanonicalIso(text)) throw new EncodeError('BAD_INPUT', `not an ISO 8601 date: ${JSON.stringify(iso)}`);
  }
  // The 14 digits sit at fixed places of the canonical form "YYYY-MM-DDThh:mm:ssZ"; trailing
  // zero octets are left out, so the length is known before the one allocation.
  let n = MAX_OCTETS;
  while (n > 1 && octetAt(text, n - 1) === 0) n--;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = octetAt(text, i);
  return out;
}

/** Octet i of the canonical form's digits as BCD. */
function octetAt(text: string, i: number): number {
  const at = DIGIT_PAIRS[i];
  return ((text.charCodeAt(at) - DIGIT_0) << 4) | (text.charCodeAt(at + 1) - DIGIT_0);
}

/** The canonical form "YYYY-MM-DDThh:mm:ssZ", checked by character codes: digits where DIGIT_PAIRS say. */
function isCanonicalIso(text: string): boolean {
  if (text.length !== 20) return false;
  for (let i = 0; i < 20; i++) {
    const c = text.charCodeAt(i);
    const want = CANONICAL_SEPARATORS[i];
    if (want === 0 ? c < DIGIT_0 || c > DIGIT_0 + 9 : c !== want) return false;
  }
  return true;
}

/** The separators of "YYYY-MM-DDThh:mm:ssZ" by position; 0 where a digit goes. */
const CANONICAL_SEPARATORS = Array.from('0000-00-00T00:00:00Z', (ch) => (ch === '0' ? 0 : ch.charCodeAt(0)));
