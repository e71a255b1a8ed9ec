/**
 * Checks for the numeric bounds callers set in options (queue sizes, counts, periods). A bound
 * of NaN, a string or undefined would compare false against every count and so stop nothing:
 * each is refused by name with a RangeError when the object is made, not found out under load.
 */

/**
 * The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days): setTimeout runs a longer
 * one after 1 ms instead, so a period given in ms is held to it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A count or period that must be above 0 (a queue of 0 could never take anything); finite, at most `max`. */
export function positiveBound(v: unknown, name: string, max = Number.MAX_VALUE): number {
  if (typeof v !== 'number' || !(v > 0) || !(v <= max))
    throw new RangeError(`${name} must be a number above 0${upTo(max)}, not ${String(v)}`);
  return v;
}

/** A count or period where 0 turns the feature off; finite, at most `max`. */
export function nonNegativeBound(v: unknown, name: string, max = Number.MAX_VALUE): number {
  if (typeof v !== 'number' || !(v >= 0) || !(v <= max))
    throw new RangeError(`${name} must be a number >= 0${upTo(max)}, not ${String(v)}`);
  return v;
}

const upTo = (max: number): string => (max === Number.MAX_VALUE ? ' (finite)' : ` and at most ${max}`);

/** A probability, 0 to 1 (fault injection). */
export function probabilityBound(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1))
    throw new RangeError(`${name} must be a probability from 0 to 1, not ${String(v)}`);
  return v;
}
