/**
 * MMS PDUs as a push carries them (OMA-MMS-ENC 1.3: m-notification-ind, m-delivery-ind,
 * m-read-orig-ind, and any other type at least as headers). Headers are read by the field
 * table (fields.ts); a Content-Type header ends the headers and what follows is the body,
 * which is counted, not decoded. Unknown well-known codes and application headers are kept.
 */
import { attachWarnings, closeWarnings, openWarnings, warn, WarningCode, type Warned } from '../warnings.js';
import { charsetByName } from '../charset/mibenum.js';
import { decodeText, encodeText, requireCharset } from '../charset/text.js';
import { DecodeError, EncodeError } from '../errors.js';
import { fromHex, toHex } from '../hex.js';
import { resolveLimits, type Limits } from '../limits.js';
import { ByteReader, EMPTY_OCTETS } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { readContentType, writeContentType } from '../wsp/contentType.js';
import type { Parameters } from '../wsp/parameters.js';
import {
  isoFromSeconds,
  readIntegerValue,
  readLongInteger,
  readShortInteger,
  readTextString,
  readTokenText,
  readValueLength,
  secondsFromIso,
  valueEnd,
  writeIntegerValue,
  writeLongInteger,
  writeTextString,
  writeTokenText,
  writeValueLength,
} from '../wsp/primitives.js';
import { MMS_FIELDS, MMS_FIELDS_BY_KEY, type MmsField } from './fields.js';
import { ABSOLUTE_TOKEN, ADDRESS_PRESENT_TOKEN, INSERT_ADDRESS_TOKEN, RELATIVE_TOKEN } from './values.js';

/** Encoded-string-value (7.2.9): text, and the charset when the sender named one. */
export interface EncodedString {
  text: string;
  charset?: string;
}
export type MmsTime = { absolute: string } | { relative: number };
export type MmsFrom = EncodedString | { insertAddress: true };

export interface MmsPdu extends Warned {
  type: 'mms';
  /** 'm-notification-ind', ...; the code for a type this table does not know. */
  messageType: string | number;
  transactionId?: string;
  version?: string;
  from?: MmsFrom;
  to?: EncodedString[];
  cc?: EncodedString[];
  bcc?: EncodedString[];
  subject?: EncodedString;
  messageClass?: string | number;
  messageSize?: number;
  expiry?: MmsTime;
  contentLocation?: string;
  priority?: string | number;
  deliveryReport?: string | number;
  date?: string;
  messageId?: string;
  status?: string | number;
  readStatus?: string | number;
  contentType?: { type: string; parameters: Parameters };
  /** Octets after the headers (multipart body of m-retrieve-conf and the like), counted only. */
  bodyLength?: number;
  /** Headers this table has no key for: unknown codes (`raw` hex) and application headers. */
  otherHeaders?: Array<{ name: string; value?: string; raw?: string }>;
  /** Fields OMA-MMS-ENC requires for this message type that the PDU lacks. */
  missing?: string[];
  [key: string]: unknown;
}

/** Fields each PDU type must carry (OMA-MMS-ENC 1.3 sections 6.x, the "Mandatory" rows). */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  'm-notification-ind': ['transactionId', 'version', 'messageClass', 'messageSize', 'expiry', 'contentLocation'],
  'm-delivery-ind': ['version', 'messageId', 'to', 'date', 'status'],
  'm-read-orig-ind': ['version', 'messageId', 'to', 'from', 'date', 'readStatus'],
};

/** One reader for every decode, released after each. */
const reader = new ByteReader(EMPTY_OCTETS);

function readEncodedString(r: ByteReader): EncodedString {
  const b = r.peek();
  if (b > 31) return { text: readTextString(r) };
  // An empty Text-string is its NUL alone, which would otherwise read as a Value-length of 0.
  if (b === 0) {
    r.pos++;
    return { text: '' };
  }
  const at = r.pos;
  const len = readValueLength(r);
  const end = r.pos + len;
  const saveEnd = r.end;
  r.end = end;
  try {
    const charsetAt = r.pos;
    const mib = readIntegerValue(r);
    const cs = requireCharset(mib, charsetAt);
    let start = r.pos;
    if (r.buf[start] === 0x7f) start++;
    let stop = end;
    // The terminating NUL is one code unit of the charset (two octets for UTF-16).
    while (stop > start && r.buf[stop - 1] === 0) stop--;
    if (cs.unit > 1) stop += (stop - start) % cs.unit;
    r.pos = end;
    return { text: decodeText(r.buf, start, stop, cs), charset: cs.name };
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError('BAD_VALUE', at, `bad Encoded-string-value: ${(e as Error).message}`);
  } finally {
    r.end = saveEnd;
  }
}

function readTime(r: ByteReader, field: MmsField): MmsTime {
  const at = r.pos;
  const len = readValueLength(r);
  const end = r.pos + len;
  const token = r.u8();
  let value: MmsTime;
  if (token === ABSOLUTE_TOKEN) value = { absolute: isoFromSeconds(readLongInteger(r)) };
  else if (token === RELATIVE_TOKEN) value = { relative: readIntegerValue(r) };
  else
    throw new DecodeError(
      'BAD_VALUE',
      at,
      `${field.name}: token 0x${token.toString(16)} is neither Absolute (0x80) nor Relative (0x81)`,
    );
  if (r.pos !== end) throw new DecodeError('BAD_LENGTH', at, `${field.name}: value does not end at its Value-length`);
  return value;
}

function readFrom(r: ByteReader): MmsFrom {
  const at = r.pos;
  const len = readValueLength(r);
  const end = r.pos + len;
  const token = r.u8();
  let value: MmsFrom;
  if (token === INSERT_ADDRESS_TOKEN) value = { insertAddress: true };
  else if (token === ADDRESS_PRESENT_TOKEN) {
    const saveEnd = r.end;
    r.end = end;
    try {
      value = readEncodedString(r);
    } finally {
      r.end = saveEnd;
    }
  } else
    throw new DecodeError(
      'BAD_VALUE',
      at,
      `From: token 0x${token.toString(16)} is neither Address-present (0x80) nor Insert-address (0x81)`,
    );
  if (r.pos !== end) throw new DecodeError('BAD_LENGTH', at, 'From: value does not end at its Value-length');
  return value;
}

function readVersion(r: ByteReader): string {
  const v = readShortInteger(r);
  const major = (v >> 4) & 0x07;
  const minor = v & 0x0f;
  return minor === 0x0f ? `${major}` : `${major}.${minor}`;
}

export function decodeMmsPdu(
  input: Uint8Array,
  options: { limits?: Partial<Limits>; baseOffset?: number } = {},
): MmsPdu {
  const outer = openWarnings();
  let pdu: MmsPdu;
  let warnings;
  try {
    pdu = readMms(input, options);
  } finally {
    warnings = closeWarnings(outer, options.baseOffset ?? 0);
  }
  attachWarnings(pdu, warnings);
  return pdu;
}

function readMms(input: Uint8Array, options: { limits?: Partial<Limits>; baseOffset?: number }): MmsPdu {
  const limits = resolveLimits(options.limits);
  const base = options.baseOffset ?? 0;
  const r = reader.reset(input);
  // type and messageType first, so the decoded object prints in the order a reader expects.
  const pdu = { type: 'mms', messageType: undefined } as unknown as MmsPdu;
  let count = 0;
  try {
    while (r.pos < r.end) {
      const at = r.pos;
      if (++count > limits.maxHeaders)
        throw new DecodeError('LIMIT', at, `more than maxHeaders (${limits.maxHeaders}) MMS headers`);
      const b = r.u8();
      if ((b & 0x80) === 0) {
        r.pos--;
        const name = readTokenText(r);
        const value = readTextString(r);
        (pdu.otherHeaders ??= []).push({ name, value });
        continue;
      }
      const field = MMS_FIELDS.get(b & 0x7f);
      if (!field) {
        const end = valueEnd(r);
        (pdu.otherHeaders ??= []).push({
          name: `0x${(b & 0x7f).toString(16).padStart(2, '0')}`,
          raw: toHex(r.buf.subarray(r.pos, end)),
        });
        r.pos = end;
        continue;
      }
      if (at === 0 && field.key !== 'messageType')
        throw new DecodeError('BAD_DOCUMENT', at, `an MMS PDU starts with X-Mms-Message-Type, not ${field.name}`);
      const v = field.value;
      let value: unknown;
      switch (v.kind) {
        case 'enum': {
          const octet = r.peek();
          if (octet < 0x80 && v.tokenText) value = readTokenText(r);
          else {
            const code = r.u8();
            value = v.table.name(code) ?? code;
          }
          break;
        }
        case 'text':
          value = readTextString(r);
          break;
        case 'encodedString':
          value = readEncodedString(r);
          break;
        case 'address':
          value = readEncodedString(r);
          break;
        case 'from':
          value = readFrom(r);
          break;
        case 'longInteger':
          value = readLongInteger(r);
          break;
        case 'integer':
          value = readIntegerValue(r);
          break;
        case 'date':
          value = isoFromSeconds(readLongInteger(r));
          break;
        case 'time':
          value = readTime(r, field);
          break;
        case 'version':
          value = readVersion(r);
          break;
        case 'contentType': {
          const ct = readContentType(r, limits);
          pdu.contentType = { type: ct.type, parameters: { ...ct.params } };
          pdu.bodyLength = r.end - r.pos;
          r.pos = r.end;
          continue;
        }
        case 'raw': {
          const end = valueEnd(r);
          value = { raw: toHex(r.buf.subarray(r.pos, end)) };
          r.pos = end;
          break;
        }
      }
      if (v.kind === 'address')
        (
          (pdu[field.key] as EncodedString[] | undefined) ??
          ((pdu[field.key] = [] as EncodedString[]) as EncodedString[])
        ).push(value as EncodedString);
      else pdu[field.key] = value;
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.code, e.offset + base, `MMS: ${e.message}`);
    throw e;
  } finally {
    reader.release();
  }
  if (pdu.messageType === undefined) throw new DecodeError('BAD_DOCUMENT', base, 'MMS PDU without X-Mms-Message-Type');
  const required = typeof pdu.messageType === 'string' ? REQUIRED[pdu.messageType] : undefined;
  if (required) {
    for (const k of required) {
      if (pdu[k] !== undefined) continue;
      (pdu.missing ??= []).push(k);
      // Decoded as it is, with the fields it has (docs/decoding.md: the one policy for what is missing).
      warn(WarningCode.MISSING_REQUIRED, 0, `${pdu.messageType} without ${k}, which OMA-MMS-ENC requires`);
    }
  }
  return pdu;
}

function writeEncodedString(w: ByteWriter, s: EncodedString | string): void {
  const v = typeof s === 'string' ? { text: s } : s;
  if (v.charset === undefined) {
    writeTextString(w, v.text);
    return;
  }
  const cs = charsetByName(v.charset);
  if (!cs) throw new EncodeError('BAD_INPUT', `unknown charset ${v.charset}`);
  const inner = new ByteWriter(v.text.length + 8);
  writeIntegerValue(inner, cs.mib);
  const text = encodeText(v.text, cs);
  // A Quote precedes text whose first octet is >= 0x7F, or the decoder would take that octet for the Quote.
  if (text[0] >= 0x7f && cs.unit === 1) inner.u8(0x7f);
  inner.bytes(text);
  for (let i = 0; i < cs.unit; i++) inner.u8(0);
  const b = inner.finish();
  writeValueLength(w, b.length);
  w.bytes(b);
}

function writeValue(w: ByteWriter, field: MmsField, value: unknown): void {
  const v = field.value;
  switch (v.kind) {
    case 'enum': {
      if (typeof value === 'number') w.u8(value);
      else {
        const code = v.table.code(String(value));
        if (code !== undefined) w.u8(code);
        else if (v.tokenText) writeTokenText(w, String(value));
        else throw new EncodeError('BAD_INPUT', `${field.name}: unknown value ${String(value)}`);
      }
      return;
    }
    case 'text':
      writeTextString(w, String(value));
      return;
    case 'encodedString':
    case 'address':
      writeEncodedString(w, value as EncodedString);
      return;
    case 'from': {
      const f = value as MmsFrom;
      const inner = new ByteWriter(32);
      if ('insertAddress' in f) inner.u8(INSERT_ADDRESS_TOKEN);
      else {
        inner.u8(ADDRESS_PRESENT_TOKEN);
        writeEncodedString(inner, f);
      }
      const b = inner.finish();
      writeValueLength(w, b.length);
      w.bytes(b);
      return;
    }
    case 'longInteger':
      writeLongInteger(w, Number(value));
      return;
    case 'integer':
      writeIntegerValue(w, Number(value));
      return;
    case 'date':
      writeLongInteger(w, secondsFromIso(value as string));
      return;
    case 'time': {
      const t = value as MmsTime;
      const inner = new ByteWriter(12);
      if ('absolute' in t) {
        inner.u8(ABSOLUTE_TOKEN);
        writeLongInteger(inner, secondsFromIso(t.absolute));
      } else {
        inner.u8(RELATIVE_TOKEN);
        writeLongInteger(inner, t.relative);
      }
      const b = inner.finish();
      writeValueLength(w, b.length);
      w.bytes(b);
      return;
    }
    case 'version': {
      const m = /^(\d)(?:\.(\d{1,2}))?$/.exec(String(value));
      if (!m || Number(m[2] ?? 15) > 15)
        throw new EncodeError('BAD_INPUT', `MMS version ${String(value)} is not major.minor`);
      w.u8(0x80 | (Number(m[1]) << 4) | Number(m[2] ?? 15));
      return;
    }
    case 'raw':
      w.bytes(fromHex((value as { raw: string }).raw));
      return;
    case 'contentType':
      return;
  }
}

export type MmsPduInit = Partial<MmsPdu> & { messageType: string | number; body?: Uint8Array };

/**
 * Encodes an MMS PDU: X-Mms-Message-Type, X-Mms-Transaction-Id and X-Mms-MMS-Version first
 * (OMA-MMS-ENC 1.3 7.1), then the other fields in the object's key order (a decoded PDU's
 * keys are in wire order, so it encodes back to the same octets), other headers, and a
 * Content-Type with its body last.
 */
export function encodeMmsPdu(pdu: MmsPduInit): Uint8Array {
  const w = new ByteWriter(128);
  const write = (key: string, value: unknown) => {
    const field = MMS_FIELDS_BY_KEY.get(key)!;
    for (const item of field.value.kind === 'address' ? (value as unknown[]) : [value]) {
      w.u8(0x80 | field.code);
      writeValue(w, field, item);
    }
  };
  if (pdu.messageType === undefined) throw new EncodeError('BAD_INPUT', 'an MMS PDU needs messageType');
  const first = ['messageType', 'transactionId', 'version'];
  for (const key of first) if (pdu[key] !== undefined) write(key, pdu[key]);
  for (const key of Object.keys(pdu)) {
    if (first.includes(key) || key === 'contentType' || pdu[key] === undefined || !MMS_FIELDS_BY_KEY.has(key)) continue;
    write(key, pdu[key]);
  }
  for (const h of pdu.otherHeaders ?? []) {
    if (h.raw !== undefined) {
      w.u8(0x80 | parseInt(h.name, 16));
      w.bytes(fromHex(h.raw));
    } else {
      writeTokenText(w, h.name);
      writeTextString(w, h.value ?? '');
    }
  }
  if (pdu.contentType) {
    w.u8(0x80 | 0x04);
    writeContentType(w, pdu.contentType.type, pdu.contentType.parameters);
    if (pdu.body) w.bytes(pdu.body);
  }
  for (const k of Object.keys(pdu)) {
    if (
      k !== 'otherHeaders' &&
      k !== 'body' &&
      k !== 'type' &&
      k !== 'missing' &&
      k !== 'warnings' &&
      k !== 'bodyLength' &&
      !MMS_FIELDS_BY_KEY.has(k)
    )
      throw new EncodeError('BAD_INPUT', `unknown MMS field ${k}`);
  }
  return w.finish();
}
