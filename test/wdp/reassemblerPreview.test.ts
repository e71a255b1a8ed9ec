import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment, WdpDatagram } from '../../src/wdp/datagram.js';
import { Reassembler, type LostMessage, type RejectedSegment } from '../../src/wdp/reassembler.js';
import { SegmentAt } from '../../src/wdp/segmentAt.js';

// Reassembler.preview: the segments of one socket read shown together before they are pushed
// one by one, so a message whole among them completes without ever being pending. Everything
// push() promises must hold all the same: duplicates, conflicts, late duplicates, fingerprints,
// bounds, expiry; and a preview stopped early loses nothing. The expected payloads are the
// parts joined here, in sequence order, from octets the test made (3GPP TS 23.040 9.2.3.24.1).

/** `length` octets, each `fill` plus its index (mod 256). */
function octets(length: number, fill: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (fill + i) & 0xff);
}

function seg(
  reference: number,
  sequence: number,
  total: number,
  data: Uint8Array,
  originator = '+447700900001',
): Segment {
  return { originator, recipient: '+447700900000', reference, referenceBits: 8, total, sequence, data };
}

/** Each segment copied into one buffer (as a socket chunk holds them) and read into a record. */
function records(segments: readonly Segment[]): { at: SegmentAt[]; buffer: Uint8Array } {
  const buffer = new Uint8Array(segments.reduce((n, s) => n + s.data.length + 3, 0));
  let p = 3; // not at offset 0: offsets are the buffer's, not the data's
  const at = segments.map((s) => {
    buffer.set(s.data, p);
    const r = new SegmentAt().of({ ...s, data: buffer.subarray(p, p + s.data.length) });
    p += s.data.length;
    return r;
  });
  return { at, buffer };
}

function clocked(options = {}) {
  let t = 5_000;
  const r = new Reassembler({ now: () => t, ...options });
  const lost: LostMessage[] = [];
  const rejected: RejectedSegment[] = [];
  r.on('expired', (m) => lost.push(m));
  r.on('evicted', (m) => lost.push(m));
  r.on('superseded', (m) => lost.push(m));
  // The segment of a 'rejected' event views the caller's octets: copied while they are there.
  r.on('rejected', (x) => rejected.push({ ...x, segment: { ...x.segment, data: x.segment.data.slice() } }));
  return { r, lost, rejected, advance: (ms: number) => (t += ms) };
}

/** Shows the reassembler `segments`, pushes the first `take` of them (default all), ends the preview. */
function read(r: Reassembler, segments: readonly Segment[], take = segments.length) {
  const { at, buffer } = records(segments);
  r.preview(at, at.length);
  const out: (WdpDatagram | undefined)[] = [];
  const pending: number[] = [];
  for (let i = 0; i < take; i++) {
    out.push(r.pushAt(at[i]));
    pending.push(r.pendingMessages);
  }
  r.endPreview();
  // A single SMS's payload is a view of the caller's octets: copied before they are written over.
  for (const d of out) if (d !== undefined && d.segments === 1) d.payload = d.payload.slice();
  buffer.fill(0xee); // the caller's buffer is written over once the read is over
  return { out, pending };
}

const A = [octets(134, 1), octets(134, 60), octets(38, 120)];
const B = [octets(134, 7), octets(20, 90)];

describe('Reassembler.preview', () => {
  it('a message whole in the read completes at its last segment and is never pending', () => {
    const { r } = clocked();
    const { out, pending } = read(r, [seg(1, 1, 3, A[0]), seg(1, 2, 3, A[1]), seg(1, 3, 3, A[2])]);
    expect(out.slice(0, 2)).toEqual([undefined, undefined]);
    expect([...out[2]!.payload]).toEqual([...A[0], ...A[1], ...A[2]]);
    expect(out[2]!.segments).toBe(3);
    expect(pending).toEqual([0, 0, 0]);
    expect(r.heldChunkOctets).toBe(0);
    expect(r.stats).toMatchObject({ segments: 3, datagrams: 1, duplicates: 0 });
  });

  it('interleaved references, in any order within the read, each complete at their own last segment', () => {
    const { r } = clocked();
    const { out, pending } = read(r, [
      seg(1, 3, 3, A[2]),
      seg(2, 2, 2, B[1]),
      seg(1, 1, 3, A[0]),
      seg(2, 1, 2, B[0]),
      seg(1, 2, 3, A[1]),
    ]);
    expect(out.map((d) => d && [...d.payload])).toEqual([
      undefined,
      undefined,
      undefined,
      [...B[0], ...B[1]],
      [...A[0], ...A[1], ...A[2]],
    ]);
    expect(pending).toEqual([0, 0, 0, 0, 0]);
  });

  it('a message split across reads is pending between them and completes in the second', () => {
    const { r } = clocked();
    const first = read(r, [seg(1, 1, 3, A[0]), seg(2, 1, 2, B[0]), seg(1, 2, 3, A[1])]);
    expect(first.out).toEqual([undefined, undefined, undefined]);
    expect(r.pendingMessages).toBe(2);
    const second = read(r, [seg(2, 2, 2, B[1]), seg(1, 3, 3, A[2])]);
    expect(second.out.map((d) => d && [...d.payload])).toEqual([
      [...B[0], ...B[1]],
      [...A[0], ...A[1], ...A[2]],
    ]);
    expect(r.pendingMessages).toBe(0);
  });

  it('duplicates within one read: an exact one is ignored, one with other octets rejected, the first kept', () => {
    const { r, rejected } = clocked();
    const other = octets(134, 200);
    const { out } = read(r, [
      seg(1, 1, 3, A[0]),
      seg(1, 1, 3, A[0]),
      seg(1, 2, 3, A[1]),
      seg(1, 2, 3, other),
      seg(1, 3, 3, A[2]),
    ]);
    expect(out.filter((d) => d !== undefined).map((d) => [...d!.payload])).toEqual([[...A[0], ...A[1], ...A[2]]]);
    expect(out[4]).toBeDefined();
    expect(r.stats).toMatchObject({ segments: 5, datagrams: 1, duplicates: 1, conflictingDuplicates: 1 });
    expect(rejected.map((x) => [x.reason, x.segment.sequence, [...x.segment.data]])).toEqual([
      ['conflicting-duplicate', 2, [...other]],
    ]);
  });

  it('a message read whole again after it completed is a late duplicate; one changed in bit 7 of two words is new', () => {
    const { r } = clocked();
    const parts = [seg(1, 1, 3, A[0]), seg(1, 2, 3, A[1]), seg(1, 3, 3, A[2])];
    expect(read(r, parts).out[2]).toBeDefined();
    expect(read(r, parts).out).toEqual([undefined, undefined, undefined]);
    expect(r.stats).toMatchObject({ datagrams: 1, lateDuplicates: 3 });
    // The pair a review found (fingerprint.test.ts): 0x80 flipped in octets 3 and 7 of segment 2.
    const flipped = A[1].slice();
    flipped[3] ^= 0x80;
    flipped[7] ^= 0x80;
    // Segment 1 is the completed message's (a late duplicate); segment 2 is not: a new message
    // begins on the reused reference, holding 2 and 3, and completes when 1 comes again.
    const again = read(r, [parts[0], seg(1, 2, 3, flipped), parts[2]]);
    expect(again.out).toEqual([undefined, undefined, undefined]);
    expect(r.pendingMessages).toBe(1);
    expect(r.stats.lateDuplicates).toBe(4);
    const last = read(r, [parts[0]]).out[0];
    expect([...last!.payload]).toEqual([...A[0], ...flipped, ...A[2]]);
  });

  it('a message pending before the read completes from it as push() completes it', () => {
    const { r } = clocked();
    r.push(seg(1, 1, 3, A[0]));
    const { out, pending } = read(r, [seg(1, 2, 3, A[1]), seg(1, 3, 3, A[2])]);
    expect([...out[1]!.payload]).toEqual([...A[0], ...A[1], ...A[2]]);
    expect(pending).toEqual([1, 0]);
  });

  it("a read stopped before a message's last segment: the segments taken are held, and complete later", () => {
    const { r } = clocked();
    const { out } = read(r, [seg(1, 1, 3, A[0]), seg(2, 1, 2, B[0]), seg(1, 2, 3, A[1]), seg(2, 2, 2, B[1])], 3);
    expect(out).toEqual([undefined, undefined, undefined]);
    // Taken when the read ended, from the octets as they were then (the buffer is written over after).
    expect(r.pendingMessages).toBe(2);
    expect(r.stats.segments).toBe(3);
    const rest = read(r, [seg(2, 2, 2, B[1]), seg(1, 3, 3, A[2])]);
    expect(rest.out.map((d) => d && [...d.payload])).toEqual([
      [...B[0], ...B[1]],
      [...A[0], ...A[1], ...A[2]],
    ]);
    expect(r.stats).toMatchObject({ segments: 5, datagrams: 2, duplicates: 0 });
  });

  it('a segment pushed that was not shown ends the preview, the segments taken held first', () => {
    const { r } = clocked();
    const { at } = records([seg(1, 1, 3, A[0]), seg(1, 2, 3, A[1]), seg(1, 3, 3, A[2])]);
    r.preview(at, 3);
    expect(r.pushAt(at[0])).toBeUndefined();
    expect(r.pendingMessages).toBe(0);
    expect(r.push(seg(2, 1, 2, B[0]))).toBeUndefined(); // not shown: the preview ends
    expect(r.pendingMessages).toBe(2);
    expect(r.pushAt(at[1])).toBeUndefined();
    expect([...r.pushAt(at[2])!.payload]).toEqual([...A[0], ...A[1], ...A[2]]);
    r.endPreview();
  });

  it('a message over a bytes bound is dropped as oversize, whole in the read or not', () => {
    const { r, lost } = clocked({ maxPendingBytes: 300 });
    const { out } = read(r, [seg(1, 1, 3, A[0]), seg(1, 2, 3, A[1]), seg(1, 3, 3, A[2])]);
    expect(out).toEqual([undefined, undefined, undefined]);
    expect(lost.map((m) => [m.reason, m.policy, m.received])).toEqual([['evicted', 'oversize', [1, 2, 3]]]);
  });

  it('bad sequences and totals are rejected in their turn; single SMS pass through as views', () => {
    const { r, rejected } = clocked();
    const single: Segment = { originator: '1', recipient: '2', total: 1, sequence: 1, data: B[1] };
    const { out } = read(r, [seg(1, 0, 2, B[0]), seg(1, 3, 2, B[0]), seg(3, 1, 0, B[0]), single]);
    expect(rejected.map((x) => x.reason)).toEqual(['bad-sequence', 'bad-sequence', 'bad-total']);
    expect(out.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(out[3]!.segments).toBe(1);
  });

  it("a message whole in the read still expires nothing early and is counted at the read's time", () => {
    const { r, lost, advance } = clocked({ timeoutMs: 1_000 });
    r.push(seg(9, 1, 2, B[0]));
    advance(1_000);
    const { out } = read(r, [seg(1, 1, 3, A[0]), seg(1, 2, 3, A[1]), seg(1, 3, 3, A[2])]);
    expect(out[2]).toBeDefined();
    expect(lost.map((m) => [m.reason, m.reference])).toEqual([['expired', 9]]);
  });

  it("an 'expired' listener that throws at a segment of a message read whole leaves it untaken; its resend completes it", () => {
    // Two messages pending past their timeout: the first two pushes each expire one, and throw.
    const { r, advance } = clocked({ timeoutMs: 1_000 });
    r.push(seg(8, 1, 2, B[0]));
    r.push(seg(9, 1, 2, B[0]));
    advance(1_001);
    r.on('expired', () => {
      throw new Error('listener');
    });
    // As the link does: a push that throws is answered with an error, and the SMSC sends it again.
    let todo = [seg(1, 1, 2, A[0]), seg(1, 2, 2, A[1])];
    const delivered: number[][] = [];
    for (let round = 0; round < 4 && todo.length > 0; round++) {
      const { at } = records(todo);
      r.preview(at, at.length);
      const failed: Segment[] = [];
      at.forEach((x, i) => {
        try {
          const d = r.pushAt(x);
          if (d !== undefined) delivered.push([...d.payload]);
        } catch {
          failed.push(todo[i]);
        }
      });
      r.endPreview();
      todo = failed;
    }
    expect(todo).toEqual([]);
    expect(delivered).toEqual([[...A[0], ...A[1]]]);
    expect(r.stats).toMatchObject({ datagrams: 1, lateDuplicates: 0, expired: 2 });
  });

  it("an 'evicted' listener that throws in endPreview: every segment pushed is held, the throw a warning", async () => {
    // A1 B1 shown with A2 B2, the read stopped after B1: endPreview holds A1, then B1 evicts A.
    const { r, lost } = clocked({ maxPendingMessages: 1 });
    r.on('evicted', () => {
      throw new Error('listener');
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const shown = [seg(1, 1, 2, A[0]), seg(2, 1, 2, B[0]), seg(1, 2, 2, A[1]), seg(2, 2, 2, B[1])];
      const { at } = records(shown);
      r.preview(at, 4);
      expect(r.pushAt(at[0])).toBeUndefined();
      expect(r.pushAt(at[1])).toBeUndefined();
      expect(() => r.endPreview()).not.toThrow();
      expect(lost.map((m) => [m.reason, m.policy, m.reference])).toEqual([['evicted', 'global', 1]]);
      expect(r.pendingMessages).toBe(1);
      expect([...r.push(seg(2, 2, 2, B[1]))!.payload]).toEqual([...B[0], ...B[1]]);
      await new Promise((done) => setImmediate(done));
      expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual(['WAPPUSH_LISTENER_ERROR']);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a read of more segments than are scanned finds its messages through the table, as a short one does', () => {
    // 12 two-segment messages interleaved: 24 segments shown (a long read), then 6 (a short one).
    for (const messages of [12, 3]) {
      const { r } = clocked();
      const shown: Segment[] = [];
      for (let sequence = 1; sequence <= 2; sequence++)
        for (let m = 0; m < messages; m++) shown.push(seg(m, sequence, 2, octets(30 + m, m * sequence)));
      const { out, pending } = read(r, shown);
      expect(out.slice(0, messages)).toEqual(new Array(messages).fill(undefined));
      expect(out.slice(messages).map((d) => d && [...d.payload])).toEqual(
        Array.from({ length: messages }, (_, m) => [...octets(30 + m, m), ...octets(30 + m, 2 * m)]),
      );
      expect(pending.every((n) => n === 0)).toBe(true);
    }
  });

  it('a clock that throws in endPreview: what it dropped before is told then, not at a later read', () => {
    // A1 and B1 taken from a read stopped before A2 and B2; X pending since before, past its
    // timeout by endPreview. Holding A1 expires X; the clock then throws before B1 is held.
    let t = 0;
    let reads = Infinity;
    const r = new Reassembler({
      timeoutMs: 1_000,
      now: () => {
        if (reads-- <= 0) throw new Error('clock');
        return t;
      },
    });
    const lost: LostMessage[] = [];
    r.on('expired', (m) => lost.push(m));
    r.push(seg(9, 1, 2, B[0]));
    t = 500;
    const { at } = records([seg(1, 1, 2, A[0]), seg(2, 1, 2, B[0]), seg(1, 2, 2, A[1]), seg(2, 2, 2, B[1])]);
    r.preview(at, 4);
    expect(r.pushAt(at[0])).toBeUndefined();
    expect(r.pushAt(at[1])).toBeUndefined();
    t = 1_500;
    reads = 1;
    expect(() => r.endPreview()).toThrow('clock');
    expect(lost.map((m) => [m.reason, m.reference])).toEqual([['expired', 9]]);
    // The next read's end tells nothing of it again.
    reads = Infinity;
    read(r, [seg(5, 1, 2, A[0]), seg(5, 2, 2, A[1])]);
    expect(lost).toHaveLength(1);
  });

  it('a segment endPreview cannot take does not keep the segments after it from being held', () => {
    // A1, B1 and C1 taken from a read stopped before their second segments; the clock throws
    // once, when B1 is held. A1 and C1 were answered as B1 was: both must still be held.
    let reads = 0;
    let armed = false;
    const r = new Reassembler({
      timeoutMs: 1_000,
      now: () => {
        if (armed && ++reads === 2) throw new Error('clock');
        return 0;
      },
    });
    const C = [octets(40, 1), octets(41, 2)];
    const shown = [seg(1, 1, 2, A[0]), seg(2, 1, 2, B[0]), seg(3, 1, 2, C[0])];
    const { at } = records([...shown, seg(1, 2, 2, A[1]), seg(2, 2, 2, B[1]), seg(3, 2, 2, C[1])]);
    r.preview(at, 6);
    for (let i = 0; i < 3; i++) expect(r.pushAt(at[i])).toBeUndefined();
    armed = true;
    expect(() => r.endPreview()).toThrow('clock');
    expect(reads).toBe(3);
    expect(r.pendingMessages).toBe(2);
    expect([...r.push(seg(1, 2, 2, A[1]))!.payload]).toEqual([...A[0], ...A[1]]);
    expect([...r.push(seg(3, 2, 2, C[1]))!.payload]).toEqual([...C[0], ...C[1]]);
  });

  it('every listener of a loss is called when one before it throws, in push() and in endPreview()', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      // push(): the first throw is push()'s, as before; the listener after it is called all the same.
      const direct = new Reassembler({ maxPendingMessages: 1 });
      const heard: number[] = [];
      direct.on('evicted', () => {
        throw new Error('first');
      });
      direct.on('evicted', (m) => heard.push(m.reference));
      direct.push(seg(1, 1, 2, A[0]));
      expect(() => direct.push(seg(2, 1, 2, B[0]))).toThrow('first');
      expect(heard).toEqual([1]);
      // endPreview(): each throw a warning, each listener called.
      const { r } = clocked({ maxPendingMessages: 1 });
      const after: number[] = [];
      r.on('evicted', () => {
        throw new Error('one');
      });
      r.on('evicted', () => {
        throw new Error('two');
      });
      r.on('evicted', (m) => after.push(m.reference));
      const { at } = records([seg(1, 1, 2, A[0]), seg(2, 1, 2, B[0]), seg(1, 2, 2, A[1]), seg(2, 2, 2, B[1])]);
      r.preview(at, 4);
      r.pushAt(at[0]);
      r.pushAt(at[1]);
      expect(() => r.endPreview()).not.toThrow();
      expect(after).toEqual([1]);
      await new Promise((done) => setImmediate(done));
      expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual([
        'WAPPUSH_LISTENER_ERROR',
        'WAPPUSH_LISTENER_ERROR',
      ]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  // Whole messages first (reference, 1 to 6 parts, octets per sequence), then segments picked
  // from them (repeats, changed octets, bad sequences), cut into reads anywhere; a read may stop
  // early (the rest carried into the next read, as the link reads the rest of its chunk), and
  // the clock moves on between reads. References collide on purpose: a reference reused with
  // another total supersedes.
  const message = fc.record({
    reference: fc.integer({ min: 0, max: 2 }),
    originator: fc.constantFrom('+447700900001', '+447700900002'),
    // Up to 6 parts: a pending message of more than 4 keeps its prints apart from its record.
    parts: fc.array(fc.record({ length: fc.integer({ min: 1, max: 40 }), fill: fc.nat(255) }), {
      minLength: 1,
      maxLength: 6,
    }),
  });
  const pick = fc.record({
    message: fc.nat(),
    sequence: fc.nat(),
    changed: fc.integer({ min: 0, max: 11 }), // 0: other octets than the message's
    bad: fc.integer({ min: 0, max: 15 }), // 0: sequence 0; 1: past the total
    all: fc.integer({ min: 0, max: 1 }), // 0: every part of the message, from `sequence` on, round
    cut: fc.integer({ min: 0, max: 5 }), // 0: the read ends after it
  });
  const readEnd = fc.record({
    // A number (one read in two): only that many pushed (at least one), the rest read next.
    stop: fc.oneof(fc.constant(null), fc.nat()),
    advance: fc.integer({ min: 0, max: 1_200 }),
  });
  const scenario = fc.record({
    messages: fc.array(message, { minLength: 1, maxLength: 3, size: 'max' }),
    picks: fc.array(pick, { maxLength: 30, size: 'medium' }),
    ends: fc.array(readEnd, { minLength: 1, maxLength: 12 }),
  });
  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function segmentsOf({ messages, picks }: Scenario): { segments: Segment[]; cutAfter: boolean[] } {
    const segments: Segment[] = [];
    const cutAfter: boolean[] = [];
    for (const p of picks) {
      const m = messages[p.message % messages.length];
      const total = m.parts.length;
      for (let k = 0; k < (p.all === 0 ? total : 1); k++) {
        const index = (p.sequence + k) % total;
        const part = m.parts[index];
        const sequence = k > 0 ? index + 1 : p.bad === 0 ? 0 : p.bad === 1 ? total + 1 : index + 1;
        const data = octets(part.length, part.fill + (k === 0 && p.changed === 0 ? 1 : 0));
        segments.push(seg(m.reference, sequence, total, data, m.originator));
        cutAfter.push(false);
      }
      cutAfter[cutAfter.length - 1] = p.cut === 0;
    }
    return { segments, cutAfter };
  }

  /**
   * A scenario's socket reads: each read's segments (those a read before it did not take come
   * first), how many of them it takes before it stops, and how far the clock moves after it.
   */
  function* readsOf(sc: Scenario): Generator<{ shown: Segment[]; take: number; advance: number }> {
    const { segments, cutAfter } = segmentsOf(sc);
    let carried: Segment[] = [];
    let next = 0;
    for (let n = 0; next < segments.length || carried.length > 0; n++) {
      const shown = carried;
      while (next < segments.length) {
        shown.push(segments[next]);
        if (cutAfter[next++]) break;
      }
      const end = sc.ends[n % sc.ends.length];
      const take = end.stop === null ? shown.length : 1 + (end.stop % shown.length);
      yield { shown, take, advance: end.advance };
      carried = shown.slice(take);
    }
  }

  /** Runs a scenario through preview() and pushAt() and, beside it, through push() alone. */
  function bothWays(sc: Scenario, options = {}) {
    let t = 0;
    const made = () => {
      const r = new Reassembler({ now: () => t, timeoutMs: 1_000, ...options });
      const lost: unknown[] = [];
      for (const reason of ['expired', 'evicted', 'superseded'] as const)
        r.on(reason, (m) => lost.push([m.reason, m.policy, m.reference, m.total, m.received]));
      return { r, lost };
    };
    const preview = made();
    const pushed = made();
    const view = (d: WdpDatagram | undefined) => d && { ...d, payload: [...d.payload] };
    for (const { shown, take, advance } of readsOf(sc)) {
      const got = read(preview.r, shown, take).out.map(view);
      const want = shown.slice(0, take).map((s) => view(pushed.r.push(s)));
      expect(got).toEqual(want);
      expect(preview.r.stats).toEqual(pushed.r.stats);
      expect(preview.r.pendingMessages).toBe(pushed.r.pendingMessages);
      expect(preview.r.pendingBytes).toBe(pushed.r.pendingBytes);
      t += advance;
    }
    return { preview, pushed };
  }

  it('gives the datagrams, counts, pending messages and losses that push() one by one gives', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const { preview, pushed } = bothWays(sc);
        expect(preview.lost).toEqual(pushed.lost);
      }),
      { numRuns: 400 },
    );
  });

  it('accounts for every segment pushed, under any bounds: delivered, duplicate, rejected or lost', () => {
    const bounds = fc.record({
      maxPendingMessages: fc.integer({ min: 1, max: 3 }),
      maxPendingBytes: fc.integer({ min: 40, max: 400 }),
    });
    fc.assert(
      fc.property(scenario, bounds, (sc, options) => {
        let t = 0;
        const r = new Reassembler({ now: () => t, timeoutMs: 1_000, ...options });
        let delivered = 0;
        let pushedCount = 0;
        for (const { shown, take, advance } of readsOf(sc)) {
          for (const d of read(r, shown, take).out) if (d !== undefined) delivered += d.segments;
          pushedCount += take;
          t += advance;
        }
        r.clear();
        const s = r.stats;
        expect(r.pendingMessages).toBe(0);
        expect(s.segments).toBe(pushedCount);
        expect(s.segments).toBe(delivered + s.duplicates + s.rejected + s.lostSegments);
      }),
      { numRuns: 400 },
    );
  });
});
