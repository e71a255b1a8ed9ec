import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { segmentFromSmpp } from '../../src/wdp/smpp/carriage.js';
import { SegmentAt } from '../../src/wdp/segmentAt.js';
import { ADDRESS_CACHE_ENTRIES, readSegmentAt, segmentFromShortMessagePdu } from '../../src/wdp/smpp/deliverSegment.js';
import {
  CommandId,
  decodeShortMessagePdu,
  encodeShortMessagePdu,
  type ShortMessageInit,
} from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { TlvTag } from '../../src/wdp/smpp/tlv.js';

/** What the general path gives: its segment, or its error's class, code, offset and message. */
function general(pdu: Uint8Array): Segment | { error: unknown } {
  try {
    return segmentFromSmpp(decodeShortMessagePdu(pdu));
  } catch (e) {
    return { error: e };
  }
}

function quick(pdu: Uint8Array): Segment | { error: unknown } {
  try {
    return segmentFromShortMessagePdu(pdu);
  } catch (e) {
    return { error: e };
  }
}

/** The two paths agree: the same fields in the same order, equal data, or the same error. */
function agree(pdu: Uint8Array): void {
  const want = general(pdu);
  const got = quick(pdu);
  if ('error' in want) {
    expect(got).toHaveProperty('error');
    const e = (got as { error: { code?: string; offset?: number; message: string } }).error;
    const w = want.error as { code?: string; offset?: number; message: string; constructor: unknown };
    expect(e.constructor).toBe(w.constructor);
    expect({ code: e.code, offset: e.offset, message: e.message }).toEqual({
      code: w.code,
      offset: w.offset,
      message: w.message,
    });
    return;
  }
  expect(got).not.toHaveProperty('error');
  const seg = got as Segment;
  expect(Object.keys(seg)).toEqual(Object.keys(want));
  expect({ ...seg, data: [...seg.data] }).toStrictEqual({ ...want, data: [...want.data] });
  expect(seg.data.constructor).toBe(want.data.constructor);
}

const deliver = (init: ShortMessageInit): Uint8Array =>
  encodeShortMessagePdu({
    commandId: CommandId.deliver_sm,
    sourceAddr: '+447700900123',
    destinationAddr: '+447700900000',
    ...init,
  });

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** A 3-segment push's deliver_sm frames with UDH (8-bit reference, 16-bit ports). */
const pushFrames = smppShortMessages(
  Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
  { reference: 7 },
).map((f, i) => deliver({ ...f, sequenceNumber: i + 1 }));

describe('segmentFromShortMessagePdu: the general decode, read straight from the octets', () => {
  it('gives what segmentFromSmpp(decodeShortMessagePdu()) gives, for every carriage', () => {
    const fixtures: Uint8Array[] = [
      ...pushFrames,
      ...pushFrames.map((f) => Buffer.from(f)), // off the socket, PDUs are Buffers
      ...smppShortMessages(new Uint8Array(300), { carriage: 'sar', reference: 300 }).map((f) => deliver(f)),
      ...smppShortMessages(new Uint8Array(20), {
        portBits: 8,
        sourcePort: 0x10,
        destinationPort: 0x20,
        referenceBits: 16,
      }).map((f) => deliver(f)),
      deliver({ dataCoding: 0x04, shortMessage: hex('0102 03') }), // binary, no UDH
      deliver({ dataCoding: 0xf5, esmClass: 0x40, shortMessage: hex('0504 0b84 23f0 01') }),
      deliver({ dataCoding: 0x00, esmClass: 0x40, shortMessage: hex('0605 040b 8423 f0aa') }), // text behind a UDH
      deliver({ dataCoding: 0x00, shortMessage: new Uint8Array(Buffer.from('//SCK0B84 hi', 'latin1')) }),
      deliver({ dataCoding: 0x04, esmClass: 0x40, shortMessage: hex('0a 0003 070301 2402 aabb 0101 ff') }), // others kept out
      deliver({ dataCoding: 0x04, tlvs: [{ tag: TlvTag.message_payload, value: hex('0605040b8423f0') }] }),
      deliver({ dataCoding: 0x04, shortMessage: hex('01'), tlvs: [{ tag: 0x1403, value: hex('0102') }] }), // an unread TLV
      deliver({ dataCoding: 0x04, sourceAddr: '', destinationAddr: '', shortMessage: hex('00') }),
      deliver({ dataCoding: 0x04, sourceAddr: '9'.repeat(64), shortMessage: hex('00') }), // SMPP 5.0's 65
      deliver({ serviceType: 'WAP', scheduleDeliveryTime: '000001000000000R', shortMessage: hex('0001') }),
      // Errors: the general decode raises them.
      deliver({ dataCoding: 0x08, esmClass: 0x40, shortMessage: hex('0605040b8423f0 00') }), // UCS2
      deliver({ dataCoding: 0x04, esmClass: 0x40, shortMessage: hex('08 0003 070301 0003 070302') }), // concatenation twice
      deliver({ dataCoding: 0x04, esmClass: 0x40, shortMessage: hex('05 0004 070301') }), // wrong IEDL
      deliver({ dataCoding: 0x04, esmClass: 0x40, shortMessage: hex('09 0003 070301') }), // UDHL past the end
      deliver({ dataCoding: 0x04, esmClass: 0x40 }), // UDHI with nothing
      hex('00000010 00000005 00000000 00000001'), // header only
      hex('00000011 00000009 00000000 00000001 00'), // another command
    ];
    const high = deliver({ shortMessage: hex('00') });
    high[17 + 2] = 0xe9; // a Latin-1 octet in source_addr
    fixtures.push(high);
    const sixtyFive = deliver({ dataCoding: 0x04, sourceAddr: '9'.repeat(64), shortMessage: hex('00') });
    sixtyFive[17 + 2 + 63] = 0x39; // the NUL gone: 65 characters
    fixtures.push(sixtyFive);
    for (const pdu of fixtures) agree(pdu);
  });

  it('agrees on generated PDUs and on every kind of damage to them', () => {
    const udhElement = fc.oneof(
      fc.tuple(fc.constant(0x00), fc.uint8Array({ minLength: 3, maxLength: 3 })),
      fc.tuple(fc.constant(0x08), fc.uint8Array({ minLength: 4, maxLength: 4 })),
      fc.tuple(fc.constant(0x04), fc.uint8Array({ minLength: 2, maxLength: 2 })),
      fc.tuple(fc.constant(0x05), fc.uint8Array({ minLength: 4, maxLength: 4 })),
      fc.tuple(fc.integer({ min: 0, max: 0x25 }), fc.uint8Array({ maxLength: 5 })),
    );
    const pdu = fc
      .record({
        esmClass: fc.constantFrom(0x00, 0x40, 0x43),
        dataCoding: fc.constantFrom(0x00, 0x03, 0x04, 0x08, 0xf1, 0xf5),
        sourceAddr: fc.stringMatching(/^[+0-9A-Za-z]{0,25}$/),
        destinationAddr: fc.stringMatching(/^[+0-9]{0,21}$/),
        serviceType: fc.constantFrom('', 'WAP', 'CMT'),
        elements: fc.array(udhElement, { maxLength: 3 }),
        data: fc.uint8Array({ maxLength: 40 }),
        tlvs: fc.array(
          fc.record({
            tag: fc.constantFrom(
              TlvTag.sar_msg_ref_num,
              TlvTag.source_port,
              TlvTag.message_payload,
              TlvTag.user_message_reference,
              0x1403,
            ),
            value: fc.uint8Array({ maxLength: 3 }),
          }),
          { maxLength: 2 },
        ),
      })
      .map((r) => {
        const header = r.elements.flatMap(([iei, d]) => [iei, d.length, ...d]);
        const ud = r.esmClass & 0x40 ? Uint8Array.from([header.length, ...header, ...r.data]) : r.data;
        return deliver({ ...r, shortMessage: ud.subarray(0, 254) });
      });
    const damage = fc.oneof(
      fc.constant({ kind: 'none' as const, at: 0, value: 0 }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
    );
    fc.assert(
      fc.property(pdu, damage, (p, d) => {
        let b = p;
        if (d.kind === 'set') {
          b = Uint8Array.from(p);
          b[d.at % b.length] = d.value;
        } else if (d.kind === 'cut') {
          b = p.subarray(0, d.at % (p.length + 1));
          const cut = Uint8Array.from(b);
          if (cut.length >= 4) new DataView(cut.buffer).setUint32(0, cut.length); // consistent length
          b = cut;
        }
        agree(b);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives a message's segments one originator string, and reads a new address right after a collision", () => {
    const [a, b, c] = pushFrames.map(segmentFromShortMessagePdu);
    expect(a.originator).toBe('+447700900123');
    expect(Object.is(a.originator, b.originator) && Object.is(b.originator, c.originator)).toBe(true);
    // More addresses than the cache holds: each still reads as itself.
    for (let i = 0; i < ADDRESS_CACHE_ENTRIES * 3; i++) {
      const s = segmentFromShortMessagePdu(
        deliver({ sourceAddr: `+44${i}`, dataCoding: 0x04, shortMessage: hex('00') }),
      );
      expect(s.originator).toBe(`+44${i}`);
    }
    expect(segmentFromShortMessagePdu(pushFrames[0]).originator).toBe('+447700900123');
  });

  it('reads each PDU in place, whichever array of a buffer it is read from, and as written now', () => {
    // readSegmentAt keeps the last array's DataView and byteOffset: views of one buffer at other
    // offsets, the whole buffer at an offset, and an array written over must each read as themselves.
    const one = deliver({ sourceAddr: '+441111', dataCoding: 0x04, shortMessage: hex('0102030405') });
    const two = deliver({ sourceAddr: '+4422222', dataCoding: 0x04, shortMessage: hex('aabbcc') });
    const whole = new Uint8Array(5 + one.length + 3 + two.length);
    whole.set(one, 5);
    whole.set(two, 8 + one.length);
    const a = whole.subarray(5, 5 + one.length);
    const b = whole.subarray(8 + one.length);
    const want = (r: SegmentAt) => ({ originator: r.originator, data: [...r.octets()] });
    const r = new SegmentAt();
    for (const [array, from, to, originator, data] of [
      [a, 0, a.length, '+441111', [1, 2, 3, 4, 5]],
      [b, 0, b.length, '+4422222', [0xaa, 0xbb, 0xcc]],
      [a, 0, a.length, '+441111', [1, 2, 3, 4, 5]],
      [whole, 8 + one.length, whole.length, '+4422222', [0xaa, 0xbb, 0xcc]],
      [whole, 5, 5 + one.length, '+441111', [1, 2, 3, 4, 5]],
      [b, 0, b.length, '+4422222', [0xaa, 0xbb, 0xcc]],
    ] as const) {
      expect(readSegmentAt(array, from, to, r)).toBe(true);
      expect(want(r)).toEqual({ originator, data });
    }
    // The same array written over with another PDU of the same length: read as it is now.
    const three = deliver({ sourceAddr: '+4433333', dataCoding: 0x04, shortMessage: hex('ddeeff') });
    b.set(three);
    expect(readSegmentAt(b, 0, b.length, r)).toBe(true);
    expect(want(r)).toEqual({ originator: '+4433333', data: [0xdd, 0xee, 0xff] });
  });

  it('reads an address that differs from the last one read in any single octet as itself', () => {
    // The last address is compared four octets at a time, then one at a time: a difference in
    // any word, or in the octets after the last whole word, must be seen.
    for (let length = 1; length <= 21; length++) {
      const last = '1234567890123456789012'.slice(0, length);
      for (let i = 0; i < length; i++) {
        const other = last.slice(0, i) + (last[i] === '9' ? '8' : '9') + last.slice(i + 1);
        for (const sourceAddr of [last, other, last]) {
          const s = segmentFromShortMessagePdu(deliver({ sourceAddr, dataCoding: 0x04, shortMessage: hex('00') }));
          expect(s.originator).toBe(sourceAddr);
        }
      }
    }
  });
});
