// The page size of the embedded store's file: new stores get LMDB_PAGE_SIZE, and a store an
// earlier version created with 4 KiB pages keeps them and keeps working (LMDB reads the page
// size from the file; the option only shapes a new one).
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { LMDB_PAGE_SIZE, LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import type { StoredSegment } from '../../src/store/types.js';
import { afterTest, tempDir } from './backends.js';

function seg(reference: number, sequence: number, total: number, data: string): StoredSegment {
  return {
    originator: '+15550001',
    recipient: '+15559999',
    destinationPort: 2948,
    sourcePort: 9200,
    referenceBits: 16,
    reference,
    total,
    sequence,
    data: new Uint8Array(Buffer.from(data)),
  };
}

function opened(path: string, options = {}): LmdbStore {
  const store = new LmdbStore(path, options);
  afterTest(() => store.close());
  return store;
}

/** The page size written in the store's file, as lmdb reads it back. */
async function pageSizeOf(path: string): Promise<number> {
  const raw = open({ path, compression: false, readOnly: true });
  try {
    return (raw.getStats() as { pageSize: number }).pageSize;
  } finally {
    await raw.close();
  }
}

/** Holds the first segments of messages `from`..`to` (one turn each ten), and completes and finishes every other one. */
async function traffic(store: LmdbStore, from: number, to: number): Promise<void> {
  for (let r = from; r <= to; r += 10) {
    const turn: Promise<unknown>[] = [];
    for (let m = r; m < Math.min(r + 10, to + 1); m++) turn.push(store.segments.add(seg(m, 1, 2, `first of ${m}`)));
    await Promise.all(turn);
  }
  for (let m = from; m <= to; m += 2) {
    const last = await store.segments.add(seg(m, 2, 2, `last of ${m}`));
    if (last.status !== 'complete') throw new Error(`message ${m}: ${last.status}`);
    await store.segments.finish(last.message);
  }
}

describe('lmdb store pages', () => {
  it(`creates a new store with pages of ${LMDB_PAGE_SIZE} octets`, async () => {
    expect(LMDB_PAGE_SIZE).toBe(16_384);
    const path = join(tempDir(), 'state');
    const store = opened(path);
    await store.segments.add(seg(1, 1, 2, 'a'));
    await store.close();
    expect(await pageSizeOf(path)).toBe(16_384);
  });

  it('opens a store created with 4 KiB pages, keeps them, and reads and writes it as before', async () => {
    const path = join(tempDir(), 'state');
    // What every earlier version created: lmdb's default page size here, 4 KiB.
    const old = open({ path, compression: false, pageSize: 4096 });
    await old.put(['format'], 1);
    await old.close();
    expect(await pageSizeOf(path)).toBe(4096);

    // Enough records that the tree spans many 4 KiB pages.
    const store = opened(path);
    await traffic(store, 1, 400);
    await store.close();
    expect(await pageSizeOf(path)).toBe(4096);

    const again = opened(path);
    const report = await again.inspect();
    expect(report.pending.messages).toBe(200);
    expect(report.pending.list.slice(0, 3).map((m) => m.reference)).toEqual([2, 4, 6]);
    // A finished message is remembered (its resent segment is a late duplicate); a held one completes.
    expect(await again.segments.add(seg(1, 1, 2, 'first of 1'))).toMatchObject({ status: 'duplicate', late: true });
    const last = await again.segments.add(seg(400, 2, 2, 'last of 400'));
    expect(last.status).toBe('complete');
    if (last.status === 'complete') {
      expect(Buffer.concat(last.message.parts).toString()).toBe('first of 400last of 400');
      await again.segments.finish(last.message);
    }
    await traffic(again, 401, 600);
    // A reader beside the writer sees what it committed.
    const reader = opened(path, { readOnly: true });
    expect((await reader.inspect()).pending.messages).toBe(199 + 100);
    await again.close();
    expect(await pageSizeOf(path)).toBe(4096);
  });
});
