/**
 * A sweep whose store could not keep every loss report (SweepResult.unreported: the Redis
 * store past MAX_CARRIED_REPORTS) must say so through the link's store-error path, with the
 * count, and still report the drops it did keep.
 */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { LostMessage, SweepResult } from '../../src/store/types.js';
import { type IntakeHost, StoreIntake } from '../../src/wdp/smpp/storeIntake.js';

function recordingHost(): { host: IntakeHost; lost: LostMessage[]; errors: unknown[] } {
  const lost: LostMessage[] = [];
  const errors: unknown[] = [];
  const host: IntakeHost = {
    deliver: (_d, settled) => settled(true),
    lost: (m) => lost.push(m),
    begin: () => {},
    end: () => {},
    refused: () => {},
    storeError: (e) => errors.push(e),
    repeated: () => {},
  };
  return { host, lost, errors };
}

describe('StoreIntake sweep', () => {
  it('reports how many drops went unreported, beside the drops it kept', async () => {
    const store = new MemoryStore();
    const real = store.segments.sweep.bind(store.segments);
    // Fault injection on a real store: its own sweep result, plus what a Redis node that hit
    // its carried-report bound adds.
    store.segments.sweep = async (): Promise<SweepResult> => {
      const r = await real();
      const kept: LostMessage = {
        originator: '+15550001',
        recipient: '1234',
        reference: 7,
        total: 3,
        reason: 'expired',
        received: [1],
        bytes: 3,
        firstAt: 0,
      };
      return { ...r, expired: [...r.expired, kept], unreported: 1_500 };
    };
    const { host, lost, errors } = recordingHost();
    await new StoreIntake(store, host).sweep();
    expect(lost.map((m) => [m.originator, m.reference])).toEqual([['+15550001', 7]]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StoreError);
    expect((errors[0] as StoreError).message).toMatch(/^1500 dropped messages went unreported/);
    await store.close();
  });

  it('says nothing more when every drop was reported', async () => {
    const store = new MemoryStore();
    const { host, errors } = recordingHost();
    await new StoreIntake(store, host).sweep();
    expect(errors).toEqual([]);
    await store.close();
  });
});
