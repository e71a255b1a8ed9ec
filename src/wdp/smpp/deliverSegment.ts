import { decodeLatin1 } from '../../codec/latin1.js';
import type { Segment } from '../datagram.js';
import { Iei } from '../udh.js';
import { segmentFromSmpp, ESM_CLASS_UDHI } from './carriage.js';
import { alphabetOf } from './dataCoding.js';
import { CommandId, decodeShortMessagePdu, MAX_SHORT_MESSAGE_PDU, SMPP_HEADER_LENGTH } from './shortMessage.js';
import { TlvTag } from './tlv.js';

/**
 * Addresses remembered by the octets they were read from, so that the segments of one message
 * (and the next messages of a sender) share one string: no string made per frame, and the
 * reassembler compares their identities by reference. Direct-mapped by a hash of the octets;
 * a collision replaces the entry. Bounded: this many strings of at most 64 characters, and
 * their octets (compared octet to octet: cheaper than reading the string's characters).
 */
export const ADDRESS_CACHE_ENTRIES = 256;

/** Address octets longer than SMPP 5.0's 65 (NUL included) are the general decoder's to refuse. */
const ADDRESS_MAX = 65;

const cachedAddress: (string | undefined)[] = new Array<string | undefined>(ADDRESS_CACHE_ENTRIES).fill(undefined);
const cachedLength = new Int32Array(ADDRESS_CACHE_ENTRIES).fill(-1);
const cachedOctets = new Uint8Array(ADDRESS_CACHE_ENTRIES * ADDRESS_MAX);

/**
 * The last originator (0) and recipient (1) read, tried first: the segments of one message, and
 * most often a sender's next messages, repeat them, and one pass comparing octets is half the
 * work of hashing them and then comparing them with the cache's.
 */
const lastAddress: string[] = ['', ''];
const lastLength = new Int32Array(2).fill(-1);
const lastOctets = new Uint8Array(2 * ADDRESS_MAX);

/**
 * One submit_sm or deliver_sm, whole, to its Segment: the same result, and the same error, as
 * `segmentFromSmpp(decodeShortMessagePdu(pdu))`, which is its definition. It reads only what
 * a segment needs, straight from the octets: no PDU object, no TLV list, no header object,
 * one view of the user data, and the addresses from a small cache. Anything it does not take
 * on the quick way (a message_payload, sar_* or port TLV, a text alphabet without a UDH, a
 * field that does not fit, any framing error) goes to the general decode, which also raises
 * the errors. The receiving link reads every deliver_sm through here.
 */
export function segmentFromShortMessagePdu(pdu: Uint8Array): Segment {
  return quickSegment(pdu) ?? segmentFromSmpp(decodeShortMessagePdu(pdu));
}

/** The segment, or undefined when the general decode must say what it is. */
function quickSegment(b: Uint8Array): Segment | undefined {
  const n = b.length;
  if (n < SMPP_HEADER_LENGTH + 17) return undefined;
  const length = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  if (length !== n || length > MAX_SHORT_MESSAGE_PDU) return undefined;
  if (b[4] !== 0 || b[5] !== 0 || b[6] !== 0) return undefined;
  if (b[7] !== CommandId.deliver_sm && b[7] !== CommandId.submit_sm) return undefined;
  // service_type: at most 6 octets, NUL included.
  let p = SMPP_HEADER_LENGTH;
  const serviceLimit = p + 6;
  while (p < serviceLimit && b[p] !== 0) p++;
  if (p === serviceLimit) return undefined;
  p += 3; // NUL, source_addr_ton, source_addr_npi
  const originator = address(b, p, 0);
  if (originator === undefined) return undefined;
  p += originator.length + 3; // NUL, dest_addr_ton, dest_addr_npi
  const recipient = address(b, p, 1);
  if (recipient === undefined) return undefined;
  p += recipient.length + 1;
  if (p + 3 > n) return undefined;
  const esmClass = b[p];
  p += 3; // esm_class, protocol_id, priority_flag
  // schedule_delivery_time and validity_period: at most 17 octets each, NUL included.
  for (let k = 0; k < 2; k++) {
    const limit = Math.min(n, p + 17);
    while (p < limit && b[p] !== 0) p++;
    if (p === limit) return undefined;
    p++;
  }
  if (p + 5 > n) return undefined;
  const dataCoding = b[p + 2];
  const smLength = b[p + 4];
  p += 5; // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id, sm_length
  const udStart = p;
  const udEnd = p + smLength;
  if (udEnd > n) return undefined;
  // TLVs: well framed, and none that carriage reads (those take the general way).
  for (let t = udEnd; t < n;) {
    if (t + 4 > n) return undefined;
    const tag = (b[t] << 8) | b[t + 1];
    const end = t + 4 + ((b[t + 2] << 8) | b[t + 3]);
    if (end > n || carriageTag(tag)) return undefined;
    t = end;
  }
  const alphabet = alphabetOf(dataCoding);
  if (alphabet === 'unsupported') return undefined;
  if ((esmClass & ESM_CLASS_UDHI) === 0) {
    if (alphabet !== 'binary') return undefined; // a "//SCK" text header may follow
    return { originator, recipient, total: 1, sequence: 1, data: view(b, udStart, udEnd) };
  }
  // The UDH (3GPP TS 23.040 9.2.3.24), as decodeUdh reads it.
  if (udStart >= udEnd) return undefined;
  const headerEnd = udStart + 1 + b[udStart];
  if (headerEnd > udEnd) return undefined;
  let reference: number | undefined;
  let referenceBits: 8 | 16 | undefined;
  let total = 1;
  let sequence = 1;
  let sourcePort: number | undefined;
  let destinationPort: number | undefined;
  for (let e = udStart + 1; e < headerEnd;) {
    const iei = b[e];
    if (e + 1 >= headerEnd) return undefined;
    const iedl = b[e + 1];
    const d = e + 2;
    if (d + iedl > headerEnd) return undefined;
    switch (iei) {
      case Iei.Concat8:
        if (iedl !== 3 || referenceBits !== undefined) return undefined;
        reference = b[d];
        referenceBits = 8;
        total = b[d + 1];
        sequence = b[d + 2];
        break;
      case Iei.Concat16:
        if (iedl !== 4 || referenceBits !== undefined) return undefined;
        reference = (b[d] << 8) | b[d + 1];
        referenceBits = 16;
        total = b[d + 2];
        sequence = b[d + 3];
        break;
      case Iei.Ports8:
        if (iedl !== 2 || destinationPort !== undefined) return undefined;
        destinationPort = b[d];
        sourcePort = b[d + 1];
        break;
      case Iei.Ports16:
        if (iedl !== 4 || destinationPort !== undefined) return undefined;
        destinationPort = (b[d] << 8) | b[d + 1];
        sourcePort = (b[d + 2] << 8) | b[d + 3];
        break;
    }
    e = d + iedl;
  }
  // The same fields in the same order as the general path's segment, so both share one shape.
  return {
    originator,
    recipient,
    sourcePort,
    destinationPort,
    reference,
    referenceBits,
    total,
    sequence,
    data: view(b, headerEnd, udEnd),
  };
}

function carriageTag(tag: number): boolean {
  return (
    tag === TlvTag.message_payload ||
    tag === TlvTag.sar_msg_ref_num ||
    tag === TlvTag.sar_total_segments ||
    tag === TlvTag.sar_segment_seqnum ||
    tag === TlvTag.source_port ||
    tag === TlvTag.destination_port
  );
}

/**
 * The C-Octet String at `start` (its NUL inside the PDU and within ADDRESS_MAX): the last one
 * read as `role` (0 originator, 1 recipient), or from the cache, or read.
 */
function address(b: Uint8Array, start: number, role: number): string | undefined {
  if (start >= b.length) return undefined;
  const limit = Math.min(b.length, start + ADDRESS_MAX);
  const known = lastLength[role];
  if (known >= 0 && start + known < limit && b[start + known] === 0) {
    const base = role * ADDRESS_MAX;
    let k = 0;
    while (k < known && lastOctets[base + k] === b[start + k]) k++;
    if (k === known) return lastAddress[role];
  }
  const s = cachedAddressAt(b, start, limit);
  if (s !== undefined && s.length < ADDRESS_MAX) {
    const base = role * ADDRESS_MAX;
    for (let k = 0; k < s.length; k++) lastOctets[base + k] = b[start + k];
    lastLength[role] = s.length;
    lastAddress[role] = s;
  }
  return s;
}

/** address()'s second try: the cache, by a hash of the octets, or the octets read. */
function cachedAddressAt(b: Uint8Array, start: number, limit: number): string | undefined {
  let h = 0x811c9dc5;
  let i = start;
  for (; i < limit; i++) {
    const c = b[i];
    if (c === 0) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (i === limit) return undefined;
  const len = i - start;
  if (len === 0) return '';
  const slot = (h ^ (h >>> 16)) & (ADDRESS_CACHE_ENTRIES - 1);
  const base = slot * ADDRESS_MAX;
  if (cachedLength[slot] === len) {
    let k = 0;
    while (k < len && cachedOctets[base + k] === b[start + k]) k++;
    if (k === len) return cachedAddress[slot]!;
  }
  const s = decodeLatin1(b, start, i);
  cachedAddress[slot] = s;
  cachedLength[slot] = len;
  for (let k = 0; k < len; k++) cachedOctets[base + k] = b[start + k];
  return s;
}

/** A plain Uint8Array view of the PDU (see shortMessage.ts's view: Buffer's subarray costs more). */
function view(b: Uint8Array, start: number, end: number): Uint8Array {
  return b.constructor === Uint8Array
    ? b.subarray(start, end)
    : new Uint8Array(b.buffer, b.byteOffset + start, end - start);
}
