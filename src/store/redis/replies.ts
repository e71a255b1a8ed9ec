/**
 * Reading the Redis backend's replies (callBuffer: bulk strings arrive as Buffers) into the
 * store's shapes, checking each field on the way: a reply of another shape is STORE_CORRUPT.
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import { identityOfKey } from '../keys.js';
import type { CompletedMessage, EvictionBound, LossReason, LostMessage, QueueItem } from '../types.js';

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
}

export function lostMessages(json: unknown): LostMessage[] {
  const entries = JSON.parse(text(json)) as LostJson[];
  return entries.map((e) => {
    const lost: LostMessage = {
      ...identityOfKey(e.k),
      reason: e.r as LossReason,
      received: e.s === '' ? [] : e.s.split(',').map(Number),
      bytes: Number(e.b),
      firstAt: Number(e.f),
    };
    if (e.w !== '') lost.bound = e.w as EvictionBound;
    return lost;
  });
}

/** A claim's reply: its meta JSON, then the parts. */
export function completed(meta: unknown, parts: unknown[]): CompletedMessage {
  const m = JSON.parse(text(meta)) as { k: string; f: string | number; b: string | number; h: number };
  const id = identityOfKey(m.k);
  if (parts.length !== id.total) throw corrupt(`a message of ${id.total} segments came with ${parts.length}`);
  return {
    ...id,
    key: m.k,
    parts: parts.map(bytes),
    bytes: Number(m.b),
    firstAt: Number(m.f),
    handovers: Number(m.h),
  };
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
