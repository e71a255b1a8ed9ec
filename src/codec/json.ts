/**
 * The `decode` JSON (docs/architecture.md): what `wappush decode` and `wappush listen` print.
 */
import { decodeBody, type BodySecrets, type PushBody } from './body.js';
import { toHex } from './hex.js';
import type { Limits } from './limits.js';
import type { DecodeWarning } from './warnings.js';
import type { WspHeader } from './wsp/headers.js';
import type { PushMessage } from './wsp/pushPdu.js';

export interface WspJson {
  transactionId: number;
  pduType: string;
  contentType: string;
  contentTypeParameters: Record<string, string | number>;
  applicationId: string | number;
  headers: Array<{ name: string; value: string | number; code?: number; raw?: string }>;
}

export interface PushJson {
  wdp?: Record<string, unknown>;
  wsp: WspJson;
  body: PushBody | (PushBody & Record<string, unknown>);
  /** Every warning of the decode, the PDU's then the body's (each also on its object); absent when none. */
  warnings?: DecodeWarning[];
}

/** A body as the decode JSON shows it: its warnings go to the document's own list. */
export function bodyJson(body: PushBody): PushBody {
  if (!body.warnings) return body;
  const { warnings: _, ...rest } = body;
  return rest;
}

export function headerJson(h: WspHeader): WspJson['headers'][number] {
  const out: WspJson['headers'][number] = { name: h.name, value: h.value };
  if (h.code !== undefined && /^(0x|page)/.test(h.name)) out.code = h.code;
  if (h.raw && typeof h.value !== 'string') out.raw = toHex(h.raw);
  return out;
}

export function pushToJson(msg: PushMessage, options?: { limits?: Partial<Limits>; secrets?: BodySecrets }): PushJson {
  const body = decodeBody(msg.contentType, msg.contentTypeParameters, msg.body, {
    limits: options?.limits,
    baseOffset: msg.bodyOffset,
    secrets: options?.secrets,
  });
  const json: PushJson = {
    wsp: {
      transactionId: msg.transactionId,
      pduType: msg.pduType,
      contentType: msg.contentType,
      contentTypeParameters: { ...msg.contentTypeParameters },
      applicationId: msg.applicationId,
      headers: msg.headers.map(headerJson),
    },
    body: bodyJson(body),
  };
  const warnings = [...(msg.warnings ?? []), ...(body.warnings ?? [])];
  if (warnings.length) json.warnings = warnings;
  return json;
}
