// A consumer taking back a long backlog of lapsed items lets the event loop turn between them:
// on the memory store every step is a microtask, so asking again at once would starve timers
// and sockets until the whole backlog is handled.
import { describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { HARNESSES } from './backends.js';

describe('a queue consumer re-reclaiming a backlog', () => {
  it('lets a timer run before the backlog is handled', async () => {
    const backlog = 2_000;
    const store = await HARNESSES.memory.open({ queueReclaimMs: 2, maxQueued: backlog });
    for (let i = 0; i < backlog; i++) await store.queues.enqueue('left', { data: new Uint8Array([i & 0xff]) });
    // Taken and left in flight, as a handler's unacknowledged rejection leaves them.
    while ((await store.queues.take('left', 1_000)).length > 0);
    await new Promise((r) => setTimeout(r, 20));
    let handled = 0;
    let handledWhenTimerRan: number | undefined;
    const consumer = store.queues.consume('left', () => void handled++, { blockMs: 5_000 });
    setTimeout(() => (handledWhenTimerRan = handled), 0);
    await until(() => handled === backlog, 10_000, 'the whole backlog');
    await consumer.stop();
    expect(handledWhenTimerRan).toBeDefined();
    // A turn between items, not only one at the start: the timer ran early in the backlog.
    expect(handledWhenTimerRan).toBeLessThan(backlog / 2);
    expect(await store.queues.counts('left')).toEqual({ queue: 'left', ready: 0, inFlight: 0 });
  });
});
