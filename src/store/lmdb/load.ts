/**
 * Reads an lmdb store into a working copy. Keys come in lmdb's order, so a message's header
 * (['m', key]) is read before its segments (['s', key, n]); a segment without its header is
 * left over from an interrupted removal and is returned to be deleted.
 */
import type { RootDatabase } from 'lmdb';
import { StoreError, StoreErrorCode } from '../errors.js';
import type { Space } from '../inProcess.js';
import type { StateKey } from '../state/sink.js';

const corrupt = (what: string) => new StoreError(StoreErrorCode.STORE_CORRUPT, `unexpected ${what} in the store`);

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
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
        if (typeof a !== 'string' || typeof value !== 'number') throw corrupt('message header');
        space.reassembly.restoreMessage(a, value);
        break;
      case 's':
        if (typeof a !== 'string' || typeof b !== 'number' || !isBytes(value)) throw corrupt('segment');
        if (!space.reassembly.restoreSegment(a, b, value)) leftovers.push(key);
        break;
      case 'd': {
        const v = value as { p?: unknown; at?: unknown } | undefined;
        if (typeof a !== 'string' || !Array.isArray(v?.p) || typeof v.at !== 'number') throw corrupt('done record');
        space.reassembly.restoreDone(a, v.p as number[], v.at);
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
