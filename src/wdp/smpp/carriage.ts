import { DecodeError } from '../../codec/errors.js';
import type { Segment } from '../datagram.js';
import { segmentFromUserData, shiftError } from '../userData.js';
import { alphabetOf, dataCodingName } from './dataCoding.js';
import type { ShortMessagePdu } from './shortMessage.js';
import { TlvTag, type Tlv } from './tlv.js';

/** esm_class bit 6: UDHI, the short message starts with a UDH (SMPP v3.4 5.2.12). */
export const ESM_CLASS_UDHI = 0x40;

/** What carriage needs of a submit_sm / deliver_sm: a decoded PDU fits, so does a link's. */
export type SmppCarriage = Pick<
  ShortMessagePdu,
  'sourceAddr' | 'destinationAddr' | 'esmClass' | 'dataCoding' | 'shortMessage' | 'shortMessageOffset' | 'tlvs'
>;

/**
 * SMPP deliver_sm / submit_sm -> Segment, from whichever of the equivalent carriages the
 * SMSC used: UDH in the short message (esm_class UDHI), or sar_* and port TLVs; short_message
 * or message_payload; binary data_coding, or a 7-bit one with a UDH or a "//SCK" header.
 * Where both a UDH and TLVs say something, they must agree.
 */
export function segmentFromSmpp(sm: SmppCarriage): Segment {
  let payload: Tlv | undefined;
  let sarRef: Tlv | undefined;
  let sarTotal: Tlv | undefined;
  let sarSeq: Tlv | undefined;
  let srcPort: Tlv | undefined;
  let dstPort: Tlv | undefined;
  for (const t of sm.tlvs) {
    switch (t.tag) {
      case TlvTag.message_payload:
        payload = once(payload, t, 'message_payload');
        break;
      case TlvTag.sar_msg_ref_num:
        sarRef = once(sarRef, t, 'sar_msg_ref_num', 2);
        break;
      case TlvTag.sar_total_segments:
        sarTotal = once(sarTotal, t, 'sar_total_segments', 1);
        break;
      case TlvTag.sar_segment_seqnum:
        sarSeq = once(sarSeq, t, 'sar_segment_seqnum', 1);
        break;
      case TlvTag.source_port:
        srcPort = once(srcPort, t, 'source_port', 2);
        break;
      case TlvTag.destination_port:
        dstPort = once(dstPort, t, 'destination_port', 2);
        break;
    }
  }
  let ud = sm.shortMessage;
  let base = sm.shortMessageOffset ?? 0;
  if (payload) {
    if (ud.length > 0) {
      throw new DecodeError(
        'BAD_VALUE',
        tlvOffset(payload),
        'both short_message and message_payload carry data (SMPP v3.4 5.3.2.32 allows one)',
      );
    }
    ud = payload.value;
    base = tlvOffset(payload) + 4;
  }
  const alphabet = alphabetOf(sm.dataCoding);
  if (alphabet === 'unsupported') {
    // data_coding sits 3 octets before short_message (then sm_default_msg_id, sm_length).
    throw new DecodeError(
      'UNSUPPORTED_DATA_CODING',
      Math.max(0, (sm.shortMessageOffset ?? 3) - 3),
      `data_coding 0x${sm.dataCoding.toString(16).padStart(2, '0')} (${dataCodingName(sm.dataCoding)}) cannot carry a WDP datagram; binary pushes use 0x04 or 0xF5`,
    );
  }
  let seg: Segment;
  try {
    seg = segmentFromUserData(ud, {
      originator: sm.sourceAddr,
      recipient: sm.destinationAddr,
      udhi: (sm.esmClass & ESM_CLASS_UDHI) !== 0,
      textHeader: alphabet === 'text',
    });
  } catch (e) {
    throw shiftError(e, base);
  }
  if (sarRef || sarTotal || sarSeq) {
    if (!sarRef || !sarTotal || !sarSeq) {
      throw new DecodeError(
        'BAD_VALUE',
        tlvOffset((sarRef ?? sarTotal ?? sarSeq)!),
        'sar_msg_ref_num, sar_total_segments and sar_segment_seqnum go together; one is missing',
      );
    }
    const reference = u16(sarRef.value);
    const total = sarTotal.value[0];
    const sequence = sarSeq.value[0];
    if (
      seg.reference !== undefined &&
      (seg.reference !== reference || seg.total !== total || seg.sequence !== sequence)
    ) {
      throw new DecodeError(
        'BAD_VALUE',
        tlvOffset(sarRef),
        `sar_* TLVs (${reference} ${sequence}/${total}) contradict the UDH (${seg.reference} ${seg.sequence}/${seg.total})`,
      );
    }
    if (seg.reference === undefined) {
      seg.reference = reference;
      seg.referenceBits = 16;
      seg.total = total;
      seg.sequence = sequence;
    }
  }
  if (srcPort || dstPort) {
    const source = srcPort ? u16(srcPort.value) : undefined;
    const destination = dstPort ? u16(dstPort.value) : undefined;
    if (
      (seg.sourcePort !== undefined && source !== undefined && seg.sourcePort !== source) ||
      (seg.destinationPort !== undefined && destination !== undefined && seg.destinationPort !== destination)
    ) {
      throw new DecodeError(
        'BAD_VALUE',
        tlvOffset((srcPort ?? dstPort)!),
        `port TLVs (${source} -> ${destination}) contradict the UDH (${seg.sourcePort} -> ${seg.destinationPort})`,
      );
    }
    seg.sourcePort ??= source;
    seg.destinationPort ??= destination;
  }
  return seg;
}

function once(held: Tlv | undefined, t: Tlv, name: string, size?: number): Tlv {
  if (held) throw new DecodeError('BAD_VALUE', tlvOffset(t), `${name} TLV repeated`);
  if (size !== undefined && t.value.length !== size) {
    throw new DecodeError('BAD_LENGTH', tlvOffset(t) + 2, `${name} TLV must be ${size} octets, not ${t.value.length}`);
  }
  return t;
}

function tlvOffset(t: Tlv): number {
  return t.offset ?? 0;
}

function u16(b: Uint8Array): number {
  return (b[0] << 8) | b[1];
}
