/**
 * Node's loan to the codec (src/codec/host.ts): Buffer's native text slicers, quicker than
 * TextDecoder for push-sized strings, and iconv-lite's charsets, which encode as well as decode.
 * Imported for its effect by the package entry (src/index.ts) and the command (src/cli.ts); the
 * codec itself stays free of Node, so it runs in a browser (docs/inspector.md).
 */
import iconv from 'iconv-lite';
import { lendHost, type Slice } from './codec/host.js';

/** Buffer's slicers, which its typings do not list; they read any Uint8Array given as `this`. */
type ThisSlice = (this: Uint8Array, start: number, end: number) => string;
const { utf8Slice, latin1Slice } = Buffer.prototype as unknown as { utf8Slice: ThisSlice; latin1Slice: ThisSlice };

// Wrapped, not lent as they are: here each is a constant V8 calls natively at once, where the
// codec's `.call` of a loaned function went the generic way (src/codec/host.ts, Slice).
const utf8: Slice = (buf, start, end) => utf8Slice.call(buf, start, end);
const latin1: Slice = (buf, start, end) => latin1Slice.call(buf, start, end);

lendHost({
  utf8Slice: utf8,
  latin1Slice: latin1,
  charsets: {
    exists: (name) => iconv.encodingExists(name),
    decode(octets, name) {
      const b = Buffer.from(octets.buffer, octets.byteOffset, octets.length);
      const text = iconv.decode(b, name);
      // Where the charset carries U+FFFD itself, only text that does not encode back to its octets is odd.
      if (!text.includes('\ufffd') || iconv.encode(text, name).equals(b)) return { text, malformed: false };
      return { text, malformed: true, malformedAt: firstUndecodable(b, name) };
    },
    encode(text, name) {
      const out = iconv.encode(text, name);
      // iconv-lite writes '?' for what the charset cannot hold.
      return iconv.decode(out, name) === text ? new Uint8Array(out) : undefined;
    },
  },
});

/**
 * Where in `octets` the first sequence that does not decode starts (a cold path: only text that
 * has one gets here). Fed one octet at a time, iconv-lite's decoder gives a character once its
 * sequence is complete, and U+FFFD once it is broken: the broken one began after the last octet
 * that completed a character.
 */
function firstUndecodable(octets: Buffer, name: string): number {
  const decoder = iconv.getDecoder(name);
  let sequenceStart = 0;
  for (let i = 0; i < octets.length; i++) {
    const out = decoder.write(octets.subarray(i, i + 1));
    if (out === '') continue;
    if (out.includes('\ufffd') && !iconv.encode(out, name).equals(octets.subarray(sequenceStart, i + 1)))
      return sequenceStart;
    sequenceStart = i + 1;
  }
  return sequenceStart < octets.length ? sequenceStart : 0;
}
