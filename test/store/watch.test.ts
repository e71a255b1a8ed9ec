// One listener per store and event, shared by all who watch it (src/store/watch.ts): what the
// PPGs and the SMPP links of a process sharing one store listen through.
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreError } from '../../src/store/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import { watchLoss, watchReturn } from '../../src/store/watch.js';
import { until } from '../helpers.js';

/** A memory store whose backend can be taken away (its probe still goes through). */
class FlakyStore extends MemoryStore {
  goDown(): StoreError {
    return this.fail(new Error('backend gone'), 'write');
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function flaky(): FlakyStore {
  const s = new FlakyStore({ probeIntervalMs: 60_000 });
  cleanups.push(() => s.close());
  return s;
}

const warning = { code: 'WAPPUSH_TEST_WATCHER', what: 'a test watcher' };

describe('watchLoss and watchReturn', () => {
  it('hold one listener per store and event however many watch, and none after the last stops', () => {
    const store = flaky();
    const stops = Array.from({ length: 25 }, () => [
      watchLoss(store, () => {}, warning),
      watchReturn(store, () => {}, warning),
    ]).flat();
    expect([store.listenerCount('unavailable'), store.listenerCount('available')]).toEqual([1, 1]);
    for (const stop of stops.slice(2)) stop();
    expect([store.listenerCount('unavailable'), store.listenerCount('available')]).toEqual([1, 1]);
    stops[0]();
    expect([store.listenerCount('unavailable'), store.listenerCount('available')]).toEqual([0, 1]);
    stops[1]();
    stops[1]();
    expect([store.listenerCount('unavailable'), store.listenerCount('available')]).toEqual([0, 0]);
  });

  it("give each watcher the store's error, and a watcher that throws changes nothing of the store's failure", async () => {
    const store = flaky();
    const seen: Array<Error & { code?: string }> = [];
    const onWarning = (w: Error & { code?: string }) => seen.push(w);
    process.on('warning', onWarning);
    cleanups.push(() => process.off('warning', onWarning));
    const got: string[] = [];
    const stops = [
      watchLoss(store, (e) => got.push(`first ${e.code}`), warning),
      watchLoss(
        store,
        () => {
          throw new Error('watcher bug');
        },
        warning,
      ),
      watchLoss(store, (e) => got.push(`last ${e.message}`), warning),
    ];
    // With a listener that throws on the store itself, its error replaced the store's here.
    const error = store.goDown();
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(store.available).toBe(false);
    expect(got).toEqual(['first STORE_UNAVAILABLE', 'last write: backend gone']);
    await until(() => seen.length > 0, 1_000, 'the warning');
    expect(seen.map((w) => [w.code, w.message])).toEqual([
      ['WAPPUSH_TEST_WATCHER', 'a test watcher threw: watcher bug'],
    ]);
    for (const stop of stops) stop();
  });
});
