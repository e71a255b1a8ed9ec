import { DecodeError } from '../codec/errors.js';
import type { Segment, WdpDatagram } from './datagram.js';
import { Reassembler } from './reassembler.js';

/**
 * A finite set of segments that should make exactly one datagram (the `decode` command's
 * input): reassembled in any order, duplicates dropped. Anything else is a DecodeError:
 * INCOMPLETE when segments are missing, BAD_VALUE for a rejected segment or for segments of
 * more than one message. Offsets are 0; the message names the segment (1-based input order).
 */
export function collectDatagram(segments: readonly Segment[]): WdpDatagram {
  const r = new Reassembler({
    timeoutMs: Number.MAX_SAFE_INTEGER,
    maxPendingMessages: segments.length + 1,
    maxPendingBytes: Number.MAX_SAFE_INTEGER,
    maxPendingMessagesPerOriginator: segments.length + 1,
    maxPendingBytesPerOriginator: Number.MAX_SAFE_INTEGER,
    now: () => 0,
  });
  let rejected: string | undefined;
  r.on('rejected', (x) => {
    rejected ??= x.reason;
  });
  const done: WdpDatagram[] = [];
  let doneAt = 0;
  segments.forEach((s, i) => {
    rejected = undefined;
    const d = r.push(s);
    if (rejected) {
      throw new DecodeError(
        'BAD_VALUE',
        0,
        `segment ${i + 1}: rejected (${rejected}: sequence ${s.sequence} of ${s.total})`,
      );
    }
    if (d) {
      done.push(d);
      doneAt = i + 1;
    }
  });
  if (done.length > 1)
    throw new DecodeError('BAD_VALUE', 0, `the input holds ${done.length} datagrams; decode takes the segments of one`);
  if (done.length === 1 && r.pendingMessages === 0) return done[0];
  const lost: string[] = [];
  r.on('evicted', (m) => {
    const missing: number[] = [];
    for (let q = 1; q <= m.total; q++) if (!m.received.includes(q)) missing.push(q);
    lost.push(`reference ${m.reference}: have ${m.received.join(',')} of ${m.total}, missing ${missing.join(',')}`);
  });
  r.clear();
  if (done.length === 1) {
    throw new DecodeError(
      'BAD_VALUE',
      0,
      `segment ${doneAt} completed a datagram, but other segments belong to another message (${lost.join('; ')})`,
    );
  }
  throw new DecodeError('INCOMPLETE', 0, `segments are missing: ${lost.join('; ') || 'no segment given'}`);
}

/** The `wdp` object of the decode JSON (docs/architecture.md). */
export function datagramJson(d: WdpDatagram): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.sourcePort !== undefined) out.sourcePort = d.sourcePort;
  if (d.destinationPort !== undefined) out.destinationPort = d.destinationPort;
  out.segments = d.segments;
  if (d.originator) out.originator = d.originator;
  if (d.recipient) out.recipient = d.recipient;
  return out;
}
