/**
 * Content-type-value (WAP-230 8.4.2.24): Constrained-media (well-known Short-integer or
 * Extension-media text) or Content-general-form (Value-length, Media-type, parameters).
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { warn, WarningCode } from '../warnings.js';
import { ByteWriter } from '../writer.js';
import { contentTypes } from './contentTypes.js';
import { readParameters, unknownCode, writeParameters, type Parameters } from './parameters.js';
import {
  readIntegerValueChecked,
  readTextString,
  readValueLength,
  writeIntegerValue,
  writeTextString,
  writeValueLength,
} from './primitives.js';

export interface ContentType {
  /** Media type name; for a well-known code missing from the table, its code as "0x5b". */
  type: string;
  /** The well-known code when the wire carried one. */
  code?: number;
  params: Parameters;
}

const NO_PARAMS: Parameters = Object.freeze({}) as Parameters;

export function codeName(code: number): string {
  return contentTypes.name(code) ?? `0x${code.toString(16)}`;
}

/** The name of a well-known content type code read at `at`; one with no name is said (UNKNOWN_CODE). */
function typeName(code: number, at: number): string {
  return contentTypes.name(code) ?? unknownCode(at, code, 'content type');
}

export function readContentType(r: ByteReader, limits: Limits): ContentType {
  const b = r.peek();
  if (b & 0x80) {
    r.pos++;
    const code = b & 0x7f;
    return { type: typeName(code, r.pos - 1), code, params: NO_PARAMS };
  }
  if (b >= 0x20 || b === 0) return { type: readTextString(r), params: NO_PARAMS };
  const at = r.pos;
  const len = readValueLength(r);
  const end = r.pos + len;
  if (len === 0) throw new DecodeError('BAD_VALUE', at, 'empty Content-general-form');
  const mediaAt = r.pos;
  const m = r.peek();
  let ct: ContentType;
  if (m & 0x80 || m <= 30) {
    const code = readIntegerValueChecked(r);
    ct = { type: typeName(code, mediaAt), code, params: NO_PARAMS };
  } else ct = { type: readTextString(r), params: NO_PARAMS };
  if (r.pos > end) throw new DecodeError('BAD_LENGTH', at, 'media type runs past its Value-length');
  if (r.pos < end) ct.params = readParameters(r, end, limits);
  // Constrained-media takes a Short-integer code or a text alone; a Long-integer code needs this form.
  else if (m & 0x80 || m > 30) sayGeneralFormAlone(at);
  if (r.pos !== end) throw new DecodeError('BAD_LENGTH', at, 'parameters do not end at the Value-length');
  return ct;
}

function sayGeneralFormAlone(at: number): void {
  warn(WarningCode.NON_MINIMAL, at, 'Content-general-form with no parameters where Constrained-media fits');
}

/** Writes the shortest form: a Short-integer alone when there are no parameters. */
export function writeContentType(w: ByteWriter, type: string, params?: Parameters): void {
  const code = typeCode(type);
  const hasParams = params !== undefined && Object.keys(params).length > 0;
  if (!hasParams) {
    if (code !== undefined && code < 0x80) w.u8(0x80 | code);
    else if (code !== undefined) {
      const inner = new ByteWriter(8);
      writeIntegerValue(inner, code);
      const b = inner.finish();
      writeValueLength(w, b.length);
      w.bytes(b);
    } else writeTextString(w, type);
    return;
  }
  const inner = new ByteWriter(32);
  if (code !== undefined) writeIntegerValue(inner, code);
  else writeTextString(inner, type);
  writeParameters(inner, params);
  const b = inner.finish();
  writeValueLength(w, b.length);
  w.bytes(b);
}

function typeCode(type: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(type)) return parseInt(type, 16);
  const code = contentTypes.code(type);
  if (type.length === 0) throw new EncodeError('BAD_INPUT', 'empty content type');
  return code;
}

/** "type; a=b; c=\"d e\"" as HTTP writes it (RFC 2616 3.7). */
export function formatContentType(type: string, params: Parameters): string {
  let s = type;
  for (const [k, v] of Object.entries(params)) s += `; ${formatParam(k, v)}`;
  return s;
}

export function formatParam(k: string, v: string | number): string {
  if (v === '') return k;
  const text = String(v);
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(text) ? `${k}=${text}` : `${k}="${text.replace(/(["\\])/g, '\\$1')}"`;
}

/** Parses the HTTP form back: media type and parameters (numbers stay strings unless numeric-only params). */
export function parseContentType(text: string): { type: string; params: Parameters } {
  const parts = splitParams(text);
  const type = parts.shift()!.trim();
  const params: Parameters = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) params[p.trim().toLowerCase()] = '';
    else {
      const k = p.slice(0, eq).trim().toLowerCase();
      let v = p.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
      params[k] = NUMERIC_PARAMS.has(k) && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
  }
  return { type, params };
}

const NUMERIC_PARAMS = new Set(['q', 'padding', 'max-age', 'sec', 'size']);

/** Splits on ';' outside quoted strings. */
export function splitParams(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted && i + 1 < text.length) {
      cur += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.filter((p, i) => i === 0 || p.trim() !== '');
}
