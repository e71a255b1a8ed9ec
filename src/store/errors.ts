/**
 * The one error the state layer throws. `code` is stable: a bearer answers STORE_UNAVAILABLE
 * with a temporary error (SMPP ESME_RX_T_APPN) so the sender retries, and acknowledges nothing
 * that is not stored.
 */
export const StoreErrorCode = Object.freeze({
  /** The backend cannot write (disk full, read-only, Redis down or unreachable): try again later. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** Used after close(). */
  STORE_CLOSED: 'STORE_CLOSED',
  /** Another live process holds this embedded store (one writer per directory). */
  STORE_LOCKED: 'STORE_LOCKED',
  /** A store opened read-only (inspection) was asked to write. */
  STORE_READ_ONLY: 'STORE_READ_ONLY',
  /** The store spec (`memory`, a path, `redis://HOST:PORT[/DB]`) or an option is not valid. */
  BAD_SPEC: 'BAD_SPEC',
  /** A segment, key or value outside what the store takes (see docs/state.md, limits). */
  BAD_INPUT: 'BAD_INPUT',
  /** A queue holds its most entries: the caller reports the overflow or asks for a resend. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** What the store holds is not what this version wrote (a foreign or damaged store). */
  STORE_CORRUPT: 'STORE_CORRUPT',
} as const);

export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether trying again later may succeed (the bearer answers a temporary error). */
  get temporary(): boolean {
    return this.code === StoreErrorCode.STORE_UNAVAILABLE || this.code === StoreErrorCode.QUEUE_FULL;
  }

  toJSON(): { code: StoreErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A StoreError as it is, anything else as STORE_UNAVAILABLE with the cause's message. */
export function unavailable(cause: unknown, what: string): StoreError {
  if (cause instanceof StoreError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(StoreErrorCode.STORE_UNAVAILABLE, `${what}: ${message}`, { cause });
}
