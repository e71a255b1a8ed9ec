import { MAX_TIMER_MS, positiveBound } from '../../bounds.js';

/** Exponential backoff with full jitter: a delay in [base/2, base) where base doubles per attempt. */
export interface Backoff {
  /** First delay, ms. */
  initialMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

/**
 * The backoff as given, checked: a NaN or 0 delay would make the link reconnect at once, over
 * and over, against an SMSC that is refusing it.
 */
export function checkBackoff(b: Backoff, name: string): Backoff {
  const initialMs = positiveBound(b.initialMs, `${name}.initialMs`, MAX_TIMER_MS);
  const maxMs = positiveBound(b.maxMs, `${name}.maxMs`, MAX_TIMER_MS);
  if (maxMs < initialMs) throw new RangeError(`${name}.maxMs (${maxMs}) is below ${name}.initialMs (${initialMs})`);
  return b;
}

export function backoffDelay(b: Backoff, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}
