/**
 * Keys shared by every backend, and the checks on what callers hand in. A message's key is
 * the JSON text of its identity: unambiguous for any address text (no separator to escape),
 * free of NUL (lmdb's key encoding forbids it in strings), and readable in `redis-cli`.
 */
import * as crypto from 'node:crypto';
import { StoreError, StoreErrorCode } from './errors.js';
import { MAX_NAME_LENGTH, MAX_SEGMENT_OCTETS, MAX_SEGMENTS } from './options.js';
import type { MessageIdentity, StoredSegment } from './types.js';

/** The message key of a segment or identity. */
export function messageKey(m: MessageIdentity): string {
  return JSON.stringify([
    m.originator,
    m.recipient,
    m.sourcePort ?? null,
    m.destinationPort ?? null,
    m.referenceBits ?? null,
    m.reference,
    m.total,
  ]);
}

/** The identity a message key names (for records that keep only the key). */
export function identityOfKey(key: string): MessageIdentity {
  const a = JSON.parse(key) as [string, string, number | null, number | null, 8 | 16 | null, number, number];
  const id: MessageIdentity = { originator: a[0], recipient: a[1], reference: a[5], total: a[6] };
  if (a[2] !== null) id.sourcePort = a[2];
  if (a[3] !== null) id.destinationPort = a[3];
  if (a[4] !== null) id.referenceBits = a[4];
  return id;
}

/** The identity fields of a message, copied (no data, no sequence). */
export function identityOf(s: MessageIdentity): MessageIdentity {
  const id: MessageIdentity = {
    originator: s.originator,
    recipient: s.recipient,
    reference: s.reference,
    total: s.total,
  };
  if (s.sourcePort !== undefined) id.sourcePort = s.sourcePort;
  if (s.destinationPort !== undefined) id.destinationPort = s.destinationPort;
  if (s.referenceBits !== undefined) id.referenceBits = s.referenceBits;
  return id;
}

const bad = (message: string) => new StoreError(StoreErrorCode.BAD_INPUT, message);

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** A UTF-16 surrogate that is not half of a pair (with the u flag a pair reads as one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * An address must be well-formed UTF-16. A lone surrogate has no UTF-8 form: Redis is sent
 * U+FFFD in its place, so the originator's index (P o:ORIG) and per-originator bound merge with
 * those of a real U+FFFD originator, and cjson cannot read the message key it is in. Refused by
 * every backend alike, so that what one store takes, all take. An SMPP bearer never hands one
 * in (it reads addresses as Latin-1); a library caller gets BAD_INPUT, which a bearer answers
 * with a permanent refusal (ESME_RX_P_APPN), nothing acknowledged.
 */
function checkWellFormed(v: string, what: string): void {
  const at = v.search(LONE_SURROGATE);
  if (at >= 0) throw bad(`${what} has a lone UTF-16 surrogate at character ${at}: not well-formed text`);
}

/**
 * Checks a segment before it is stored; returns its message key. The bearer has already refused
 * what 23.040 says to ignore (sequence 0 or above the total); a segment that gets here out of
 * range is a caller's bug, refused as BAD_INPUT. A message of one segment needs no store.
 */
export function checkSegment(s: StoredSegment): string {
  if (typeof s.originator !== 'string' || s.originator.length > MAX_NAME_LENGTH)
    throw bad(`originator must be a string of at most ${MAX_NAME_LENGTH} characters`);
  if (typeof s.recipient !== 'string' || s.recipient.length > MAX_NAME_LENGTH)
    throw bad(`recipient must be a string of at most ${MAX_NAME_LENGTH} characters`);
  checkWellFormed(s.originator, 'originator');
  checkWellFormed(s.recipient, 'recipient');
  if (s.sourcePort !== undefined && !isInt(s.sourcePort, 0, 0xffff)) throw bad('sourcePort must be 0-65535');
  if (s.destinationPort !== undefined && !isInt(s.destinationPort, 0, 0xffff))
    throw bad('destinationPort must be 0-65535');
  if (!isInt(s.reference, 0, 0xffff)) throw bad('reference must be 0-65535 (a concatenated segment)');
  if (s.referenceBits !== undefined && s.referenceBits !== 8 && s.referenceBits !== 16)
    throw bad('referenceBits must be 8 or 16');
  if (!isInt(s.total, 2, MAX_SEGMENTS)) throw bad(`total must be 2-${MAX_SEGMENTS}`);
  if (!isInt(s.sequence, 1, s.total)) throw bad(`sequence must be 1-${s.total}`);
  if (!(s.data instanceof Uint8Array) || s.data.length > MAX_SEGMENT_OCTETS)
    throw bad(`data must be a Uint8Array of at most ${MAX_SEGMENT_OCTETS} octets`);
  return messageKey(s as MessageIdentity);
}

/** Checks a queue or record name. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH)
    throw bad(`${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

/**
 * SHA-256 in one call: `crypto.hash` (Node 20.12 and later) makes no Hash object, about half
 * the cost of createHash for a key of a few hundred octets; older Node 20 gets createHash.
 */
const sha256: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'base64url')
    : (data) => crypto.createHash('sha256').update(data).digest('base64url');

/**
 * The duplicate memory's key for anything given: the first 22 base64url characters (132 bits) of
 * its SHA-256, so a key's size is fixed whatever the caller hands in. A string is hashed as its
 * UTF-8 octets. Entries already stored are under this form: changing it would miss, for one
 * duplicate window after an upgrade, the repeats of what the older version remembered.
 */
export function duplicateKey(key: string | Uint8Array): string {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) throw bad('a duplicate key is a string or octets');
  return sha256(key).slice(0, 22);
}

/**
 * A 32-bit fingerprint of a segment's octets (FNV-1a), to tell a resent segment from another
 * one of a reused reference without keeping its octets.
 */
export function fingerprint(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
