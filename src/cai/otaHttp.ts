/**
 * OTA-HTTP (Push OTA over HTTP, PO-TCP): the terminal side's protocol pieces.
 *
 * - The push: the PPG POSTs it to a receiver (otaHttpReceiver.ts). The body is either the
 *   pushed entity itself, or (Content-Type application/http) an encapsulated HTTP response -
 *   status line, the pushed entity's headers, blank line, content - as PPGs send it with
 *   X-Wap-Push-OTA-Version 1.0.
 * - The CPI: registration and deregistration send it (X-Wap-Push-Accept-AppID,
 *   X-Wap-Push-Accept) to the PPG's contact point as an OPTIONS request.
 * Sources for the header names and the application/http form: the header field registry of
 * WAP-230 WSP Appendix A / OMNA, and PPG and terminal test data (Symbian TE_WAPPUSH vectors).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Parameters } from '../codec/wsp/parameters.js';
import type { Cpi } from './cpi.js';
import { REGISTRATION_FAILURE } from './failures.js';
import type { PushHeader } from './pushEvent.js';

export const OTA_VERSION = '1.0';
/** Octets an encapsulated header section may take before the push is refused. */
export const MAX_HTTP_PUSH_HEADER_OCTETS = 16 * 1024;

export interface HttpPush {
  contentType: string;
  contentTypeParameters: Parameters;
  /** The X-Wap-Application-Id value as sent, or undefined. */
  applicationId: string | undefined;
  headers: PushHeader[];
  /** The header lines as received, each with its line end (the encapsulated entity's, or the request's). */
  rawHeaders: Uint8Array;
  content: Uint8Array;
  remoteAddress: string;
  path: string;
  port: number;
}

function splitHeaderBlock(text: string): PushHeader[] | undefined {
  const headers: PushHeader[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

/** Parses an application/http entity: `HTTP/1.x NNN reason`, headers, blank line, content. */
export function parseEncapsulated(
  body: Buffer,
): { headers: PushHeader[]; rawHeaders: Buffer; content: Buffer } | string {
  const limit = Math.min(body.length, MAX_HTTP_PUSH_HEADER_OCTETS);
  let end = body.subarray(0, limit).indexOf('\r\n\r\n');
  let sep = 4;
  if (end < 0) {
    end = body.subarray(0, limit).indexOf('\n\n');
    sep = 2;
  }
  if (end < 0)
    return body.length > MAX_HTTP_PUSH_HEADER_OCTETS
      ? `encapsulated headers exceed ${MAX_HTTP_PUSH_HEADER_OCTETS} octets`
      : 'encapsulated message has no end of headers';
  const head = body.subarray(0, end).toString('latin1');
  const nl = head.indexOf('\n');
  const statusLine = (nl < 0 ? head : head.slice(0, nl)).trim();
  if (!/^HTTP\/1\.[01] \d{3}\b/.test(statusLine))
    return `encapsulated message does not start with an HTTP status line: ${JSON.stringify(statusLine.slice(0, 40))}`;
  const headers = splitHeaderBlock(nl < 0 ? '' : head.slice(nl + 1));
  if (!headers) return 'malformed header line in the encapsulated message';
  let content = body.subarray(end + sep);
  const length = headers.find((h) => h.name.toLowerCase() === 'content-length');
  if (length) {
    const n = Number(length.value);
    if (!Number.isInteger(n) || n < 0 || n > content.length)
      return `encapsulated Content-Length ${length.value} does not fit the ${content.length} octets sent`;
    content = content.subarray(0, n);
  }
  // The header lines as sent: after the status line, through the last line's end.
  const rawHeaders = nl < 0 ? body.subarray(0, 0) : body.subarray(nl + 1, end + sep / 2);
  return { headers, rawHeaders, content };
}

/** A Push Server's answer body, kept when the sender asked for it (`answerLimit`). */
export interface CpiAnswer {
  contentType: string | undefined;
  body: Buffer;
}

export type CpiDelivery =
  | { ok: true; status: number; answer?: CpiAnswer }
  | {
      ok: false;
      reason: typeof REGISTRATION_FAILURE.PUSH_SERVER_REFUSED | typeof REGISTRATION_FAILURE.PUSH_SERVER_UNREACHABLE;
      message: string;
    };

/**
 * Sends the CPI to a PPG contact point; success is a 2xx answer whose X-Wap-Push-Status, if any,
 * is 2xx too. With `answerLimit`, the answer's body is read (at most that many octets: a longer
 * one is a failure) and returned; without it, it is discarded.
 */
export function sendCpi(
  contactPoint: string,
  cpi: Cpi,
  options: { terminalId?: string; timeoutMs: number; answerLimit?: number },
): Promise<CpiDelivery> {
  return new Promise((resolve) => {
    const url = new URL(contactPoint);
    const headers: Record<string, string> = { 'X-Wap-Push-OTA-Version': OTA_VERSION, ...cpi.headers };
    if (options.terminalId) headers['X-Wap-Terminal-Id'] = options.terminalId;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'OPTIONS', headers, timeout: options.timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      const pushStatus = res.headers['x-wap-push-status'];
      const ps = Array.isArray(pushStatus) ? pushStatus[0] : pushStatus;
      let refusal: string | undefined;
      if (status < 200 || status > 299) refusal = `${contactPoint} answered HTTP ${status}`;
      else if (ps !== undefined && !/^\s*2\d\d/.test(ps)) refusal = `${contactPoint} answered X-Wap-Push-Status ${ps}`;
      const limit = options.answerLimit;
      if (refusal !== undefined || limit === undefined) {
        res.resume();
        resolve(
          refusal === undefined
            ? { ok: true, status }
            : { ok: false, reason: REGISTRATION_FAILURE.PUSH_SERVER_REFUSED, message: refusal },
        );
        return;
      }
      const chunks: Buffer[] = [];
      let octets = 0;
      res.on('data', (chunk: Buffer) => {
        octets += chunk.length;
        if (octets > limit) {
          resolve({
            ok: false,
            reason: REGISTRATION_FAILURE.PUSH_SERVER_REFUSED,
            message: `${contactPoint} answered with more than ${limit} octets`,
          });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({
          ok: true,
          status,
          answer: { contentType: res.headers['content-type'], body: Buffer.concat(chunks) },
        }),
      );
      res.on('error', (e) =>
        resolve({
          ok: false,
          reason: REGISTRATION_FAILURE.PUSH_SERVER_UNREACHABLE,
          message: `${contactPoint}: ${e.message}`,
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (e) =>
      resolve({
        ok: false,
        reason: REGISTRATION_FAILURE.PUSH_SERVER_UNREACHABLE,
        message: `${contactPoint}: ${e.message}`,
      }),
    );
    req.end();
  });
}
