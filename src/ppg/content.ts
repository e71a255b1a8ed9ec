/**
 * The content entity -> the WSP push PDU a phone gets (WAP-249-PPGService 6: the PPG may
 * transform textual SI/SL/CO to their tokenised forms). XML documents are compiled with the
 * codec; anything else goes through with its content type. The WSP headers come from the
 * content entity's own headers, never from the HTTP request's.
 */
import { compilePushXml } from '../codec/compile.js';
import { DecodeError, EncodeError } from '../codec/errors.js';
import type { WspHeader } from '../codec/wsp/headers.js';
import type { Parameters } from '../codec/wsp/parameters.js';
import { encodePushPdu, type PushPduType } from '../codec/wsp/pushPdu.js';
import { PapCode, PapError } from './codes.js';
import { headerValue, parseMediaType, type EntityHeader } from './multipart.js';

/** Textual content types the PPG compiles, and the tokenised type each becomes. */
export const COMPILED_TYPES: Readonly<Record<string, string>> = Object.freeze({
  'text/vnd.wap.si': 'application/vnd.wap.sic',
  'text/vnd.wap.sl': 'application/vnd.wap.slc',
  'text/vnd.wap.co': 'application/vnd.wap.coc',
  'text/vnd.wap.connectivity-xml': 'application/vnd.wap.connectivity-wbxml',
  'text/vnd.wap.emn+xml': 'application/vnd.wap.emn+wbxml',
});

/** Content entity headers that become WSP headers of the push (lower-case name -> WSP name). */
export const CARRIED_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-wap-content-uri': 'X-Wap-Content-URI',
  'x-wap-initiator-uri': 'X-Wap-Initiator-URI',
  'content-language': 'Content-Language',
  'content-location': 'Content-Location',
});

export interface PushContent {
  /** The content type on the wire (the compiled one for XML). */
  contentType: string;
  applicationId?: string | number;
  /** The WSP push PDU, transaction id 0. */
  pdu: Uint8Array;
}

export function buildPushPdu(
  headers: readonly EntityHeader[],
  body: Uint8Array,
  pduType: PushPduType = 'push',
): PushContent {
  const typeHeader = headerValue(headers, 'content-type');
  if (!typeHeader) throw new PapError(PapCode.BAD_REQUEST, 'the content entity has no Content-Type');
  const { type, parameters } = parseMediaType(typeHeader);
  const data = transferDecoded(headers, body);
  const appHeader = headerValue(headers, 'x-wap-application-id');
  const applicationId = appHeader === undefined ? undefined : applicationIdValue(appHeader);
  const wspHeaders: WspHeader[] = [];
  for (const h of headers) {
    const name = Object.hasOwn(CARRIED_HEADERS, h.name) ? CARRIED_HEADERS[h.name] : undefined;
    if (name) wspHeaders.push({ name, value: h.value });
  }
  let contentType = type;
  let payload = data;
  let contentTypeParameters: Parameters | undefined;
  const compiled = Object.hasOwn(COMPILED_TYPES, type) ? COMPILED_TYPES[type] : undefined;
  if (compiled) {
    try {
      const out = compilePushXml(Buffer.from(data).toString('utf8'));
      if (out.contentType !== compiled)
        throw new PapError(
          PapCode.TRANSFORMATION_FAILURE,
          `a ${type} entity holds a document that compiles to ${out.contentType}`,
        );
      contentType = out.contentType;
      payload = out.body;
    } catch (e) {
      if (e instanceof PapError) throw e;
      if (e instanceof DecodeError || e instanceof EncodeError)
        throw new PapError(PapCode.TRANSFORMATION_FAILURE, `${type} does not compile: ${e.message}`);
      throw e;
    }
  } else if (parameters.charset) contentTypeParameters = { charset: parameters.charset };
  try {
    const pdu = encodePushPdu({
      transactionId: 0,
      pduType,
      contentType,
      contentTypeParameters,
      applicationId,
      headers: wspHeaders,
      body: payload,
    });
    return { contentType, applicationId, pdu };
  } catch (e) {
    if (e instanceof EncodeError)
      throw new PapError(PapCode.TRANSFORMATION_FAILURE, `WSP encoding failed: ${e.message}`);
    throw e;
  }
}

/** An App ID given as a number (decimal or 0x hex) is a code; anything else a URI (never code 0). */
function applicationIdValue(v: string): string | number {
  if (/^[0-9]{1,9}$/.test(v)) return Number(v);
  if (/^0x[0-9a-f]{1,8}$/i.test(v)) return parseInt(v, 16);
  if (v === '' || /[\s\0]/.test(v))
    throw new PapError(PapCode.BAD_REQUEST, `X-Wap-Application-Id "${v.slice(0, 80)}" is not a URI or a code`);
  return v;
}

function transferDecoded(headers: readonly EntityHeader[], body: Uint8Array): Uint8Array {
  const cte = (headerValue(headers, 'content-transfer-encoding') ?? 'binary').toLowerCase();
  if (cte === 'binary' || cte === '8bit' || cte === '7bit') return body;
  if (cte === 'base64') {
    const text = Buffer.from(body)
      .toString('latin1')
      .replace(/[\r\n\t ]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
      throw new PapError(PapCode.BAD_REQUEST, 'the content entity is not valid base64');
    return Buffer.from(text, 'base64');
  }
  throw new PapError(PapCode.BAD_REQUEST, `Content-Transfer-Encoding ${cte} is not taken (binary, 8bit, 7bit, base64)`);
}
