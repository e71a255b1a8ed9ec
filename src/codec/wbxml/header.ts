/**
 * WBXML document header (WBXML 1.3 section 5.4):
 *   version(u8) publicid(mb_u_int32 [0 + index]) charset(mb_u_int32, from 1.1) strtbl
 */
import { charsetByMib, type Charset } from '../charset/mibenum.js';
import { requireCharset } from '../charset/text.js';
import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { warn, WarningCode } from '../warnings.js';
import { publicIds, PUBLIC_ID_IN_STRING_TABLE } from './publicIds.js';
import { readTableString } from './strings.js';

export interface WbxmlHeader {
  /** "1.0" .. "1.3" (the version octet's major+1 "." minor). */
  version: string;
  /** Well-known public identifier code, or undefined when given as a string. */
  publicId?: number;
  /** Public identifier text (from the table above or from the string table). */
  publicIdText?: string;
  charset: Charset;
  /** Offsets of the string table inside the input: [start, end). */
  stringTable: [number, number];
}

const UNKNOWN_CHARSET_MIB = 0;

/** The version octets WBXML defines (1.0-1.3, WBXML 1.3 5.4) as text, made once instead of per document. */
const VERSIONS: readonly string[] = [0x00, 0x01, 0x02, 0x03].map((v) => `${(v >> 4) + 1}.${v & 0x0f}`);

export function readWbxmlHeader(r: ByteReader, limits: Limits, defaultCharset?: Charset): WbxmlHeader {
  const versionAt = r.pos;
  const v = r.u8();
  if (v > 0x03) throw new DecodeError('BAD_VALUE', versionAt, `unsupported WBXML version octet 0x${v.toString(16)}`);
  const version = VERSIONS[v];
  let publicId: number | undefined = mbUint32(r, 'public id');
  let publicIdIndex = -1;
  if (publicId === PUBLIC_ID_IN_STRING_TABLE) {
    publicIdIndex = mbUint32(r, 'public id index');
    publicId = undefined;
  }
  let charset = defaultCharset ?? charsetByMib(106)!;
  if (v >= 0x01) {
    const csAt = r.pos;
    const mib = mbUint32(r, 'charset');
    if (mib !== UNKNOWN_CHARSET_MIB) charset = requireCharset(mib, csAt);
  }
  const tblAt = r.pos;
  const len = mbUint32(r, 'string table length');
  if (len > limits.maxDocumentSize)
    throw new DecodeError('LIMIT', tblAt, `string table of ${len} octets exceeds maxDocumentSize`);
  if (len > r.remaining) throw new DecodeError('BAD_LENGTH', tblAt, `string table length ${len} runs past the end`);
  const stringTable: [number, number] = [r.pos, r.pos + len];
  r.pos += len;
  const header: WbxmlHeader = { version, charset, stringTable };
  if (publicId !== undefined) {
    header.publicId = publicId;
    const text = publicIds.name(publicId);
    if (text !== undefined && publicId !== 1) header.publicIdText = text;
  } else {
    header.publicIdText = readTableString(r.buf, stringTable, publicIdIndex, charset, limits, versionAt + 1);
  }
  return header;
}

/** An mb_u_int32 (WBXML 1.3 5.1); one that starts with 0x80 (a leading zero septet) is not the shortest. */
function mbUint32(r: ByteReader, what: string): number {
  if (r.pos < r.end && r.buf[r.pos] === LEADING_ZERO_SEPTET)
    warn(WarningCode.NON_MINIMAL, r.pos, `${what}: mb_u_int32 starts with 0x80 (a leading zero septet)`);
  return r.uintvar();
}

const LEADING_ZERO_SEPTET = 0x80;
