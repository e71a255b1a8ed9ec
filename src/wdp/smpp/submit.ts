import { EncodeError } from '../../codec/errors.js';
import {
  SMS_USER_DATA_OCTETS,
  WDP_PORT_PUSH,
  WDP_PORT_WSP,
  segmentPayload,
  splitPayload,
  type SegmentOptions,
} from '../segmenter.js';
import { ESM_CLASS_UDHI } from './carriage.js';
import type { ShortMessageInit } from './shortMessage.js';
import { TlvTag, type Tlv } from './tlv.js';

/**
 * How a datagram rides in SMPP:
 * - 'udh': UDH in short_message, esm_class UDHI (what Kannel and most SMSCs expect);
 * - 'sar': bare data in short_message, ports and sar_* in TLVs;
 * - 'payload': the whole datagram in one message_payload TLV, ports in TLVs; the SMSC segments.
 */
export type SmppCarriageMode = 'udh' | 'sar' | 'payload';

export interface SmppSubmitOptions extends SegmentOptions {
  carriage?: SmppCarriageMode;
  /** 0x04 (default, 8-bit binary) or 0xF5 (GSM class 1, 8-bit). */
  dataCoding?: number;
}

/** Largest message_payload (SMPP v3.4 5.3.2.32: up to 64K octets). */
export const MAX_MESSAGE_PAYLOAD = 0xffff;

/**
 * The submit_sm / deliver_sm fields for each SMS of a datagram (addresses, command and
 * sequence are the caller's). sar_msg_ref_num is 16-bit, so 'sar' uses the reference as is.
 */
export function smppShortMessages(payload: Uint8Array, options: SmppSubmitOptions = {}): ShortMessageInit[] {
  const dataCoding = options.dataCoding ?? 0x04;
  const carriage = options.carriage ?? 'udh';
  if (carriage === 'udh') {
    return segmentPayload(payload, options).map((shortMessage) => ({
      esmClass: ESM_CLASS_UDHI,
      dataCoding,
      shortMessage,
    }));
  }
  const portTlvs: Tlv[] =
    options.portBits === false
      ? []
      : [
          { tag: TlvTag.source_port, value: u16(options.sourcePort ?? WDP_PORT_WSP) },
          { tag: TlvTag.destination_port, value: u16(options.destinationPort ?? WDP_PORT_PUSH) },
        ];
  if (carriage === 'payload') {
    if (payload.length > MAX_MESSAGE_PAYLOAD)
      throw new EncodeError('LIMIT', `message_payload of ${payload.length} octets exceeds ${MAX_MESSAGE_PAYLOAD}`);
    return [{ esmClass: 0, dataCoding, tlvs: [...portTlvs, { tag: TlvTag.message_payload, value: payload }] }];
  }
  const parts = splitPayload(payload, options.maxUserData ?? SMS_USER_DATA_OCTETS);
  if (parts.length === 1) return [{ esmClass: 0, dataCoding, shortMessage: parts[0], tlvs: portTlvs }];
  const reference = options.reference;
  if (reference === undefined || !Number.isInteger(reference) || reference < 0 || reference > 0xffff) {
    throw new EncodeError('BAD_INPUT', `sar_msg_ref_num needs a reference 0..65535, not ${reference}`);
  }
  return parts.map((shortMessage, i) => ({
    esmClass: 0,
    dataCoding,
    shortMessage,
    tlvs: [
      ...portTlvs,
      { tag: TlvTag.sar_msg_ref_num, value: u16(reference) },
      { tag: TlvTag.sar_total_segments, value: Uint8Array.of(parts.length) },
      { tag: TlvTag.sar_segment_seqnum, value: Uint8Array.of(i + 1) },
    ],
  }));
}

function u16(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff)
    throw new EncodeError('OUT_OF_RANGE', `port ${v} does not fit 16 bits`);
  return Uint8Array.of(v >> 8, v & 0xff);
}
