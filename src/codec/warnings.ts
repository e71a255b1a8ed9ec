/**
 * What is odd about an input that still decodes: the decoders' counterpart of DecodeError. A
 * decode collects them while it runs and hands them over on its result (`warnings`, absent when
 * there are none). Decoding is synchronous, so the collection is one module-level list, made on
 * the first warning of a decode: a decode with nothing to say allocates nothing for it.
 */

/** Warning codes; stable, as DecodeError codes are. */
export const WarningCode = Object.freeze({
  /** Content-Length says another length than the body has. */
  CONTENT_LENGTH: 'CONTENT_LENGTH',
  /** Octets after the WBXML root element (and its processing instructions), ignored. */
  TRAILING_DATA: 'TRAILING_DATA',
  /** A document lacks an element or attribute its DTD requires, and is decoded without it. */
  MISSING_REQUIRED: 'MISSING_REQUIRED',
  /** A longer encoding where a shorter one fits: Length-quote for a short length, a uintvar with a leading 0x80, ... */
  NON_MINIMAL: 'NON_MINIMAL',
  /** Bits the specification reserves are set (Push-Flag). */
  RESERVED_BITS: 'RESERVED_BITS',
  /** A well-known code this decoder has no name for, kept as its number. */
  UNKNOWN_CODE: 'UNKNOWN_CODE',
  /** Text that does not decode in its charset (read with U+FFFD), or a charset name not known. */
  CHARSET: 'CHARSET',
  /** An SMS without application port addressing decoded as a WSP push. */
  NOT_WDP: 'NOT_WDP',
} as const);
export type WarningCode = (typeof WarningCode)[keyof typeof WarningCode];

export interface DecodeWarning {
  code: WarningCode;
  message: string;
  /** Octet offset in the input, as DecodeError offsets are. */
  offset: number;
}

/** What carries the warnings of its decode. */
export interface Warned {
  /** What was odd about the input; absent when nothing was. */
  warnings?: DecodeWarning[];
}

/** The warnings of the decode under way, made on the first one. */
let current: DecodeWarning[] | undefined;
/** How many collections are open: a warning outside any decode (depth 0) is nobody's and is dropped. */
let depth = 0;

export function warn(code: WarningCode, offset: number, message: string): void {
  if (depth > 0) (current ??= []).push({ code, message, offset });
}

/** Starts a collection for one decode; returns what an enclosing decode had collected so far. */
export function openWarnings(): DecodeWarning[] | undefined {
  const outer = current;
  current = undefined;
  depth++;
  return outer;
}

/**
 * Ends the collection `openWarnings` started (call it in a finally), giving back the enclosing
 * decode its list; returns this decode's warnings, their offsets moved by `base`.
 */
export function closeWarnings(outer: DecodeWarning[] | undefined, base = 0): DecodeWarning[] | undefined {
  const mine = current;
  current = outer;
  depth--;
  // The loop out of line: this stays small enough for V8 to inline into each decode's entry.
  if (mine !== undefined && base !== 0) moveOffsets(mine, base);
  return mine;
}

function moveOffsets(warnings: DecodeWarning[], base: number): void {
  for (const w of warnings) w.offset += base;
}

/** How many warnings the open collection holds: a decode that may be retried another way marks, then drops. */
export function warningMark(): number {
  return current ? current.length : 0;
}

/** Drops the warnings collected since `mark` (a fast path that stepped aside; the next path says them again). */
export function dropWarnings(mark: number): void {
  if (current) current.length = mark;
}

/** The warnings collected since `mark`, to move their offsets (XML: characters to octets). */
export function warningsSince(mark: number): readonly DecodeWarning[] {
  return current ? current.slice(mark) : [];
}

/** Attaches `found` to what was decoded, after any warnings an inner decode put there. */
export function attachWarnings(result: Warned, found: DecodeWarning[] | undefined): void {
  if (!found) return;
  result.warnings = result.warnings ? [...result.warnings, ...found] : found;
}
