// Bounds set in options are checked when the object is made: a NaN, a string or an over-long
// timer would otherwise compare false against every count (and stop nothing) or fire at once.
import { describe, expect, it } from 'vitest';
import { PushClient } from '../src/cai/client.js';
import { SmscSimulator } from '../src/smsc/simulator.js';
import { Reassembler } from '../src/wdp/reassembler.js';
import { EsmeLink } from '../src/wdp/smpp/link.js';

const smsc = 'smpp://a:b@127.0.0.1:1';

describe('option bounds', () => {
  it('PushClient refuses queue sizes and timeouts that would stop nothing, and keeps defaults for undefined', () => {
    for (const bad of [Number.NaN, 0, -1, '10', Number.POSITIVE_INFINITY]) {
      expect(() => new PushClient({ maxQueuedPerApplication: bad as number })).toThrow(/maxQueuedPerApplication/);
    }
    // Node runs a timer of 2^31 ms or more after 1 ms.
    expect(() => new PushClient({ handlerTimeoutMs: 2 ** 31 })).toThrow(/handlerTimeoutMs/);
    expect(() => new PushClient({ bindTimeoutMs: Number.NaN })).toThrow(/bindTimeoutMs/);
    expect(() => new PushClient({ serverTimeoutMs: 0 })).toThrow(/serverTimeoutMs/);
    expect(() => new PushClient({ maxQueuedPerApplication: undefined, handlerTimeoutMs: 2 ** 31 - 1 })).not.toThrow();
  });

  it('EsmeLink: a bound given as undefined keeps its default (a spread of defaults let it through)', () => {
    const link = new EsmeLink({
      smsc,
      maxRecentSingles: undefined,
      maxInFlight: undefined,
      duplicateWindowMs: undefined,
      enquireLinkMs: undefined,
    });
    const options = (link as unknown as { options: Record<string, unknown> }).options;
    expect(options).toMatchObject({
      maxRecentSingles: 10_000,
      maxInFlight: 100,
      duplicateWindowMs: 120_000,
      enquireLinkMs: 30_000,
    });
    expect(new EsmeLink({ smsc, enquireLinkMs: 0, duplicateWindowMs: 0, maxRecentSingles: 0 })).toBeInstanceOf(
      EsmeLink,
    );
    expect(() => new EsmeLink({ smsc, maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => new EsmeLink({ smsc, maxRecentSingles: Number.NaN })).toThrow(/maxRecentSingles/);
    expect(() => new EsmeLink({ smsc, enquireLinkMs: 2 ** 31 })).toThrow(/enquireLinkMs/);
    // A reconnect delay of NaN or 0 would retry at once, over and over.
    expect(() => new EsmeLink({ smsc, reconnect: { initialMs: Number.NaN, maxMs: 100 } })).toThrow(
      /reconnect\.initialMs/,
    );
    expect(() => new EsmeLink({ smsc, reconnect: { initialMs: 0, maxMs: 100 } })).toThrow(/reconnect\.initialMs/);
    expect(() => new EsmeLink({ smsc, reconnect: { initialMs: 500, maxMs: 100 } })).toThrow(/reconnect\.maxMs/);
    expect(new EsmeLink({ smsc, reconnect: { initialMs: 10, maxMs: 50 } })).toBeInstanceOf(EsmeLink);
  });

  it('Reassembler: every bound, including the duplicate memory', () => {
    expect(() => new Reassembler({ maxPendingMessages: Number.NaN })).toThrow(/maxPendingMessages/);
    expect(() => new Reassembler({ maxRecentMessages: Number.POSITIVE_INFINITY })).toThrow(/maxRecentMessages/);
    expect(new Reassembler({ maxRecentMessages: undefined, maxPendingMessages: 5 }).maxRecentMessages).toBe(5);
  });

  it('SmscSimulator: a flag left out keeps its default (the CLI passed window: undefined, which lifted the window)', () => {
    const sim = new SmscSimulator({
      window: undefined,
      maxQueue: undefined,
      throttlePerSecond: undefined,
      faults: { dropProbability: undefined },
    });
    const options = (sim as unknown as { options: Record<string, unknown> }).options;
    expect(options).toMatchObject({ window: 10, maxQueue: 100_000, responseTimeoutMs: 5_000 });
    expect(() => new SmscSimulator({ window: Number.NaN })).toThrow(/window/);
    expect(() => new SmscSimulator({ maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new SmscSimulator({ throttlePerSecond: -5 })).toThrow(/throttlePerSecond/);
    expect(() => new SmscSimulator({ faults: { dropProbability: 2 } })).toThrow(/faults\.dropProbability/);
    expect(() => new SmscSimulator({ faults: { responseDelayMs: Number.NaN } })).toThrow(/faults\.responseDelayMs/);
    expect(() => new SmscSimulator({ retry: { initialMs: 0, maxMs: 10 } })).toThrow(/retry\.initialMs/);
  });
});
