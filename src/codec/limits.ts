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
 * Every set this module completed. A set is trusted as complete only when it is one of these:
 * a caller's own frozen partial set (Object.freeze({ maxNodes: 10 })) must still be completed,
 * or every limit it leaves out would compare against undefined and never stop anything.
 */
const resolved = new WeakSet<object>([DEFAULT_LIMITS]);

/**
 * Complete limits from a partial set. A resolved set passed down through layers (PDU -> body
 * -> tokenizer) comes back as it is, so that costs one check per call.
 */
export function resolveLimits(partial?: Partial<Limits>): Readonly<Limits> {
  // The usual answers here, the rest out of line: small enough for V8 to inline into every
  // decode's entry without spending the budget its caller has for inlining the decode itself.
  if (!partial || partial === DEFAULT_LIMITS) return DEFAULT_LIMITS;
  return resolved.has(partial) ? (partial as Readonly<Limits>) : completeLimits(partial);
}

function completeLimits(partial: Partial<Limits>): Readonly<Limits> {
  // A limit given as undefined is left out, not copied over its default.
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>) {
    const v = partial[name];
    if (v === undefined) continue;
    // NaN or a string would compare false against every count and so stop nothing: refused.
    if (typeof v !== 'number' || !(v >= 0))
      throw new RangeError(`limits.${name} must be a number >= 0, not ${String(v)}`);
    limits[name] = v;
  }
  resolved.add(Object.freeze(limits));
  return limits;
}
