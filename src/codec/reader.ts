import { DecodeError } from './errors.js';

/** An input of no octets: what a reader kept between decodes points at when it has let go. */
export const EMPTY_OCTETS = new Uint8Array(0);

/**
 * A bounds-checked cursor over one input. It never copies: `view` returns a subarray of
 * the input. Offsets in errors are absolute positions in `buf`.
 */
export class ByteReader {
  buf: Uint8Array;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Points the reader at new input, so one reader can serve many decodes. */
  reset(buf: Uint8Array, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  /**
   * Points the reader at no input. A reader kept between decodes would otherwise keep its last
   * input alive, and the whole buffer that input is a view of, until the next decode.
   */
  release(): void {
    this.reset(EMPTY_OCTETS);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw truncated(this.pos, 'an octet');
    return this.buf[this.pos++];
  }

  peek(): number {
    if (this.pos >= this.end) throw truncated(this.pos, 'an octet');
    return this.buf[this.pos];
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) throw truncated(this.pos, `${n} octets of ${what}`);
  }

  skip(n: number, what = 'a field'): void {
    this.need(n, what);
    this.pos += n;
  }

  view(n: number, what = 'a field'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Big-endian unsigned integer of n (1..4) octets. */
  uint(n: number, what = 'an integer'): number {
    this.need(n, what);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos++];
    return v;
  }

  /**
   * WSP uintvar / WBXML mb_u_int32: 7 bits per octet, high bit = more follows.
   * At most 5 octets and 32 bits (WAP-230 8.1.2, WBXML 1.3 5.1).
   */
  uintvar(): number {
    const start = this.pos;
    let v = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw truncated(this.pos, 'a uintvar');
      const b = this.buf[this.pos++];
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) {
        if (v > 0xffffffff) throw new DecodeError('BAD_UINTVAR', start, 'uintvar exceeds 32 bits');
        return v;
      }
    }
    throw new DecodeError('BAD_UINTVAR', start, 'uintvar longer than 5 octets');
  }

  /** Index of the NUL that ends the string starting at pos (the NUL itself is not consumed). */
  findNul(what: string): number {
    const i = this.buf.indexOf(0, this.pos);
    if (i < 0 || i >= this.end) throw truncated(this.end, `the NUL ending ${what}`);
    return i;
  }
}

export function truncated(offset: number, what: string): DecodeError {
  return new DecodeError('TRUNCATED', offset, `input ends before ${what}`);
}
