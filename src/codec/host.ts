/**
 * What a host may lend the codec to go faster or further; the codec runs without any of it, in a
 * browser as in Node. Node's entry points (src/nodeHost.ts) lend Buffer's native slicers, which
 * read push-sized text in about half the time TextDecoder takes, and iconv-lite's charsets.
 */

/**
 * A native reader of buf[start, end) as text. A plain function, not one called with the buffer as
 * `this`: the codec calls it straight, so V8 knows the callee from the call site and inlines the
 * lender's wrapper, inside which the native call is to a constant (bench/README.md: a loan called
 * by `.call` cost the SI decode about 20%).
 */
export type Slice = (buf: Uint8Array, start: number, end: number) => string;

/** Converts text in a charset (named as iconv-lite names it, Charset.iconv) to and from octets. */
export interface CharsetConverter {
  exists(name: string): boolean;
  /**
   * The text, whether some octets did not decode (read as U+FFFD) and, where the converter can
   * tell, the index in `octets` of the first sequence that did not.
   */
  decode(octets: Uint8Array, name: string): { text: string; malformed: boolean; malformedAt?: number };
  /** The octets, or undefined when the charset cannot hold the text. */
  encode(text: string, name: string): Uint8Array | undefined;
}

export interface Host {
  utf8Slice?: Slice;
  latin1Slice?: Slice;
  charsets?: CharsetConverter;
}

/** What was lent; read by the codec at each use, so lending is possible at any time before a decode. */
export const host: Host = {};

export function lendHost(lent: Host): void {
  Object.assign(host, lent);
}
