// One application's delivery queue, on the project's one queue (src/wdp/fifo.ts): order kept,
// bound kept, and nothing left behind once drained, through as many pushes as the queue holds.
import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../src/cai/delivery.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { Fifo } from '../../src/wdp/fifo.js';
import { pushEvent } from './helpers.js';

describe('DeliveryQueue', () => {
  it('hands 5,000 queued pushes to an asynchronous handler one at a time, in order, then is idle', async () => {
    const seen: PushEvent[] = [];
    let running = 0;
    let overlapped = false;
    const reports = { delivered: 0, errors: 0, timeouts: 0 };
    const q = new DeliveryQueue(
      async (e) => {
        if (running++ > 0) overlapped = true;
        seen.push(e);
        await Promise.resolve();
        running--;
      },
      10_000,
      5_000,
      {
        delivered: () => reports.delivered++,
        error: () => reports.errors++,
        timeout: () => reports.timeouts++,
      },
    );
    const sent = Array.from({ length: 5_000 }, (_, n) => pushEvent(n));
    for (const e of sent) expect(q.push(e)).toBe(true);
    // The first went to the handler at once; the rest wait.
    expect(q.size).toBe(4_999);
    await q.idle();
    expect(q.size).toBe(0);
    expect(overlapped).toBe(false);
    expect(seen).toHaveLength(5_000);
    expect(seen.every((e, i) => e === sent[i])).toBe(true);
    expect(reports).toEqual({ delivered: 5_000, errors: 0, timeouts: 0 });
  });

  it('refuses a push over its limit while the handler is busy, and takes pushes again once drained', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const q = new DeliveryQueue(
      (e) => {
        seen.push(e.transactionId!);
        return seen.length === 1 ? gate : undefined;
      },
      2,
      5_000,
      { delivered: () => {}, error: () => {}, timeout: () => {} },
    );
    expect([0, 1, 2, 3].map((n) => q.push(pushEvent(n)))).toEqual([true, true, true, false]);
    expect(q.full).toBe(true);
    release();
    await q.idle();
    expect(seen).toEqual([0, 1, 2]);
    expect(q.full).toBe(false);
    expect(q.push(pushEvent(4))).toBe(true);
    expect(seen).toEqual([0, 1, 2, 4]);
  });
});

describe('Fifo.shift', () => {
  it('takes the oldest live item, skipping removed ones', () => {
    const q = new Fifo<{ removed: boolean; n: number }>();
    const items = Array.from({ length: 3_000 }, (_, n) => ({ removed: false, n }));
    for (const it of items) q.push(it);
    for (const it of items) if (it.n % 3 === 0) q.remove(it);
    const out: number[] = [];
    for (let it = q.shift(); it; it = q.shift()) out.push(it.n);
    expect(out).toEqual(items.filter((it) => it.n % 3 !== 0).map((it) => it.n));
    expect(q.size).toBe(0);
    expect(q.shift()).toBeUndefined();
  });
});
