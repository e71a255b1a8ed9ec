/**
 * Reading the Redis backend's replies (callBuffer: bulk strings arrive as Buffers) into the
 * store's shapes, checking each field on the way: a reply of another shape is STORE_CORRUPT.
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import { identityOfKey } from '../keys.js';
import type { CompletedMessage, EvictionBound, LossReason, LostMessage, MessageIdentity, QueueItem } from '../types.js';

const corrupt = (what: string) => new StoreError(StoreErrorCode.STORE_CORRUPT, `unexpected reply from Redis: ${what}`);

export function text(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw corrupt(`expected a string, got ${typeof v}`);
}

export function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  throw corrupt(`expected octets, got ${typeof v}`);
}

export function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw corrupt(`expected a list, got ${typeof v}`);
}

export function int(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(text(v));
  if (!Number.isFinite(n)) throw corrupt(`expected a number, got ${String(v)}`);
  return n;
}

interface LostJson {
  k: string;
  r: string;
  w: string;
  s: string;
  b: string | number;
  f: string | number;
  /** 1: it was complete and released (SWEEP and TURN's drop()). */
  hf?: number;
}

function lostMessage(e: LostJson): LostMessage {
  const lost: LostMessage = {
    ...identityOfKey(e.k),
    reason: e.r as LossReason,
    received: e.s === '' ? [] : e.s.split(',').map(Number),
    bytes: Number(e.b),
    firstAt: Number(e.f),
  };
  if (e.w !== '') lost.bound = e.w as EvictionBound;
  if (e.hf === 1) lost.handlerFailed = true;
  return lost;
}

/** The messages a script dropped, from its JSON list ('' when none: the usual reply, read without a parse). */
export function lostMessages(json: unknown): LostMessage[] {
  if (Buffer.isBuffer(json) ? json.length === 0 : json === '') return [];
  return (JSON.parse(text(json)) as LostJson[]).map(lostMessage);
}

/**
 * The same, each entry read on its own: one that does not read (a damaged key from an older
 * version, say) is counted in `unreadable` and the others still come out. A list that is not
 * JSON at all counts as one.
 */
export function lostMessagesEach(json: unknown): { lost: LostMessage[]; unreadable: number } {
  const lost: LostMessage[] = [];
  if (Buffer.isBuffer(json) ? json.length === 0 : json === '') return { lost, unreadable: 0 };
  let entries: unknown;
  try {
    entries = JSON.parse(text(json));
  } catch {
    return { lost, unreadable: 1 };
  }
  if (!Array.isArray(entries)) return { lost, unreadable: 1 };
  let unreadable = 0;
  for (const e of entries as LostJson[]) {
    try {
      lost.push(lostMessage(e));
    } catch {
      unreadable++;
    }
  }
  return { lost, unreadable };
}

const tagged = (v: unknown, tag: string): boolean => Buffer.isBuffer(v) && v.toString() === tag;

const filled = (v: unknown): boolean => (Buffer.isBuffer(v) || typeof v === 'string') && v.length > 0;

/**
 * Whether a TURN reply tells of any drop: a step's { status, lost, ... } or { 'error', message,
 * lost }, or the call's { 'broken', message, lost }. Most replies are numbers, read at once.
 */
export function turnReportsLoss(reply: unknown): boolean {
  if (!Array.isArray(reply)) return false;
  for (const r of reply) {
    // Usually an empty lost field: the tag is looked at only when the second field has text.
    if (Array.isArray(r) && filled(r[1]) && (!tagged(r[0], 'error') || filled(r[2]))) return true;
  }
  // The call's own { 'broken', message, lost }: its fields are not lists.
  return reply.length === 3 && tagged(reply[0], 'broken') && filled(reply[2]);
}

/**
 * A claim's reply for message `key` (of identity `id`), from `at` on: when first seen, its
 * octets, its handovers, then the parts.
 */
export function completed(key: string, id: MessageIdentity, reply: unknown[], at: number): CompletedMessage {
  const n = reply.length - at - 3;
  if (n !== id.total) throw corrupt(`a message of ${id.total} segments came with ${n}`);
  const parts = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) parts[i] = bytes(reply[at + 3 + i]);
  // Written out, not spread: this runs once per message.
  const m: CompletedMessage = {
    originator: id.originator,
    recipient: id.recipient,
    reference: id.reference,
    total: id.total,
    key,
    parts,
    bytes: int(reply[at + 1]),
    firstAt: int(reply[at]),
    handovers: int(reply[at + 2]),
  };
  if (id.sourcePort !== undefined) m.sourcePort = id.sourcePort;
  if (id.destinationPort !== undefined) m.destinationPort = id.destinationPort;
  if (id.referenceBits !== undefined) m.referenceBits = id.referenceBits;
  return m;
}

/** A stream entry [id, [field, value, ...]] as a queue item. */
export function queueItem(entry: unknown, deliveries: number): QueueItem {
  const [id, fields] = list(entry);
  const f = list(fields);
  let data: Buffer | undefined;
  let attributes: Record<string, string> = {};
  let at = 0;
  for (let i = 0; i + 1 < f.length; i += 2) {
    const name = text(f[i]);
    if (name === 'd') data = bytes(f[i + 1]);
    else if (name === 'a') attributes = JSON.parse(text(f[i + 1])) as Record<string, string>;
    else if (name === 't') at = int(f[i + 1]);
  }
  if (data === undefined) throw corrupt('a queue entry without data');
  return { id: text(id), data, attributes, enqueuedAt: at, deliveries };
}
