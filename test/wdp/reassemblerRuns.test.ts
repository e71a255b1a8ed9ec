import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { Reassembler, type LostMessage, type RejectedSegment } from '../../src/wdp/reassembler.js';

// The reassembler holds the parts of a message that come in order one after the other (a run,
// its region the payload) and turns to one held part per sequence for any other order. These
// cases go through each way in and out of a run; the expected payloads are the parts joined
// here, in sequence order, from octets the test made.

/** `length` octets, each `fill` plus its index (mod 256): two parts with different fills differ everywhere. */
function octets(length: number, fill: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (fill + i) & 0xff);
}

function joined(parts: readonly Uint8Array[]): number[] {
  return parts.flatMap((p) => [...p]);
}

const seg = (sequence: number, total: number, data: Uint8Array, extra: Partial<Segment> = {}): Segment => ({
  originator: '+447700900001',
  recipient: '+447700900000',
  reference: 9,
  referenceBits: 8,
  total,
  sequence,
  data,
  ...extra,
});

function clocked(options = {}) {
  let t = 5_000;
  const r = new Reassembler({ now: () => t, ...options });
  const lost: LostMessage[] = [];
  const rejected: RejectedSegment[] = [];
  r.on('expired', (m) => lost.push(m));
  r.on('evicted', (m) => lost.push(m));
  r.on('rejected', (x) => rejected.push(x));
  return { r, lost, rejected, advance: (ms: number) => (t += ms) };
}

describe('Reassembler: parts held in order, and out of it', () => {
  it('an in-order message is its parts joined, though the caller writes over each buffer after push', () => {
    const { r } = clocked();
    const parts = [octets(134, 1), octets(134, 60), octets(38, 120)];
    const buffer = new Uint8Array(200);
    let d;
    for (let i = 0; i < 3; i++) {
      buffer.set(parts[i]);
      d = r.push(seg(i + 1, 3, buffer.subarray(0, parts[i].length)));
      buffer.fill(0xee);
    }
    expect(d?.segments).toBe(3);
    expect([...d!.payload]).toEqual(joined(parts));
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
  });

  it('a middle part of another length, and a part out of order after two in order, still join in sequence', () => {
    const { r } = clocked();
    const uneven = [octets(134, 1), octets(90, 50), octets(134, 99)];
    expect(r.push(seg(1, 3, uneven[0]))).toBeUndefined();
    expect(r.push(seg(2, 3, uneven[1]))).toBeUndefined();
    expect([...r.push(seg(3, 3, uneven[2]))!.payload]).toEqual(joined(uneven));

    const four = [octets(120, 3), octets(120, 33), octets(120, 77), octets(17, 200)];
    const other = { reference: 10 };
    expect(r.push(seg(1, 4, four[0], other))).toBeUndefined();
    expect(r.push(seg(2, 4, four[1], other))).toBeUndefined();
    expect(r.push(seg(4, 4, four[3], other))).toBeUndefined();
    expect([...r.push(seg(3, 4, four[2], other))!.payload]).toEqual(joined(four));
  });

  it('a message that starts with its last segment, then comes in order, joins in sequence', () => {
    const { r } = clocked();
    const parts = [octets(100, 5), octets(100, 55), octets(12, 155)];
    expect(r.push(seg(3, 3, parts[2]))).toBeUndefined();
    expect(r.push(seg(1, 3, parts[0]))).toBeUndefined();
    expect([...r.push(seg(2, 3, parts[1]))!.payload]).toEqual(joined(parts));
  });

  it('a repeated part of a run is a duplicate; the same sequence with other octets is rejected, the first kept', () => {
    const { r, rejected } = clocked();
    const parts = [octets(134, 1), octets(134, 60), octets(20, 120)];
    r.push(seg(1, 3, parts[0]));
    r.push(seg(2, 3, parts[1]));
    expect(r.push(seg(1, 3, Uint8Array.from(parts[0])))).toBeUndefined();
    expect(r.push(seg(2, 3, Uint8Array.from(parts[1])))).toBeUndefined();
    expect(r.stats.duplicates).toBe(2);
    expect(r.push(seg(2, 3, octets(134, 61)))).toBeUndefined();
    expect(r.push(seg(1, 3, octets(133, 1)))).toBeUndefined();
    expect(rejected.map((x) => [x.reason, x.segment.sequence])).toEqual([
      ['conflicting-duplicate', 2],
      ['conflicting-duplicate', 1],
    ]);
    expect([...r.push(seg(3, 3, parts[2]))!.payload]).toEqual(joined(parts));
  });

  it('400 messages interleaved segment by segment each complete with their own octets', () => {
    const { r } = clocked({ maxPendingMessages: 1_000 });
    const messages = Array.from({ length: 400 }, (_, m) => [octets(134, m), octets(134, m + 7), octets(50, m + 13)]);
    // The payloads are kept as delivered (views) and read at the end: a region handed out and
    // then written over by a later message, or a run moved, would show here.
    const out = new Map<string, Uint8Array>();
    for (let s = 0; s < 3; s++) {
      for (let m = 0; m < 400; m++) {
        const d = r.push(seg(s + 1, 3, messages[m][s], { originator: `+44${m}`, reference: m & 0xff }));
        if (d) out.set(d.originator, d.payload);
      }
    }
    expect(out.size).toBe(400);
    for (let m = 0; m < 400; m++) expect([...out.get(`+44${m}`)!]).toEqual(joined(messages[m]));
  });

  it('a run that expires, or goes over a bytes bound, reports the sequences it held', () => {
    const { r, lost, advance } = clocked({ timeoutMs: 1_000, maxPendingBytesPerOriginator: 300 });
    r.push(seg(2, 4, octets(120, 1)));
    r.push(seg(3, 4, octets(120, 2)));
    advance(1_000);
    r.push(seg(1, 2, octets(10, 3), { reference: 11 }));
    expect(lost.map((m) => [m.reason, m.reference, m.received, m.bytes])).toEqual([['expired', 9, [2, 3], 240]]);
    const other = { reference: 12, originator: '+447700900002' };
    r.push(seg(1, 3, octets(140, 1), other));
    r.push(seg(2, 3, octets(140, 2), other));
    expect(r.push(seg(3, 3, octets(140, 3), other))).toBeUndefined();
    expect(lost[1]).toMatchObject({
      reason: 'evicted',
      policy: 'oversize',
      reference: 12,
      received: [1, 2, 3],
      bytes: 420,
    });
    expect(r.pendingOf('+447700900002')).toEqual({ messages: 0, bytes: 0 });
  });
});
