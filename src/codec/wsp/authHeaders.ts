/**
 * Authorization, Proxy-Authorization (Credentials) and WWW-Authenticate, Proxy-Authenticate
 * (Challenge), WAP-230 8.4.2.5, given in their HTTP form (RFC 2617):
 *   Credentials = (Basic User-id Password) | (Authentication-scheme *Auth-param)
 *   Challenge   = (Basic Realm-value) | (Authentication-scheme Realm-value *Auth-param)
 * each after a Value-length; Basic is octet 128, the rest Text-string, Token-text and Parameters.
 */
import { fromBase64, toBase64 } from '../base64.js';
import { EncodeError } from '../errors.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { ByteWriter } from '../writer.js';
import { formatParam } from './contentType.js';
import { formatPairs, namesAreTokens, parsePairs, splitOutside } from './httpText.js';
import { readParameters, writeParameters } from './parameters.js';
import {
  isToken,
  readTextString,
  readTokenText,
  readValueLength,
  writeTextString,
  writeTokenText,
  writeValueBlock,
} from './primitives.js';

const BASIC = 0x80;

/**
 * `Basic <base64 of user:password>` or `scheme k=v, k=v`; undefined when the octets hold what that
 * text cannot say (a scheme or parameter name that is no token): the caller keeps them as they are.
 */
export function readCredentials(r: ByteReader, vEnd: number, limits: Limits): string | undefined {
  readValueLength(r);
  if (r.peek() === BASIC) {
    r.pos++;
    const user = readTextString(r);
    const password = readTextString(r);
    return `Basic ${toBase64(encodeUtf8(`${user}:${password}`))}`;
  }
  const scheme = readTokenText(r);
  const params = r.pos < vEnd ? readParameters(r, vEnd, limits) : {};
  if (!isToken(scheme) || !namesAreTokens(params)) return undefined;
  return Object.keys(params).length ? `${scheme} ${formatPairs(params, ', ')}` : scheme;
}

/** `Basic realm="..."` or `scheme realm="...", k=v`; undefined as for readCredentials. */
export function readChallenge(r: ByteReader, vEnd: number, limits: Limits): string | undefined {
  readValueLength(r);
  let scheme = 'Basic';
  if (r.peek() === BASIC) r.pos++;
  else scheme = readTokenText(r);
  const realm = realmParam(readTextString(r));
  const params = r.pos < vEnd ? readParameters(r, vEnd, limits) : {};
  if (!isToken(scheme) || !namesAreTokens(params) || 'realm' in params) return undefined;
  return Object.keys(params).length ? `${scheme} ${realm}, ${formatPairs(params, ', ')}` : `${scheme} ${realm}`;
}

/** RFC 2617 writes the realm as a quoted-string always. */
function realmParam(realm: string): string {
  const quoted = formatParam('realm', realm);
  return quoted.startsWith('realm="') ? quoted : `realm="${realm}"`;
}

function schemeAndRest(s: string, what: string): [string, string] {
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(s.trim());
  if (!m) throw new EncodeError('BAD_INPUT', `${what} needs a scheme: ${JSON.stringify(s)}`);
  return [m[1], (m[2] ?? '').trim()];
}

export function writeCredentials(w: ByteWriter, s: string): void {
  const [scheme, rest] = schemeAndRest(s, 'Credentials');
  const inner = new ByteWriter(32);
  if (scheme.toLowerCase() === 'basic') {
    const cookie = fromBase64(rest);
    if (toBase64(cookie).replace(/=+$/, '') !== rest.replace(/=+$/, ''))
      throw new EncodeError('BAD_INPUT', `Basic credentials are base64 of user:password: ${JSON.stringify(rest)}`);
    const text = decodeUtf8(cookie, 0, cookie.length);
    const colon = text.indexOf(':');
    if (colon < 0) throw new EncodeError('BAD_INPUT', 'Basic credentials without the ":" between user and password');
    inner.u8(BASIC);
    writeTextString(inner, text.slice(0, colon));
    writeTextString(inner, text.slice(colon + 1));
  } else {
    writeTokenText(inner, scheme);
    writeParameters(inner, parsePairs(splitOutside(rest, ',')));
  }
  writeValueBlock(w, inner);
}

export function writeChallenge(w: ByteWriter, s: string): void {
  const [scheme, rest] = schemeAndRest(s, 'Challenge');
  const params = parsePairs(splitOutside(rest, ','));
  const realm = params.realm;
  if (realm === undefined) throw new EncodeError('BAD_INPUT', `a challenge needs a realm: ${JSON.stringify(s)}`);
  delete params.realm;
  const inner = new ByteWriter(32);
  if (scheme.toLowerCase() === 'basic') {
    if (Object.keys(params).length) throw new EncodeError('BAD_INPUT', 'a Basic challenge has only a realm');
    inner.u8(BASIC);
  } else writeTokenText(inner, scheme);
  writeTextString(inner, String(realm));
  writeParameters(inner, params);
  writeValueBlock(w, inner);
}
