/**
 * Every bound a decoder enforces. Exceeding one is a `DecodeError` with code `LIMIT`,
 * never a crash or unbounded work. Defaults are generous for SMS push traffic (a whole
 * concatenated SMS is at most 255 x 140 octets) while keeping hostile input cheap.
 */
export interface Limits {
  /** Largest input a decoder accepts, in octets (WSP PDU or WBXML document). */
  maxDocumentSize: number;
  /** Most headers in one WSP header block (the content type not counted). */
  maxHeaders: number;
  /** Most parameters on one content-type or header value. */
  maxParameters: number;
  /** Deepest WBXML element nesting. */
  maxDepth: number;
  /** Longest single string (inline, table or decoded text), in octets. */
  maxStringLength: number;
  /** Most attributes on one WBXML element. */
  maxAttributes: number;
  /** Most element and text nodes in one WBXML document. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDocumentSize: 1 << 20,
  maxHeaders: 256,
  maxParameters: 64,
  maxDepth: 64,
  maxStringLength: 64 * 1024,
  maxAttributes: 64,
  maxNodes: 65_536,
});

/**
 * Complete limits from a partial set. Resolved sets are frozen, so passing one down through
 * layers (PDU -> body -> tokenizer) costs nothing per call.
 */
export function resolveLimits(partial?: Partial<Limits>): Readonly<Limits> {
  if (!partial) return DEFAULT_LIMITS;
  if (Object.isFrozen(partial)) return partial as Readonly<Limits>;
  return Object.freeze({ ...DEFAULT_LIMITS, ...partial });
}
