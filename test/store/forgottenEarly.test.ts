// The store's duplicate memories (memory, lmdb) are bounded by count as well as by time. An entry
// the count bound pushes out while its window is open shortens the window the store promises:
// it is counted (Store.forgottenEarly, wappush_store_forgotten_early_total), one that lapsed is not.
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import type { CompletedMessage, StoredSegment } from '../../src/store/types.js';
import { parseExposition, sampleValue } from '../ops/exposition.js';
import { HARNESSES, manualClock } from './backends.js';

const seg = (reference: number, sequence: number): StoredSegment => ({
  originator: '+15550001',
  recipient: '+15559999',
  sourcePort: 9200,
  destinationPort: 2948,
  reference,
  referenceBits: 8,
  total: 2,
  sequence,
  data: new Uint8Array([reference, sequence]),
});

describe.each(['memory', 'lmdb'] as const)('%s store', (name) => {
  const h = HARNESSES[name];

  it('counts duplicate keys forgotten for maxDuplicates within their window, not those that lapsed', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, maxDuplicates: 2 });
    expect(store.forgottenEarly).toEqual({ duplicates: 0, recentMessages: 0 });
    for (const key of ['a', 'b', 'c']) expect(await store.duplicates.remember(key, 10_000)).toBe(true);
    expect(store.forgottenEarly!.duplicates).toBe(1);
    // The effect: 'a' is within its window, yet no longer known.
    expect(await store.duplicates.seen('a')).toBe(false);
    clock.advance(20_000);
    for (const key of ['d', 'e', 'f']) expect(await store.duplicates.remember(key, 10_000)).toBe(true);
    // b and c lapsed (swept, not counted); f pushed d out within its window.
    expect(store.forgottenEarly!.duplicates).toBe(2);
  });

  it('does not count a key whose own (shorter) window had lapsed when the bound took it', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, maxDuplicates: 2 });
    // Remembered in this order, 'long' first: 'short' lapses first but sits second.
    expect(await store.duplicates.remember('long', 100_000)).toBe(true);
    expect(await store.duplicates.remember('short', 1_000)).toBe(true);
    clock.advance(5_000);
    // The sweep stops at 'long' (open), so the bound takes it (early); at the next key the
    // sweep takes 'short' (lapsed: not counted).
    expect(await store.duplicates.remember('x', 100_000)).toBe(true);
    expect(await store.duplicates.remember('y', 100_000)).toBe(true);
    expect(store.forgottenEarly!.duplicates).toBe(1);
  });

  it('does not count what a smaller bound trims at a reopen', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, maxDuplicates: 5 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await store.duplicates.remember(key, 100_000);
    const again = await h.reopen(store, { now: clock.now, maxDuplicates: 2 });
    await again.inspect();
    await again.inspect();
    expect(again.forgottenEarly!.duplicates).toBe(0);
  });

  it('counts completed messages forgotten for maxRecentMessages within timeoutMs', async () => {
    const clock = manualClock();
    const store = await h.open({ now: clock.now, reassembly: { maxRecentMessages: 2, timeoutMs: 10_000 } });
    const complete = async (ref: number) => {
      expect((await store.segments.add(seg(ref, 1))).status).toBe('held');
      const o = await store.segments.add(seg(ref, 2));
      expect(o.status).toBe('complete');
      await store.segments.finish((o as { message: CompletedMessage }).message);
    };
    await complete(1);
    await complete(2);
    await complete(3);
    expect(store.forgottenEarly!.recentMessages).toBe(1);
    const metrics = new Metrics({ process: false });
    metrics.observeStore(store);
    const families = parseExposition(await metrics.text());
    expect(sampleValue(families, 'wappush_store_forgotten_early_total', { memory: 'recent_messages' })).toBe(1);
    expect(sampleValue(families, 'wappush_store_forgotten_early_total', { memory: 'duplicates' })).toBe(0);
    clock.advance(20_000);
    await complete(4);
    await complete(5);
    expect(store.forgottenEarly!.recentMessages).toBe(1);
  });
});
