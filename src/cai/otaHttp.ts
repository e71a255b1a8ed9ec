/**
 * OTA-HTTP (Push OTA over HTTP, PO-TCP): the terminal side.
 *
 * - A receiver: the PPG POSTs pushes to it. The body is either the pushed entity itself, or
 *   (Content-Type application/http) an encapsulated HTTP response - status line, the pushed
 *   entity's headers, blank line, content - as PPGs send it with X-Wap-Push-OTA-Version 1.0.
 *   OPTIONS is answered with the terminal's CPI, so a PPG can ask for it.
 * - A registrar: registration and deregistration send the CPI (X-Wap-Push-Accept-AppID,
 *   X-Wap-Push-Accept) to the PPG's contact point as an OPTIONS request.
 * Sources for the header names and the application/http form: the header field registry of
 * WAP-230 WSP Appendix A / OMNA, and PPG and terminal test data (Symbian TE_WAPPUSH vectors).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseContentType } from '../codec/wsp/contentType.js';
import type { Parameters } from '../codec/wsp/parameters.js';
import type { Cpi } from './cpi.js';
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
  content: Uint8Array;
  remoteAddress: string;
  path: string;
  port: number;
}

export interface HttpPushReceiverOptions {
  host: string;
  port: number;
  maxContentOctets: number;
  cpi: () => Cpi;
  onPush: (push: HttpPush) => void;
  /** Errors from onPush that mean "send it again later": answered 503 with Retry-After. */
  isDeferral?: (error: unknown) => boolean;
  onMalformed: (error: { remoteAddress: string; message: string }) => void;
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
export function parseEncapsulated(body: Buffer): { headers: PushHeader[]; content: Buffer } | string {
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
  return { headers, content };
}

export class HttpPushReceiver {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: HttpPushReceiverOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => this.onRequest(req, res));
      server.on('connection', (s) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        this.server = server;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('X-Wap-Push-OTA-Version', OTA_VERSION);
    const remoteAddress = req.socket.remoteAddress ?? '';
    if (req.method === 'OPTIONS') {
      const cpi = this.options.cpi();
      for (const [k, v] of Object.entries(cpi.headers)) res.setHeader(k, v);
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST, OPTIONS' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = this.options.maxContentOctets + MAX_HTTP_PUSH_HEADER_OCTETS;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        this.options.onMalformed({ remoteAddress, message: `push larger than ${limit} octets` });
        res.writeHead(413, { Connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      const outer = req.headers['content-type'] ?? '';
      let headers: PushHeader[];
      let content: Buffer;
      if (parseContentType(outer).type.toLowerCase() === 'application/http') {
        const parsed = parseEncapsulated(body);
        if (typeof parsed === 'string') {
          this.options.onMalformed({ remoteAddress, message: parsed });
          res.writeHead(400).end();
          return;
        }
        ({ headers, content } = parsed);
      } else {
        headers = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2)
          headers.push({ name: req.rawHeaders[i], value: req.rawHeaders[i + 1] });
        content = body;
      }
      const find = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value as string | undefined;
      const ct = find('content-type');
      if (!ct) {
        this.options.onMalformed({ remoteAddress, message: 'push without Content-Type' });
        res.writeHead(400).end();
        return;
      }
      if (content.length > this.options.maxContentOctets) {
        this.options.onMalformed({
          remoteAddress,
          message: `content of ${content.length} octets exceeds ${this.options.maxContentOctets}`,
        });
        res.writeHead(413).end();
        return;
      }
      const { type, params } = parseContentType(ct);
      try {
        this.options.onPush({
          contentType: type,
          contentTypeParameters: params,
          applicationId: find('x-wap-application-id'),
          headers: headers.filter((h) => h.name.toLowerCase() !== 'content-type'),
          content,
          remoteAddress,
          path: req.url ?? '/',
          port: this.port,
        });
      } catch (e) {
        if (this.options.isDeferral?.(e)) {
          res.writeHead(503, { 'Retry-After': '1' }).end();
          return;
        }
        throw e;
      }
      res.writeHead(204).end();
    });
  }
}

export type CpiDelivery = { ok: true; status: number } | { ok: false; reason: string; message: string };

/** Sends the CPI to a PPG contact point; success is a 2xx answer whose X-Wap-Push-Status, if any, is 2xx too. */
export function sendCpi(
  contactPoint: string,
  cpi: Cpi,
  options: { terminalId?: string; timeoutMs: number },
): Promise<CpiDelivery> {
  return new Promise((resolve) => {
    const url = new URL(contactPoint);
    const headers: Record<string, string> = { 'X-Wap-Push-OTA-Version': OTA_VERSION, ...cpi.headers };
    if (options.terminalId) headers['X-Wap-Terminal-Id'] = options.terminalId;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'OPTIONS', headers, timeout: options.timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const pushStatus = res.headers['x-wap-push-status'];
      const ps = Array.isArray(pushStatus) ? pushStatus[0] : pushStatus;
      if (status < 200 || status > 299)
        resolve({ ok: false, reason: 'push-server-refused', message: `${contactPoint} answered HTTP ${status}` });
      else if (ps !== undefined && !/^\s*2\d\d/.test(ps))
        resolve({
          ok: false,
          reason: 'push-server-refused',
          message: `${contactPoint} answered X-Wap-Push-Status ${ps}`,
        });
      else resolve({ ok: true, status });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (e) =>
      resolve({ ok: false, reason: 'push-server-unreachable', message: `${contactPoint}: ${e.message}` }),
    );
    req.end();
  });
}
