import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { Reassembler } from '../../src/wdp/reassembler.js';
import { MAX_SEGMENTS, plan, segmentPayload } from '../../src/wdp/segmenter.js';
import { segmentFromSmpp } from '../../src/wdp/smpp/carriage.js';
import { CommandId, decodeShortMessagePdu, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { segmentFromUserData } from '../../src/wdp/userData.js';
import { thrown } from '../helpers.js';

/** Deterministic bytes of any length without asking fast-check for 30,000 octets one by one. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const settings = fc.record({
  length: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: MAX_SEGMENTS * 127 })),
  seed: fc.integer(),
  carriage: fc.constantFrom('sms' as const, 'smpp-udh' as const, 'smpp-sar' as const),
  referenceBits: fc.constantFrom(8 as const, 16 as const),
  portBits: fc.constantFrom(8 as const, 16 as const, false as const),
  reference: fc.integer({ min: 0, max: 0xffff }),
  sourcePort: fc.integer({ min: 0, max: 0xff }),
  destinationPort: fc.integer({ min: 0, max: 0xff }),
  shuffleSeed: fc.integer(),
  duplicates: fc.array(fc.nat(), { maxLength: 8 }),
});

describe('round trip: encode -> segment -> shuffle -> duplicate -> reassemble', () => {
  it('gives back the same bytes, for payloads up to 255 segments, 8/16-bit references, UDH and SMPP TLVs', () => {
    fc.assert(
      fc.property(settings, (s) => {
        const payload = bytesOf(s.length, s.seed);
        const reference = s.referenceBits === 8 ? s.reference & 0xff : s.reference;
        const options = {
          referenceBits: s.referenceBits,
          portBits: s.portBits,
          reference,
          sourcePort: s.sourcePort,
          destinationPort: s.destinationPort,
        };
        let segments: Segment[];
        if (s.carriage === 'sms') {
          segments = segmentPayload(payload, options).map((ud) =>
            segmentFromUserData(ud, { originator: 'o', recipient: 'r' }),
          );
        } else {
          const fields = smppShortMessages(payload, {
            ...options,
            carriage: s.carriage === 'smpp-udh' ? 'udh' : 'sar',
          });
          segments = fields.map((f, i) =>
            segmentFromSmpp(
              decodeShortMessagePdu(
                encodeShortMessagePdu({
                  ...f,
                  commandId: CommandId.deliver_sm,
                  sequenceNumber: i + 1,
                  sourceAddr: 'o',
                  destinationAddr: 'r',
                }),
              ),
            ),
          );
        }
        for (const seg of segments) expect(seg.data.length + 0).toBeLessThanOrEqual(140);
        // shuffle, then put some duplicates in
        let x = s.shuffleSeed | 1;
        const order = [...segments];
        for (let i = order.length - 1; i > 0; i--) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          const j = (x >>> 0) % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (const d of s.duplicates) order.splice(d % (order.length + 1), 0, order[d % order.length]);
        const r = new Reassembler();
        const done = order.map((seg) => r.push(seg)).filter((d) => d !== undefined);
        // A concatenated message completes once (a duplicate after completion starts a new one
        // that never completes); an unconcatenated SMS has no reference to tell a repeat by.
        if (segments.length > 1) expect(done).toHaveLength(1);
        else expect(done).toHaveLength(order.length);
        const d = done[0]!;
        expect(Buffer.from(d.payload).equals(Buffer.from(payload))).toBe(true);
        expect(d.segments).toBe(segments.length);
        expect(d).toMatchObject({ originator: 'o', recipient: 'r' });
        if (s.portBits === false) expect(d.destinationPort).toBeUndefined();
        else expect(d).toMatchObject({ sourcePort: s.sourcePort, destinationPort: s.destinationPort });
        expect(r.stats.rejected).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
  it('each SMS respects the 140-octet TP-User-Data limit, UDH included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 * 127 }), fc.constantFrom(8 as const, 16 as const), (n, bits) => {
        const parts = segmentPayload(bytesOf(n, n), { reference: 1, referenceBits: bits });
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(140);
        expect(parts.length).toBe(plan(n, { referenceBits: bits }).segments);
      }),
      { numRuns: 200 },
    );
  });
  it('a payload that needs more than 255 segments is an EncodeError LIMIT', () => {
    const { perSegment } = plan(1000, { referenceBits: 16 });
    expect(
      thrown(() => segmentPayload(new Uint8Array(perSegment * 255 + 1), { reference: 1, referenceBits: 16 })),
    ).toMatchObject({ name: 'EncodeError', code: 'LIMIT' });
    expect(segmentPayload(new Uint8Array(perSegment * 255), { reference: 1, referenceBits: 16 })).toHaveLength(255);
  });
  it('a multi-segment payload without a reference is refused', () => {
    expect(thrown(() => segmentPayload(new Uint8Array(500)))).toMatchObject({ name: 'EncodeError', code: 'BAD_INPUT' });
  });
});

describe('late duplicates of every segment, whatever its length and order', () => {
  it('a segment repeated after completion is a late duplicate; one octet changed anywhere is not', () => {
    fc.assert(
      fc.property(
        // Part lengths across the fingerprint's eight-octet steps and its tail; in order (a run) or not.
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (total, partLength, lastLength, inOrder, seed) => {
          const r = new Reassembler({ maxPendingMessages: 10 });
          const parts = Array.from({ length: total }, (_, i) =>
            Uint8Array.from(
              { length: i === total - 1 ? lastLength : partLength },
              (_, k) => (seed + 31 * i + 7 * k) & 0xff,
            ),
          );
          const seg = (sequence: number, data: Uint8Array): Segment => ({
            originator: '+447700900123',
            recipient: '+447700900000',
            reference: 42,
            referenceBits: 8,
            total,
            sequence,
            data,
          });
          const order = parts.map((_, i) => i);
          if (!inOrder) order.reverse();
          let done = 0;
          for (const i of order) if (r.push(seg(i + 1, parts[i])) !== undefined) done++;
          expect(done).toBe(1);
          for (let i = 0; i < total; i++) expect(r.push(seg(i + 1, parts[i].slice()))).toBeUndefined();
          expect(r.stats.lateDuplicates).toBe(total);
          expect(r.pendingMessages).toBe(0);
          // One octet other (at its first, middle or last place): the reference was reused, a new message starts.
          const i = seed % total;
          if (parts[i].length > 0) {
            const other = parts[i].slice();
            other[(seed >> 2) % other.length] ^= 0x5a;
            r.push(seg(i + 1, other));
            expect(r.stats.lateDuplicates).toBe(total);
            expect(r.pendingMessages).toBe(total === 1 ? 0 : 1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
