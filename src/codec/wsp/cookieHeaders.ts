/**
 * Set-Cookie and Cookie (WAP-230 8.4.2.x, WSP 1.3), given in their HTTP form (RFC 2109):
 *   Set-cookie-value = Value-length Cookie-version Cookie-name Cookie-val *Parameter
 *     -> `name=value; version=1; path=/; ...`
 *   Cookie-value = Value-length Cookie-version *Cookie
 *   Cookie = Value-length Cookie-name Cookie-val [Cookie-path [Cookie-domain]]
 *     -> `$Version=1; name=value; $Path=/; $Domain=.example.com; name2=value2`
 * Cookie-version is a Version-value, names, values, path and domain Text-strings.
 */
import { DecodeError, EncodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { formatParam } from './contentType.js';
import { formatPairs, namesAreTokens, parsePair, parsePairs, splitOutside } from './httpText.js';
import { readParameters, writeParameters } from './parameters.js';
import {
  isToken,
  readTextString,
  readValueLength,
  readVersionValue,
  writeTextString,
  writeValueBlock,
  writeVersionValue,
} from './primitives.js';

/** A cookie name the text can carry: a token, and not one of the attribute names that start with $. */
const cookieName = (name: string): boolean => isToken(name) && !name.startsWith('$');

/** The HTTP form, or undefined when a name is no token (the caller keeps the octets as they are). */
export function readSetCookie(r: ByteReader, vEnd: number, limits: Limits): string | undefined {
  readValueLength(r);
  const version = readVersionValue(r);
  const name = readTextString(r);
  const value = readTextString(r);
  let s = `${formatParam(name, value)}; ${formatParam('version', version)}`;
  if (r.pos < vEnd) {
    const params = readParameters(r, vEnd, limits);
    if (!namesAreTokens(params) || 'version' in params) return undefined;
    s += `; ${formatPairs(params, '; ')}`;
  }
  return cookieName(name) ? s : undefined;
}

export function readCookie(r: ByteReader, vEnd: number): string | undefined {
  let ok = true;
  readValueLength(r);
  const parts = [formatParam('$Version', readVersionValue(r))];
  while (r.pos < vEnd) {
    const at = r.pos;
    const len = readValueLength(r);
    const end = r.pos + len;
    const name = readTextString(r);
    ok &&= cookieName(name);
    parts.push(formatParam(name, readTextString(r)));
    if (r.pos < end) parts.push(formatParam('$Path', readTextString(r)));
    if (r.pos < end) parts.push(formatParam('$Domain', readTextString(r)));
    if (r.pos !== end) throw new DecodeError('BAD_LENGTH', at, 'a Cookie does not end where its Value-length says');
  }
  return ok ? parts.join('; ') : undefined;
}

export function writeSetCookie(w: ByteWriter, s: string): void {
  const [first, second, ...rest] = splitOutside(s, ';');
  const [name, value] = parsePair(first);
  const [v, version] = second === undefined ? ['', ''] : parsePair(second);
  if (!name || v.toLowerCase() !== 'version')
    throw new EncodeError('BAD_INPUT', `Set-Cookie must look like "name=value; version=1; ...": ${s}`);
  const inner = new ByteWriter(32);
  writeVersionValue(inner, version);
  writeTextString(inner, name);
  writeTextString(inner, value);
  writeParameters(inner, parsePairs(rest));
  writeValueBlock(w, inner);
}

export function writeCookie(w: ByteWriter, s: string): void {
  const [first, ...rest] = splitOutside(s, ';');
  const [v, version] = parsePair(first);
  if (v !== '$Version') throw new EncodeError('BAD_INPUT', `Cookie must start with $Version=: ${s}`);
  const inner = new ByteWriter(32);
  writeVersionValue(inner, version);
  let cookie: string[] | undefined;
  const flush = () => {
    if (!cookie) return;
    const one = new ByteWriter(16);
    for (const t of cookie) writeTextString(one, t);
    writeValueBlock(inner, one);
  };
  for (const part of rest) {
    const [k, value] = parsePair(part);
    if (k === '$Path' || k === '$Domain') {
      // Cookie-parameters = Cookie-path [Cookie-domain]: a domain needs a path before it.
      if (!cookie || (k === '$Path' ? cookie.length !== 2 : cookie.length > 3))
        throw new EncodeError('BAD_INPUT', `${k} out of place in Cookie: ${s}`);
      if (k === '$Domain' && cookie.length === 2) cookie.push('');
      cookie.push(value);
    } else {
      flush();
      cookie = [k, value];
    }
  }
  flush();
  writeValueBlock(w, inner);
}
