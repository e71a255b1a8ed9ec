/**
 * SI date attributes (created, si-expires) as OPAQUE data (WAP-167 8.2.2): the digits of
 * YYYYMMDDhhmmss packed two per octet (BCD), trailing zero octets left out, at most 7.
 */
import { DecodeError, EncodeError } from '../errors.js';

const MAX_OCTETS = 7;

export function dateFromOpaque(b: Uint8Array, offset: number): string {
  if (b.length === 0 || b.length > MAX_OCTETS) {
    throw new DecodeError('BAD_VALUE', offset, `SI date of ${b.length} octets (1 to 7 allowed)`);
  }
  const d = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < b.length; i++) {
    const o = b[i];
    if (o >> 4 > 9 || (o & 0x0f) > 9) throw new DecodeError('BAD_VALUE', offset, `SI date octet 0x${o.toString(16)} is not two BCD digits`);
    d[i] = o;
  }
  return `${bcd(d[0])}${bcd(d[1])}-${bcd(d[2])}-${bcd(d[3])}T${bcd(d[4])}:${bcd(d[5])}:${bcd(d[6])}Z`;
}

/** Two BCD digits as text; the table avoids number-to-string work per octet. */
const BCD: string[] = [];
for (let i = 0; i < 100; i++) BCD[((i / 10) << 4) | i % 10] = String(i).padStart(2, '0');
const bcd = (o: number): string => BCD[o];

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Other ISO 8601 forms taken on input: fractions of a second, a numeric UTC offset, no seconds. */
const ISO_LOOSE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether `text` is a date an SI/EMN attribute may carry as text (WAP-167 7.2: ISO 8601, UTC). */
export function isIsoDate(text: string): boolean {
  return ISO.test(text) || (ISO_LOOSE.test(text) && !Number.isNaN(Date.parse(text)));
}

/**
 * A date attribute's value (SI created/si-expires, EMN timestamp): the OPAQUE form, or text
 * that must be ISO 8601 - garbage here would otherwise pass as a date.
 */
export function dateAttribute(name: string, text: string, opaque: Uint8Array | undefined, offset: number): string {
  if (opaque) return dateFromOpaque(opaque, offset);
  if (!isIsoDate(text)) throw new DecodeError('BAD_VALUE', offset, `${name} is neither an OPAQUE date nor ISO 8601 text: ${JSON.stringify(text.slice(0, 40))}`);
  return text;
}

/** ISO 8601 UTC ("1999-06-25T15:23:15Z", as SI XML writes it) -> OPAQUE octets. */
export function dateToOpaque(iso: string): Uint8Array {
  let m = ISO.exec(iso);
  if (!m) {
    // Only ISO 8601: Date.parse alone takes strings like "0" (as the year 2000).
    const ms = ISO_LOOSE.test(iso) ? Date.parse(iso) : NaN;
    if (Number.isNaN(ms)) throw new EncodeError('BAD_INPUT', `not an ISO 8601 date: ${JSON.stringify(iso)}`);
    m = ISO.exec(new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    if (!m) throw new EncodeError('BAD_INPUT', `not an ISO 8601 date: ${JSON.stringify(iso)}`);
  }
  const digits = m.slice(1).join('');
  const out = new Uint8Array(MAX_OCTETS);
  for (let i = 0; i < MAX_OCTETS; i++) out[i] = (Number(digits[2 * i]) << 4) | Number(digits[2 * i + 1]);
  let n = MAX_OCTETS;
  while (n > 1 && out[n - 1] === 0) n--;
  return out.slice(0, n);
}
