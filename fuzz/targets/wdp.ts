/** Fuzz targets for src/wdp: UDH, the //SCK text header, the reassembler fed a stream of segments, SMPP intake. */
import fc from 'fast-check';
import { decodeTextHeader, encodeTextHeader } from '../../src/wdp/textHeader.js';
import { decodeUdh, writeUdh } from '../../src/wdp/udh.js';
import type { Segment } from '../../src/wdp/datagram.js';
import { Reassembler } from '../../src/wdp/reassembler.js';
import { RUN_CHUNK_OCTETS } from '../../src/wdp/runChunks.js';
import { segmentPayload } from '../../src/wdp/segmenter.js';
import { segmentFromUserData } from '../../src/wdp/userData.js';
import { PduFramer } from '../../src/wdp/smpp/framing.js';
import { segmentFromSmpp } from '../../src/wdp/smpp/carriage.js';
import { CommandId, decodeShortMessagePdu, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { Finding, fixtures, hex, same, total, type FuzzTarget } from './common.js';
import { nearValid } from './mutate.js';

const udhSeeds = (): Buffer[] => [
  ...fixtures<{ segments: string[] }>('sms').flatMap((f) => f.segments.map((s) => hex(s))),
  hex('0605040b8423f0'),
  hex('0b05040b8423f000031a0201'),
  hex('0c0804beef03020804040b840000'),
  hex('00'),
];

const udh: FuzzTarget = {
  name: 'udh',
  description: 'SMS user data header (TS 23.040 9.2.3.24): every IEI length checked; concatenation and ports re-encode',
  fuzz(buf) {
    const h = total(() => decodeUdh(buf), buf.length);
    if (!h) return;
    if (h.length > buf.length) throw new Finding(`UDH length ${h.length} past the input (${buf.length})`);
    if (h.concatenation || h.ports) {
      const out = new Uint8Array(16);
      writeUdh(out, 0, { concatenation: h.concatenation, ports: h.ports });
      const back = decodeUdh(out);
      same([back.concatenation, back.ports], [h.concatenation, h.ports], 'UDH');
    }
  },
  seeds: udhSeeds,
  properties: () => [
    { name: 'near-valid headers', property: fc.property(nearValid(udhSeeds()), (b) => void udh.fuzz(b)) },
  ],
};

const textSeeds = (): Buffer[] =>
  ['//SCK2948 hello', '//SCKL0B840B84 x', '//SCKL0B840B8400010301 data', '//SCK9200\r\n', '//SCKL23F023F0'].map((s) =>
    Buffer.from(s, 'latin1'),
  );

const textHeader: FuzzTarget = {
  name: 'text-header',
  description: 'WDP //SCK and //SCKL text headers',
  fuzz(buf) {
    const h = total(() => decodeTextHeader(buf), buf.length);
    if (!h) return;
    if (h.length > buf.length) throw new Finding(`text header length ${h.length} past the input (${buf.length})`);
  },
  seeds: textSeeds,
  properties: () => [
    { name: 'near-valid text headers', property: fc.property(nearValid(textSeeds()), (b) => void textHeader.fuzz(b)) },
    {
      name: 'encoded text headers decode to their ports',
      property: fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (d, s) => {
        const h = decodeTextHeader(
          Buffer.from(encodeTextHeader({ bits: 16, destination: d, source: s }) + ' ', 'latin1'),
        );
        same([h.ports.destination, h.ports.source], [d, s], 'text header');
      }),
    },
  ],
};

const BOUNDS = { maxPendingMessages: 8, maxPendingBytes: 2_048, timeoutMs: 1_000 };
/** One run chunk plus twice the regions' octets, a region at most twice its message's. */
const HELD_CHUNK_BOUND = RUN_CHUNK_OCTETS + 4 * BOUNDS.maxPendingBytes;

/**
 * The input as a stream of segments, 6 octets of fields then the data:
 * originator (0-3), reference, sequence, total, clock advance (ms), data length (0-140).
 * After every segment: pending messages and octets within their bounds, and every segment
 * accounted for as pending, completed, duplicate, rejected or lost.
 */
function feed(buf: Buffer): void {
  let clock = 0;
  const r = new Reassembler({ ...BOUNDS, now: () => clock });
  let p = 0;
  let completedSegments = 0;
  while (p + 6 <= buf.length) {
    const [who, ref, seq, tot, advance, rawLen] = buf.subarray(p, p + 6);
    p += 6;
    const len = Math.min(rawLen % 141, buf.length - p);
    const data = buf.subarray(p, p + len);
    p += len;
    clock += advance * 8;
    const s: Segment = {
      originator: `+1555000${who & 3}`,
      recipient: '+1',
      reference: ref,
      referenceBits: 8,
      sequence: seq & 7,
      total: tot & 7,
      data,
      destinationPort: 2948,
      sourcePort: 9200,
    };
    const d = r.push(s);
    if (d) {
      completedSegments += d.segments;
      if (d.segments !== (tot & 7))
        throw new Finding(`datagram of ${d.segments} segments from a message of total ${tot & 7}`);
    }
    if (r.pendingMessages > BOUNDS.maxPendingMessages)
      throw new Finding(`${r.pendingMessages} pending messages over the bound ${BOUNDS.maxPendingMessages}`);
    if (r.pendingBytes > BOUNDS.maxPendingBytes)
      throw new Finding(`${r.pendingBytes} pending octets over the bound ${BOUNDS.maxPendingBytes}`);
    // What pending runs keep alive is bounded by maxPendingBytes too (docs/smpp.md).
    // Nothing pending holds nothing: a count that drifted would show here.
    if (r.pendingMessages === 0 && r.heldChunkOctets !== 0)
      throw new Finding(`${r.heldChunkOctets} octets of run chunks held with nothing pending`);
    if (r.heldChunkOctets > HELD_CHUNK_BOUND)
      throw new Finding(`${r.heldChunkOctets} octets of run chunks held, over ${HELD_CHUNK_BOUND}`);
  }
  const st = r.stats;
  if (completedSegments > st.segments) throw new Finding('more segments out than in');
}

function streamOf(
  messages: Array<{ who: number; ref: number; payload: Uint8Array }>,
  order: number[],
  dups: number[],
): Buffer {
  const segs: Buffer[] = [];
  for (const m of messages) {
    for (const ud of segmentPayload(m.payload, { reference: m.ref, referenceBits: 8 })) {
      const s = segmentFromUserData(ud);
      segs.push(
        Buffer.concat([Buffer.from([m.who, m.ref, s.sequence, s.total, 0, s.data.length]), Buffer.from(s.data)]),
      );
    }
  }
  const out: Buffer[] = order.map((i) => segs[i % segs.length]);
  for (const d of dups) out.push(segs[d % segs.length]);
  return Buffer.concat(out);
}

const reassembler: FuzzTarget = {
  name: 'reassembler',
  description: 'Concatenated-SMS reassembly fed a stream of segments: bounds hold, every segment accounted for',
  fuzz(buf) {
    feed(buf);
  },
  seeds: () => [
    streamOf(
      [
        { who: 0, ref: 1, payload: new Uint8Array(300).fill(7) },
        { who: 1, ref: 1, payload: new Uint8Array(200).fill(9) },
      ],
      [0, 3, 1, 4, 2],
      [1],
    ),
  ],
  properties: () => [
    {
      name: 'complete messages come out exactly once with their octets, in any order, with duplicates',
      property: fc.property(
        fc
          .array(
            fc.record({
              who: fc.integer({ min: 0, max: 3 }),
              ref: fc.integer({ min: 0, max: 255 }),
              payload: fc.uint8Array({ minLength: 1, maxLength: 400 }),
            }),
            { minLength: 1, maxLength: 4 },
          )
          .filter((ms) => new Set(ms.map((m) => `${m.who}/${m.ref}`)).size === ms.length),
        fc.integer({ min: 0, max: 1_000_000 }),
        (messages, seed) => {
          const segs: Segment[] = [];
          for (const m of messages)
            for (const ud of segmentPayload(m.payload, { reference: m.ref }))
              segs.push({ ...segmentFromUserData(ud), originator: `+1555000${m.who}`, recipient: '+1' });
          // A deterministic shuffle from the seed, plus every concatenated segment repeated once. A single
          // SMS has no reference, so a repeat is a new message to the reassembler (the link dedupes those).
          const order = [...segs, ...segs.filter((s) => s.reference !== undefined)]
            .map((s, i) => ({ s, k: (i * 2654435761 + seed) % 4294967296 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.s);
          const r = new Reassembler({ maxPendingMessages: 64, maxPendingBytes: 1 << 20 });
          // Two messages may be equal (same sender, same octets): compare as multisets.
          const out: string[] = [];
          for (const s of order) {
            const d = r.push(s);
            if (d) out.push(d.originator + Buffer.from(d.payload).toString('hex'));
          }
          same(
            out.sort(),
            messages.map((m) => `+1555000${m.who}` + Buffer.from(m.payload).toString('hex')).sort(),
            'reassembled messages (each exactly once)',
          );
        },
      ),
    },
    {
      name: 'near-valid segment streams keep their bounds',
      property: fc.property(nearValid(reassembler.seeds()), (b) => void feed(b)),
    },
  ],
  scale: (n) =>
    streamOf(
      Array.from({ length: n }, (_, i) => ({ who: i & 3, ref: i & 0xff, payload: new Uint8Array(300) })),
      Array.from({ length: 3 * n }, (_, i) => i),
      [],
    ),
};

const smppSeeds = (): Buffer[] => {
  const push = hex('0106' + '0403' + 'ae8184' + '02056a0045c60c0377617000010101');
  const out = [
    ...fixtures<{ pdu: string }>('smpp').map((f) => hex(f.pdu)),
    ...(['udh', 'sar', 'payload'] as const).map((carriage) =>
      Buffer.concat(
        smppShortMessages(push, { carriage, reference: 5 }).map((f, i) =>
          Buffer.from(
            encodeShortMessagePdu({
              ...f,
              commandId: CommandId.deliver_sm,
              sequenceNumber: i + 1,
              sourceAddr: '+1555',
              destinationAddr: '+1',
            }),
          ),
        ),
      ),
    ),
  ];
  return out;
};

/** What the link's intake does with a TCP byte stream: frame, decode deliver_sm/submit_sm, take the segment. */
function intake(buf: Buffer): void {
  const framer = new PduFramer();
  // Chunk boundaries from the data itself, so the framer sees split headers and bodies.
  const step = 1 + (buf.length ? buf[0] % 23 : 0);
  for (let i = 0; i < buf.length; i += step) {
    framer.push(buf.subarray(i, i + step));
    for (;;) {
      let frame: Buffer | null;
      try {
        frame = framer.next();
      } catch (e) {
        if (e instanceof RangeError) return; // a command_length no reader can trust: the link closes the connection
        throw e;
      }
      if (!frame) break;
      const id = frame.readUInt32BE(4);
      if (id !== CommandId.deliver_sm && id !== CommandId.submit_sm) continue;
      const pdu = total(() => decodeShortMessagePdu(frame!), frame.length);
      if (pdu) total(() => segmentFromSmpp(pdu), frame.length);
    }
  }
  if (framer.buffered > buf.length) throw new Finding('framer holds more than it was given');
}

const smppIntake: FuzzTarget = {
  name: 'smpp-intake',
  description:
    'SMPP intake of the ESME link: framing across chunk boundaries, deliver_sm/submit_sm decode, segment extraction',
  fuzz: intake,
  seeds: smppSeeds,
  properties: () => [
    { name: 'near-valid PDU streams', property: fc.property(nearValid(smppSeeds()), (b) => void intake(b)) },
  ],
};

export const wdpTargets: FuzzTarget[] = [udh, textHeader, reassembler, smppIntake];
