/**
 * Content-type and header parameters (WAP-230 8.4.2.4, Table 38): typed well-known
 * parameters with their value encodings, and untyped ones (Token-text + Integer/Text-value).
 */
import { charsetByMib, charsetByName } from '../charset/mibenum.js';
import { DecodeError, EncodeError } from '../errors.js';
import { toHex } from '../hex.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { warn, WarningCode } from '../warnings.js';
import type { ByteWriter } from '../writer.js';
import { contentTypes } from './contentTypes.js';
import { headerFields, headerCode } from './headerFields.js';
import {
  readDateValue,
  readIntegerValueChecked,
  readQValue,
  readShortInteger,
  readTextString,
  readTextValue,
  readTokenText,
  readVersionValue,
  valueEnd,
  writeDateValue,
  writeIntegerValue,
  writeQValue,
  writeShortInteger,
  writeTextString,
  writeTextValue,
  writeTokenText,
  writeVersionValue,
} from './primitives.js';

export type ParameterValue = string | number;
export type Parameters = Record<string, ParameterValue>;

type ParamKind =
  | 'q'
  | 'charset'
  | 'version'
  | 'integer'
  | 'text'
  | 'textValue'
  | 'fieldName'
  | 'short'
  | 'constrainedEncoding'
  | 'noValue'
  | 'date';

/**
 * Well-known parameter assignments. Source: WAP-230-WSP-20010705-a Table 38 (encoding
 * versions 1.1-1.4); cross-checked with the Android WspTypeDecoder parameter table.
 * Names are lower-case as the decode JSON shows them.
 */
const PARAMS: ReadonlyArray<readonly [number, string, ParamKind]> = [
  [0x00, 'q', 'q'],
  [0x01, 'charset', 'charset'],
  [0x02, 'level', 'version'],
  [0x03, 'type', 'integer'],
  [0x05, 'name', 'text'],
  [0x06, 'filename', 'text'],
  [0x07, 'differences', 'fieldName'],
  [0x08, 'padding', 'short'],
  [0x09, 'type', 'constrainedEncoding'],
  [0x0a, 'start', 'text'],
  [0x0b, 'start-info', 'text'],
  [0x0c, 'comment', 'text'],
  [0x0d, 'domain', 'text'],
  [0x0e, 'max-age', 'integer'],
  [0x0f, 'path', 'text'],
  [0x10, 'secure', 'noValue'],
  [0x11, 'sec', 'short'],
  [0x12, 'mac', 'textValue'],
  [0x13, 'creation-date', 'date'],
  [0x14, 'modification-date', 'date'],
  [0x15, 'read-date', 'date'],
  [0x16, 'size', 'integer'],
  [0x17, 'name', 'textValue'],
  [0x18, 'filename', 'textValue'],
  [0x19, 'start', 'textValue'],
  [0x1a, 'start-info', 'textValue'],
  [0x1b, 'comment', 'textValue'],
  [0x1c, 'domain', 'textValue'],
  [0x1d, 'path', 'textValue'],
];

const byCode: Array<readonly [string, ParamKind] | undefined> = [];
for (const [code, name, kind] of PARAMS) byCode[code] = [name, kind];

/** Codes the encoder uses per name: the WSP 1.2-compatible one, and 'type' by value type. */
const ENCODE_AS: Record<string, number> = {
  q: 0x00,
  charset: 0x01,
  level: 0x02,
  name: 0x05,
  filename: 0x06,
  differences: 0x07,
  padding: 0x08,
  start: 0x0a,
  'start-info': 0x0b,
  comment: 0x0c,
  domain: 0x0d,
  'max-age': 0x0e,
  path: 0x0f,
  secure: 0x10,
  sec: 0x11,
  mac: 0x12,
  'creation-date': 0x13,
  'modification-date': 0x14,
  'read-date': 0x15,
  size: 0x16,
};

function readTyped(r: ByteReader, kind: ParamKind): ParameterValue {
  switch (kind) {
    case 'q':
      return readQValue(r);
    case 'charset':
      return readCharset(r);
    case 'version':
      return readVersionValue(r);
    case 'integer':
      return readIntegerValueChecked(r);
    case 'short':
      return readShortInteger(r);
    case 'text':
      return readTextString(r);
    case 'textValue':
      return readTextValue(r);
    case 'date':
      return readDateValue(r);
    case 'noValue': {
      const at = r.pos;
      if (r.u8() !== 0) throw new DecodeError('BAD_VALUE', at, 'expected No-value');
      return '';
    }
    case 'fieldName': {
      const b = r.peek();
      if (b & 0x80) {
        r.pos++;
        return headerFields.name(b & 0x7f) ?? unknownCode(r.pos - 1, b & 0x7f, 'header field');
      }
      return readTokenText(r);
    }
    case 'constrainedEncoding': {
      const b = r.peek();
      if (b & 0x80) {
        r.pos++;
        return contentTypes.name(b & 0x7f) ?? unknownCode(r.pos - 1, b & 0x7f, 'content type');
      }
      return readTextString(r);
    }
  }
}

/** A well-known code with no name here: kept as "0x5b", and said (UNKNOWN_CODE). */
export function unknownCode(at: number, code: number, what: string): string {
  const name = `0x${code.toString(16)}`;
  warn(WarningCode.UNKNOWN_CODE, at, `${what} code ${name} is not one this decoder knows; kept as the code`);
  return name;
}

function sayUnknownCharset(at: number, name: string): void {
  warn(WarningCode.CHARSET, at, `charset ${JSON.stringify(name)} is not one this decoder knows`);
}

/** Well-known-charset: Any-charset (0x80) or Integer-value MIBenum, shown by name. */
export function readCharset(r: ByteReader): string {
  const b = r.peek();
  if (b >= 0x20 && b < 0x80) {
    // Some senders use the name as text.
    const at = r.pos;
    const name = readTextString(r);
    if (name !== '*' && !charsetByName(name)) sayUnknownCharset(at, name);
    return name;
  }
  const at = r.pos;
  const mib = readIntegerValueChecked(r);
  if (mib === 0 && b & 0x80) return '*';
  const cs = charsetByMib(mib);
  if (!cs) throw new DecodeError('UNKNOWN_CHARSET', at, `unknown charset MIBenum ${mib}`);
  return cs.name;
}

export function writeCharset(w: ByteWriter, name: string | number): void {
  if (name === '*') return void w.u8(0x80);
  const mib = typeof name === 'number' ? name : charsetByName(name)?.mib;
  if (mib === undefined) throw new EncodeError('BAD_INPUT', `unknown charset: ${name}`);
  writeIntegerValue(w, mib);
}

/** Reads parameters until `end`; at most limits.maxParameters. */
export function readParameters(r: ByteReader, end: number, limits: Limits): Parameters {
  const params: Parameters = {};
  let count = 0;
  while (r.pos < end) {
    if (++count > limits.maxParameters) {
      throw new DecodeError('LIMIT', r.pos, `more than maxParameters (${limits.maxParameters}) parameters`);
    }
    const b = r.peek();
    if (b & 0x80 || b <= 30) {
      const at = r.pos;
      const code = readIntegerValueChecked(r);
      const known = byCode[code];
      if (known) params[known[0]] = readTyped(r, known[1]);
      else {
        // Unknown typed parameter: its value encoding is unknown, keep it by its extent.
        const name = unknownCode(at, code, 'parameter');
        const vEnd = valueEnd(r);
        params[name] = readGeneric(r, vEnd);
      }
      if (r.pos > end) throw new DecodeError('BAD_LENGTH', at, 'parameter runs past its value length');
    } else {
      const name = readTokenText(r).toLowerCase();
      const v = r.peek();
      params[name] = v === 0 || v === 0x22 || (v >= 0x20 && v < 0x80) ? readTextValue(r) : readIntegerValueChecked(r);
      if (r.pos > end) throw new DecodeError('BAD_LENGTH', r.pos, 'parameter runs past its value length');
    }
  }
  return params;
}

/** A value of unknown encoding: number, string, or hex of its octets. */
export function readGeneric(r: ByteReader, end: number): string | number {
  const b = r.peek();
  if (b & 0x80) {
    r.pos++;
    return b & 0x7f;
  }
  if (b >= 0x20) return readTextString(r);
  const v = r.buf.subarray(r.pos, end);
  r.pos = end;
  return toHex(v);
}

export function writeParameters(w: ByteWriter, params: Parameters | undefined): void {
  if (!params) return;
  for (const [rawName, value] of Object.entries(params)) {
    const name = rawName.toLowerCase();
    if (name === 'type') {
      if (typeof value === 'number') {
        w.u8(0x83);
        writeIntegerValue(w, value);
      } else {
        w.u8(0x89);
        const code = contentTypes.code(value);
        if (code !== undefined && code < 0x80) w.u8(0x80 | code);
        else writeTextString(w, value);
      }
      continue;
    }
    const code = ENCODE_AS[name];
    if (code === undefined) {
      writeTokenText(w, rawName);
      if (typeof value === 'number') writeIntegerValue(w, value);
      else writeTextValue(w, value);
      continue;
    }
    w.u8(0x80 | code);
    const kind = byCode[code]![1];
    switch (kind) {
      case 'q':
        writeQValue(w, Number(value));
        break;
      case 'charset':
        writeCharset(w, value);
        break;
      case 'version':
        writeVersionValue(w, String(value));
        break;
      case 'integer':
        writeIntegerValue(w, Number(value));
        break;
      case 'short':
        writeShortInteger(w, Number(value));
        break;
      case 'text':
        writeTextString(w, String(value));
        break;
      case 'textValue':
        writeTextValue(w, String(value));
        break;
      case 'date':
        writeDateValue(w, value);
        break;
      case 'noValue':
        w.u8(0);
        break;
      case 'fieldName': {
        const hc = headerCode(String(value));
        if (hc !== undefined) w.u8(0x80 | hc);
        else writeTokenText(w, String(value));
        break;
      }
      case 'constrainedEncoding':
        break; // handled as 'type' above
    }
  }
}
