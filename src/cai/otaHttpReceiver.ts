/**
 * The OTA-HTTP receiver: an HTTP server a PPG POSTs pushes to (PO-TCP), which answers OPTIONS
 * with the terminal's CPI so a PPG can ask for it.
 *
 * Each request is bounded by itself (maxContentOctets plus the encapsulated header allowance)
 * and all of them together by an OtaHttpBudget: connections in total and per client address,
 * body octets held at once, and the time headers and bodies may take. What a bound refuses is
 * counted in the budget's stats and answered: a connection over a bound is closed at once, a
 * request whose body would not fit in memory gets 503 with Retry-After, one larger than a push
 * may be 413, and one too slow 408; each of those answers closes its connection.
 *
 * A push that every registration it was for refused by its whitelist or contact point gets
 * 403 Forbidden (the request was understood and is refused: RFC 9110 section 15.5.4); a push
 * taken, or handed to the fallback, gets 204.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseContentType } from '../codec/wsp/contentType.js';
import type { Cpi } from './cpi.js';
import { REGISTRATION_FAILURE } from './failures.js';
import { MAX_HTTP_PUSH_HEADER_OCTETS, OTA_VERSION, parseEncapsulated, type HttpPush } from './otaHttp.js';
import { OtaHttpBudget, type OtaHttpLimits, type OtaHttpStats } from './otaHttpBudget.js';
import type { PushHeader } from './pushEvent.js';
import type { TlsServerSettings } from '../security/tlsOptions.js';
import { createWebServer, type WebServer } from '../security/webServer.js';

/** What became of a push: taken (or reported unrouted), or refused by every registration it was for. */
export type HttpPushOutcome = 'accepted' | 'forbidden';

export interface HttpPushReceiverOptions {
  host: string;
  port: number;
  maxContentOctets: number;
  cpi: () => Cpi;
  /** A promise: the push is answered once it settles (a push put in a store queue is answered once stored). */
  onPush: (push: HttpPush) => HttpPushOutcome | void | Promise<HttpPushOutcome | void>;
  /** Errors from onPush that mean "send it again later": answered 503 with Retry-After. */
  isDeferral?: (error: unknown) => boolean;
  /** Errors from onPush that mean "never, as it is" (larger than a store queue item): answered 413. */
  isTooLarge?: (error: unknown) => boolean;
  onMalformed: (error: { remoteAddress: string; message: string }) => void;
  /** Bounds over all of this receiver's requests (defaults: DEFAULT_OTA_HTTP_LIMITS). */
  limits?: Partial<OtaHttpLimits>;
  /** Or a budget shared with other receivers (then `limits` is not used). */
  budget?: OtaHttpBudget;
  /** Serve HTTPS with this certificate and key (docs/security.md). Default: plain HTTP. */
  tls?: TlsServerSettings;
}

const TIMED_OUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
/** How long a connection told it timed out may take to read that before it is cut. */
const LINGER_MS = 1_000;

interface ConnectionState {
  /** Running while the connection waits for a request's headers. */
  headersTimer: NodeJS.Timeout | undefined;
  activeRequests: number;
}

/**
 * A receiver whose buffer budget (`maxBufferedOctets`) is below one push of the largest size:
 * a configuration error no retry can fix, apart from a port that is busy (registrar.ts).
 */
export class BufferBudgetError extends RangeError {
  readonly code = REGISTRATION_FAILURE.BUFFER_BUDGET_TOO_SMALL;

  constructor(message: string) {
    super(message);
    this.name = 'BufferBudgetError';
  }
}

export class HttpPushReceiver {
  readonly budget: OtaHttpBudget;
  private server: WebServer | undefined;
  private readonly connections = new Map<Socket, ConnectionState>();
  /** The most one request may send: the largest content plus the encapsulated header allowance. */
  private readonly maxRequestOctets: number;

  constructor(private readonly options: HttpPushReceiverOptions) {
    this.budget = options.budget ?? new OtaHttpBudget(options.limits);
    this.maxRequestOctets = options.maxContentOctets + MAX_HTTP_PUSH_HEADER_OCTETS;
    if (this.budget.limits.maxBufferedOctets < this.maxRequestOctets)
      throw new BufferBudgetError(
        `maxBufferedOctets (${this.budget.limits.maxBufferedOctets}) is below the largest push a receiver takes (${this.maxRequestOctets} octets): such a push could never be received`,
      );
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  get stats(): Readonly<OtaHttpStats> {
    return this.budget.stats;
  }

  listen(): Promise<number> {
    const { headersTimeoutMs, bodyTimeoutMs } = this.budget.limits;
    return new Promise((resolve, reject) => {
      // Node's own request timers are kept as a backstop to this receiver's; they are checked
      // only every connectionsCheckingInterval (30 s), so they are not what bounds a slow peer.
      const server = createWebServer(
        this.options.tls,
        { headersTimeout: Math.ceil(headersTimeoutMs), requestTimeout: Math.ceil(headersTimeoutMs + bodyTimeoutMs) },
        (req, res) => this.onRequest(req, res),
      );
      if (this.options.tls) {
        // The caps count TCP connections; the header timer runs on the TLS socket requests come by.
        server.on('connection', (s: Socket) => this.admit(s));
        server.on('secureConnection', (s: Socket) => this.track(s));
      } else {
        server.on('connection', (s: Socket) => {
          if (this.admit(s)) this.track(s);
        });
      }
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
      for (const s of this.connections.keys()) s.destroy();
    });
  }

  /** Takes a place in the budget for a TCP connection, or closes it. */
  private admit(s: Socket): boolean {
    const address = s.remoteAddress ?? '';
    if (!this.budget.admit(address)) {
      s.destroy();
      return false;
    }
    s.on('close', () => this.budget.leave(address));
    return true;
  }

  /** Starts the header timer of the socket requests arrive on. */
  private track(s: Socket): void {
    const state: ConnectionState = { headersTimer: undefined, activeRequests: 0 };
    this.connections.set(s, state);
    this.awaitHeaders(s, state);
    s.on('close', () => {
      clearTimeout(state.headersTimer);
      this.connections.delete(s);
    });
  }

  /** Starts the wait for the next request's headers; a peer that sends none in time is told 408 and cut. */
  private awaitHeaders(s: Socket, state: ConnectionState): void {
    clearTimeout(state.headersTimer);
    state.headersTimer = setTimeout(() => {
      this.budget.stats.headerTimeouts++;
      s.end(TIMED_OUT);
      setTimeout(() => s.destroy(), LINGER_MS).unref();
    }, this.budget.limits.headersTimeoutMs);
    state.headersTimer.unref();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    const state = this.connections.get(socket);
    if (state) {
      clearTimeout(state.headersTimer);
      state.headersTimer = undefined;
      state.activeRequests++;
      res.once('close', () => {
        if (--state.activeRequests === 0 && !socket.destroyed) this.awaitHeaders(socket, state);
      });
    }
    res.setHeader('X-Wap-Push-OTA-Version', OTA_VERSION);
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
    this.receivePush(req, res);
  }

  private receivePush(req: IncomingMessage, res: ServerResponse): void {
    const remoteAddress = req.socket.remoteAddress ?? '';
    const stats = this.budget.stats;
    const limit = this.maxRequestOctets;
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) {
      stats.tooLarge++;
      this.options.onMalformed({ remoteAddress, message: `push of ${declared} octets is larger than ${limit}` });
      refuse(res, 413);
      return;
    }
    // The declared length is reserved up front, so requests that trickle their bodies cannot
    // together promise more than the budget holds; a chunked body reserves as it arrives.
    let reserved = declared ?? 0;
    if (!this.budget.reserve(reserved)) {
      refuse(res, 503, { 'Retry-After': '1' });
      return;
    }
    let released = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const release = (): void => {
      if (released) return;
      released = true;
      chunks.length = 0;
      this.budget.release(reserved);
    };
    const timer = setTimeout(() => {
      stats.bodyTimeouts++;
      release();
      refuse(res, 408);
    }, this.budget.limits.bodyTimeoutMs);
    timer.unref();
    req.on('close', () => {
      clearTimeout(timer);
      release();
    });
    req.on('data', (c: Buffer) => {
      if (released || res.headersSent) return;
      size += c.length;
      if (size > limit) {
        stats.tooLarge++;
        this.options.onMalformed({ remoteAddress, message: `push larger than ${limit} octets` });
        release();
        refuse(res, 413);
        return;
      }
      if (size > reserved) {
        if (!this.budget.reserve(size - reserved)) {
          release();
          refuse(res, 503, { 'Retry-After': '1' });
          return;
        }
        reserved = size;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (released || res.headersSent) return;
      const body = Buffer.concat(chunks);
      // The budget stays reserved while a push waits for its store: what waits is bounded too.
      const answered = this.answer(req, res, body, remoteAddress);
      if (answered) void answered.finally(release);
      else release();
    });
  }

  /** Reads the push out of a whole request body, hands it on and answers. */
  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer, remoteAddress: string): void | Promise<void> {
    const outer = req.headers['content-type'] ?? '';
    let headers: PushHeader[];
    let rawHeaders: Uint8Array;
    let content: Buffer;
    if (parseContentType(outer).type.toLowerCase() === 'application/http') {
      const parsed = parseEncapsulated(body);
      if (typeof parsed === 'string') {
        this.options.onMalformed({ remoteAddress, message: parsed });
        res.writeHead(400).end();
        return;
      }
      ({ headers, rawHeaders, content } = parsed);
    } else {
      headers = [];
      let lines = '';
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headers.push({ name: req.rawHeaders[i], value: req.rawHeaders[i + 1] });
        lines += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      }
      // Node keeps each header's name and value as sent, in order; the lines are rebuilt from them.
      rawHeaders = Buffer.from(lines, 'latin1');
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
      this.budget.stats.tooLarge++;
      this.options.onMalformed({
        remoteAddress,
        message: `content of ${content.length} octets exceeds ${this.options.maxContentOctets}`,
      });
      res.writeHead(413).end();
      return;
    }
    const { type, params } = parseContentType(ct);
    let outcome: HttpPushOutcome | void | Promise<HttpPushOutcome | void>;
    try {
      outcome = this.options.onPush({
        contentType: type,
        contentTypeParameters: params,
        applicationId: find('x-wap-application-id'),
        headers: headers.filter((h) => h.name.toLowerCase() !== 'content-type'),
        rawHeaders,
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
      if (this.options.isTooLarge?.(e)) {
        res.writeHead(413).end();
        return;
      }
      throw e;
    }
    const settle = (o: HttpPushOutcome | void) => void res.writeHead(o === 'forbidden' ? 403 : 204).end();
    if (!(outcome instanceof Promise)) return settle(outcome);
    return outcome.then(settle, (e: unknown) => {
      // Not stored (the store away, the queue full with overflow 'redeliver'): the sender tries again.
      if (res.headersSent) return;
      if (this.options.isDeferral?.(e)) res.writeHead(503, { 'Retry-After': '1' }).end();
      // A 503 would have the sender retry for ever what the store can never take.
      else if (this.options.isTooLarge?.(e)) res.writeHead(413).end();
      else res.writeHead(500).end();
    });
  }
}

/** Answers and closes the connection: what is left of the request body is not read. */
function refuse(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, Connection: 'close' }).end();
}
