import { EncodeError } from './errors.js';
import { ASCII_ENCODE_LOOP_MAX, copyAscii, encodeUtf8Into, utf8Length } from './utf8.js';

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
    // Short ASCII by a loop (as encodeUtf8); the rest, or text that is not ASCII, by encodeInto
    // over what the loop may have written.
    if (s.length <= ASCII_ENCODE_LOOP_MAX) {
      this.ensure(s.length);
      if (copyAscii(s, this.buf, this.pos)) {
        this.pos += s.length;
        return this;
      }
    }
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
