/**
 * WSP headers (WAP-230 8.4.2.6 and 8.4.1.1): well-known fields by code with the value
 * encoding each defines, application headers (Token-text: Text-string), and code-page
 * shifts. Nothing is dropped: a code without a known meaning keeps its code and octets.
 */
import { DecodeError, EncodeError } from '../errors.js';
import { fromBase64, toBase64 } from '../base64.js';
import { toHex } from '../hex.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { applicationIds } from './applicationIds.js';
import {
  formatContentType,
  formatParam,
  parseContentType,
  readContentType,
  splitParams,
  writeContentType,
} from './contentType.js';
import { HEADER_TOKENS, headerCode, headerFields, headerKind, type HeaderKind } from './headerFields.js';
import { languages } from './languages.js';
import { readCharset, readGeneric, readParameters, unknownCode, writeCharset, writeParameters } from './parameters.js';
import {
  DEFAULT_PAGE,
  pageShift,
  readDateValue,
  readIntegerValueChecked,
  readQValue,
  readQuotedString,
  readShortInteger,
  readTextString,
  readTokenText,
  readUintvar,
  readValueLength,
  readVersionValue,
  SHIFT_DELIMITER,
  valueEnd,
  writeDateValue,
  writeIntegerValue,
  writeQValue,
  writeQuotedString,
  writeShortInteger,
  writeTextString,
  writeTokenText,
  writeValueBlock,
  writeValueLength,
  writeVersionValue,
} from './primitives.js';
import { warn, WarningCode } from '../warnings.js';
import { readChallenge, readCredentials, writeChallenge, writeCredentials } from './authHeaders.js';
import { readCookie, readSetCookie, writeCookie, writeSetCookie } from './cookieHeaders.js';
import { readExpect, readPragma, readTe, writeExpect, writePragma, writeTe } from './directiveHeaders.js';
import {
  readLocation,
  readOctets,
  readProfileWarning,
  writeLocation,
  writeOctets,
  writeProfileWarning,
} from './profileHeaders.js';
import { readRange, writeRange } from './rangeHeader.js';
import { cacheDirectives, contentEncodings, dispositions, methods, warnCodes } from './wellKnownValues.js';

export interface WspHeader {
  /** Canonical name of a well-known field, the token of an application header, or "0x5b" / "page2:0x05". */
  name: string;
  value: string | number;
  /** Field code, for well-known headers. */
  code?: number;
  /** Header code page when not the default page 1. */
  page?: number;
  /** The value's octets, kept for values whose encoding has no textual form here. */
  raw?: Uint8Array;
}

const CONTENT_ENCODING = 0x0b;
const CONTENT_LANGUAGE = 0x0c;
const PUSH_FLAG = 0x34;
/** Push-Flag bits 0-2 are defined (WAP-235 Push OTA); the rest are reserved. */
const PUSH_FLAG_RESERVED = 0x78;
/** App IDs up to here are assigned by OMNA (well-known and registered); above, experimental ones. */
const LAST_REGISTERED_APP_ID = 0xffff;

export function readHeaders(r: ByteReader, end: number, limits: Limits): WspHeader[] {
  const headers: WspHeader[] = [];
  let page = DEFAULT_PAGE;
  const saveEnd = r.end;
  r.end = end;
  try {
    while (r.pos < end) {
      const at = r.pos;
      const b = r.u8();
      const shift = pageShift(r, b);
      if (shift >= 0) {
        page = shift;
        continue;
      }
      if (headers.length >= limits.maxHeaders) {
        throw new DecodeError('LIMIT', at, `more than maxHeaders (${limits.maxHeaders}) headers`);
      }
      if (b & 0x80) {
        const code = b & 0x7f;
        const vEnd = valueEnd(r);
        const kind = page === DEFAULT_PAGE ? headerKind(code) : undefined;
        if (kind === undefined) {
          const raw = r.buf.subarray(r.pos, vEnd);
          const name = page === DEFAULT_PAGE ? `0x${code.toString(16)}` : `page${page}:0x${code.toString(16)}`;
          sayUnknownHeader(at, name);
          const h: WspHeader = { name, value: readGeneric(r, vEnd), code, raw };
          if (page !== DEFAULT_PAGE) h.page = page;
          r.pos = vEnd;
          headers.push(h);
          continue;
        }
        const h = readWellKnown(r, code, kind, vEnd, limits);
        if (r.pos !== vEnd)
          throw new DecodeError('BAD_LENGTH', at, `${h.name} value does not end where its length says`);
        headers.push(h);
      } else if (b === 0) {
        throw new DecodeError('BAD_VALUE', at, 'empty header name');
      } else {
        r.pos = at;
        const name = readTokenText(r);
        const vEnd = valueEnd(r);
        const value = readGeneric(r, vEnd);
        r.pos = vEnd;
        headers.push({ name, value });
      }
    }
  } finally {
    r.end = saveEnd;
  }
  return headers;
}

function readWellKnown(r: ByteReader, code: number, kind: HeaderKind, vEnd: number, limits: Limits): WspHeader {
  const name = headerFields.name(code)!;
  const h: WspHeader = { name, value: '', code };
  const b = r.peek();
  switch (kind) {
    case 'text':
    case 'uri':
      h.value = readTextString(r);
      break;
    case 'quoted':
      h.value = b === 0x22 ? readQuotedString(r) : readTextString(r);
      break;
    case 'integer':
      h.value = readIntegerValueChecked(r);
      break;
    case 'short': {
      const at = r.pos;
      h.value = readShortInteger(r);
      if (code === PUSH_FLAG && h.value & PUSH_FLAG_RESERVED) sayReservedBits(at, h.value);
      break;
    }
    case 'date':
      h.value = readDateValue(r);
      break;
    case 'dateOrText':
      h.value = b <= 30 ? readDateValue(r) : readTextString(r);
      break;
    case 'contentType': {
      const ct = readContentType(r, limits);
      h.value = formatContentType(ct.type, ct.params);
      break;
    }
    case 'charset':
      h.value = withQ(r, vEnd, readCharset);
      break;
    case 'language':
      h.value = code === CONTENT_LANGUAGE ? readLanguage(r) : withQ(r, vEnd, readLanguage);
      break;
    case 'encoding':
      h.value =
        code === CONTENT_ENCODING
          ? readToken(r, contentEncodings.entries)
          : withQ(r, vEnd, (rr) => readToken(rr, contentEncodings.entries, '*'));
      break;
    case 'appId':
      if (b & 0x80 || b <= 30) {
        const at = r.pos;
        const id = readIntegerValueChecked(r);
        const name = applicationIds.name(id);
        h.value = code === 0x32 && id === 0 && b === 0x80 ? '*' : (name ?? id);
        if (name === undefined && h.value !== '*' && id <= LAST_REGISTERED_APP_ID) sayUnknownAppId(at, id);
      } else h.value = readTextString(r);
      break;
    case 'fieldName':
      h.value = b & 0x80 ? (r.pos++, fieldName(b & 0x7f, r.pos - 1)) : readTokenText(r);
      break;
    case 'method':
      h.value =
        b & 0x80 ? (r.pos++, methods.name(b & 0x7f) ?? unknownValue(r.pos - 1, b & 0x7f, name)) : readTokenText(r);
      break;
    case 'token':
      if (b & 0x80) {
        r.pos++;
        const t = HEADER_TOKENS[code]?.find(([c]) => c === (b & 0x7f));
        h.value = t ? t[1] : unknownValue(r.pos - 1, b & 0x7f, name);
      } else if (b >= 0x20) h.value = readTokenText(r);
      else keepRaw(r, h, vEnd);
      break;
    case 'cacheControl':
      h.value = readCacheControl(r, vEnd, limits);
      break;
    case 'contentDisposition': {
      const len = readValueLength(r);
      const end = r.pos + len;
      const d = readToken(r, dispositions.entries);
      const params = r.pos < end ? readParameters(r, end, limits) : {};
      h.value = formatContentType(String(d), params);
      break;
    }
    case 'encodingVersion':
      if (b <= 30) {
        readValueLength(r);
        const page = readShortInteger(r);
        h.value = r.pos < vEnd ? `${readVersionValue(r)};page=${page}` : `;page=${page}`;
      } else h.value = readVersionValue(r);
      break;
    case 'md5': {
      const len = readValueLength(r);
      h.value = toBase64(r.view(len, 'a digest'));
      break;
    }
    case 'contentRange': {
      readValueLength(r);
      const first = readUintvar(r, 'Content-Range first-byte-pos');
      let total: string | number = '*';
      if (r.pos < vEnd) total = r.peek() === 0x80 ? (r.pos++, '*') : readUintvar(r, 'Content-Range entity-length');
      h.value = `bytes ${first}-/${total}`;
      break;
    }
    case 'retryAfter': {
      readValueLength(r);
      const form = r.u8();
      if (form === 0x80) h.value = readDateValue(r);
      else if (form === 0x81) h.value = readIntegerValueChecked(r);
      else throw new DecodeError('BAD_VALUE', r.pos - 1, `bad Retry-After form 0x${form.toString(16)}`);
      break;
    }
    case 'warning':
      if (b & 0x80) {
        r.pos++;
        h.value = warnCodes.name(b & 0x7f) ?? unknownValue(r.pos - 1, b & 0x7f, name);
      } else {
        readValueLength(r);
        const wc = readShortInteger(r);
        const agent = readTextString(r);
        const text = readTextString(r);
        h.value = `${warnCodes.name(wc) ?? wc} ${agent} "${text}"`;
      }
      break;
    case 'credentials':
    case 'challenge':
    case 'range':
    case 'profileDiff':
    case 'profileWarning':
    case 'location':
    case 'setCookie':
    case 'cookie':
    case 'expect':
    case 'te':
    case 'pragma': {
      const start = r.pos;
      const v = STRUCTURED[kind](r, vEnd, limits);
      // What the HTTP form cannot say exactly stays the octets it was, as it was before that form.
      if (v === undefined) {
        r.pos = start;
        keepRaw(r, h, vEnd);
      } else h.value = v;
      break;
    }
  }
  return h;
}

/**
 * The offset of the value of the first well-known header `code` on the default page in the block
 * [start, end) of `buf`, found by extents alone (a cold path: a warning's offset); -1 if none.
 */
export function headerValueOffset(r: ByteReader, start: number, end: number, code: number): number {
  const save = r.pos;
  const saveEnd = r.end;
  r.pos = start;
  r.end = end;
  let page = DEFAULT_PAGE;
  try {
    while (r.pos < end) {
      const b = r.u8();
      const shift = pageShift(r, b);
      if (shift >= 0) page = shift;
      else {
        if (b & 0x80) {
          if ((b & 0x7f) === code && page === DEFAULT_PAGE) return r.pos;
        } else r.pos = r.findNul('a header name') + 1;
        r.pos = valueEnd(r);
      }
    }
    return -1;
  } finally {
    r.pos = save;
    r.end = saveEnd;
  }
}

type StructuredKind = Extract<
  HeaderKind,
  | 'credentials'
  | 'challenge'
  | 'range'
  | 'profileDiff'
  | 'profileWarning'
  | 'location'
  | 'setCookie'
  | 'cookie'
  | 'expect'
  | 'te'
  | 'pragma'
>;

/** The readers of the values that have an HTTP form; undefined: that form cannot say these octets. */
const STRUCTURED: Readonly<
  Record<StructuredKind, (r: ByteReader, vEnd: number, limits: Limits) => string | number | undefined>
> = {
  credentials: readCredentials,
  challenge: readChallenge,
  range: (r, vEnd) => readRange(r, vEnd),
  profileDiff: (r) => readOctets(r),
  profileWarning: (r, vEnd) => readProfileWarning(r, vEnd),
  location: (r) => readLocation(r),
  setCookie: readSetCookie,
  cookie: (r, vEnd) => readCookie(r, vEnd),
  expect: readExpect,
  te: (r, vEnd) => readTe(r, vEnd),
  pragma: readPragma,
};

/** Keeps a Value-length value as octets (hex in the value, view in raw). */
function keepRaw(r: ByteReader, h: WspHeader, vEnd: number): void {
  // A Value-length value keeps the octets after its length; a text value, all of its own.
  const len = r.peek() <= 31 ? readValueLength(r) : vEnd - r.pos;
  h.raw = r.view(len);
  h.value = toHex(h.raw);
  r.pos = vEnd;
}

/**
 * Accept-Charset / Accept-Language / Accept-Encoding: the bare form is a Short-integer or a
 * text (Constrained-encoding), so a first octet of 0-31 can only be the general form:
 * Value-length, the item, an optional Q-value (WAP-230 8.4.2.8-8.4.2.10).
 */
function withQ(r: ByteReader, vEnd: number, inner: (r: ByteReader) => string | number): string | number {
  if (r.peek() > 31) return inner(r);
  const at = r.pos;
  readValueLength(r);
  const bare = r.peek() > 31;
  const v = inner(r);
  if (r.pos < vEnd) return `${v};q=${readQValue(r)}`;
  if (bare) warn(WarningCode.NON_MINIMAL, at, 'a Value-length and no Q-value where the bare form fits');
  return v;
}

// Cold paths, out of line: the readers stay small enough for V8 to inline them.

function sayReservedBits(at: number, flag: number): void {
  warn(WarningCode.RESERVED_BITS, at, `Push-Flag 0x${flag.toString(16)} sets reserved bits (only 0-2 are defined)`);
}

function sayUnknownAppId(at: number, id: number): void {
  warn(WarningCode.UNKNOWN_CODE, at, `application id 0x${id.toString(16)} is not one this decoder knows`);
}

function sayUnknownHeader(at: number, name: string): void {
  warn(
    WarningCode.UNKNOWN_CODE,
    at,
    `header field ${name} is not one this decoder knows; its value is kept as it was sent`,
  );
}

/** A Short-integer value with no name in its table: kept as the number, and said (UNKNOWN_CODE). */
function unknownValue(at: number, value: number, header: string): number {
  warn(WarningCode.UNKNOWN_CODE, at, `${header} value 0x${value.toString(16)} is not one this decoder knows`);
  return value;
}

function fieldName(code: number, at: number): string {
  return headerFields.name(code) ?? unknownCode(at, code, 'header field');
}

function readLanguage(r: ByteReader): string | number {
  const b = r.peek();
  if (b & 0x80 || b <= 30) {
    const at = r.pos;
    const code = readIntegerValueChecked(r);
    return languages.name(code) ?? unknownValue(at, code, 'language');
  }
  return readTextString(r);
}

function readToken(r: ByteReader, table: ReadonlyArray<readonly [number, string]>, any?: string): string | number {
  const b = r.peek();
  if (b & 0x80) {
    r.pos++;
    const c = b & 0x7f;
    if (any !== undefined && c === 3) return any;
    return table.find(([k]) => k === c)?.[1] ?? unknownValue(r.pos - 1, c, 'token');
  }
  return readTokenText(r);
}

function readCacheControl(r: ByteReader, vEnd: number, limits: Limits): string | number {
  const b = r.peek();
  if (b & 0x80) {
    r.pos++;
    return cacheDirectives.name(b & 0x7f) ?? unknownValue(r.pos - 1, b & 0x7f, 'Cache-Control');
  }
  if (b >= 0x20) return readTokenText(r);
  readValueLength(r);
  const d = r.peek();
  if (d & 0x80) {
    r.pos++;
    const name = cacheDirectives.name(d & 0x7f) ?? String(unknownValue(r.pos - 1, d & 0x7f, 'Cache-Control'));
    if (r.pos >= vEnd) return name;
    const code = d & 0x7f;
    if (code === 0x00 || code === 0x07) {
      // no-cache / private: list of field names
      const fields: string[] = [];
      while (r.pos < vEnd) {
        const f = r.peek();
        fields.push(f & 0x80 ? (r.pos++, fieldName(f & 0x7f, r.pos - 1)) : readTokenText(r));
      }
      return `${name}="${fields.join(', ')}"`;
    }
    return `${name}=${readIntegerValueChecked(r)}`;
  }
  // Cache-extension: Token-text then a parameter value
  const ext = readTokenText(r);
  if (r.pos >= vEnd) return ext;
  const params = readParameters(r, vEnd, limits);
  const [k, v] = Object.entries(params)[0] ?? [ext, ''];
  return `${ext}; ${formatParam(k, v)}`;
}

// ---- encoder --------------------------------------------------------------------------

/** Writes headers with well-known codes where they exist (code page 1, WSP 1.2 codes first). */
export function writeHeaders(w: ByteWriter, headers: ReadonlyArray<WspHeader>): void {
  for (const h of headers) writeHeader(w, h);
}

export function writeHeader(w: ByteWriter, h: WspHeader): void {
  const code = h.code ?? headerCode(h.name) ?? (/^0x[0-9a-f]+$/i.test(h.name) ? parseInt(h.name, 16) : undefined);
  const kind = code !== undefined && (h.page ?? 1) === 1 ? headerKind(code) : undefined;
  if (code === undefined) {
    writeTokenText(w, h.name);
    writeApplicationValue(w, h);
    return;
  }
  if ((h.page ?? 1) !== 1) w.u8(SHIFT_DELIMITER).u8(h.page!);
  w.u8(0x80 | code);
  if (kind === undefined || h.raw) writeApplicationValue(w, h);
  else writeWellKnown(w, code, kind, h.value);
  if ((h.page ?? 1) !== 1) w.u8(SHIFT_DELIMITER).u8(1);
}

function writeApplicationValue(w: ByteWriter, h: WspHeader): void {
  if (h.raw) {
    writeValueLength(w, h.raw.length);
    w.bytes(h.raw);
  } else if (typeof h.value === 'number') writeIntegerValue(w, h.value);
  else writeTextString(w, h.value);
}

function writeWellKnown(w: ByteWriter, code: number, kind: HeaderKind, value: string | number): void {
  const s = String(value);
  switch (kind) {
    case 'text':
    case 'uri':
      return writeTextString(w, s);
    case 'quoted':
      return writeQuotedString(w, s);
    case 'integer':
      return writeIntegerValue(w, Number(value));
    case 'short':
      return writeShortInteger(w, Number(value));
    case 'date':
      return writeDateValue(w, value);
    case 'dateOrText':
      return /^\d{4}-\d\d-\d\dT/.test(s) ? writeDateValue(w, s) : writeTextString(w, s);
    case 'contentType': {
      const ct = parseContentType(s);
      return writeContentType(w, ct.type, ct.params);
    }
    case 'charset':
      return writeWithQ(w, s, false, (iw, v) => writeCharset(iw, v));
    case 'language':
      return writeWithQ(w, s, code === CONTENT_LANGUAGE, (iw, v) => {
        const c = languages.code(v);
        if (c !== undefined) writeIntegerValue(iw, c);
        else writeTextString(iw, v);
      });
    case 'encoding':
      return writeWithQ(w, s, code === CONTENT_ENCODING, (iw, v) => {
        if (v === '*') return void iw.u8(0x83);
        const c = contentEncodings.code(v);
        if (c !== undefined) iw.u8(0x80 | c);
        else writeTokenText(iw, v);
      });
    case 'appId': {
      if (typeof value === 'number') return writeIntegerValue(w, value);
      if (s === '*' && code === 0x32) return void w.u8(0x80);
      const c = applicationIds.code(s);
      return c !== undefined ? writeIntegerValue(w, c) : writeTextString(w, s);
    }
    case 'fieldName': {
      const c = headerCode(s);
      return c !== undefined ? void w.u8(0x80 | c) : writeTokenText(w, s);
    }
    case 'method': {
      const c = typeof value === 'number' ? value : methods.code(s);
      return c !== undefined ? void w.u8(0x80 | c) : writeTokenText(w, s);
    }
    case 'token': {
      const t = HEADER_TOKENS[code]?.find(([, n]) => n === s.toLowerCase());
      if (t) return void w.u8(0x80 | t[0]);
      if (typeof value === 'number') return writeShortInteger(w, value);
      return writeTokenText(w, s);
    }
    case 'cacheControl':
      return writeCacheControl(w, s);
    case 'contentDisposition': {
      const ct = parseContentType(s);
      const inner = new ByteWriter(32);
      const c = dispositions.code(ct.type);
      if (c !== undefined) inner.u8(0x80 | c);
      else writeTokenText(inner, ct.type);
      writeParameters(inner, ct.params);
      return writeValueBlock(w, inner);
    }
    case 'encodingVersion': {
      const m = /^(.*);page=(\d+)$/.exec(s);
      if (!m) return writeVersionValue(w, s);
      const inner = new ByteWriter(8);
      writeShortInteger(inner, Number(m[2]));
      if (m[1]) writeVersionValue(inner, m[1]);
      return writeValueBlock(w, inner);
    }
    case 'md5': {
      const digest = fromBase64(s);
      writeValueLength(w, digest.length);
      w.bytes(digest);
      return;
    }
    case 'contentRange': {
      const m = /^bytes (\d+)-\/(\d+|\*)$/.exec(s);
      if (!m) throw new EncodeError('BAD_INPUT', `Content-Range must look like "bytes N-/M": ${s}`);
      const inner = new ByteWriter(12);
      inner.uintvar(Number(m[1]));
      if (m[2] === '*') inner.u8(0x80);
      else inner.uintvar(Number(m[2]));
      return writeValueBlock(w, inner);
    }
    case 'retryAfter': {
      const inner = new ByteWriter(8);
      if (typeof value === 'number' || /^\d+$/.test(s)) {
        inner.u8(0x81);
        writeIntegerValue(inner, Number(value));
      } else {
        inner.u8(0x80);
        writeDateValue(inner, s);
      }
      return writeValueBlock(w, inner);
    }
    case 'warning': {
      const m = /^(\d{3}) (\S+) "(.*)"$/.exec(s);
      const wc = warnCodes.code(m ? m[1] : s) ?? (typeof value === 'number' ? value : undefined);
      if (wc === undefined) throw new EncodeError('BAD_INPUT', `bad Warning value: ${s}`);
      if (!m) return void w.u8(0x80 | wc);
      const inner = new ByteWriter(32);
      writeShortInteger(inner, wc);
      writeTextString(inner, m[2]);
      writeTextString(inner, m[3]);
      return writeValueBlock(w, inner);
    }
    case 'credentials':
      return writeCredentials(w, s);
    case 'challenge':
      return writeChallenge(w, s);
    case 'range':
      return writeRange(w, s);
    case 'profileDiff':
      return writeOctets(w, s);
    case 'profileWarning':
      return writeProfileWarning(w, s);
    case 'location':
      return writeLocation(w, s);
    case 'setCookie':
      return writeSetCookie(w, s);
    case 'cookie':
      return writeCookie(w, s);
    case 'expect':
      return writeExpect(w, s);
    case 'te':
      return writeTe(w, s);
    case 'pragma':
      return writePragma(w, s);
  }
}

function writeWithQ(w: ByteWriter, s: string, bare: boolean, item: (w: ByteWriter, v: string) => void): void {
  const parts = splitParams(s);
  const q = parts.length > 1 ? /^\s*q=([\d.]+)\s*$/.exec(parts[1]) : null;
  const inner = new ByteWriter(16);
  item(inner, (q ? parts[0] : s).trim());
  if (q) writeQValue(inner, Number(q[1]));
  const b = inner.finish();
  // The bare form must not start with 0-31, or it would read as a general form.
  if (bare || (!q && b[0] > 31)) w.bytes(b);
  else {
    writeValueLength(w, b.length);
    w.bytes(b);
  }
}

function writeCacheControl(w: ByteWriter, s: string): void {
  const m = /^([^=;]+)(?:=(.*))?$/.exec(s.trim());
  const name = m ? m[1].trim() : s;
  const arg = m?.[2];
  const c = cacheDirectives.code(name);
  if (arg === undefined) {
    if (c !== undefined) return void w.u8(0x80 | c);
    return writeTokenText(w, name);
  }
  if (c === undefined) throw new EncodeError('BAD_INPUT', `unsupported Cache-Control value: ${s}`);
  const inner = new ByteWriter(16);
  inner.u8(0x80 | c);
  if (c === 0x00 || c === 0x07) {
    for (const f of arg.replace(/^"|"$/g, '').split(',')) {
      const fc = headerCode(f.trim());
      if (fc !== undefined) inner.u8(0x80 | fc);
      else writeTokenText(inner, f.trim());
    }
  } else writeIntegerValue(inner, Number(arg));
  writeValueBlock(w, inner);
}
