// WDP benchmarks: concatenated-SMS reassembly with 10,000 messages pending at once (3
// segments each, interleaved), and single-segment datagram extraction from SMS user data
// and from whole deliver_sm PDUs. The peer: the `smpp` package parsing the same deliver_sm.
import smpp, { type PDU } from 'smpp';
import { type Case, type CaseResult, runSuite } from './suite.js';
import {
  CommandId,
  type Segment,
  type WdpDatagram,
  Reassembler,
  decodeShortMessagePdu,
  decodeUdh,
  encodeShortMessagePdu,
  encodePushPdu,
  encodeSi,
  segmentFromSmpp,
  segmentFromUserData,
  segmentPayload,
  smppShortMessages,
} from '../src/index.js';

const PENDING = 10_000;
const pushPdu = encodePushPdu({
  transactionId: 1,
  contentType: 'application/vnd.wap.sic',
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSi({
    href: 'http://www.xyz.com/email/123/abc.wml',
    created: '1999-06-25T15:23:15Z',
    expires: '1999-06-30T00:00:00Z',
    text: 'You have 4 new emails',
  }),
});
// A 3-segment payload: 300 octets (128 per segment after a 12-octet UDH).
const longPayload = new Uint8Array(300).map((_, i) => i & 0xff);

/** 10,000 3-segment messages from different originators, interleaved: all first segments, then all second... */
function interleavedSegments(): Segment[] {
  const byMessage: Segment[][] = [];
  for (let m = 0; m < PENDING; m++) {
    const uds = segmentPayload(longPayload, { reference: m & 0xff });
    byMessage.push(
      uds.map((ud) =>
        segmentFromUserData(ud, { originator: '+4477009' + String(m).padStart(5, '0'), recipient: '+447700900000' }),
      ),
    );
  }
  const order: Segment[] = [];
  for (let s = 0; s < 3; s++) for (let m = 0; m < PENDING; m++) order.push(byMessage[m][s]);
  return order;
}

let sink = 0;

function reassemblyCase(): () => void {
  const order = interleavedSegments();
  const r = new Reassembler({ maxPendingMessages: PENDING });
  let i = 0;
  return () => {
    const d = r.push(order[i]);
    if (d !== undefined) sink += d.payload.length;
    if (++i === order.length) {
      // Next round: new references, or the late-duplicate memory would (rightly) drop them all.
      i = 0;
      for (const s of order) s.reference = (s.reference! + 1) & 0xff;
    }
  };
}

const singleUd = segmentPayload(pushPdu)[0];
const singleReassembler = new Reassembler();
const [fields] = smppShortMessages(pushPdu);
const deliverSm = Buffer.from(
  encodeShortMessagePdu({
    ...fields,
    commandId: CommandId.deliver_sm,
    sourceAddr: '+447700900123',
    destinationAddr: '2948',
    serviceType: 'WAP',
  }),
);

/** Messages of n segments pushed in order; no late-duplicate memory, so the same messages can come round again. */
function inOrder(n: number): () => void {
  const payload = new Uint8Array(128 * n - 10).map((_, i) => i & 0xff);
  const messages = Array.from({ length: 256 }, (_, ref) =>
    segmentPayload(payload, { reference: ref }).map((ud) =>
      segmentFromUserData(ud, { originator: '+447700900123', recipient: '2948' }),
    ),
  );
  if (messages[0].length !== n) throw new Error(`${messages[0].length} segments, not ${n}`);
  const r = new Reassembler({ maxRecentMessages: 0 });
  let m = 0;
  return () => {
    let d: WdpDatagram | undefined;
    for (const s of messages[m++ & 255]) d = r.push(s);
    sink += d!.payload.length;
  };
}

const udhBytes = segmentPayload(longPayload, { reference: 7 })[0];

/** The UDH count of a deliver_sm as the smpp package parses it (its short_message: { udh: [...], message }). */
function packageUdhCount(pdu: PDU | false): number {
  const sm = pdu ? pdu.short_message : undefined;
  if (typeof sm === 'object' && sm !== null && 'udh' in sm && Array.isArray(sm.udh)) return sm.udh.length;
  throw new Error("the smpp package did not find the deliver_sm's UDH");
}

export const cases: Case[] = [
  [
    'udh-parse',
    () => {
      sink += decodeUdh(udhBytes).length;
    },
  ],
  ['reassembly-3-segments', inOrder(3)],
  ['reassembly-8-segments', inOrder(8)],
  ['reassembly-10k-pending', reassemblyCase()],
  [
    'single-segment-sms',
    () => {
      sink += singleReassembler.push(segmentFromUserData(singleUd, { originator: '+447700900123', recipient: '2948' }))!
        .payload.length;
    },
  ],
  [
    'single-segment-deliver-sm',
    () => {
      sink += singleReassembler.push(segmentFromSmpp(decodeShortMessagePdu(deliverSm)))!.payload.length;
    },
  ],
  [
    'peer-smpp-package-deliver-sm-parse',
    () => {
      sink += packageUdhCount(smpp.PDU.fromBuffer(deliverSm));
    },
  ],
];

/** Heap held per pending message (bookkeeping only: the segment bytes exist apart from it). */
export function pendingMemory():
  { messages: number; heldDataBytes: number; bookkeepingBytesPerMessage: number } | undefined {
  if (typeof globalThis.gc !== 'function') return undefined;
  const order = interleavedSegments();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const r = new Reassembler({ maxPendingMessages: PENDING });
  for (let i = 0; i < 2 * PENDING; i++) r.push(order[i]); // 2 of 3 segments each: all pending
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  // The segments (and their bytes) existed before and must outlive the second reading, or
  // their collection would be subtracted from the reassembler's own cost.
  sink += order.length;
  return {
    messages: r.pendingMessages,
    heldDataBytes: r.pendingBytes,
    bookkeepingBytesPerMessage: Math.round((after - before) / r.pendingMessages),
  };
}

export function runWdp({ quick = false } = {}): {
  results: CaseResult[];
  memory: ReturnType<typeof pendingMemory>;
  sink: number;
} {
  const results = runSuite(cases, { quick });
  return { results, memory: pendingMemory(), sink };
}
