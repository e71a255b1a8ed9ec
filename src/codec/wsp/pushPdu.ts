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
import { DEFAULT_APPLICATION_ID } from './applicationIds.js';
import { readContentType, writeContentType } from './contentType.js';
import { headerValueOffset, readHeaders, writeHeaders, type WspHeader } from './headers.js';
import type { Parameters } from './parameters.js';
import { PduType, readFixedPart, X_WAP_APPLICATION_ID, type PushPduType } from './pushFixedPart.js';
import { skimPushPdu, type PushSkim } from './pushSkim.js';

export { PduType, type PushPduType } from './pushFixedPart.js';

const { Push: PUSH, ConfirmedPush: CONFIRMED_PUSH } = PduType;
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

/**
 * What routing needs (the skim's values) and the body as a view; what decodePushRouting gives.
 * Given only for a PDU decodePushPdu accepts, with the same values.
 */
export interface PushRouting extends PushSkim {
  /** The content, a view of the input. */
  body: Uint8Array;
}

/** One reader for every decode, released after each. */
const reader = new ByteReader(EMPTY_OCTETS);

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
 * Routing-only decode: TID, type, content type, App ID and the body as a view, without header
 * objects. The skim reads it and checks every header as the full decode does; what the skim
 * cannot vouch for is decoded in full. So it answers exactly when decodePushPdu does, with the
 * same values, and refuses with the same DecodeError (code, offset, message).
 */
export function decodePushRouting(input: Uint8Array, options?: { limits?: Partial<Limits> }): PushRouting {
  const head: PushSkim = skimPushPdu(input, options) ?? decodePushPdu(input, options);
  return {
    transactionId: head.transactionId,
    pduType: head.pduType,
    contentType: head.contentType,
    applicationId: head.applicationId,
    body: input.subarray(head.bodyOffset),
    bodyOffset: head.bodyOffset,
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
