/**
 * Expect, TE and Pragma in all their forms (WAP-230 8.4.2.x, WSP 1.4), given as HTTP writes them:
 *   Expect-value = 100-continue | Expect-expression
 *   Expect-expression = Value-length Expression-var Expression-value *Parameter  -> `var=value; k=v`
 *   TE-value = Trailers | Value-length (Well-known-TE | Token-text) [Q-Parameter]  -> `gzip;q=0.5`
 *   Pragma-value = No-cache | Value-length Parameter                              -> `no-cache`, `k=v`
 * 100-continue, Trailers and No-cache are the one-octet forms (0x80, 0x81, 0x80). A Token-text
 * where the grammar has none (some senders write one) is read as that text, as before.
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { formatParam } from './contentType.js';
import { formatPairs, namesAreTokens, parsePair, parsePairs, splitOutside } from './httpText.js';
import { readParameters, unknownCode, writeParameters } from './parameters.js';
import {
  isToken,
  readQValue,
  readQuotedString,
  readTextString,
  readTokenText,
  readValueLength,
  writeQValue,
  writeQuotedString,
  writeTextString,
  writeTokenText,
  writeValueBlock,
} from './primitives.js';
import { transferCodings } from './wellKnownValues.js';

const CONTINUE_100 = 0x80;
const TRAILERS = 0x81;
const NO_CACHE = 0x80;
const Q_PARAMETER = 0x80;

/** A one-octet token: its name, or (unknown) its code, said. */
function shortToken(r: ByteReader, code: number, name: string, header: string): string {
  const at = r.pos;
  const b = r.u8();
  return b === code ? name : unknownCode(at, b & 0x7f, header);
}

/** The HTTP form, or undefined when a name is no token (the caller keeps the octets as they are). */
export function readExpect(r: ByteReader, vEnd: number, limits: Limits): string | undefined {
  const b = r.peek();
  if (b & 0x80) return shortToken(r, CONTINUE_100, '100-continue', 'Expect');
  if (b > 31) return readTokenText(r);
  readValueLength(r);
  const variable = readTextString(r);
  const value = r.peek() === 0x22 ? readQuotedString(r) : readTextString(r);
  let s = formatParam(variable, value);
  if (r.pos < vEnd) {
    const params = readParameters(r, vEnd, limits);
    if (!namesAreTokens(params)) return undefined;
    s += `; ${formatPairs(params, '; ')}`;
  }
  return isToken(variable) ? s : undefined;
}

export function writeExpect(w: ByteWriter, s: string): void {
  const text = s.trim();
  if (text.toLowerCase() === '100-continue') return void w.u8(CONTINUE_100);
  const [first, ...rest] = splitOutside(text, ';');
  if (!first.includes('=') && rest.length === 0) return writeTokenText(w, text);
  const [variable, value] = parsePair(first);
  const inner = new ByteWriter(32);
  writeTextString(inner, variable);
  if (isToken(value)) writeTextString(inner, value);
  else writeQuotedString(inner, value);
  writeParameters(inner, parsePairs(rest));
  writeValueBlock(w, inner);
}

export function readTe(r: ByteReader, vEnd: number): string | undefined {
  const b = r.peek();
  if (b & 0x80) return shortToken(r, TRAILERS, 'trailers', 'TE');
  if (b > 31) return readTokenText(r);
  readValueLength(r);
  const c = r.peek();
  let s: string;
  if (c & 0x80) {
    r.pos++;
    s = transferCodings.name(c & 0x7f) ?? unknownCode(r.pos - 1, c & 0x7f, 'TE');
  } else {
    s = readTokenText(r);
    if (!isToken(s)) return undefined;
  }
  if (r.pos < vEnd) {
    const at = r.pos;
    if (r.u8() !== Q_PARAMETER) throw new DecodeError('BAD_VALUE', at, 'TE: expected the Q-Parameter (0x80)');
    s += `;q=${readQValue(r)}`;
  }
  return s;
}

export function writeTe(w: ByteWriter, s: string): void {
  const text = s.trim();
  if (text.toLowerCase() === 'trailers') return void w.u8(TRAILERS);
  const m = /^([^;\s]+)\s*(?:;\s*q=([\d.]+))?$/.exec(text);
  if (!m) throw new EncodeError('BAD_INPUT', `TE must look like "coding" or "coding;q=0.5": ${s}`);
  const inner = new ByteWriter(8);
  const code = /^0x[0-9a-f]+$/i.test(m[1]) ? parseInt(m[1], 16) : transferCodings.code(m[1]);
  if (code !== undefined) inner.u8(0x80 | code);
  else writeTokenText(inner, m[1]);
  if (m[2] !== undefined) {
    inner.u8(Q_PARAMETER);
    writeQValue(inner, Number(m[2]));
  }
  writeValueBlock(w, inner);
}

export function readPragma(r: ByteReader, vEnd: number, limits: Limits): string | undefined {
  const b = r.peek();
  if (b & 0x80) return shortToken(r, NO_CACHE, 'no-cache', 'Pragma');
  if (b > 31) return readTokenText(r);
  readValueLength(r);
  const params = readParameters(r, vEnd, limits);
  return namesAreTokens(params) && Object.keys(params).length === 1 ? formatPairs(params, '; ') : undefined;
}

export function writePragma(w: ByteWriter, s: string): void {
  const text = s.trim();
  if (text.toLowerCase() === 'no-cache') return void w.u8(NO_CACHE);
  const params = parsePairs(splitOutside(text, ';'));
  if (Object.keys(params).length !== 1)
    throw new EncodeError('BAD_INPUT', `Pragma is no-cache or one parameter: ${JSON.stringify(s)}`);
  const inner = new ByteWriter(16);
  writeParameters(inner, params);
  writeValueBlock(w, inner);
}
