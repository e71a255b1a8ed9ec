import type { Charset } from '../charset/mibenum.js';
import { decodeText } from '../charset/text.js';
import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import { truncated } from '../reader.js';

/** Octets a NUL scan reads by a loop before it hands the rest to indexOf. */
const STRING_LOOP_MAX = 64;

/**
 * End (exclusive, at the terminator) of a string in the document charset starting at
 * `start`: strings end with a NUL character of the charset, i.e. `unit` zero octets
 * aligned to the string start (WBXML 1.3 section 5.8.4.1).
 */
export function stringEnd(buf: Uint8Array, start: number, end: number, unit: number): number {
  if (unit === 1) {
    // Most strings are short: a loop over them costs less than indexOf's native call, which
    // takes the rest (bounded by `end`, where indexOf would run on to the end of `buf`).
    const loopEnd = Math.min(end, start + STRING_LOOP_MAX);
    for (let i = start; i < loopEnd; i++) if (buf[i] === 0) return i;
    if (loopEnd === end) return -1;
    const i = buf.indexOf(0, loopEnd);
    return i < 0 || i >= end ? -1 : i;
  }
  for (let i = start; i + unit <= end; i += unit) {
    let zero = true;
    for (let k = 0; k < unit; k++) if (buf[i + k] !== 0) zero = false;
    if (zero) return i;
  }
  return -1;
}

/** The string at byte `index` of the string table. */
export function readTableString(
  buf: Uint8Array,
  table: readonly [number, number],
  index: number,
  cs: Charset,
  limits: Limits,
  at: number,
): string {
  const start = table[0] + index;
  if (index < 0 || start >= table[1]) {
    throw new DecodeError(
      'BAD_STRING_TABLE_REF',
      at,
      `string table index ${index} is outside the table (${table[1] - table[0]} octets)`,
    );
  }
  const end = stringEnd(buf, start, table[1], cs.unit);
  if (end < 0) throw new DecodeError('BAD_STRING_TABLE_REF', at, `string table entry at ${index} has no terminator`);
  if (end - start > limits.maxStringLength)
    throw new DecodeError('LIMIT', at, `string longer than maxStringLength (${limits.maxStringLength})`);
  return decodeText(buf, start, end, cs);
}

/** End of the inline string at `start` (at its terminator), checked against the limits. */
export function inlineStringEnd(buf: Uint8Array, start: number, end: number, cs: Charset, limits: Limits): number {
  const stop = stringEnd(buf, start, end, cs.unit);
  if (stop < 0) throw truncated(end, 'the terminator of an inline string');
  if (stop - start > limits.maxStringLength)
    throw new DecodeError('LIMIT', start, `string longer than maxStringLength (${limits.maxStringLength})`);
  return stop;
}
