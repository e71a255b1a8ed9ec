/**
 * Reads an lmdb store into a working copy. A pending message is one record under a numbered
 * slot (['m', slot], state/reassembly.ts). The older layout, a header ['m', key] read before its
 * segments ['s', key, n] (lmdb orders numbers before strings, and 'm' before 's') and done
 * memories under ['d', key], is read too, written anew by migrate() and its keys deleted. A
 * segment without its header, or a record whose message another record holds, is left over
 * from an interrupted removal and is returned to be deleted.
 */
import type { RootDatabase } from 'lmdb';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Space } from '../inProcess.js';
import type { MessageRecord } from '../state/reassembly.js';
import type { StateKey } from '../state/sink.js';

const corrupt = (what: string) => new StoreError(StoreErrorCode.STORE_CORRUPT, `unexpected ${what} in the store`);

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function isRecord(v: unknown): v is MessageRecord {
  const r = v as Partial<MessageRecord> | undefined;
  return (
    typeof r?.k === 'string' &&
    typeof r.a === 'number' &&
    Array.isArray(r.p) &&
    r.p.every((part) => part === null || isBytes(part))
  );
}

/** Fills `space`; returns keys of leftovers to delete. */
export function loadSpace(db: RootDatabase<unknown, StateKey>, space: Space): StateKey[] {
  const leftovers: StateKey[] = [];
  for (const { key: raw, value } of db.getRange({})) {
    // lmdb's key encoding reads a one-element array back as its element.
    const key: StateKey = Array.isArray(raw) ? raw : [raw as string];
    const [kind, a, b] = key;
    switch (kind) {
      case 'm':
        if (typeof a === 'number') {
          if (!isRecord(value)) throw corrupt('message record');
          if (!space.reassembly.restoreRecord(a, value)) leftovers.push(key);
          break;
        }
        if (typeof a !== 'string' || typeof value !== 'number') throw corrupt('message header');
        space.reassembly.restoreMessage(a, value);
        leftovers.push(key);
        break;
      case 's':
        if (typeof a !== 'string' || typeof b !== 'number' || !isBytes(value)) throw corrupt('segment');
        space.reassembly.restoreSegment(a, b, value);
        leftovers.push(key);
        break;
      case 'd': {
        const v = value as { k?: unknown; p?: unknown; at?: unknown } | undefined;
        const k = typeof a === 'number' ? v?.k : a;
        if (typeof k !== 'string' || !Array.isArray(v?.p) || typeof v.at !== 'number') throw corrupt('done record');
        const slot = typeof a === 'number' ? a : 0;
        if (!space.reassembly.restoreDone(k, v.p as number[], v.at, slot) || slot === 0) leftovers.push(key);
        break;
      }
      case 'u':
        if (typeof a !== 'string' || typeof value !== 'number') throw corrupt('duplicate memory');
        space.duplicates.restore(a, value);
        break;
      case 'q': {
        const v = value as { d?: unknown; a?: unknown; t?: unknown } | undefined;
        if (typeof a !== 'string' || typeof b !== 'number' || !isBytes(v?.d) || typeof v.t !== 'number')
          throw corrupt('queue item');
        space.queues.restore(a, b, v.d, (v.a ?? {}) as Record<string, string>, v.t);
        break;
      }
      case 'qn':
        if (typeof a !== 'string' || typeof b !== 'number' || typeof value !== 'number')
          throw corrupt('delivery count');
        space.queues.restoreDeliveries(a, b, value);
        break;
      case 'r':
      case 'p':
        if (typeof a !== 'string' || typeof value !== 'string') throw corrupt('record');
        (kind === 'r' ? space.records : space.pushes).restore(a, value);
        break;
      case 'rv':
      case 'pv':
        if (typeof value !== 'number') throw corrupt('record version');
        (kind === 'rv' ? space.records : space.pushes).version = value;
        break;
      case 'format':
      case 'probe':
        break;
      default:
        throw corrupt(`key ${JSON.stringify(key)}`);
    }
  }
  space.reassembly.sortOpen();
  space.duplicates.sortRestored();
  space.queues.sortRestored();
  return leftovers;
}
