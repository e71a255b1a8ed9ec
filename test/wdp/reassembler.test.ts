import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { Reassembler, type LostMessage, type RejectedSegment } from '../../src/wdp/reassembler.js';
import { segmentFromUserData } from '../../src/wdp/userData.js';
import { decodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { hex, loadFixtures } from '../helpers.js';

interface SmsFixture {
  segments: string[];
  expect: {
    sourcePort: number;
    destinationPort: number;
    reference: number;
    referenceBits: number;
    segments: number;
    contentType: string;
    applicationId: string;
    bodyStartsWith: string;
    bodyEndsWith?: string;
  };
}

const seg = (sequence: number, total: number, data: string, extra: Partial<Segment> = {}): Segment => ({
  originator: 'A',
  recipient: 'B',
  sourcePort: 9200,
  destinationPort: 2948,
  reference: 7,
  referenceBits: 8,
  total,
  sequence,
  data: hex(data),
  ...extra,
});

function clocked(options = {}) {
  let t = 1_000;
  const r = new Reassembler({ now: () => t, ...options });
  const lost: LostMessage[] = [];
  const rejected: RejectedSegment[] = [];
  r.on('expired', (m) => lost.push(m));
  r.on('evicted', (m) => lost.push(m));
  r.on('superseded', (m) => lost.push(m));
  r.on('rejected', (x) => rejected.push(x));
  return {
    r,
    lost,
    rejected,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('Reassembler: real concatenated pushes', () => {
  for (const f of loadFixtures<SmsFixture>('sms')) {
    it(`${f.file}: every order gives the same WSP push`, () => {
      const segments = f.segments.map((s) => segmentFromUserData(hex(s), { originator: '+4470', recipient: '+4471' }));
      expect(segments[0]).toMatchObject({
        reference: f.expect.reference,
        referenceBits: f.expect.referenceBits,
        total: f.expect.segments,
      });
      const orders = [segments, [...segments].reverse(), [...segments.slice(1), segments[0]]];
      const payloads = orders.map((order) => {
        const r = new Reassembler();
        const out = order.map((s) => r.push(s));
        expect(out.slice(0, -1).every((d) => d === undefined)).toBe(true);
        const d = out[out.length - 1]!;
        expect(d).toMatchObject({
          originator: '+4470',
          recipient: '+4471',
          sourcePort: f.expect.sourcePort,
          destinationPort: f.expect.destinationPort,
          segments: f.expect.segments,
        });
        expect(r.pendingMessages).toBe(0);
        expect(r.pendingBytes).toBe(0);
        return Buffer.from(d.payload);
      });
      // The payload is the segments' data after each UDH, in sequence order.
      const expected = Buffer.concat(
        f.segments.map((s) => {
          const b = hex(s);
          return Buffer.from(b.subarray(b[0] + 1));
        }),
      );
      for (const p of payloads) expect(p.equals(expected)).toBe(true);
      const push = decodePushPdu(payloads[0]);
      expect(push.contentType).toBe(f.expect.contentType);
      expect(push.applicationId).toBe(f.expect.applicationId);
      expect(Buffer.from(push.body).toString('hex').startsWith(f.expect.bodyStartsWith)).toBe(true);
      if (f.expect.bodyEndsWith)
        expect(Buffer.from(push.body).toString('hex').endsWith(f.expect.bodyEndsWith)).toBe(true);
    });
  }
});

describe('Reassembler: rules', () => {
  it('a single segment is a view of the SMS bytes (zero copy)', () => {
    const ud = hex('0605040b8423f0 0106');
    const d = new Reassembler().push(segmentFromUserData(ud))!;
    expect(d.segments).toBe(1);
    expect(d.payload.buffer).toBe(ud.buffer);
    expect(d.payload.byteOffset).toBe(ud.byteOffset + 7);
  });
  it('a multi-segment payload is one new buffer, shared with no segment', () => {
    const { r } = clocked();
    const a = seg(1, 2, 'aabb');
    const b = seg(2, 2, 'cc');
    r.push(b);
    const d = r.push(a)!;
    expect(Buffer.from(d.payload).toString('hex')).toBe('aabbcc');
    expect(d.payload.buffer).not.toBe(a.data.buffer);
    expect(d.payload.buffer).not.toBe(b.data.buffer);
    expect(r.stats).toMatchObject({ segments: 2, datagrams: 1 });
  });
  it('exact duplicates are ignored and counted', () => {
    const { r, rejected } = clocked();
    expect(r.push(seg(1, 3, '01'))).toBeUndefined();
    expect(r.push(seg(1, 3, '01'))).toBeUndefined();
    r.push(seg(3, 3, '03'));
    r.push(seg(3, 3, '03'));
    expect(Buffer.from(r.push(seg(2, 3, '02'))!.payload).toString('hex')).toBe('010203');
    expect(r.stats.duplicates).toBe(2);
    expect(rejected).toEqual([]);
  });
  it('a duplicate with other bytes is rejected; the first one is kept', () => {
    const { r, rejected } = clocked();
    r.push(seg(1, 2, '01'));
    r.push(seg(1, 2, 'ff'));
    expect(rejected.map((x) => x.reason)).toEqual(['conflicting-duplicate']);
    expect(Buffer.from(r.push(seg(2, 2, '02'))!.payload).toString('hex')).toBe('0102');
    expect(r.stats.conflictingDuplicates).toBe(1);
  });
  it('sequence 0, a sequence above the total, a total of 0: rejected and counted', () => {
    const { r, rejected } = clocked();
    expect(r.push(seg(0, 2, '01'))).toBeUndefined();
    expect(r.push(seg(3, 2, '01'))).toBeUndefined();
    expect(r.push(seg(1, 0, '01'))).toBeUndefined();
    expect(r.push(seg(2, 1, '01'))).toBeUndefined();
    expect(rejected.map((x) => x.reason)).toEqual(['bad-sequence', 'bad-sequence', 'bad-total', 'bad-sequence']);
    expect(r.stats).toMatchObject({ rejected: 4, badSequence: 3, badTotal: 1, datagrams: 0 });
    expect(r.pendingMessages).toBe(0);
  });
  it('a segment repeated after its message completed is a late duplicate; other bytes mean the reference was reused', () => {
    const { r, lost, advance } = clocked({ timeoutMs: 10_000 });
    r.push(seg(1, 2, '01'));
    expect(r.push(seg(2, 2, '02'))).toBeDefined();
    expect(r.push(seg(2, 2, '02'))).toBeUndefined();
    expect(r.push(seg(1, 2, '01'))).toBeUndefined();
    expect(r.stats).toMatchObject({ duplicates: 2, lateDuplicates: 2 });
    expect(r.pendingMessages).toBe(0);
    r.push(seg(1, 2, 'a1')); // same reference, new content: a new message
    expect(Buffer.from(r.push(seg(2, 2, 'a2'))!.payload).toString('hex')).toBe('a1a2');
    advance(10_000);
    r.sweep();
    expect(r.push(seg(1, 2, 'a1'))).toBeUndefined(); // window over: starts a new message
    expect(r.pendingMessages).toBe(1);
    expect(lost).toEqual([]);
  });
  it('total 1 with a reference is a whole message', () => {
    expect(clocked().r.push(seg(1, 1, '0102'))?.segments).toBe(1);
  });
  it('a total that changes mid-message: the pending one is superseded and reported, the new one proceeds', () => {
    const { r, lost } = clocked();
    r.push(seg(1, 3, '01'));
    r.push(seg(2, 3, '02'));
    r.push(seg(1, 2, 'a1'));
    expect(lost).toMatchObject([{ reason: 'superseded', total: 3, received: [1, 2], bytes: 2, reference: 7 }]);
    expect(Buffer.from(r.push(seg(2, 2, 'a2'))!.payload).toString('hex')).toBe('a1a2');
    expect(r.stats).toMatchObject({ superseded: 1, lostSegments: 2, lostBytes: 2 });
  });
  it('messages are told apart by originator, recipient, ports and reference', () => {
    const { r } = clocked();
    const variants: Partial<Segment>[] = [
      {},
      { originator: 'X' },
      { recipient: 'Y' },
      { sourcePort: 1 },
      { destinationPort: 2 },
      { reference: 8 },
    ];
    for (const v of variants) r.push(seg(1, 2, '01', v));
    expect(r.pendingMessages).toBe(variants.length);
    for (const v of variants) expect(r.push(seg(2, 2, '02', v))).toBeDefined();
  });
  it('a message expires timeoutMs after its first segment, and the loss says what arrived', () => {
    const { r, lost, advance } = clocked({ timeoutMs: 5_000 });
    r.push(seg(2, 3, 'bbbb'));
    advance(4_000);
    r.push(seg(1, 3, 'aa'));
    r.push(seg(1, 2, '01', { reference: 9 }));
    advance(999);
    expect(r.sweep()).toBe(0);
    advance(1);
    expect(r.sweep()).toBe(1);
    expect(lost).toEqual([
      {
        reason: 'expired',
        originator: 'A',
        recipient: 'B',
        sourcePort: 9200,
        destinationPort: 2948,
        reference: 7,
        total: 3,
        received: [1, 2],
        bytes: 3,
        firstAt: 1_000,
      },
    ]);
    advance(4_000);
    r.push(seg(1, 2, '01', { reference: 10 })); // push() sweeps too
    expect(lost.map((m) => m.reference)).toEqual([7, 9]);
    expect(r.stats).toMatchObject({ expired: 2, lostSegments: 3, lostBytes: 4 });
    expect(r.pendingMessages).toBe(1);
    expect(r.pendingBytes).toBe(1);
  });
  it('a single SMS still expires what is pending (it skips the clock only when nothing is pending or remembered)', () => {
    const { r, lost, advance } = clocked({ timeoutMs: 5_000 });
    expect(r.push(seg(1, 1, 'cc', { reference: undefined }))).toBeDefined();
    r.push(seg(1, 2, '01'));
    advance(5_000);
    expect(r.push(seg(1, 1, 'dd', { reference: undefined }))).toBeDefined();
    expect(lost.map((m) => m.reason)).toEqual(['expired']);
    expect(r.pendingMessages).toBe(0);
  });
  it('over maxPendingMessages, the oldest message is evicted', () => {
    const { r, lost } = clocked({ maxPendingMessages: 2 });
    for (const ref of [1, 2, 3]) r.push(seg(1, 2, '01', { reference: ref }));
    expect(lost.map((m) => [m.reason, m.reference])).toEqual([['evicted', 1]]);
    expect(r.pendingMessages).toBe(2);
  });
  it('over maxPendingBytes, the oldest messages are evicted, never the one being filled unless it alone is too big', () => {
    const { r, lost } = clocked({ maxPendingBytes: 10 });
    r.push(seg(1, 3, '0102030405', { reference: 1 }));
    r.push(seg(1, 3, '01020304', { reference: 2 }));
    r.push(seg(2, 3, '0102', { reference: 2 }));
    expect(lost.map((m) => m.reference)).toEqual([1]);
    expect(r.pendingBytes).toBe(6);
    r.push(seg(3, 3, '0102030405', { reference: 2 })); // 11 octets for one message: it cannot fit
    expect(lost.map((m) => [m.reason, m.reference, m.bytes])).toEqual([
      ['evicted', 1, 5],
      ['evicted', 2, 11],
    ]);
    expect(r.pendingBytes).toBe(0);
    expect(r.pendingMessages).toBe(0);
  });
  it('clear() reports everything pending', () => {
    const { r, lost } = clocked();
    r.push(seg(1, 2, '01', { reference: 1 }));
    r.push(seg(1, 2, '01', { reference: 2 }));
    r.clear();
    expect(lost.map((m) => m.reason)).toEqual(['evicted', 'evicted']);
    expect(r.pendingBytes).toBe(0);
  });
  it('refuses nonsense bounds', () => {
    expect(() => new Reassembler({ maxPendingBytes: 0 })).toThrow(RangeError);
    expect(() => new Reassembler({ timeoutMs: Number.NaN })).toThrow(RangeError);
    // The duplicate memory: 0 turns it off; NaN, Infinity or a negative count is refused.
    expect(new Reassembler({ maxRecentMessages: 0 }).maxRecentMessages).toBe(0);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1])
      expect(() => new Reassembler({ maxRecentMessages: bad })).toThrow(/maxRecentMessages/);
  });
});
