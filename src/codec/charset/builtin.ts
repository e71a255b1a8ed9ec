/**
 * The charsets the codec converts by itself, where no host lent it more (src/codec/host.ts):
 * ISO-8859-1, UTF-16 and UTF-32 here, and for decoding whatever the runtime's TextDecoder knows
 * (the WHATWG Encoding list: the ISO-8859 and Windows code pages, Shift_JIS, EUC-JP/KR, GBK,
 * GB18030, Big5, KOI8). Encoding those takes a host's converter.
 */
import { EncodeError } from '../errors.js';
import type { CharsetConverter } from '../host.js';

/** iconv-lite names (Charset.iconv) whose WHATWG label differs. */
const LABELS: Readonly<Record<string, string>> = Object.freeze({
  cp949: 'euc-kr',
  big5hkscs: 'big5',
  tis620: 'tis-620',
});

const decoders = new Map<string, InstanceType<typeof TextDecoder> | null>();

function decoderFor(name: string): InstanceType<typeof TextDecoder> | null {
  let d = decoders.get(name);
  if (d === undefined) {
    try {
      d = new TextDecoder(LABELS[name] ?? name, { fatal: true });
    } catch {
      d = null;
    }
    decoders.set(name, d);
  }
  return d;
}

const OWN = new Set(['latin1', 'utf16be', 'utf16le', 'utf32be', 'utf32le']);

export const builtinCharsets: CharsetConverter = {
  exists: (name) => OWN.has(name) || decoderFor(name) !== null,
  decode(octets, name) {
    if (name === 'latin1') return { text: latin1Text(octets), malformed: false };
    if (name === 'utf32be' || name === 'utf32le') return utf32(octets, name === 'utf32le');
    const d = decoderFor(name === 'utf16be' ? 'utf-16be' : name === 'utf16le' ? 'utf-16le' : name);
    if (!d) throw new EncodeError('BAD_INPUT', `charset ${name} is not available here`);
    try {
      return { text: d.decode(octets), malformed: false };
    } catch {
      const text = new TextDecoder(d.encoding).decode(octets);
      return { text, malformed: true, malformedAt: firstUndecodable(octets, d.encoding) };
    }
  },
  encode(text, name) {
    if (name === 'latin1') {
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return undefined;
      return Uint8Array.from(text, (c) => c.charCodeAt(0));
    }
    if (name === 'utf16be' || name === 'utf16le') {
      const out = new Uint8Array(text.length * 2);
      const v = new DataView(out.buffer);
      for (let i = 0; i < text.length; i++) v.setUint16(2 * i, text.charCodeAt(i), name === 'utf16le');
      return out;
    }
    if (name === 'utf32be' || name === 'utf32le') {
      const cps = Array.from(text, (c) => c.codePointAt(0)!);
      const out = new Uint8Array(cps.length * 4);
      const v = new DataView(out.buffer);
      cps.forEach((cp, i) => v.setUint32(4 * i, cp, name === 'utf32le'));
      return out;
    }
    throw new EncodeError('BAD_INPUT', `no encoder for charset ${name} here (it takes a host's converter)`);
  },
};

function latin1Text(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function utf32(b: Uint8Array, le: boolean): { text: string; malformed: boolean } {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  let text = '';
  let malformed = b.length % 4 !== 0;
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const cp = v.getUint32(i, le);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      text += '\ufffd';
      malformed = true;
    } else text += String.fromCodePoint(cp);
  }
  if (b.length % 4) text += '\ufffd';
  return { text, malformed };
}

/**
 * Where in `octets` the first sequence that does not decode starts (a cold path: only text that
 * has one gets here). Fed one octet at a time in streaming mode, a fatal decoder gives a
 * character once its sequence is complete and throws once it is broken: the broken one began
 * after the last octet that completed a character.
 */
function firstUndecodable(octets: Uint8Array, encoding: string): number {
  const d = new TextDecoder(encoding, { fatal: true });
  let sequenceStart = 0;
  for (let i = 0; i < octets.length; i++) {
    try {
      if (d.decode(octets.subarray(i, i + 1), { stream: true }) !== '') sequenceStart = i + 1;
    } catch {
      return sequenceStart;
    }
  }
  return sequenceStart < octets.length ? sequenceStart : 0;
}
