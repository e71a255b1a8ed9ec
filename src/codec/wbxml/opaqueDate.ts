/**
 * SI date attributes (created, si-expires) as OPAQUE data (WAP-167 8.2.2): the digits of
 * YYYYMMDDhhmmss packed two per octet (BCD), trailing zero octets left out, at most 7.
 */
import { DecodeError, EncodeError } from '../errors.js';

const MAX_OCTETS = 7;

export function dateFromOpaque(b: Uint8Array, offset: number): string {
  const date = bcdDate(b, 0, b.length);
  if (date !== undefined) return date;
  if (b.length === 0 || b.length > MAX_OCTETS) {
    throw new DecodeError('BAD_VALUE', offset, `SI date of ${b.length} octets (1 to 7 allowed)`);
  }
  const o = b.find((x) => x >> 4 > 9 || (x & 0x0f) > 9)!;
  throw new DecodeError('BAD_VALUE', offset, `SI date octet 0x${o.toString(16)} is not two BCD digits`);
}

/**
 * `length` octets of BCD at `start` as "YYYY-MM-DDThh:mm:ssZ", missing octets as zeros; undefined
 * unless 1 to 7 octets of decimal digits. One fromCharCode call makes the string flat at once,
 * about 4x quicker here than joining two-digit pieces.
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
/** Non-zero unless both nibbles are decimal digits: a nibble above 9 carries into bit 4 when 6 is added. */
const notBcd = (x: number): number => (((x >> 4) + 6) | ((x & 0x0f) + 6)) & 0x10;

/** Other ISO 8601 forms taken on input: fractions of a second, a numeric UTC offset, no seconds. */
const ISO_LOOSE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether `text` is a date an SI/EMN attribute may carry as text (WAP-167 7.2: ISO 8601, UTC). */
export function isIsoDate(text: string): boolean {
  return isCanonicalIso(text) || (ISO_LOOSE.test(text) && !Number.isNaN(Date.parse(text)));
}

/**
 * A date attribute's value (SI created/si-expires, EMN timestamp): the OPAQUE form, or text
 * that must be ISO 8601 - garbage here would otherwise pass as a date.
 */
export function dateAttribute(name: string, text: string, opaque: Uint8Array | undefined, offset: number): string {
  if (opaque) return dateFromOpaque(opaque, offset);
  if (!isIsoDate(text))
    throw new DecodeError(
      'BAD_VALUE',
      offset,
      `${name} is neither an OPAQUE date nor ISO 8601 text: ${JSON.stringify(text.slice(0, 40))}`,
    );
  return text;
}

/** ISO 8601 UTC ("1999-06-25T15:23:15Z", as SI XML writes it) -> OPAQUE octets. */
export function dateToOpaque(iso: string): Uint8Array {
  let text = iso;
  if (!isCanonicalIso(text)) {
    // Only ISO 8601: Date.parse alone takes strings like "0" (as the year 2000).
    const ms = ISO_LOOSE.test(iso) ? Date.parse(iso) : NaN;
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
