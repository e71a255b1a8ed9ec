// One listener for a store's return, shared by all who wait on it (src/ppg/storeReturn.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { waitForReturn } from '../../src/ppg/storeReturn.js';
import { MemoryStore } from '../../src/store/memory.js';

const stores: MemoryStore[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

function store(): MemoryStore {
  const s = new MemoryStore();
  stores.push(s);
  return s;
}

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

  it('calls every waiter at each return, the same function twice if it waits twice, and rethrows the first error after', () => {
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
    expect(() => a.emit('available')).toThrow('waiter bug');
    expect(calls).toEqual(['one', 'thrower', 'one', 'last']);
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
});
