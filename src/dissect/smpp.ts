/**
 * One submit_sm / deliver_sm in the tree: the header, each mandatory field (SMPP v3.4 4.4.1,
 * 4.6.1: the same layout) and each TLV (5.3), the short message inside its field.
 */
import type { TreeBuilder } from '../codec/dissect/node.js';
import { decodeLatin1 } from '../codec/latin1.js';
import { CommandId } from '../wdp/smpp/shortMessage.js';
import { TLV_NAMES } from '../wdp/smpp/tlv.js';
import { hexOf } from './udh.js';

const COMMAND_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(CommandId).map(([k, v]) => [v, k]));

type Field = readonly [name: string, kind: 'u8' | 'cstring'];
const BEFORE_SHORT_MESSAGE: readonly Field[] = [
  ['service_type', 'cstring'],
  ['source_addr_ton', 'u8'],
  ['source_addr_npi', 'u8'],
  ['source_addr', 'cstring'],
  ['dest_addr_ton', 'u8'],
  ['dest_addr_npi', 'u8'],
  ['destination_addr', 'cstring'],
  ['esm_class', 'u8'],
  ['protocol_id', 'u8'],
  ['priority_flag', 'u8'],
  ['schedule_delivery_time', 'cstring'],
  ['validity_period', 'cstring'],
  ['registered_delivery', 'u8'],
  ['replace_if_present_flag', 'u8'],
  ['data_coding', 'u8'],
  ['sm_default_msg_id', 'u8'],
  ['sm_length', 'u8'],
];

/**
 * Adds the fields of buf[start, end) to `b`, as far as they lie inside it; `userData` adds what
 * is inside short_message or message_payload (whichever carries the data, [from, to)).
 */
export function dissectSmppFields(
  b: TreeBuilder,
  buf: Uint8Array,
  start: number,
  end: number,
  userData: (from: number, to: number) => void,
): void {
  const u32 = (at: number) => ((buf[at] << 24) >>> 0) + (buf[at + 1] << 16) + (buf[at + 2] << 8) + buf[at + 3];
  const header: ReadonlyArray<readonly [string, (v: number) => string | number]> = [
    ['command_length', (v) => v],
    ['command_id', (v) => COMMAND_NAMES.get(v) ?? `0x${v.toString(16).padStart(8, '0')}`],
    ['command_status', (v) => v],
    ['sequence_number', (v) => v],
  ];
  let p = start;
  for (const [name, show] of header) {
    if (p + 4 > end) return;
    b.leaf(name, p, p + 4, show(u32(p)));
    p += 4;
  }
  let smLength = 0;
  let esmClass = 0;
  for (const [name, kind] of BEFORE_SHORT_MESSAGE) {
    if (p >= end) return;
    if (kind === 'u8') {
      b.leaf(name, p, p + 1, buf[p]);
      if (name === 'sm_length') smLength = buf[p];
      if (name === 'esm_class') esmClass = buf[p];
      p++;
    } else {
      let nul = p;
      while (nul < end && buf[nul] !== 0) nul++;
      b.leaf(name, p, Math.min(end, nul + 1), decodeLatin1(buf, p, nul));
      p = nul + 1;
    }
  }
  const smEnd = Math.min(end, p + smLength);
  b.open('short_message', p, `${smLength} octets${esmClass & 0x40 ? ', UDHI' : ''}`);
  if (smEnd > p) userData(p, smEnd);
  b.close(smEnd);
  p = smEnd;
  while (p + 4 <= end) {
    const tag = (buf[p] << 8) | buf[p + 1];
    const len = (buf[p + 2] << 8) | buf[p + 3];
    const stop = Math.min(end, p + 4 + len);
    b.open(TLV_NAMES.get(tag) ?? `TLV 0x${tag.toString(16).padStart(4, '0')}`, p);
    b.leaf('tag', p, p + 2, `0x${tag.toString(16).padStart(4, '0')}`);
    b.leaf('length', p + 2, p + 4, len);
    if (tag === 0x0424 && stop > p + 4) {
      b.open('value', p + 4);
      userData(p + 4, stop);
      b.close(stop);
    } else
      b.leaf(
        'value',
        p + 4,
        stop,
        len <= 2 && len > 0 ? (len === 2 ? (buf[p + 4] << 8) | buf[p + 5] : buf[p + 4]) : hexOf(buf, p + 4, stop),
      );
    b.close(stop);
    p = stop;
  }
  b.leaf('octets after the last TLV', p, end, hexOf(buf, p, end));
}
