import { DecodeError, EncodeError } from '../errors.js';
import { host, type CharsetConverter } from '../host.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';
import { warn, WarningCode } from '../warnings.js';
import { builtinCharsets } from './builtin.js';
import { charsetByMib, type Charset } from './mibenum.js';

/** The converter for charsets other than UTF-8 and US-ASCII: a host's, else the codec's own. */
const converter = (): CharsetConverter => host.charsets ?? builtinCharsets;

/** Whether the converter can convert each charset, asked once per charset (the lookup is not free). */
const supported = new Map<number, boolean>();
let askedOf: CharsetConverter | undefined;

/** The charset for a MIBenum, or a typed error: an unknown MIBenum is never guessed. */
export function requireCharset(mib: number, offset: number): Charset {
  const cs = charsetByMib(mib);
  const conv = converter();
  if (askedOf !== conv) {
    supported.clear();
    askedOf = conv;
  }
  let ok = cs !== undefined && supported.get(mib);
  if (cs && ok === undefined) supported.set(mib, (ok = conv.exists(cs.iconv)));
  if (!cs || !ok) {
    throw new DecodeError('UNKNOWN_CHARSET', offset, `unknown or unsupported charset MIBenum ${mib}`);
  }
  return cs;
}

export function decodeText(buf: Uint8Array, start: number, end: number, cs: Charset): string {
  // Kept this small so it is inlined where strings are read: the other charsets are out of line.
  return cs.mib === 106 || cs.mib === 3 ? decodeUtf8(buf, start, end) : decodeOther(buf, start, end, cs);
}

function decodeOther(buf: Uint8Array, start: number, end: number, cs: Charset): string {
  let view = buf.subarray(start, end);
  let name = cs.iconv;
  if (cs.mib === 1015 && view.length >= 2) {
    // UTF-16 without a byte order is big-endian (RFC 2781 4.3); a BOM decides otherwise.
    if (view[0] === 0xff && view[1] === 0xfe) {
      name = 'utf16le';
      view = view.subarray(2);
    } else if (view[0] === 0xfe && view[1] === 0xff) view = view.subarray(2);
  }
  const { text, malformed, malformedAt } = converter().decode(view, name);
  if (malformed) {
    // A converter that cannot say where the bad sequence starts leaves it at the text's start.
    const at = end - view.length + (malformedAt ?? 0);
    warn(WarningCode.CHARSET, at, `text does not decode as ${cs.name} from octet ${at}: read with U+FFFD`);
  }
  return text;
}

export function encodeText(s: string, cs: Charset): Uint8Array {
  if (cs.mib === 106) return encodeUtf8(s);
  // eslint-disable-next-line no-control-regex -- the US-ASCII range includes the controls
  if (cs.mib === 3 && /[^\x00-\x7f]/.test(s)) {
    throw new EncodeError('BAD_INPUT', 'text is not representable in us-ascii');
  }
  const out = converter().encode(s, cs.iconv);
  // Refused instead of sending other text ('?' where the charset cannot hold a character).
  if (!out) throw new EncodeError('BAD_INPUT', `text is not representable in ${cs.name}`);
  return out;
}
