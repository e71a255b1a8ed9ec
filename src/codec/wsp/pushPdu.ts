/**
 * WSP connectionless Push and ConfirmedPush PDUs (WAP-230 8.2.4.1):
 *   TID(1) Type(1) HeadersLen(uintvar) ContentType Headers Data
 * The body is returned as a view of the input; nothing is copied or decoded until asked.
 */
import { DecodeError, EncodeError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { ByteReader, EMPTY_OCTETS } from '../reader.js';
import { closeWarnings, openWarnings, warn, WarningCode, type DecodeWarning } from '../warnings.js';
import { ByteWriter } from '../writer.js';
import { applicationIds, DEFAULT_APPLICATION_ID } from './applicationIds.js';
import { readContentType, writeContentType } from './contentType.js';
import { headerValueOffset, readHeaders, writeHeaders, type WspHeader } from './headers.js';
import type { Parameters } from './parameters.js';
import { DEFAULT_PAGE, pageShift, readIntegerValue, readTextString, readUintvar, valueEnd } from './primitives.js';

/** PDU type codes (WAP-230 Table 34). */
export const PduType = Object.freeze({
  /** Push */
  Push: 0x06,
  /** ConfirmedPush */
  ConfirmedPush: 0x07,
} as const);
export type PduType = (typeof PduType)[keyof typeof PduType];
// Read once into module constants: each decode compares against them (src/codec/wbxml/tokenizer.ts says why).
const { Push: PUSH, ConfirmedPush: CONFIRMED_PUSH } = PduType;

export type PushPduType = 'push' | 'confirmed-push';

/** X-Wap-Application-Id field code (WAP-230 Table 39). */
export const X_WAP_APPLICATION_ID = 0x2f;
/** Content-Length field code (WAP-230 Table 39). */
const CONTENT_LENGTH = 0x0d;

export interface PushMessage {
  transactionId: number;
  pduType: PushPduType;
  contentType: string;
  /** The well-known code, when the content type was sent as one. */
  contentTypeCode?: number;
  contentTypeParameters: Parameters;
  /** Every header in wire order (the content type is not among them). */
  headers: WspHeader[];
  /** URN for a registered code or a URI value; the integer for an unregistered code. */
  applicationId: string | number;
  /** True when the PDU had no X-Wap-Application-Id and the default applies. */
  applicationIdDefaulted: boolean;
  /** The content, a view of the input. */
  body: Uint8Array;
  /** Where the body starts in the input (for error offsets in body decoders). */
  bodyOffset: number;
  /** What is odd about the PDU but decodes (docs/decoding.md); absent when nothing is. */
  warnings?: DecodeWarning[];
}

/** What routing needs, read without decoding other header values or the body. */
export interface PushRouting {
  transactionId: number;
  pduType: PushPduType;
  contentType: string;
  applicationId: string | number;
  body: Uint8Array;
  bodyOffset: number;
}

/** One reader for every decode, released after each. */
const reader = new ByteReader(EMPTY_OCTETS);

/** TID, PDU type and HeadersLen, checked; where the header block ends (the skim reads it too). */
export function readFixedPart(r: ByteReader, limits: Limits): { tid: number; type: PushPduType; headersEnd: number } {
  if (r.buf.length > limits.maxDocumentSize) {
    throw new DecodeError(
      'LIMIT',
      0,
      `PDU of ${r.buf.length} octets exceeds maxDocumentSize (${limits.maxDocumentSize})`,
    );
  }
  const tid = r.u8();
  const typeAt = r.pos;
  const t = r.u8();
  if (t !== PUSH && t !== CONFIRMED_PUSH) {
    throw new DecodeError(
      'BAD_PDU_TYPE',
      typeAt,
      `PDU type 0x${t.toString(16).padStart(2, '0')} is not Push (0x06) or ConfirmedPush (0x07)`,
    );
  }
  const lenAt = r.pos;
  const headersLen = readUintvar(r, 'HeadersLen');
  if (headersLen === 0) throw new DecodeError('BAD_LENGTH', lenAt, 'HeadersLen is 0: the content type is missing');
  if (headersLen > r.remaining) {
    throw new DecodeError('BAD_LENGTH', lenAt, `HeadersLen ${headersLen} runs past the end (${r.remaining} left)`);
  }
  return { tid, type: t === PUSH ? 'push' : 'confirmed-push', headersEnd: r.pos + headersLen };
}

export function decodePushPdu(input: Uint8Array, options?: { limits?: Partial<Limits> }): PushMessage {
  const limits = resolveLimits(options?.limits);
  const outer = openWarnings();
  let msg: PushMessage;
  // try/catch, not finally (see decodeBody): the reader and the collection are let go either way.
  try {
    msg = readPush(reader.reset(input), input, limits);
  } catch (e) {
    reader.release();
    closeWarnings(outer);
    throw e;
  }
  reader.release();
  const warnings = closeWarnings(outer);
  if (warnings !== undefined) msg.warnings = warnings;
  return msg;
}

function readPush(r: ByteReader, input: Uint8Array, limits: Limits): PushMessage {
  const { tid, type, headersEnd } = readFixedPart(r, limits);
  const ctAt = r.pos;
  const saveEnd = r.end;
  r.end = headersEnd;
  const ct = readContentType(r, limits);
  r.end = saveEnd;
  if (r.pos > headersEnd) throw new DecodeError('BAD_LENGTH', ctAt, 'content type runs past HeadersLen');
  const headersAt = r.pos;
  const headers = readHeaders(r, headersEnd, limits);
  let applicationId: string | number = DEFAULT_APPLICATION_ID;
  let defaulted = true;
  for (const h of headers) {
    if (h.page !== undefined) continue;
    if (h.code === X_WAP_APPLICATION_ID && defaulted) {
      applicationId = h.value;
      defaulted = false;
    } else if (h.code === CONTENT_LENGTH && h.value !== input.length - headersEnd)
      sayContentLength(r, headersAt, headersEnd, h.value, input.length - headersEnd);
  }
  const msg: PushMessage = {
    transactionId: tid,
    pduType: type,
    contentType: ct.type,
    contentTypeParameters: ct.params,
    headers,
    applicationId,
    applicationIdDefaulted: defaulted,
    body: input.subarray(headersEnd),
    bodyOffset: headersEnd,
  };
  if (ct.code !== undefined) msg.contentTypeCode = ct.code;
  return msg;
}

/** Cold path, out of readPush's way. */
function sayContentLength(r: ByteReader, start: number, end: number, said: string | number, has: number): void {
  warn(
    WarningCode.CONTENT_LENGTH,
    headerValueOffset(r, start, end, CONTENT_LENGTH),
    `Content-Length ${said} but the body has ${has} octets`,
  );
}

/**
 * Routing-only decode: TID, type, content type and App ID. Other header values are skipped
 * by their extent alone and the body is not touched. Same errors as the full decode for
 * the parts it reads; a malformed value it skips is caught only as far as its extent.
 */
export function decodePushRouting(input: Uint8Array, options?: { limits?: Partial<Limits> }): PushRouting {
  const limits = resolveLimits(options?.limits);
  try {
    return readRouting(reader.reset(input), input, limits);
  } finally {
    reader.release();
  }
}

function readRouting(r: ByteReader, input: Uint8Array, limits: Limits): PushRouting {
  const { tid, type, headersEnd } = readFixedPart(r, limits);
  const saveEnd = r.end;
  r.end = headersEnd;
  let applicationId: string | number = DEFAULT_APPLICATION_ID;
  let contentType: string;
  try {
    contentType = readContentType(r, limits).type;
    let page = DEFAULT_PAGE;
    let count = 0;
    while (r.pos < headersEnd) {
      const b = r.u8();
      const shift = pageShift(r, b);
      if (shift >= 0) {
        page = shift;
        continue;
      }
      if (++count > limits.maxHeaders)
        throw new DecodeError('LIMIT', r.pos - 1, `more than maxHeaders (${limits.maxHeaders}) headers`);
      if ((b & 0x80) === 0) {
        r.pos--;
        r.pos = r.findNul('a header name') + 1;
      } else if ((b & 0x7f) === X_WAP_APPLICATION_ID && page === DEFAULT_PAGE) {
        const v = r.peek();
        if (v & 0x80 || v <= 30) {
          const code = readIntegerValue(r);
          applicationId = applicationIds.name(code) ?? code;
        } else applicationId = readTextString(r);
        break;
      }
      r.pos = valueEnd(r);
    }
  } finally {
    r.end = saveEnd;
  }
  return {
    transactionId: tid,
    pduType: type,
    contentType,
    applicationId,
    body: input.subarray(headersEnd),
    bodyOffset: headersEnd,
  };
}

export interface PushPduInit {
  transactionId?: number;
  pduType?: PushPduType;
  contentType: string;
  contentTypeParameters?: Parameters;
  /** Shorthand for an X-Wap-Application-Id header (URN, URI or code); written first. */
  applicationId?: string | number;
  headers?: ReadonlyArray<WspHeader>;
  body: Uint8Array;
}

export function encodePushPdu(init: PushPduInit): Uint8Array {
  const tid = init.transactionId ?? 0;
  if (!Number.isInteger(tid) || tid < 0 || tid > 255)
    throw new EncodeError('OUT_OF_RANGE', `transactionId out of range: ${tid}`);
  const head = new ByteWriter(64);
  writeContentType(head, init.contentType, init.contentTypeParameters);
  const headers: WspHeader[] = [];
  if (init.applicationId !== undefined) headers.push({ name: 'X-Wap-Application-Id', value: init.applicationId });
  if (init.headers) headers.push(...init.headers);
  writeHeaders(head, headers);
  const h = head.finish();
  const w = new ByteWriter(h.length + init.body.length + 8);
  w.u8(tid).u8(init.pduType === 'confirmed-push' ? CONFIRMED_PUSH : PUSH);
  w.uintvar(h.length).bytes(h).bytes(init.body);
  return w.finish();
}
