/**
 * Loss reports waiting for the next sweep: the drops a failed step, call or sweep made before it
 * failed (Redis does not roll a script back, so the drops stand and must still be reported).
 * Kept in this node's memory, so bounded: past MAX_CARRIED_REPORTS (Redis cut off for long while
 * drops go on) a report is not kept, only counted, and the sweep that takes the reports says how
 * many went (SweepResult.unreported), so no drop goes unreported even then.
 */
import type { LostMessage } from '../types.js';

/** Most loss reports kept for the next sweep (each a few hundred octets). */
export const MAX_CARRIED_REPORTS = 10_000;

export class Carried {
  private reports: LostMessage[] = [];
  private dropped = 0;

  constructor(private readonly max = MAX_CARRIED_REPORTS) {}

  /** Keeps `lost` for the next sweep, as far as there is room; the rest is counted. */
  add(lost: readonly LostMessage[]): void {
    // A loop, not push(...lost): a long list would overflow the call stack.
    for (const l of lost) {
      if (this.reports.length < this.max) this.reports.push(l);
      else this.dropped++;
    }
  }

  /** The reports kept and the count of those that were not, both emptied. */
  take(): { reports: LostMessage[]; dropped: number } {
    const out = { reports: this.reports, dropped: this.dropped };
    this.reports = [];
    this.dropped = 0;
    return out;
  }
}
