/**
 * Profile-Diff and Profile-Warning (WAP-230, UAProf headers, WSP 1.2/1.4) and the location headers
 * X-Wap-Loc-Invocation and X-Wap-Loc-Delivery (WSP 1.5):
 *   Profile-diff-value = Value-length CCPP-profile (a UAProf document, octets)
 *   Profile-warning-value = Warn-code | (Value-length Warn-code Warn-target *Warn-date)
 * Octets a header carries are given as an RFC 2397 data URI (data:application/octet-stream;base64,...),
 * a location header's text as the text. A Profile-Warning reads as HTTP writes a Warning:
 * `102 http://example.com/ "2001-01-01T00:00:00Z"` (code, target, dates quoted).
 */
import { fromBase64, toBase64 } from '../base64.js';
import { EncodeError } from '../errors.js';
import type { ByteReader } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { unknownCode } from './parameters.js';
import {
  readDateValue,
  readShortInteger,
  readTextString,
  readValueLength,
  writeDateValue,
  writeShortInteger,
  writeTextString,
  writeValueBlock,
} from './primitives.js';
import { profileWarnCodes } from './wellKnownValues.js';

const DATA_URI = 'data:application/octet-stream;base64,';

/** Value-length and octets, as a data URI. */
export function readOctets(r: ByteReader): string {
  const len = readValueLength(r);
  return DATA_URI + toBase64(r.view(len, 'a header value'));
}

export function isOctets(s: string): boolean {
  return /^data:[^,]*;base64,/.test(s);
}

export function writeOctets(w: ByteWriter, s: string): void {
  const m = /^data:[^,]*;base64,(.*)$/s.exec(s);
  if (!m) throw new EncodeError('BAD_INPUT', `octets are given as data:...;base64,...: ${s.slice(0, 40)}`);
  const octets = fromBase64(m[1]);
  writeValueBlock(w, new ByteWriter(octets.length).bytes(octets));
}

/**
 * X-Wap-Loc-Invocation / -Delivery: the document as text, or its octets; undefined for a text
 * that would read back as octets (one that is itself a data URI).
 */
export function readLocation(r: ByteReader): string | undefined {
  if (r.peek() <= 31) return readOctets(r);
  const text = readTextString(r);
  return isOctets(text) ? undefined : text;
}

export function writeLocation(w: ByteWriter, s: string): void {
  if (isOctets(s)) writeOctets(w, s);
  else writeTextString(w, s);
}

/** The HTTP form; undefined for a target with space or a quote in it, which that form cannot carry. */
export function readProfileWarning(r: ByteReader, vEnd: number): string | undefined {
  if (r.peek() & 0x80) return warnCode(r);
  readValueLength(r);
  const code = warnCode(r);
  const target = readTextString(r);
  let s = `${code} ${target}`;
  while (r.pos < vEnd) s += ` "${readDateValue(r)}"`;
  return /^[^\s"]+$/.test(target) ? s : undefined;
}

function warnCode(r: ByteReader): string {
  const at = r.pos;
  const code = readShortInteger(r);
  return profileWarnCodes.name(code) ?? unknownCode(at, code, 'Profile-Warning');
}

export function writeProfileWarning(w: ByteWriter, s: string): void {
  const m = /^(\d{3}|0x[0-9a-f]+)(?: (\S+)((?: "[^"]*")*))?$/i.exec(s.trim());
  const code = m ? (profileWarnCodes.code(m[1]) ?? (/^0x/i.test(m[1]) ? parseInt(m[1], 16) : undefined)) : undefined;
  if (!m || code === undefined) throw new EncodeError('BAD_INPUT', `bad Profile-Warning value: ${s}`);
  if (m[2] === undefined) return writeShortInteger(w, code);
  const inner = new ByteWriter(32);
  writeShortInteger(inner, code);
  writeTextString(inner, m[2]);
  for (const d of m[3].match(/"[^"]*"/g) ?? []) writeDateValue(inner, d.slice(1, -1));
  writeValueBlock(w, inner);
}
