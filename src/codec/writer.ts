import { EncodeError } from './errors.js';
import { encodeUtf8Into, utf8Length } from './utf8.js';

/** Up to this many characters, `utf8` copies ASCII by a loop (see encodeUtf8's threshold). */
const ASCII_WRITE_LOOP_MAX = 64;

/** A growable output buffer; `finish` returns a copy of exactly what was written. */
export class ByteWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(b: number): this {
    this.ensure(1);
    this.buf[this.pos++] = b & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Big-endian unsigned integer in exactly n octets. */
  uint(v: number, n: number): this {
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) {
      this.buf[this.pos + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    this.pos += n;
    return this;
  }

  uintvar(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new EncodeError('OUT_OF_RANGE', `uintvar out of range: ${v}`);
    }
    // Written from its last octet back: 7 bits each, the high bit set on all but the last.
    const n = uintvarLength(v);
    this.ensure(n);
    let at = this.pos + n - 1;
    this.buf[at] = v & 0x7f;
    while (at > this.pos) {
      v = Math.floor(v / 128);
      this.buf[--at] = (v & 0x7f) | 0x80;
    }
    this.pos += n;
    return this;
  }

  utf8(s: string): this {
    // ASCII of up to ASCII_WRITE_LOOP_MAX characters by a loop; encodeInto (a subarray and a
    // native call) for the rest, or from the first character that is not ASCII.
    const n = s.length;
    if (n <= ASCII_WRITE_LOOP_MAX) {
      this.ensure(n);
      const buf = this.buf;
      const start = this.pos;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.pos = start;
          return this.utf8Native(s);
        }
        buf[start + i] = c;
      }
      this.pos = start + n;
      return this;
    }
    return this.utf8Native(s);
  }

  private utf8Native(s: string): this {
    this.ensure(utf8Length(s));
    this.pos += encodeUtf8Into(s, this.buf, this.pos);
    return this;
  }

  /** Empties the writer, keeping its buffer: for a writer reused across encodes. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Capacity in octets (what a reused writer keeps between encodes). */
  get capacity(): number {
    return this.buf.length;
  }

  /** What was written, as a view: valid only until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Overwrites already written octets (for back-patched lengths). */
  patch(at: number, b: Uint8Array): void {
    this.buf.set(b, at);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Octets a uintvar takes for v. */
export function uintvarLength(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
