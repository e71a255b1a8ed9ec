// The pasted text: hex lines, and which input kind they are when the page is told "auto".
import type { DissectInput } from '../src/dissect/index.js';

export function hexToOctets(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:,-]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`not hex: ${text.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function hexLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** An SMPP PDU says its own length in its first four octets and is a submit_sm or deliver_sm. */
function looksSmpp(b: Uint8Array): boolean {
  if (b.length < 16) return false;
  const length = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  return length === b.length && b[4] === 0 && b[5] === 0 && b[6] === 0 && (b[7] === 4 || b[7] === 5);
}

/** A UDH's length octet then an element that addresses ports or concatenates (23.040 9.2.3.24). */
function looksSms(b: Uint8Array): boolean {
  return b.length > 3 && b[0] + 1 < b.length && [0x00, 0x04, 0x05, 0x08].includes(b[1]);
}

export function guessInput(parts: readonly Uint8Array[]): DissectInput {
  if (parts.every(looksSmpp)) return 'smpp';
  if (parts.length > 1 || parts.every(looksSms)) return 'sms';
  return 'wsp';
}
