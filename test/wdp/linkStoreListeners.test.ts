// Several SMPP sessions share one store (`wappush listen --binds N`, or several --smsc URLs:
// src/cli/listen.ts makes one EsmeLink per session, all on the store). Each link listens for
// the store going away and coming back; with a listener of its own per link, eleven links
// pass Node's listener limit (10) and the process warns of a leak that is not one.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';

/** A memory store whose backend can be taken away and given back. */
class FlakyStore extends MemoryStore {
  goDown(): void {
    this.fail(new Error('backend gone'), 'write');
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('many links on one store', () => {
  it('stay below the listener limit, and each still hears the store go and come back', async () => {
    const store = new FlakyStore({ probeIntervalMs: 60_000 });
    cleanups.push(() => store.close());
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanups.push(() => process.off('warning', onWarning));
    // As listen --binds 20 makes them (no SMSC needed: a link listens from its constructor).
    const links = Array.from(
      { length: 20 },
      (_, i) => new EsmeLink({ smsc: 'smpp://a:b@127.0.0.1:1', store, bindName: `link#${i + 1}` }),
    );
    cleanups.push(() => Promise.all(links.map((l) => l.close())));
    const heard: string[] = [];
    for (const [i, l] of links.entries()) {
      l.on('store-unavailable', () => heard.push(`${i} unavailable`));
      l.on('store-available', () => heard.push(`${i} available`));
    }
    store.goDown();
    expect(await store.probe()).toBe(true);
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    expect(store.listenerCount('available')).toBeLessThanOrEqual(2);
    expect(store.listenerCount('unavailable')).toBeLessThanOrEqual(2);
    expect(heard.filter((h) => h.endsWith('unavailable'))).toHaveLength(20);
    expect(heard.filter((h) => h.endsWith(' available'))).toHaveLength(20);
    // Closed links leave nothing on the store.
    await Promise.all(links.map((l) => l.close()));
    expect(store.listenerCount('available')).toBe(0);
    expect(store.listenerCount('unavailable')).toBe(0);
  });
});
