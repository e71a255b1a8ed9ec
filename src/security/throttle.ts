/**
 * Guessing slowed down: failed logins (SMPP binds, HTTP Basic) are counted per client
 * address. Past `freeFailures` each further failure is answered only after a delay that
 * doubles up to `maxDelayMs`; at `refuseAfter` failures the address is refused outright,
 * right password or not, for `lockoutMs` (ESME_RBINDFAIL, HTTP 429). An address that stops
 * failing for `windowMs` is forgotten. Other addresses are not touched: a right login from
 * elsewhere goes through at once.
 */
import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../bounds.js';

export interface ThrottleLimits {
  /** Failures from one address answered without delay. */
  freeFailures: number;
  /** Delay of the first failure past freeFailures, ms; it doubles with each one after. */
  delayMs: number;
  /** Longest delay, ms. */
  maxDelayMs: number;
  /** Failures after which the address is refused for lockoutMs. */
  refuseAfter: number;
  /** How long a refused address stays refused, ms. */
  lockoutMs: number;
  /** Failures further apart than this start the count again, ms. */
  windowMs: number;
  /** Addresses remembered at once; past it the one that failed longest ago is forgotten. */
  maxAddresses: number;
}

export const DEFAULT_THROTTLE_LIMITS: Readonly<ThrottleLimits> = Object.freeze({
  freeFailures: 3,
  delayMs: 250,
  maxDelayMs: 4_000,
  refuseAfter: 10,
  lockoutMs: 300_000,
  windowMs: 600_000,
  maxAddresses: 100_000,
});

export function resolveThrottleLimits(given: Partial<ThrottleLimits> = {}, prefix = 'throttle.'): ThrottleLimits {
  const d = DEFAULT_THROTTLE_LIMITS;
  return {
    freeFailures: nonNegativeBound(given.freeFailures ?? d.freeFailures, `${prefix}freeFailures`),
    delayMs: nonNegativeBound(given.delayMs ?? d.delayMs, `${prefix}delayMs`, MAX_TIMER_MS),
    maxDelayMs: nonNegativeBound(given.maxDelayMs ?? d.maxDelayMs, `${prefix}maxDelayMs`, MAX_TIMER_MS),
    refuseAfter: positiveBound(given.refuseAfter ?? d.refuseAfter, `${prefix}refuseAfter`),
    lockoutMs: positiveBound(given.lockoutMs ?? d.lockoutMs, `${prefix}lockoutMs`, MAX_TIMER_MS),
    windowMs: positiveBound(given.windowMs ?? d.windowMs, `${prefix}windowMs`, MAX_TIMER_MS),
    maxAddresses: positiveBound(given.maxAddresses ?? d.maxAddresses, `${prefix}maxAddresses`),
  };
}

/** What the throttle did about an address: a failure answered late, or the address refused. */
export interface ThrottleEvent {
  address: string;
  action: 'delayed' | 'refused';
  /** Failures counted for the address. */
  failures: number;
  /** 'delayed': how long the answer waits. 'refused': how long the address stays refused. */
  ms: number;
}

export interface ThrottleEvents {
  throttled: [ThrottleEvent];
}

/** The verdict before credentials are looked at. */
export type ThrottleGate = { refused: false } | { refused: true; retryAfterMs: number };

interface Entry {
  failures: number;
  lastFailure: number;
  refusedUntil: number;
}

export class GuessThrottle extends EventEmitter<ThrottleEvents> {
  readonly limits: ThrottleLimits;
  /** Failures delayed and attempts refused, since the start. */
  readonly stats = { delayed: 0, refused: 0 };
  /** In insertion order, which is last-failure order: each failure re-inserts its address. */
  private readonly entries = new Map<string, Entry>();

  constructor(limits: Partial<ThrottleLimits> = {}) {
    super();
    this.limits = resolveThrottleLimits(limits);
  }

  /** Whether `address` may try at all now. */
  gate(address: string, now = Date.now()): ThrottleGate {
    const e = this.current(address, now);
    if (e === undefined || e.refusedUntil <= now) return { refused: false };
    this.stats.refused++;
    const retryAfterMs = e.refusedUntil - now;
    this.emit('throttled', { address, action: 'refused', failures: e.failures, ms: retryAfterMs });
    return { refused: true, retryAfterMs };
  }

  /** Counts a failed attempt; resolves how long its answer must wait (0: none). */
  failed(address: string, now = Date.now()): number {
    const l = this.limits;
    const e = this.current(address, now) ?? { failures: 0, lastFailure: now, refusedUntil: 0 };
    e.failures++;
    e.lastFailure = now;
    this.entries.delete(address);
    this.entries.set(address, e);
    if (this.entries.size > l.maxAddresses) this.entries.delete(this.entries.keys().next().value!);
    if (e.failures >= l.refuseAfter) {
      e.refusedUntil = now + l.lockoutMs;
      this.stats.refused++;
      this.emit('throttled', { address, action: 'refused', failures: e.failures, ms: l.lockoutMs });
    }
    const past = e.failures - l.freeFailures;
    if (past <= 0) return 0;
    const ms = Math.min(l.maxDelayMs, l.delayMs * 2 ** Math.min(past - 1, 30));
    if (ms > 0 && e.refusedUntil <= now) {
      this.stats.delayed++;
      this.emit('throttled', { address, action: 'delayed', failures: e.failures, ms });
    }
    return ms;
  }

  /** Addresses with failures counted. */
  get size(): number {
    return this.entries.size;
  }

  private current(address: string, now: number): Entry | undefined {
    const e = this.entries.get(address);
    if (e === undefined) return undefined;
    if (e.refusedUntil <= now && now - e.lastFailure > this.limits.windowMs) {
      this.entries.delete(address);
      return undefined;
    }
    return e;
  }
}
