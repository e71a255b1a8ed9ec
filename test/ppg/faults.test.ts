// The fault run, small (bench/ppgFaults.ts; `npm run bench:ppg-faults` runs 1,000): pushes
// through the PPG while receipts fail, the phone link drops, the PPG's SMPP connection is cut
// and the PPG restarts on its lmdb store. Each push ends with one final state, notified once.
import { describe, expect, it } from 'vitest';
import { faultRun } from '../../bench/ppgFaults.js';

describe('PPG fault run', () => {
  it('200 pushes with failed receipts, drops, cuts and a restart: none lost, none doubled', async () => {
    const r = await faultRun({ pushes: 200, concurrency: 10, dropProbability: 0.03, deadlineMs: 60_000 });
    expect(r.accepted).toBe(200);
    expect(r.missing).toEqual([]);
    expect(r.doubled).toEqual([]);
    expect(r.notFinal).toBe(0);
    expect(Object.values(r.states).reduce((a, b) => a + (b ?? 0), 0)).toBe(200);
    // The faults did happen.
    expect(r.restarts).toBe(1);
    expect(r.cuts).toBeGreaterThanOrEqual(4);
    expect(r.smsc.receiptFailuresInjected).toBeGreaterThan(0);
    expect(r.states.undeliverable ?? 0).toBeGreaterThan(0);
    expect(r.smsc.dropsInjected).toBeGreaterThan(0);
  }, 90_000);
  it('a restart inside a cut of the SMSC link: the new PPG binds once the link is back, none lost', async () => {
    // The restart falls on a cut: the new PPG's first bind is refused by the relay (it failed the
    // whole run before the harness started it again, as a supervisor would).
    const r = await faultRun({ pushes: 40, concurrency: 5, cutEvery: 10, restartAfter: 10, deadlineMs: 45_000 });
    expect(r.restarts).toBe(1);
    expect(r.accepted).toBe(40);
    expect(r.missing).toEqual([]);
    expect(r.doubled).toEqual([]);
    expect(r.notFinal).toBe(0);
  }, 60_000);
});
