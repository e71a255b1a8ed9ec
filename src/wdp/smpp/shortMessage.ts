import { DecodeError, EncodeError } from '../../codec/errors.js';
import type { Tlv } from './tlv.js';
import { decodeLatin1 } from '../../codec/latin1.js';

/** command_id values, SMPP v3.4 5.1.2.1 (a frozen map: JavaScript callers use it too). */
export const CommandId = Object.freeze({
  submit_sm: 0x00000004,
  deliver_sm: 0x00000005,
} as const);
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const SMPP_HEADER_LENGTH = 16;

/**
 * Largest PDU this decoder reads. SMPP v3.4 fixes no maximum; a message_payload can reach
 * 64 KiB, so the bound is that plus the mandatory fields.
 */
export const MAX_SHORT_MESSAGE_PDU = 0x10000 + 512;

/**
 * The fields of submit_sm and deliver_sm (SMPP v3.4 4.4.1 and 4.6.1: the same layout).
 * `shortMessage` and TLV values are views of the PDU.
 */
export interface ShortMessagePdu {
  commandId: CommandId;
  commandStatus: number;
  sequenceNumber: number;
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  protocolId: number;
  priorityFlag: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresentFlag: number;
  dataCoding: number;
  smDefaultMsgId: number;
  shortMessage: Uint8Array;
  /** Where short_message starts in the PDU (decode only): error offsets are PDU offsets. */
  shortMessageOffset?: number;
  tlvs: Tlv[];
}

/** C-Octet String maximum sizes, NUL included (SMPP v3.4 4.4.1). */
const C_STRING_MAX = Object.freeze({
  service_type: 6,
  source_addr: 21,
  destination_addr: 21,
  schedule_delivery_time: 17,
  validity_period: 17,
});

/**
 * Reads one whole submit_sm or deliver_sm (header included). Anything else, a command_length
 * that disagrees with the input, or a field past the end is a DecodeError.
 */
export function decodeShortMessagePdu(pdu: Uint8Array): ShortMessagePdu {
  if (pdu.length < SMPP_HEADER_LENGTH)
    throw new DecodeError('TRUNCATED', pdu.length, 'input ends before the 16-octet SMPP header');
  const length = u32(pdu, 0);
  if (length > MAX_SHORT_MESSAGE_PDU)
    throw new DecodeError('LIMIT', 0, `command_length ${length} exceeds ${MAX_SHORT_MESSAGE_PDU}`);
  if (length !== pdu.length)
    throw new DecodeError('BAD_LENGTH', 0, `command_length ${length} but the PDU has ${pdu.length} octets`);
  const commandId = u32(pdu, 4);
  if (commandId !== CommandId.submit_sm && commandId !== CommandId.deliver_sm) {
    throw new DecodeError(
      'BAD_PDU_TYPE',
      4,
      `command_id 0x${commandId.toString(16).padStart(8, '0')} is not submit_sm or deliver_sm`,
    );
  }
  // The five C-Octet Strings are found first and decoded with one Latin-1 read of the stretch
  // that holds them, then sliced: one native call per PDU instead of one per address.
  const r = { p: SMPP_HEADER_LENGTH };
  const serviceTypeEnd = cStringEnd(pdu, r, C_STRING_MAX.service_type, 'service_type');
  const sourceAddrTon = octet(pdu, r, 'source_addr_ton');
  const sourceAddrNpi = octet(pdu, r, 'source_addr_npi');
  // Addresses are bounded by the PDU, not the 3.4 size: SMSCs send SMPP 5.0's 65-octet ones.
  const sourceAddrStart = r.p;
  const sourceAddrEnd = cStringEnd(pdu, r, 65, 'source_addr');
  const destAddrTon = octet(pdu, r, 'dest_addr_ton');
  const destAddrNpi = octet(pdu, r, 'dest_addr_npi');
  const destinationAddrStart = r.p;
  const destinationAddrEnd = cStringEnd(pdu, r, 65, 'destination_addr');
  const esmClass = octet(pdu, r, 'esm_class');
  const protocolId = octet(pdu, r, 'protocol_id');
  const priorityFlag = octet(pdu, r, 'priority_flag');
  const scheduleStart = r.p;
  const scheduleEnd = cStringEnd(pdu, r, C_STRING_MAX.schedule_delivery_time, 'schedule_delivery_time');
  const validityStart = r.p;
  const validityEnd = cStringEnd(pdu, r, C_STRING_MAX.validity_period, 'validity_period');
  const text = decodeLatin1(pdu, SMPP_HEADER_LENGTH, validityEnd);
  const field = (start: number, end: number): string =>
    start === end ? '' : text.slice(start - SMPP_HEADER_LENGTH, end - SMPP_HEADER_LENGTH);
  const serviceType = field(SMPP_HEADER_LENGTH, serviceTypeEnd);
  const sourceAddr = field(sourceAddrStart, sourceAddrEnd);
  const destinationAddr = field(destinationAddrStart, destinationAddrEnd);
  const scheduleDeliveryTime = field(scheduleStart, scheduleEnd);
  const validityPeriod = field(validityStart, validityEnd);
  const registeredDelivery = octet(pdu, r, 'registered_delivery');
  const replaceIfPresentFlag = octet(pdu, r, 'replace_if_present_flag');
  const dataCoding = octet(pdu, r, 'data_coding');
  const smDefaultMsgId = octet(pdu, r, 'sm_default_msg_id');
  const smLength = octet(pdu, r, 'sm_length');
  if (r.p + smLength > pdu.length) {
    throw new DecodeError('BAD_LENGTH', r.p - 1, `sm_length ${smLength} runs past the PDU end`);
  }
  const shortMessageOffset = r.p;
  const shortMessage = view(pdu, r.p, r.p + smLength);
  r.p += smLength;
  const tlvs: Tlv[] = [];
  while (r.p < pdu.length) {
    const at = r.p;
    if (at + 4 > pdu.length) throw new DecodeError('TRUNCATED', at, 'input ends inside a TLV tag and length');
    const tag = (pdu[at] << 8) | pdu[at + 1];
    const len = (pdu[at + 2] << 8) | pdu[at + 3];
    if (at + 4 + len > pdu.length)
      throw new DecodeError(
        'BAD_LENGTH',
        at + 2,
        `TLV 0x${tag.toString(16).padStart(4, '0')} length ${len} runs past the PDU end`,
      );
    tlvs.push({ tag, value: view(pdu, at + 4, at + 4 + len), offset: at });
    r.p = at + 4 + len;
  }
  return {
    commandId,
    commandStatus: u32(pdu, 8),
    sequenceNumber: u32(pdu, 12),
    serviceType,
    sourceAddrTon,
    sourceAddrNpi,
    sourceAddr,
    destAddrTon,
    destAddrNpi,
    destinationAddr,
    esmClass,
    protocolId,
    priorityFlag,
    scheduleDeliveryTime,
    validityPeriod,
    registeredDelivery,
    replaceIfPresentFlag,
    dataCoding,
    smDefaultMsgId,
    shortMessage,
    shortMessageOffset,
    tlvs,
  };
}

export type ShortMessageInit = Partial<Omit<ShortMessagePdu, 'shortMessage' | 'shortMessageOffset' | 'tlvs'>> & {
  shortMessage?: Uint8Array;
  tlvs?: readonly Tlv[];
};

/** Writes a whole submit_sm (default) or deliver_sm. */
export function encodeShortMessagePdu(init: ShortMessageInit): Uint8Array {
  const sm = init.shortMessage ?? new Uint8Array(0);
  if (sm.length > 254)
    throw new EncodeError('OUT_OF_RANGE', `short_message of ${sm.length} octets exceeds 254; use message_payload`);
  const strings = [
    [init.serviceType ?? '', C_STRING_MAX.service_type, 'service_type'],
    [init.sourceAddr ?? '', 65, 'source_addr'],
    [init.destinationAddr ?? '', 65, 'destination_addr'],
    [init.scheduleDeliveryTime ?? '', C_STRING_MAX.schedule_delivery_time, 'schedule_delivery_time'],
    [init.validityPeriod ?? '', C_STRING_MAX.validity_period, 'validity_period'],
  ] as const;
  for (const [s, max, name] of strings) {
    // eslint-disable-next-line no-control-regex -- a C-Octet String may hold any non-NUL ASCII octet
    if (s.length + 1 > max || /[^\x01-\x7f]/.test(s))
      throw new EncodeError('BAD_INPUT', `${name} must be ASCII of at most ${max - 1} characters`);
  }
  const tlvs = init.tlvs ?? [];
  let length = SMPP_HEADER_LENGTH + 12 + sm.length;
  for (const [s] of strings) length += s.length + 1;
  for (const t of tlvs) {
    if (t.value.length > 0xffff)
      throw new EncodeError('OUT_OF_RANGE', `TLV 0x${t.tag.toString(16)} value exceeds 65535 octets`);
    length += 4 + t.value.length;
  }
  const out = new Uint8Array(length);
  let p = 0;
  const put32 = (v: number) => {
    out[p++] = v >>> 24;
    out[p++] = (v >>> 16) & 0xff;
    out[p++] = (v >>> 8) & 0xff;
    out[p++] = v & 0xff;
  };
  const putString = (s: string) => {
    for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
    out[p++] = 0;
  };
  put32(length);
  put32(init.commandId ?? CommandId.submit_sm);
  put32(init.commandStatus ?? 0);
  put32(init.sequenceNumber ?? 1);
  putString(strings[0][0]);
  out[p++] = init.sourceAddrTon ?? 0;
  out[p++] = init.sourceAddrNpi ?? 0;
  putString(strings[1][0]);
  out[p++] = init.destAddrTon ?? 0;
  out[p++] = init.destAddrNpi ?? 0;
  putString(strings[2][0]);
  out[p++] = init.esmClass ?? 0;
  out[p++] = init.protocolId ?? 0;
  out[p++] = init.priorityFlag ?? 0;
  putString(strings[3][0]);
  putString(strings[4][0]);
  out[p++] = init.registeredDelivery ?? 0;
  out[p++] = init.replaceIfPresentFlag ?? 0;
  out[p++] = init.dataCoding ?? 0;
  out[p++] = init.smDefaultMsgId ?? 0;
  out[p++] = sm.length;
  out.set(sm, p);
  p += sm.length;
  for (const t of tlvs) {
    out[p++] = t.tag >> 8;
    out[p++] = t.tag & 0xff;
    out[p++] = t.value.length >> 8;
    out[p++] = t.value.length & 0xff;
    out.set(t.value, p);
    p += t.value.length;
  }
  return out;
}

/**
 * A view of the PDU as a plain Uint8Array. PDUs come off sockets as Buffers, whose subarray goes
 * through Node's JS layer to build a FastBuffer - and so would every later view the WDP layer
 * takes of it; a plain view costs the same once and makes those cheaper.
 */
function view(b: Uint8Array, start: number, end: number): Uint8Array {
  // By its constructor, not `instanceof Buffer`: this module also runs where there is no Buffer.
  return b.constructor === Uint8Array
    ? b.subarray(start, end)
    : new Uint8Array(b.buffer, b.byteOffset + start, end - start);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
}

function octet(b: Uint8Array, r: { p: number }, what: string): number {
  if (r.p >= b.length) throw new DecodeError('TRUNCATED', r.p, `input ends before ${what}`);
  return b[r.p++];
}

/** End (the NUL) of a NUL-terminated field of at most `max` octets, NUL included; r.p moves past it. */
function cStringEnd(b: Uint8Array, r: { p: number }, max: number, what: string): number {
  const start = r.p;
  const limit = Math.min(b.length, start + max);
  let i = start;
  while (i < limit && b[i] !== 0) i++;
  if (i === limit) {
    if (limit === b.length && limit - start < max)
      throw new DecodeError('TRUNCATED', b.length, `input ends before the NUL ending ${what}`);
    throw new DecodeError('BAD_LENGTH', start, `${what} is longer than ${max - 1} characters`);
  }
  r.p = i + 1;
  return i;
}
