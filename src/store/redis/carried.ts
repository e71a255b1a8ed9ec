/**
 * Loss reports waiting for the next sweep: the drops a failed step, call or sweep made before it
 * failed (Redis does not roll a script back, so the drops stand and must still be reported).
 * Kept in this node's memory, so bounded: past MAX_CARRIED_REPORTS (Redis cut off for long while
 * drops go on) a report is not kept, only counted, and the sweep that takes the reports says how
 * many went (SweepResult.unreported), so no drop goes unreported even then.
 *
 * A call whose reply never came (the connection died, a timeout) may have dropped messages too:
 * its script kept those reports in Redis under the call's id (scripts.ts, P l:NODE:CALL), and
 * the ids of such calls wait here for the next sweep, which reads and reports them. A call may
 * also run after that sweep (it was still on its way on a connection being replaced), so an id
 * whose copy is not found is looked for again by the sweeps of UNANSWERED_GRACE_MS.
 */
import type { LostMessage } from '../types.js';

/** Most loss reports kept for the next sweep (each a few hundred octets). */
export const MAX_CARRIED_REPORTS = 10_000;

/**
 * Most calls without a reply whose kept reports wait to be read. Past it the call looked for
 * longest is forgotten first (one that no sweep has looked for yet goes only after every one
 * that some sweep has), and each call forgotten counts as one unreported report
 * (SweepResult.unreported): it may have kept some, which then expire in Redis after
 * LOSS_REPORT_TTL_MS unread.
 */
export const MAX_UNANSWERED_CALLS = 1_000;

/**
 * How long after a call failed without a reply the sweeps look for its kept reports when they
 * find none: a call written to a connection that is then replaced may still reach Redis and
 * run after the next sweep (behind a long script, say). Most calls drop nothing and keep no
 * copy, so each is looked for by the sweeps of this span (one GET each), then forgotten.
 */
export const UNANSWERED_GRACE_MS = 60_000;

/** A call without a reply: its id, and when it failed (the store's clock). */
export interface Unanswered {
  id: string;
  at: number;
}

export class Carried {
  private reports: LostMessage[] = [];
  private dropped = 0;
  private calls: Unanswered[] = [];

  constructor(private readonly max = MAX_CARRIED_REPORTS) {}

  /** A call whose reply was not read (failed at `at`): its kept reports are for the next sweep to take. */
  unanswered(id: string, at: number): void {
    this.calls.push({ id, at });
    this.trim();
  }

  /** The calls to look for, emptied (given back with `giveBack` or `looked`). */
  takeCalls(): Unanswered[] {
    const out = this.calls;
    this.calls = [];
    return out;
  }

  /** Calls a sweep that failed was to look for: still to look for. */
  giveBack(calls: readonly Unanswered[]): void {
    this.again(calls);
  }

  /**
   * A sweep looked for `calls` (found: '1' a copy was there, '0' not, one character a call):
   * one not found is looked for again until UNANSWERED_GRACE_MS after it failed.
   */
  looked(calls: readonly Unanswered[], found: string, now: number): void {
    this.again(calls.filter((c, i) => found[i] !== '1' && now - c.at < UNANSWERED_GRACE_MS));
  }

  /**
   * Calls taken by a sweep, to look for again: in front of those that failed meanwhile (older,
   * and already looked for), so that the cap forgets them first.
   */
  private again(calls: readonly Unanswered[]): void {
    if (calls.length === 0) return;
    this.calls = [...calls, ...this.calls];
    this.trim();
  }

  /**
   * Past MAX_UNANSWERED_CALLS the front goes; each call forgotten is counted, never silently
   * gone. An upper bound: most such calls kept nothing (docs/state.md).
   */
  private trim(): void {
    const over = this.calls.length - MAX_UNANSWERED_CALLS;
    if (over <= 0) return;
    this.calls.splice(0, over);
    this.dropped += over;
  }

  /** Counts reports that went unreported (a kept copy that could not be read). */
  lose(n: number): void {
    this.dropped += n;
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
