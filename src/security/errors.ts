/** Refusals of the security layer: a file that cannot be trusted, TLS settings that cannot be used. */

export const SecurityErrorCode = Object.freeze({
  /** A certificate, key or CA file could not be read. */
  TLS_FILE: 'TLS_FILE',
  /** TLS settings that do not go together (a --cert without its --key, a server without a certificate). */
  TLS_OPTIONS: 'TLS_OPTIONS',
  /** A file holding secrets that others may read or change (as ssh refuses an open private key). */
  SECRET_FILE_MODE: 'SECRET_FILE_MODE',
} as const);

export type SecurityErrorCode = (typeof SecurityErrorCode)[keyof typeof SecurityErrorCode];

export class SecurityError extends Error {
  override readonly name = 'SecurityError';
  constructor(
    readonly code: SecurityErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { code: SecurityErrorCode; message: string; offset: null } {
    return { code: this.code, message: this.message, offset: null };
  }
}
