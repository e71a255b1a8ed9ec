/**
 * `dissect`: the tree of an input as `wappush decode --input` takes it, each octet under the
 * node that says what it is. WSP PDUs and push bodies are the codec's (src/codec/dissect); SMS
 * user data and SMPP PDUs are read here with the wdp layer's own parsers, so the tree of a push
 * that came by SMS covers the UDH or the SMPP fields as well. Pure: it runs in a browser.
 */
import { addPushPdu, dissectBody, dissectWsp } from '../codec/dissect/index.js';
import { placeWarnings, TreeBuilder, type DissectNode } from '../codec/dissect/node.js';
import { DecodeError } from '../codec/errors.js';
import { resolveLimits, type Limits } from '../codec/limits.js';
import type { DecodeWarning } from '../codec/warnings.js';
import type { Segment } from '../wdp/datagram.js';
import { ESM_CLASS_UDHI, segmentFromSmpp } from '../wdp/smpp/carriage.js';
import { decodeShortMessagePdu, type ShortMessagePdu } from '../wdp/smpp/shortMessage.js';
import { segmentFromUserData } from '../wdp/userData.js';
import { notWdpError, notWdpWarning } from './notWdp.js';
import { dissectSmppFields } from './smpp.js';
import { dissectUdh } from './udh.js';

export type { DissectNode } from '../codec/dissect/node.js';
export { treeJson } from '../codec/dissect/node.js';

export type DissectInput = 'wsp' | 'sms' | 'smpp' | 'wbxml';

export interface DissectOptions {
  /** What the octets are, as `wappush decode --input` says it. */
  input: DissectInput;
  /** For `wbxml`: the body's content type, with its parameters. */
  contentType?: string;
  limits?: Partial<Limits>;
}

/**
 * The tree of `octets`: one PDU or body, or for `sms` / `smpp` the segments of one message (an
 * array, in any order). Segments lie one after the other in the tree's offsets; the datagram
 * several of them make is a node of its own whose `source` holds its octets.
 */
export function dissect(octets: Uint8Array | readonly Uint8Array[], options: DissectOptions): DissectNode {
  const parts = octets instanceof Uint8Array ? [octets] : octets;
  if (options.input === 'wsp' || options.input === 'wbxml') {
    if (parts.length !== 1) throw new TypeError(`--input ${options.input} takes one PDU, not ${parts.length}`);
    if (options.input === 'wsp') return dissectWsp(parts[0], options);
    if (options.contentType === undefined) throw new TypeError('input wbxml needs its content type');
    return dissectBody(parts[0], options.contentType, options);
  }
  return dissectSegments(parts, options.input, resolveLimits(options.limits));
}

function dissectSegments(parts: readonly Uint8Array[], input: 'sms' | 'smpp', limits: Limits): DissectNode {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const b = new TreeBuilder(input === 'sms' ? 'SMS user data' : 'SMPP', 0, all.length);
  const warnings: DecodeWarning[] = [];
  const segments: Segment[] = [];
  const single = parts.length === 1;
  let s = 0;
  for (const [k, part] of parts.entries()) {
    all.set(part, s);
    const e = s + part.length;
    const view = all.subarray(s, e);
    let seg: Segment | undefined;
    let pdu: ShortMessagePdu | undefined;
    let failure: DecodeError | undefined;
    try {
      if (input === 'sms') seg = segmentFromUserData(view);
      else seg = segmentFromSmpp((pdu = decodeShortMessagePdu(view)));
    } catch (x) {
      if (!(x instanceof DecodeError)) throw x;
      failure = new DecodeError(x.code, x.offset + s, x.message);
    }
    const dataAt = seg ? s + seg.data.byteOffset - view.byteOffset : -1;
    const userData = (from: number, to: number): void => {
      let at = from;
      if (input === 'sms' || (pdu && pdu.esmClass & ESM_CLASS_UDHI)) at = dissectUdh(b, all, from, to);
      else if (dataAt > from && dataAt <= to) at = b.leaf('WDP text header', from, dataAt) ? dataAt : from;
      if (seg && !failure && single && seg.total === 1 && dataAt === at) {
        b.open('WDP datagram', at, portsOf(seg));
        const portless = seg.destinationPort === undefined;
        if (portless) warnings.push(notWdpWarning(at));
        warnings.push(...addPushPdu(b, all, at, to, limits));
        if (portless) sayNotWdp(b);
        b.close(to);
      } else b.leaf('user data', at, to, `${to - at} octets`);
    };
    b.open(
      input === 'sms'
        ? `segment ${k + 1}`
        : `${pdu ? (pdu.commandId === 4 ? 'submit_sm' : 'deliver_sm') : 'PDU'} ${k + 1}`,
      s,
      seg ? `${seg.sequence} of ${seg.total}` : undefined,
    );
    if (input === 'sms') userData(s, e);
    else dissectSmppFields(b, all, s, e, userData);
    b.close(e);
    if (failure) b.fail(failure);
    if (b.failed) break;
    if (seg) segments.push(seg);
    s = e;
  }
  if (!b.failed && (!single || segments[0].total !== 1)) {
    try {
      const payload = reassemble(segments);
      const r = new TreeBuilder('reassembled WDP datagram', 0, payload.length);
      r.root.value = `${portsOf(segments[0])}, ${segments.length} segments`;
      r.root.source = { name: 'reassembled datagram', octets: payload };
      const portless = segments[0].destinationPort === undefined;
      const said = addPushPdu(r, payload, 0, payload.length, limits);
      if (portless) sayNotWdp(r);
      placeWarnings(r.root, portless ? [notWdpWarning(0), ...said] : said);
      b.add(r.root);
    } catch (x) {
      if (!(x instanceof DecodeError)) throw x;
      b.fail(new DecodeError(x.code, all.length, x.message));
    }
  }
  placeWarnings(b.root, warnings);
  return b.root;
}

/**
 * The segments' data in sequence order: one message, each sequence 1..total once (a repeated
 * one is a duplicate and dropped, as the reassembler drops it).
 */
function reassemble(segments: readonly Segment[]): Uint8Array {
  const first = segments[0];
  const bySequence = new Map<number, Segment>();
  for (const [i, seg] of segments.entries()) {
    if (seg.reference !== first.reference || seg.total !== first.total || seg.originator !== first.originator)
      throw new DecodeError('BAD_VALUE', 0, `segment ${i + 1} belongs to another message than segment 1`);
    if (seg.sequence < 1 || seg.sequence > seg.total)
      throw new DecodeError('BAD_VALUE', 0, `segment ${i + 1}: sequence ${seg.sequence} of ${seg.total}`);
    if (!bySequence.has(seg.sequence)) bySequence.set(seg.sequence, seg);
  }
  const missing: number[] = [];
  for (let q = 1; q <= first.total; q++) if (!bySequence.has(q)) missing.push(q);
  if (missing.length)
    throw new DecodeError('INCOMPLETE', 0, `segments are missing: ${missing.join(', ')} of ${first.total}`);
  const ordered = [...bySequence.entries()].sort((x, y) => x[0] - y[0]).map(([, seg]) => seg.data);
  const out = new Uint8Array(ordered.reduce((n, d) => n + d.length, 0));
  let p = 0;
  for (const d of ordered) {
    out.set(d, p);
    p += d.length;
  }
  return out;
}

/**
 * A port-less datagram that WSP could not read ends in NOT_WDP, as `wappush decode` says it: the
 * WSP error was the last node `fail` added to the root, and it becomes the NOT_WDP error there.
 */
function sayNotWdp(b: TreeBuilder): void {
  const last = b.failed ? b.root.children[b.root.children.length - 1] : undefined;
  if (!last?.error) return;
  const e = notWdpError(new DecodeError(last.error.code, last.error.offset, last.error.message));
  last.value = e.code;
  last.error = e.toJSON();
}

function portsOf(seg: Segment): string {
  return seg.destinationPort === undefined ? 'no ports' : `port ${seg.sourcePort} -> ${seg.destinationPort}`;
}
