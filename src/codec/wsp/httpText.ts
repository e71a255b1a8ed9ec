/**
 * The textual (HTTP) forms the decoder gives structured header values in, and the encoder reads
 * back: lists split outside quoted strings, `name=value` pairs with RFC 2616 quoting.
 */
import { EncodeError } from '../errors.js';
import { formatParam } from './contentType.js';
import type { Parameters } from './parameters.js';
import { isToken } from './primitives.js';

/** Splits on `sep` outside double-quoted strings (a backslash escapes inside them); trims each part. */
export function splitOutside(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted && i + 1 < text.length) {
      cur += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** `name=value`, `name="value"` or `name` (value ''): the name as written, the value unquoted. */
export function parsePair(part: string): [string, string] {
  const eq = part.indexOf('=');
  if (eq < 0) return [part.trim(), ''];
  return [part.slice(0, eq).trim(), unquote(part.slice(eq + 1).trim())];
}

export function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** Parameters as `k=v` pairs joined by `sep` (", " for auth-params, "; " for cookie attributes). */
export function formatPairs(params: Parameters, sep: string): string {
  return Object.entries(params)
    .map(([k, v]) => formatParam(k, v))
    .join(sep);
}

/** Pairs back into parameters; names lower-cased, as the decoder gives them. */
export function parsePairs(parts: readonly string[]): Parameters {
  const params: Parameters = {};
  for (const p of parts) {
    if (p === '') continue;
    const [k, v] = parsePair(p);
    if (k === '') throw new EncodeError('BAD_INPUT', `a parameter without a name: ${JSON.stringify(p)}`);
    params[k.toLowerCase()] = v;
  }
  return params;
}

/** Whether every name is a token: a name that is not cannot be written `name=value` and read back. */
export function namesAreTokens(params: Parameters): boolean {
  for (const k of Object.keys(params)) if (!isToken(k)) return false;
  return true;
}
