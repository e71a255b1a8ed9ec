import { EncodeError } from './errors.js';
import { encodeUtf8Into, utf8Length } from './utf8.js';

/** A growable output buffer; `finish` returns a view of exactly what was written. */
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
    const tmp: number[] = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      tmp.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.ensure(tmp.length);
    for (let i = tmp.length - 1; i >= 0; i--) this.buf[this.pos++] = tmp[i];
    return this;
  }

  utf8(s: string): this {
    this.ensure(utf8Length(s));
    this.pos += encodeUtf8Into(s, this.buf, this.pos);
    return this;
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
