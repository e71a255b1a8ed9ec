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
  let digits = '';
  for (let i = 0; i < MAX_OCTETS; i++) {
    const o = i < b.length ? b[i] : 0;
    const hi = o >> 4;
    const lo = o & 0x0f;
    if (hi > 9 || lo > 9) throw new DecodeError('BAD_VALUE', offset, `SI date octet 0x${o.toString(16)} is not two BCD digits`);
    digits += hi.toString() + lo.toString();
  }
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}T${digits.slice(8, 10)}:${digits.slice(10, 12)}:${digits.slice(12, 14)}Z`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** ISO 8601 UTC ("1999-06-25T15:23:15Z", as SI XML writes it) -> OPAQUE octets. */
export function dateToOpaque(iso: string): Uint8Array {
  let m = ISO.exec(iso);
  if (!m) {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new EncodeError('BAD_INPUT', `not an SI date: ${iso}`);
    m = ISO.exec(new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    if (!m) throw new EncodeError('BAD_INPUT', `not an SI date: ${iso}`);
  }
  const digits = m.slice(1).join('');
  const out = new Uint8Array(MAX_OCTETS);
  for (let i = 0; i < MAX_OCTETS; i++) out[i] = (Number(digits[2 * i]) << 4) | Number(digits[2 * i + 1]);
  let n = MAX_OCTETS;
  while (n > 1 && out[n - 1] === 0) n--;
  return out.slice(0, n);
}
