// One listener for a store's return, shared by all who wait on it (src/ppg/storeReturn.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { waitForReturn } from '../../src/ppg/storeReturn.js';
import { MemoryStore } from '../../src/store/memory.js';
import { until } from '../helpers.js';

const stores: MemoryStore[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

function store(): MemoryStore {
  const s = new MemoryStore();
  stores.push(s);
  return s;
}

/** A memory store whose backend can be taken away and given back: its probe fails meanwhile. */
class FlakyStore extends MemoryStore {
  down = false;
  goDown(): void {
    this.down = true;
    this.fail(new Error('backend gone'), 'write');
  }
  protected override async tryWrite(): Promise<void> {
    if (this.down) throw new Error('backend gone');
  }
}

/** The process warnings emitted from now on (until the test ends). */
function warnings(): Array<Error & { code?: string }> {
  const seen: Array<Error & { code?: string }> = [];
  const listener = (w: Error & { code?: string }) => seen.push(w);
  process.on('warning', listener);
  cleanups.push(() => process.off('warning', listener));
  return seen;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('waitForReturn', () => {
  it('holds one listener per store while any wait, none after the last stops; stopping twice is harmless', () => {
    const a = store();
    const b = store();
    const [before, beforeB] = [a.listenerCount('available'), b.listenerCount('available')];
    const stops = Array.from({ length: 30 }, () => waitForReturn(a, () => {}));
    const stopB = waitForReturn(b, () => {});
    expect(a.listenerCount('available')).toBe(before + 1);
    expect(b.listenerCount('available')).toBe(beforeB + 1);
    for (const stop of stops.slice(1)) {
      stop();
      stop();
    }
    expect(a.listenerCount('available')).toBe(before + 1);
    stops[0]();
    expect(a.listenerCount('available')).toBe(before);
    expect(b.listenerCount('available')).toBe(beforeB + 1);
    stopB();
    expect(b.listenerCount('available')).toBe(beforeB);
    // Waiting again after the last left adds the listener again.
    const again = waitForReturn(a, () => {});
    expect(a.listenerCount('available')).toBe(before + 1);
    again();
  });

  it('calls every waiter at each return, the same function twice if it waits twice, even after one throws', async () => {
    const a = store();
    const calls: string[] = [];
    const one = () => calls.push('one');
    const stops = [
      waitForReturn(a, one),
      waitForReturn(a, () => {
        calls.push('thrower');
        throw new Error('waiter bug');
      }),
      waitForReturn(a, one),
      waitForReturn(a, () => calls.push('last')),
    ];
    const warned = warnings();
    expect(() => a.emit('available')).not.toThrow();
    expect(calls).toEqual(['one', 'thrower', 'one', 'last']);
    await until(() => warned.length > 0, 1_000, 'the warning');
    expect(warned.map((w) => [w.code, w.message])).toEqual([
      ['WAPPUSH_STORE_RETURN_WAITER', "a wait for the store's return threw: waiter bug"],
    ]);
    // A waiter stopped during a return is still called in that one (as a listener removed during
    // an emit is), and not after.
    calls.length = 0;
    for (const stop of stops) stop();
    const late: string[] = [];
    let stopSecond = () => {};
    waitForReturn(a, () => {
      late.push('first');
      stopSecond();
    });
    stopSecond = waitForReturn(a, () => late.push('second'));
    a.emit('available');
    a.emit('available');
    expect(late).toEqual(['first', 'second', 'first']);
  });

  it("leaves the store available when a waiter throws at its return: the error is the waiter's, not the store's", async () => {
    const flaky = new FlakyStore({ probeIntervalMs: 60_000 });
    stores.push(flaky);
    const warned = warnings();
    const called: string[] = [];
    const stops = [
      waitForReturn(flaky, () => {
        called.push('thrower');
        throw new Error('retry bug');
      }),
      waitForReturn(flaky, () => called.push('other')),
    ];
    flaky.goDown();
    expect(flaky.available).toBe(false);
    flaky.down = false;
    // The probe's write goes through: the store is back, whatever its waiters do.
    expect(await flaky.probe()).toBe(true);
    expect(flaky.available).toBe(true);
    expect(called).toEqual(['thrower', 'other']);
    await until(() => warned.length > 0, 1_000, 'the warning');
    expect(warned.map((w) => w.code)).toEqual(['WAPPUSH_STORE_RETURN_WAITER']);
    for (const stop of stops) stop();
  });
});
