// segmentFromShortMessagePdu through the package entry (src/index.ts): a bearer of one's own
// reads a deliver_sm's octets to the segment a Reassembler takes, as the EsmeLink does.
import { describe, expect, it } from 'vitest';
import {
  CommandId,
  DecodeError,
  Reassembler,
  decodeShortMessagePdu,
  encodeShortMessagePdu,
  segmentFromShortMessagePdu,
  segmentFromSmpp,
} from '../../src/index.js';

// The UDH written by hand (3GPP TS 23.040 9.2.3.24): IEI 0x05, 16-bit ports 2948 (0x0B84,
// WAP-259 WDP Table 3: the WAP Push connectionless port) from 9200 (0x23F0), then IEI 0x00,
// an 8-bit concatenation reference 0x2A, 2 parts, this one first (or second).
const udh = (sequence: number) => [0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, 0x2a, 0x02, sequence];

const deliverSm = (sequence: number, data: number[]) =>
  encodeShortMessagePdu({
    commandId: CommandId.deliver_sm,
    sequenceNumber: sequence,
    sourceAddr: '+15550001',
    destinationAddr: '+15559999',
    esmClass: 0x40, // UDHI
    dataCoding: 0x04, // 8-bit data
    shortMessage: Uint8Array.from([...udh(sequence), ...data]),
  });

describe('segmentFromShortMessagePdu from the package entry', () => {
  it("reads a deliver_sm's octets to its segment, as the general decode does", () => {
    const pdu = deliverSm(1, [0x01, 0x06, 0x01]);
    const segment = segmentFromShortMessagePdu(pdu);
    expect(segment).toMatchObject({
      originator: '+15550001',
      recipient: '+15559999',
      sourcePort: 9200,
      destinationPort: 2948,
      reference: 0x2a,
      referenceBits: 8,
      total: 2,
      sequence: 1,
    });
    expect([...segment.data]).toEqual([0x01, 0x06, 0x01]);
    expect(segment).toEqual(segmentFromSmpp(decodeShortMessagePdu(pdu)));
  });

  it('feeds a Reassembler: two deliver_sm make the datagram', () => {
    const r = new Reassembler();
    expect(r.push(segmentFromShortMessagePdu(deliverSm(2, [0xae])))).toBeUndefined();
    const datagram = r.push(segmentFromShortMessagePdu(deliverSm(1, [0x01, 0x06, 0x01])));
    expect(datagram).toMatchObject({ originator: '+15550001', destinationPort: 2948, segments: 2 });
    expect([...datagram!.payload]).toEqual([0x01, 0x06, 0x01, 0xae]);
  });

  it('refuses octets that are no PDU with a DecodeError', () => {
    expect(() => segmentFromShortMessagePdu(Uint8Array.from([0, 0, 0, 5, 0]))).toThrow(DecodeError);
  });
});
