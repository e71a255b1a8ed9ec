import { decodeLatin1 } from '../../codec/latin1.js';
import type { Segment } from '../datagram.js';
import { SegmentAt, viewOf } from '../segmentAt.js';
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
/** The same octets, compared four at a time (an octet at a time was a fifth of readSegmentAt). */
const lastView = new DataView(lastOctets.buffer);

/**
 * The array last read from, its viewOf() and its byteOffset: a typed array's `buffer` and
 * `byteOffset` are calls in Node 20's V8, not loads (about 30 and 17 ns; `length` is a load),
 * and were a third of readSegmentAt, read four times per PDU. The read-ahead reads the PDUs of
 * one socket chunk from that one array, so it asks them once a chunk; a read of one PDU, or
 * one taken as its own frame, asks them once a PDU, two calls where there were four. Holds
 * that array, and so its buffer (the last socket read, at most 64 KiB), alive until another
 * is read: with viewOf()'s own, at most two such buffers a process, whatever the links.
 */
let lastSource: Uint8Array = new Uint8Array(0);
let lastSourceView: DataView = viewOf(lastSource);
let lastSourceOffset = 0;

/**
 * One submit_sm or deliver_sm, whole, to its Segment: the same result, and the same error, as
 * `segmentFromSmpp(decodeShortMessagePdu(pdu))`, which is its definition. It reads only what
 * a segment needs, straight from the octets (readSegmentAt): no PDU object, no TLV list, no
 * header object, one view of the user data, and the addresses from a small cache. Anything it
 * does not take on the quick way (a message_payload, sar_* or port TLV, a text alphabet
 * without a UDH, a field that does not fit, any framing error) goes to the general decode,
 * which also raises the errors.
 */
export function segmentFromShortMessagePdu(pdu: Uint8Array): Segment {
  return readSegmentAt(pdu, 0, pdu.length, scratch) ? scratch.toSegment() : segmentFromSmpp(decodeShortMessagePdu(pdu));
}

const scratch = new SegmentAt();

/**
 * Reads the whole submit_sm or deliver_sm at octets `from` to `to` of `b` into `into` (a
 * record filled again for each PDU, in the manner of pg-protocol's one reusable reader): true
 * when read, false when the general decode must say what it is (segmentFromShortMessagePdu;
 * `into` is then not to be used). The receiving link reads every deliver_sm so, in place in
 * its socket chunk: its user data stays there, and no view of the PDU is made.
 */
export function readSegmentAt(b: Uint8Array, from: number, to: number, into: SegmentAt): boolean {
  const n = to;
  if (n - from < SMPP_HEADER_LENGTH + 17) return false;
  const length = ((b[from] << 24) >>> 0) + (b[from + 1] << 16) + (b[from + 2] << 8) + b[from + 3];
  if (length !== n - from || length > MAX_SHORT_MESSAGE_PDU) return false;
  if (b[from + 4] !== 0 || b[from + 5] !== 0 || b[from + 6] !== 0) return false;
  if (b[from + 7] !== CommandId.deliver_sm && b[from + 7] !== CommandId.submit_sm) return false;
  // service_type: at most 6 octets, NUL included.
  let p = from + SMPP_HEADER_LENGTH;
  const serviceLimit = p + 6;
  while (p < serviceLimit && b[p] !== 0) p++;
  if (p === serviceLimit) return false;
  p += 3; // NUL, source_addr_ton, source_addr_npi
  let view: DataView;
  let offset: number;
  if (b === lastSource) {
    view = lastSourceView;
    offset = lastSourceOffset;
  } else {
    view = lastSourceView = viewOf(b);
    offset = lastSourceOffset = b.byteOffset;
    lastSource = b;
  }
  const originator = address(b, view, offset, p, n, 0);
  if (originator === undefined) return false;
  p += originator.length + 3; // NUL, dest_addr_ton, dest_addr_npi
  const recipient = address(b, view, offset, p, n, 1);
  if (recipient === undefined) return false;
  p += recipient.length + 1;
  if (p + 3 > n) return false;
  const esmClass = b[p];
  p += 3; // esm_class, protocol_id, priority_flag
  // schedule_delivery_time and validity_period: at most 17 octets each, NUL included.
  for (let k = 0; k < 2; k++) {
    const limit = Math.min(n, p + 17);
    while (p < limit && b[p] !== 0) p++;
    if (p === limit) return false;
    p++;
  }
  if (p + 5 > n) return false;
  const dataCoding = b[p + 2];
  const smLength = b[p + 4];
  p += 5; // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id, sm_length
  const udStart = p;
  const udEnd = p + smLength;
  if (udEnd > n) return false;
  // TLVs: well framed, and none that carriage reads (those take the general way).
  for (let t = udEnd; t < n;) {
    if (t + 4 > n) return false;
    const tag = (b[t] << 8) | b[t + 1];
    const end = t + 4 + ((b[t + 2] << 8) | b[t + 3]);
    if (end > n || carriageTag(tag)) return false;
    t = end;
  }
  const alphabet = alphabetOf(dataCoding);
  if (alphabet === 'unsupported') return false;
  let dataStart = udStart;
  let reference: number | undefined;
  let referenceBits: 8 | 16 | undefined;
  let total = 1;
  let sequence = 1;
  let sourcePort: number | undefined;
  let destinationPort: number | undefined;
  const headed = (esmClass & ESM_CLASS_UDHI) !== 0;
  if (!headed) {
    if (alphabet !== 'binary') return false; // a "//SCK" text header may follow
  } else {
    // The UDH (3GPP TS 23.040 9.2.3.24), as decodeUdh reads it.
    if (udStart >= udEnd) return false;
    const headerEnd = udStart + 1 + b[udStart];
    if (headerEnd > udEnd) return false;
    for (let e = udStart + 1; e < headerEnd;) {
      const iei = b[e];
      if (e + 1 >= headerEnd) return false;
      const iedl = b[e + 1];
      const d = e + 2;
      if (d + iedl > headerEnd) return false;
      switch (iei) {
        case Iei.Concat8:
          if (iedl !== 3 || referenceBits !== undefined) return false;
          reference = b[d];
          referenceBits = 8;
          total = b[d + 1];
          sequence = b[d + 2];
          break;
        case Iei.Concat16:
          if (iedl !== 4 || referenceBits !== undefined) return false;
          reference = (b[d] << 8) | b[d + 1];
          referenceBits = 16;
          total = b[d + 2];
          sequence = b[d + 3];
          break;
        case Iei.Ports8:
          if (iedl !== 2 || destinationPort !== undefined) return false;
          destinationPort = b[d];
          sourcePort = b[d + 1];
          break;
        case Iei.Ports16:
          if (iedl !== 4 || destinationPort !== undefined) return false;
          destinationPort = (b[d] << 8) | b[d + 1];
          sourcePort = (b[d + 2] << 8) | b[d + 3];
          break;
      }
      e = d + iedl;
    }
    dataStart = headerEnd;
  }
  into.originator = originator;
  into.recipient = recipient;
  into.sourcePort = sourcePort;
  into.destinationPort = destinationPort;
  into.reference = reference;
  into.referenceBits = referenceBits;
  into.total = total;
  into.sequence = sequence;
  into.headed = headed;
  into.view = view;
  into.start = offset + dataStart;
  into.end = offset + udEnd;
  return true;
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
 * The C-Octet String at `start` (its NUL before `end`, the PDU's, and within ADDRESS_MAX): the last one
 * read as `role` (0 originator, 1 recipient), or from the cache, or read. `view` is viewOf(b),
 * `offset` b.byteOffset.
 */
function address(
  b: Uint8Array,
  view: DataView,
  offset: number,
  start: number,
  end: number,
  role: number,
): string | undefined {
  if (start >= end) return undefined;
  const limit = Math.min(end, start + ADDRESS_MAX);
  const known = lastLength[role];
  if (known >= 0 && start + known < limit && b[start + known] === 0) {
    const base = role * ADDRESS_MAX;
    const at = offset + start;
    let k = 0;
    // Four octets at a time, then one at a time (the rest, or within the first word that differs).
    while (k + 4 <= known && view.getInt32(at + k) === lastView.getInt32(base + k)) k += 4;
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
