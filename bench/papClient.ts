// The PPG benchmark's HTTP client (bench/ppg.ts): PAP POSTs over keep-alive HTTP/1.1, one
// connection per request in flight, so that the driver's process spends as little as it can
// per push and the figures measure the PPGs. Node's fetch (undici) cost the driver 1.4-4 ms
// of CPU a push on this machine, more than either PPG; this client writes a request
// pre-built but for its push-id, and reads a response only as far as its status line, its
// Content-Length and its body (bench/README.md, "PPG against Kannel's PPG").
import net from 'node:net';

/** What one POST got back. */
export interface PapAnswer {
  status: number;
  body: string;
}

/** Response heads longer than this are an error: a PPG's answers are a few hundred octets. */
export const MAX_HEAD = 16_384;
/** Response bodies longer than this are an error (a PAP push-response is under 1 KB). */
export const MAX_BODY = 1_048_576;

/** Digits of the push-id's counter: a fixed width keeps Content-Length and every offset fixed. */
const ID_DIGITS = 10;
const ID_MARK = '#'.repeat(ID_DIGITS);

export interface PapRequest {
  host: string;
  port: number;
  path: string;
  contentType: string;
  /** The body, with `{id}` where the push-id's counter goes (once). */
  body: string;
}

/**
 * One keep-alive connection and its pre-built request. `post(n)` writes the request with `n`
 * in the push-id and resolves with the answer; one request at a time. A server that closes
 * the connection (Connection: close, or an HTTP/1.0 answer without keep-alive) is connected
 * to again for the next request.
 */
export class PapConnection {
  private readonly request: Buffer;
  private readonly idAt: number;
  private socket: net.Socket | undefined;
  private chunks: Buffer | undefined;
  private pending: { resolve: (a: PapAnswer) => void; reject: (e: Error) => void } | undefined;
  private reconnect = false;

  constructor(private readonly r: PapRequest) {
    const body = Buffer.from(r.body.replace('{id}', ID_MARK), 'latin1');
    const head =
      `POST ${r.path} HTTP/1.1\r\nHost: ${r.host}:${r.port}\r\nContent-Type: ${r.contentType}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    this.request = Buffer.concat([Buffer.from(head, 'latin1'), body]);
    this.idAt = this.request.indexOf(ID_MARK);
    if (this.idAt < 0) throw new Error('the body has no {id}');
  }

  post(n: number): Promise<PapAnswer> {
    if (this.pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    if (!Number.isSafeInteger(n) || n < 0 || n >= 10 ** ID_DIGITS)
      return Promise.reject(new RangeError(`push-id counter ${n} outside 0..${10 ** ID_DIGITS - 1}`));
    for (let i = this.idAt + ID_DIGITS - 1, v = n; i >= this.idAt; i--, v = Math.floor(v / 10))
      this.request[i] = 0x30 + (v % 10);
    return new Promise<PapAnswer>((resolve, reject) => {
      this.pending = { resolve, reject };
      // The buffer is not touched again until the answer has come, so it is written as it is.
      this.connected().write(this.request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connected(): net.Socket {
    if (this.socket && !this.reconnect) return this.socket;
    this.socket?.destroy();
    this.reconnect = false;
    this.chunks = undefined;
    const socket = net.connect(this.r.port, this.r.host);
    socket.setNoDelay(true);
    // A connection given up for a new one may still report; only the current one's events count.
    socket.on('data', (chunk: Buffer) => this.socket === socket && this.onData(chunk));
    socket.on('error', (e) => this.socket === socket && this.fail(e));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.fail(new Error('the PPG closed the connection before answering'));
    });
    this.socket = socket;
    return socket;
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  private onData(chunk: Buffer): void {
    const b = this.chunks === undefined ? chunk : Buffer.concat([this.chunks, chunk]);
    const end = b.indexOf('\r\n\r\n');
    if (end < 0) {
      if (b.length > MAX_HEAD) return this.fail(new Error(`a response head over ${MAX_HEAD} octets`));
      this.chunks = b;
      return;
    }
    const head = b.toString('latin1', 0, end);
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    if (length === null) return this.fail(new Error(`a response without Content-Length: ${head.slice(0, 200)}`));
    const size = Number(length[1]);
    if (size > MAX_BODY) return this.fail(new Error(`a response body of ${size} octets`));
    if (b.length < end + 4 + size) {
      this.chunks = b;
      return;
    }
    if (b.length > end + 4 + size) return this.fail(new Error('octets after the response, unasked'));
    this.chunks = undefined;
    const keepAlive = head.startsWith('HTTP/1.1')
      ? !/\r\nconnection:[ \t]*close/i.test(head)
      : /\r\nconnection:[ \t]*keep-alive/i.test(head);
    if (!keepAlive) this.reconnect = true;
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ status: Number(head.slice(9, 12)), body: b.toString('latin1', end + 4, end + 4 + size) });
  }
}
