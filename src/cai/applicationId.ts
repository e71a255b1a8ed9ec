/**
 * Push Application IDs as routing keys. The same application may be named by its OMNA code
 * or by its URN (PushCAI 5.1: "an [OMNA] registered or unregistered Push Application ID"):
 * both give the same key, the code. Unregistered URIs key on their lower-cased text.
 */
import { applicationIds, DEFAULT_APPLICATION_ID } from '../codec/wsp/applicationIds.js';

export type ApplicationKey = number | string;

/** OMNA code of x-wap-application:* (the wildcard application). */
export const WILDCARD_APPLICATION = 0x00;
/** OMNA code of x-wap-application:wml.ua, the App ID a push without X-Wap-Application-Id has. */
export const DEFAULT_APPLICATION = 0x02;

const NUMERIC = /^(?:0x[0-9a-f]{1,8}|[0-9]{1,10})$/i;

/**
 * How many App ID strings the key cache keeps. The hot path sees the same few App IDs over
 * and over; the cache spares it a lower-casing and two lookups per push. Bounded: when full
 * it is emptied, so hostile traffic with ever-new App IDs costs memory of this many keys.
 */
export const APPLICATION_KEY_CACHE_SIZE = 4_096;
/**
 * The longest App ID string the cache keeps (registered URNs are under 50 characters). A longer
 * one is keyed each time: a full cache of App IDs as long as a PDU allows would hold hundreds of
 * megabytes (the key of a URI is its lower-cased copy, kept beside it).
 */
export const APPLICATION_KEY_CACHE_MAX_LENGTH = 256;
const keyCache = new Map<string, ApplicationKey>();

/** The routing key of an App ID given as a code, a numeric string, a URN or a URI. */
export function applicationKey(id: string | number): ApplicationKey {
  if (typeof id === 'number') return id;
  if (id.length > APPLICATION_KEY_CACHE_MAX_LENGTH) return keyOf(id);
  let key = keyCache.get(id);
  if (key === undefined) {
    if (keyCache.size >= APPLICATION_KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(id, (key = keyOf(id)));
  }
  return key;
}

function keyOf(id: string): ApplicationKey {
  const code = applicationIds.code(id);
  if (code !== undefined) return code;
  const text = id.trim();
  if (NUMERIC.test(text)) return Number(text);
  return text.toLowerCase();
}

/** True for what a registration may name: a code in 0..2^32-1, or a non-empty URI with a scheme. */
export function isApplicationId(id: unknown): id is string | number {
  if (typeof id === 'number') return Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff;
  if (typeof id !== 'string') return false;
  const text = id.trim();
  return NUMERIC.test(text) || /^[a-z][a-z0-9+.-]*:\S+$/i.test(text);
}

/** The canonical spelling: the URN for a registered code, else the code or URI as given. */
export function canonicalApplicationId(id: string | number): string | number {
  const key = applicationKey(id);
  if (typeof key === 'number') return applicationIds.name(key) ?? key;
  return typeof id === 'string' ? id.trim() : id;
}

/**
 * How the CPI header X-Wap-Push-Accept-AppID names an App ID: the URN where there is one,
 * else the code in hex (`0x9000`), the form WSP Accept-Application values take as text.
 */
export function cpiApplicationId(id: string | number): string {
  const c = canonicalApplicationId(id);
  return typeof c === 'number' ? `0x${c.toString(16)}` : c;
}

export { DEFAULT_APPLICATION_ID };
