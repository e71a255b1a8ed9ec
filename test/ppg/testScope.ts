// What a PPG test opens, closed after each test whatever its end: the harness first (the PPG
// writes what waits into a store still open), then the rest, the last opened first.
import { afterEach } from 'vitest';
import type { PpgOptions } from '../../src/ppg/ppg.js';
import type { SmscFaults } from '../../src/smsc/simulator.js';
import { harness, type Harness } from './harness.js';

export class TestScope {
  /** Run after the harness is closed, last pushed first: stores, servers, temp dirs. */
  readonly cleanups: Array<() => Promise<void> | void> = [];
  private open: Harness | undefined;

  /** A harness (harness.ts) closed at the end of the test, unless closeHarness() did it first. */
  async harness(options: Partial<PpgOptions> = {}, faults: SmscFaults = {}): Promise<Harness> {
    this.open = await harness(options, faults);
    return this.open;
  }

  /** Closes the harness now, for a test that checks what close() leaves behind. */
  async closeHarness(): Promise<void> {
    const h = this.open;
    this.open = undefined;
    await h?.close();
  }

  async end(): Promise<void> {
    await this.closeHarness();
    while (this.cleanups.length) await this.cleanups.pop()!();
  }
}

/** A TestScope ended after each test of the file. */
export function scopePerTest(): TestScope {
  const scope = new TestScope();
  afterEach(() => scope.end());
  return scope;
}
