/**
 * Stored registrations that are not in effect now: one whose restore failed for a passing
 * reason (its OTA-HTTP port busy, its Push Server unreachable, the link not bound) is retried
 * with bounded backoff; one the client refused at restore (its options no longer available, or
 * the policy) is kept, not retried; one that lost its binding to another registration of its
 * App ID is kept while that one is registered (or binding), and tried again once it leaves.
 * Either way it stays in the store, so a save never erases it: it leaves only when it is
 * restored, when its application registers again, or when it is deregistered.
 */
import { backoffDelay, type Backoff } from '../wdp/smpp/backoff.js';
import { REGISTRATION_FAILURE } from './failures.js';
import type { StoredRegistration } from './store.js';

/**
 * Failure reasons of a restore that waiting cannot change while another registration stays:
 * `duplicate-application-id`, its contact points expecting an address another application of
 * its App ID expects. PushCAI 5.1 rejects "an already-registered Push Application ID", one in
 * effect now: when that registration leaves (deregistered, replaced, its own binding failed),
 * the held one is tried again at once (the registrar wakes it, retryNow), and not before, for
 * until then each try would fail the same way. Not for a Push Service Registration: its
 * binding is the Push Server's answer, asked anew at each try, so it is retried with backoff.
 * Every other reason (a busy port, a Push Server down or refusing, a hostname not resolving)
 * may pass by itself.
 */
const WAIT_FOR_ANOTHER_TO_LEAVE: ReadonlySet<string> = new Set([REGISTRATION_FAILURE.DUPLICATE_APPLICATION_ID]);

/**
 * Failure reasons no wait can change: only a restart with another configuration can (an
 * OTA-HTTP buffer budget below one push). Kept, not retried, like a restore the client refuses.
 */
const NEVER_PASSES: ReadonlySet<string> = new Set([REGISTRATION_FAILURE.BUFFER_BUDGET_TOO_SMALL]);

/** Whether a restore of `request` that failed for `reason` is tried again with backoff. */
export function retriesRestore(request: StoredRegistration, reason: string): boolean {
  if (NEVER_PASSES.has(reason)) return false;
  return !WAIT_FOR_ANOTHER_TO_LEAVE.has(reason) || request.pushServiceRegistrationUri !== undefined;
}

export interface HeldRegistration {
  readonly request: StoredRegistration;
  /** Why it is not in effect: the reason of its last failure or rejection. */
  reason: string;
  /** Restores tried so far. */
  attempts: number;
  /** Whether a retry is due (a passing reason, or woken by retryNow), or it is only kept. */
  retrying: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class HeldRegistrations {
  private readonly entries = new Set<HeldRegistration>();
  private closed = false;

  constructor(
    private readonly backoff: Backoff,
    private readonly retry: (held: HeldRegistration) => void,
  ) {}

  /** Holds a stored request while it is being restored. */
  add(request: StoredRegistration): HeldRegistration {
    const h: HeldRegistration = { request, reason: 'restoring', attempts: 0, retrying: false, timer: undefined };
    this.entries.add(h);
    return h;
  }

  /** A restore of `h` failed: it stays held and, when the reason is a passing one, is tried again later. */
  failed(h: HeldRegistration, reason: string, retrying: boolean): void {
    if (!this.entries.has(h)) return;
    h.reason = reason;
    h.retrying = retrying;
    h.attempts++;
    clearTimeout(h.timer);
    h.timer = undefined;
    if (!retrying || this.closed) return;
    h.timer = setTimeout(
      () => {
        h.timer = undefined;
        if (this.entries.has(h)) this.retry(h);
      },
      backoffDelay(this.backoff, h.attempts - 1),
    );
    h.timer.unref();
  }

  /** Tries `h` again at once (in a timer of its own, not in the caller's turn): what held it has gone. */
  retryNow(h: HeldRegistration): void {
    if (!this.entries.has(h) || this.closed) return;
    clearTimeout(h.timer);
    h.retrying = true;
    h.timer = setTimeout(() => {
      h.timer = undefined;
      if (this.entries.has(h)) this.retry(h);
    }, 0);
    h.timer.unref();
  }

  /** Lets go of a hold: it was restored, replaced or deregistered. */
  release(h: HeldRegistration): void {
    clearTimeout(h.timer);
    this.entries.delete(h);
  }

  has(h: HeldRegistration): boolean {
    return this.entries.has(h);
  }

  all(): HeldRegistration[] {
    return [...this.entries];
  }

  close(): void {
    this.closed = true;
    for (const h of this.entries) clearTimeout(h.timer);
  }
}
