/**
 * How many SMS a push takes, checked against the configured maximum before anything is
 * accepted: a push over it is refused whole (PAP 3003), never cut short.
 */
import { EncodeError } from '../codec/errors.js';
import { plan, type SegmentOptions } from '../wdp/segmenter.js';
import { PapCode, PapError } from './codes.js';

/** Default most SMS one push may take (Kannel's max-messages default is 10 too, but it truncates). */
export const DEFAULT_MAX_SEGMENTS = 10;

export function segmentsNeeded(pdu: Uint8Array, maxSegments: number, options: SegmentOptions = {}): number {
  let n: number;
  try {
    n = plan(pdu.length, options).segments;
  } catch (e) {
    if (e instanceof EncodeError) throw new PapError(PapCode.NOT_POSSIBLE, e.message);
    throw e;
  }
  if (n > maxSegments)
    throw new PapError(
      PapCode.NOT_POSSIBLE,
      `the push needs ${n} SMS (${pdu.length} octets); this PPG sends at most ${maxSegments} per push`,
    );
  return n;
}
