/**
 * The one way a URL with credentials is printed: its password replaced by `***` (the user
 * name stays, it says which account). Everything that logs, reports or throws a URL goes
 * through here, so a password never reaches a log line, JSON output or an error message.
 */

export const MASK = '***';

/** `smpp://ppg:secret@host:2775` as `smpp://ppg:***@host:2775`; text that is no URL is returned masked as well as it can be. */
export function maskUrl(url: string): string {
  return maskUrlsIn(url);
}

/**
 * Every `scheme://user:password@` in free text (an error message, a log line) with its
 * password masked. Works on text that `new URL` would refuse, so a malformed URL in an error
 * is masked too. A password typed unescaped may hold `/`, `?`, `#` or `@`, so the mask runs to
 * the last `@` of the word: masking too much of a URL is harmless, showing a password is not.
 */
export function maskUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):\S*@/gi, `$1:${MASK}@`);
}
