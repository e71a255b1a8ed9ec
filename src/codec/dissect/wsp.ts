/**
 * The WSP part of the tree (WAP-230 8.2.4.1): TID, PDU type, HeadersLen, the content type in
 * its encoding form, each header with its field name and value form, then the body. Values come
 * from the codec's own readers run over each field's octets, so they are the decode JSON's.
 */
import { charsetByName } from '../charset/mibenum.js';
import { wbxmlVocabularyFor } from '../body.js';
import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import { ByteReader } from '../reader.js';
import { formatContentType, formatParam, readContentType } from '../wsp/contentType.js';
import { readHeaders } from '../wsp/headers.js';
import {
  DEFAULT_PAGE,
  LENGTH_QUOTE,
  QUOTE,
  QUOTED_STRING_START,
  readIntegerValueChecked,
  readTextString,
  readTokenText,
  readUintvar,
  readValueLength,
  SHIFT_DELIMITER,
  valueEnd,
} from '../wsp/primitives.js';
import type { Parameters } from '../wsp/parameters.js';
import { PduType } from '../wsp/pushPdu.js';
import type { TreeBuilder } from './node.js';
import { dissectOther, dissectWbxml } from './wbxml.js';

/** Adds the push PDU in input[start, end) to `b`; a DecodeError thrown says where it stopped. */
export function dissectPushPdu(b: TreeBuilder, input: Uint8Array, start: number, end: number, limits: Limits): void {
  const r = new ByteReader(input, start, end);
  b.open('WSP push PDU', start);
  const tid = r.u8();
  b.leaf('TID', start, r.pos, tid);
  const typeAt = r.pos;
  const type = r.u8();
  const typeName = type === PduType.Push ? 'push' : type === PduType.ConfirmedPush ? 'confirmed-push' : undefined;
  b.leaf('PDU type', typeAt, r.pos, typeName ?? `0x${hex(type)}`);
  if (typeName === undefined)
    throw new DecodeError('BAD_PDU_TYPE', typeAt, `PDU type 0x${hex(type)} is not Push (0x06) or ConfirmedPush (0x07)`);
  const lenAt = r.pos;
  const headersLen = readUintvar(r, 'HeadersLen');
  b.leaf('HeadersLen', lenAt, r.pos, headersLen);
  if (headersLen === 0) throw new DecodeError('BAD_LENGTH', lenAt, 'HeadersLen is 0: the content type is missing');
  if (headersLen > r.remaining)
    throw new DecodeError('BAD_LENGTH', lenAt, `HeadersLen ${headersLen} runs past the end (${r.remaining} left)`);
  const headersEnd = r.pos + headersLen;
  r.end = headersEnd;
  const ct = contentType(b, r, limits);
  headers(b, r, headersEnd, limits);
  r.end = end;
  b.open('body', headersEnd, ct.type);
  const vocabulary = wbxmlVocabularyFor(ct.type);
  const cs = typeof ct.params.charset === 'string' ? charsetByName(ct.params.charset) : undefined;
  if (vocabulary && end > headersEnd)
    dissectWbxml(b, input, headersEnd, end, { vocabulary, defaultCharset: cs, limits });
  else dissectOther(b, input, headersEnd, end, ct.type, cs);
  b.close(end);
  b.close(end);
}

/** The content type field: Constrained-media, or Content-general-form with its parts (WAP-230 8.4.2.24). */
function contentType(b: TreeBuilder, r: ByteReader, limits: Limits): { type: string; params: Parameters } {
  const at = r.pos;
  const ct = readContentType(new ByteReader(r.buf, at, r.end), limits);
  b.open('Content-Type', at);
  const first = r.peek();
  if (first & 0x80) {
    r.pos++;
    b.leaf('Constrained-media (Short-integer)', at, r.pos, ct.type);
  } else if (first >= 0x20 || first === 0) {
    readTextString(r);
    b.leaf('Constrained-media (Extension-media)', at, r.pos, ct.type);
  } else {
    const len = readValueLength(r);
    const valueEnd = r.pos + len;
    b.leaf('Value-length', at, r.pos, len);
    const mediaAt = r.pos;
    const m = r.peek();
    if (m & 0x80 || m <= 30) readIntegerValueChecked(r);
    else readTextString(r);
    b.leaf(
      m & 0x80 || m <= 30 ? 'Media-type (Integer-value)' : 'Media-type (Extension-media)',
      mediaAt,
      r.pos,
      ct.type,
    );
    const params = Object.entries(ct.params)
      .map(([k, v]) => formatParam(k, v))
      .join('; ');
    b.leaf('Parameters', r.pos, valueEnd, params);
    r.pos = valueEnd;
  }
  b.close(r.pos, formatContentType(ct.type, ct.params));
  return ct;
}

/** Each header: its name, then its value in the form its first octet says (WAP-230 8.4.1.2). */
function headers(b: TreeBuilder, r: ByteReader, end: number, limits: Limits): void {
  b.open('Headers', r.pos);
  let pageAt = -1;
  let page = DEFAULT_PAGE;
  while (r.pos < end) {
    const at = r.pos;
    const c = r.u8();
    if (c === SHIFT_DELIMITER) {
      page = r.u8();
      pageAt = at;
      b.leaf('Shift-delimiter, Page-identity', at, r.pos, page);
      continue;
    }
    if (c >= 1 && c <= 31) {
      page = c;
      pageAt = at;
      b.leaf('Short-cut-shift-delimiter', at, r.pos, page);
      continue;
    }
    if (c === 0) throw new DecodeError('BAD_VALUE', at, 'empty header name');
    if ((c & 0x80) === 0) {
      r.pos = at;
      readTokenText(r);
    }
    const nameEnd = r.pos;
    const vEnd = valueEnd(r);
    // The codec reads the header from where its code page was set, as it does in the whole list.
    const from = page === DEFAULT_PAGE ? at : pageAt;
    const [h] = readHeaders(new ByteReader(r.buf, from, vEnd), vEnd, limits).slice(-1);
    b.open(h.name, at);
    b.leaf(c & 0x80 ? 'Well-known-field-name' : 'Token-text', at, nameEnd, c & 0x80 ? `0x${hex(c & 0x7f)}` : h.name);
    value(b, r.buf, nameEnd, vEnd, h.value);
    b.close(vEnd, h.value);
    r.pos = vEnd;
  }
  b.close(end);
}

function value(b: TreeBuilder, buf: Uint8Array, at: number, end: number, v: string | number): void {
  const first = buf[at];
  if (first <= 30) {
    b.leaf('Short-length', at, at + 1, first);
    b.leaf('value', at + 1, end, v);
  } else if (first === LENGTH_QUOTE) {
    const r = new ByteReader(buf, at + 1, end);
    const len = r.uintvar();
    b.leaf('Length-quote, Length (uintvar)', at, r.pos, len);
    b.leaf('value', r.pos, end, v);
  } else if (first < 0x80) {
    const form =
      first === QUOTED_STRING_START ? 'Quoted-string' : first === QUOTE ? 'Quote, Text-string' : 'Text-string';
    b.leaf(form, at, end, v);
  } else b.leaf('Short-integer', at, end, v);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
