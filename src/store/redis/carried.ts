/**
 * Loss reports waiting for the next sweep: the drops a failed step, call or sweep made before it
 * failed (Redis does not roll a script back, so the drops stand and must still be reported).
 * Kept in this node's memory, so bounded: past MAX_CARRIED_REPORTS (Redis cut off for long while
 * drops go on) a report is not kept, only counted, and the sweep that takes the reports says how
 * many went (SweepResult.unreported), so no drop goes unreported even then.
 *
 * A call whose reply never came (the connection died, a timeout) may have dropped messages too:
 * its script kept those reports in Redis under the call's id (scripts.ts, P l:NODE:CALL), and
 * the ids of such calls wait here for the next sweep, which reads and reports them.
 */
import type { LostMessage } from '../types.js';

/** Most loss reports kept for the next sweep (each a few hundred octets). */
export const MAX_CARRIED_REPORTS = 10_000;

/**
 * Most calls without a reply whose kept reports wait to be read; past it the oldest is not
 * looked for (its reports, if it had any, expire in Redis after LOSS_REPORT_TTL_MS).
 */
export const MAX_UNANSWERED_CALLS = 1_000;

export class Carried {
  private reports: LostMessage[] = [];
  private dropped = 0;
  private calls: string[] = [];

  constructor(private readonly max = MAX_CARRIED_REPORTS) {}

  /** A call whose reply was not read: its kept reports are for the next sweep to take. */
  unanswered(call: string): void {
    this.calls.push(call);
    if (this.calls.length > MAX_UNANSWERED_CALLS) this.calls.shift();
  }

  /** The calls to look for, emptied (given back with `unanswered` when the sweep fails too). */
  takeCalls(): string[] {
    const out = this.calls;
    this.calls = [];
    return out;
  }

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
