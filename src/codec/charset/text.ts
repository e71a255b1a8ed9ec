import iconv from 'iconv-lite';
import { DecodeError, EncodeError } from '../errors.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';
import { warn, WarningCode } from '../warnings.js';
import { charsetByMib, type Charset } from './mibenum.js';

/** Whether iconv-lite can convert each charset, asked once per charset (the lookup is not free). */
const supported = new Map<number, boolean>();

/** The charset for a MIBenum, or a typed error: an unknown MIBenum is never guessed. */
export function requireCharset(mib: number, offset: number): Charset {
  const cs = charsetByMib(mib);
  let ok = cs !== undefined && supported.get(mib);
  if (cs && ok === undefined) supported.set(mib, (ok = iconv.encodingExists(cs.iconv)));
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
  const octets = Buffer.from(view.buffer, view.byteOffset, view.length);
  const text = iconv.decode(octets, name);
  // iconv-lite puts U+FFFD for what does not decode. Where the charset carries U+FFFD itself,
  // only text that does not encode back to its octets is odd.
  if (text.includes('\ufffd') && !iconv.encode(text, name).equals(octets)) {
    const at = end - octets.length + firstUndecodable(octets, name);
    warn(WarningCode.CHARSET, at, `text does not decode as ${cs.name} from octet ${at}: read with U+FFFD`);
  }
  return text;
}

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

export function encodeText(s: string, cs: Charset): Uint8Array {
  if (cs.mib === 106) return encodeUtf8(s);
  // eslint-disable-next-line no-control-regex -- the US-ASCII range includes the controls
  if (cs.mib === 3 && /[^\x00-\x7f]/.test(s)) {
    throw new EncodeError('BAD_INPUT', 'text is not representable in us-ascii');
  }
  const out = iconv.encode(s, cs.iconv);
  // iconv-lite writes '?' for what the charset cannot hold: refuse instead of sending other text.
  if (iconv.decode(out, cs.iconv) !== s) throw new EncodeError('BAD_INPUT', `text is not representable in ${cs.name}`);
  return new Uint8Array(out);
}
