/**
 * Passwords never reach a log line or a metric label: an SMSC URL is written with its password
 * replaced. (A shared URL-masking helper may replace this one; until then the ops layer masks the
 * URLs it writes itself.)
 */

/** What stands in for a password. */
export const MASK = '***';

/** smpp://ID:PASSWORD@HOST:PORT -> smpp://ID:***@HOST:PORT; anything not a URL with a password is kept. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, `$1:${MASK}@`);
}
