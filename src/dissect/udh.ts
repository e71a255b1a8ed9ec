/**
 * The user data of one SMS in the tree: the UDH element by element (3GPP TS 23.040 9.2.3.24),
 * or the WDP text header, then the user data after it.
 */
import type { TreeBuilder } from '../codec/dissect/node.js';
import { Iei } from '../wdp/udh.js';

/** Names of the elements a push carries or meets (23.040 table 9.2.3.24). */
const IEI_NAMES: ReadonlyMap<number, string> = new Map([
  [Iei.Concat8, 'Concatenated short messages, 8-bit reference'],
  [0x01, 'Special SMS Message Indication'],
  [Iei.Ports8, 'Application port addressing, 8-bit'],
  [Iei.Ports16, 'Application port addressing, 16-bit'],
  [0x06, 'SMSC Control Parameters'],
  [0x07, 'UDH Source Indicator'],
  [Iei.Concat16, 'Concatenated short messages, 16-bit reference'],
  [0x09, 'Wireless Control Message Protocol'],
]);

/** The fields inside the elements this project reads: [name, octets] in wire order. */
const IE_FIELDS: ReadonlyMap<number, ReadonlyArray<readonly [string, number]>> = new Map([
  [
    Iei.Concat8,
    [
      ['reference', 1],
      ['total', 1],
      ['sequence', 1],
    ],
  ],
  [
    Iei.Concat16,
    [
      ['reference', 2],
      ['total', 1],
      ['sequence', 1],
    ],
  ],
  [
    Iei.Ports8,
    [
      ['destination port', 1],
      ['source port', 1],
    ],
  ],
  [
    Iei.Ports16,
    [
      ['destination port', 2],
      ['source port', 2],
    ],
  ],
]);

/**
 * Adds the UDH at buf[start] to `b`, as far as it lies inside [start, end): the codec's decodeUdh
 * has already said whether it is sound; this only says which octets are what.
 */
export function dissectUdh(b: TreeBuilder, buf: Uint8Array, start: number, end: number): number {
  const udhl = buf[start];
  const headerEnd = Math.min(end, start + 1 + udhl);
  b.open('User Data Header', start);
  b.leaf('UDHL', start, start + 1, udhl);
  let p = start + 1;
  while (p + 2 <= headerEnd) {
    const iei = buf[p];
    const iedl = buf[p + 1];
    const stop = Math.min(headerEnd, p + 2 + iedl);
    b.open(IEI_NAMES.get(iei) ?? `element 0x${hex(iei)}`, p);
    b.leaf('IEI', p, p + 1, `0x${hex(iei)}`);
    b.leaf('IEDL', p + 1, p + 2, iedl);
    let q = p + 2;
    const fields = IE_FIELDS.get(iei);
    if (fields && stop - q === fields.reduce((n, [, w]) => n + w, 0)) {
      for (const [name, width] of fields) {
        b.leaf(name, q, q + width, width === 2 ? (buf[q] << 8) | buf[q + 1] : buf[q]);
        q += width;
      }
    } else b.leaf('data', q, stop, hexOf(buf, q, stop));
    b.close(stop);
    p = stop;
  }
  b.leaf('octets left in the header', p, headerEnd, hexOf(buf, p, headerEnd));
  b.close(headerEnd);
  return headerEnd;
}

export function hexOf(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += hex(buf[i]);
  return s;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
