/**
 * Node's loan to the codec (src/codec/host.ts): Buffer's native text slicers, quicker than
 * TextDecoder for push-sized strings, and iconv-lite's charsets, which encode as well as decode.
 * Imported for its effect by the package entry (src/index.ts) and the command (src/cli.ts); the
 * codec itself stays free of Node, so it runs in a browser (docs/inspector.md).
 */
import iconv from 'iconv-lite';
import { lendHost, type Slice } from './codec/host.js';

const slicers = Buffer.prototype as unknown as { utf8Slice?: Slice; latin1Slice?: Slice };

lendHost({
  utf8Slice: slicers.utf8Slice,
  latin1Slice: slicers.latin1Slice,
  charsets: {
    exists: (name) => iconv.encodingExists(name),
    decode(octets, name) {
      const b = Buffer.from(octets.buffer, octets.byteOffset, octets.length);
      const text = iconv.decode(b, name);
      // Where the charset carries U+FFFD itself, only text that does not encode back to its octets is odd.
      return { text, malformed: text.includes('\ufffd') && !iconv.encode(text, name).equals(b) };
    },
    encode(text, name) {
      const out = iconv.encode(text, name);
      // iconv-lite writes '?' for what the charset cannot hold.
      return iconv.decode(out, name) === text ? new Uint8Array(out) : undefined;
    },
  },
});
