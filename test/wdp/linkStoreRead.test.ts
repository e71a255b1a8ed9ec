// How the link reads deliver_sm on a store (docs/smpp.md, "The receive path on a store"): into
// its one reusable record, as in memory mode, with no Segment object made for a single SMS or
// for a segment the store takes. What it answers, hands over and reports is that of memory
// mode for every single SMS, well formed or not, and for a concatenated message sent whole;
// only what the store refuses differs, as it always has. Real SMPP on 127.0.0.1 against a raw
// SMSC; a memory store and an lmdb one in a temporary directory.
// References: SMPP v3.4 4.6 deliver_sm, 5.1.3 command_status; 3GPP TS 23.040 9.2.3.24 (UDH:
// 00 concatenation 8-bit, 08 concatenation 16-bit, 04 ports 8-bit, 05 ports 16-bit).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError, StoreErrorCode } from '../../src/store/errors.js';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { PAYLOAD_CHUNK_OCTETS } from '../../src/wdp/reassembler.js';
import { SegmentAt } from '../../src/wdp/segmentAt.js';
import type { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu, type ShortMessageInit } from '../../src/wdp/smpp/shortMessage.js';
import { CommandStatus } from '../../src/wdp/smpp/status.js';
import { TlvTag } from '../../src/wdp/smpp/tlv.js';
import { hex } from '../helpers.js';
import { linkAtRawSmsc, startBound } from './linkAtRawSmsc.js';
import type { RawPeer } from './rawSmsc.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanup.length) await cleanup.pop()!();
});

const { ESME_ROK: ROK, ESME_RX_T_APPN: T_APPN, ESME_RX_P_APPN: P_APPN } = CommandStatus;

/** A deliver_sm from 9200 to +447700900123 (binary unless said), its fields over these. */
const deliver = (sequenceNumber: number, init: ShortMessageInit): Buffer =>
  Buffer.from(
    encodeShortMessagePdu({
      commandId: CommandId.deliver_sm,
      sequenceNumber,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
      dataCoding: 0x04,
      ...init,
    }),
  );

/** A single SMS with a user data header `udh` (its UDHL included) before `data`. */
const headed = (sequence: number, udh: string, data: string, init: ShortMessageInit = {}): Buffer =>
  deliver(sequence, { esmClass: 0x40, shortMessage: hex(udh + data), ...init });

/** A datagram as compared here: its fields, the payload in hex. */
interface Seen {
  originator: string;
  recipient: string;
  sourcePort?: number;
  destinationPort?: number;
  segments: number;
  payload: string;
}

const seen = (d: WdpDatagram): Seen => {
  const out: Seen = { originator: d.originator, recipient: d.recipient, segments: d.segments, payload: '' };
  if (d.sourcePort !== undefined) out.sourcePort = d.sourcePort;
  if (d.destinationPort !== undefined) out.destinationPort = d.destinationPort;
  out.payload = Buffer.from(d.payload).toString('hex');
  return out;
};

const byPayload = (a: Seen, b: Seen) => a.payload.localeCompare(b.payload);

const wsp = (payload: string, segments = 1): Seen => ({
  originator: '9200',
  recipient: '+447700900123',
  sourcePort: 9200,
  destinationPort: 2948,
  segments,
  payload,
});

/**
 * One deliver_sm of the corpus: what it is, its PDU, the answer it gets, and the datagram it
 * completes (if any). `store` says where a store answers otherwise than memory mode.
 */
interface Case {
  what: string;
  pdu: Buffer;
  status: number;
  datagram?: Seen;
  store?: { status: number };
}

/** Single SMS: read the quick way, by the general decode, and not read at all. */
const singles: Case[] = [
  {
    what: 'WDP, 16-bit ports',
    pdu: headed(1, '06 05040b8423f0', '01 06 0203'),
    status: ROK,
    datagram: wsp('01060203'),
  },
  {
    what: 'WDP, 8-bit ports',
    pdu: headed(2, '04 0402 1020', 'aa bb'),
    status: ROK,
    datagram: {
      originator: '9200',
      recipient: '+447700900123',
      sourcePort: 0x20,
      destinationPort: 0x10,
      segments: 1,
      payload: 'aabb',
    },
  },
  {
    what: 'binary, no UDH',
    pdu: deliver(3, { shortMessage: hex('0102 03') }),
    status: ROK,
    datagram: { originator: '9200', recipient: '+447700900123', segments: 1, payload: '010203' },
  },
  {
    what: 'a concatenation of 1 (8-bit reference)',
    pdu: headed(4, '0b 05040b8423f0 0003070101', '02 06'),
    status: ROK,
    datagram: wsp('0206'),
  },
  {
    what: 'a concatenation of 1 (16-bit reference)',
    pdu: headed(5, '0c 05040b8423f0 080401020101', '03 06'),
    status: ROK,
    datagram: wsp('0306'),
  },
  {
    what: 'an unread TLV after the user data',
    pdu: headed(6, '06 05040b8423f0', '04 06', { tlvs: [{ tag: 0x1403, value: hex('0102') }] }),
    status: ROK,
    datagram: wsp('0406'),
  },
  {
    what: 'message_payload with port TLVs (the general decode)',
    pdu: deliver(7, {
      tlvs: [
        { tag: TlvTag.source_port, value: hex('23f0') },
        { tag: TlvTag.destination_port, value: hex('0b84') },
        { tag: TlvTag.message_payload, value: hex('0506') },
      ],
    }),
    status: ROK,
    datagram: wsp('0506'),
  },
  {
    what: 'segment 2 of a concatenation of 1: rejected, acknowledged, not handed over',
    pdu: headed(8, '0b 05040b8423f0 0003070102', '06 06'),
    status: ROK,
  },
  { what: 'UCS2 behind a UDH', pdu: headed(9, '06 05040b8423f0', '00', { dataCoding: 0x08 }), status: P_APPN },
  { what: 'concatenation twice', pdu: headed(10, '08 0003070301 0003070302', ''), status: P_APPN },
  { what: 'a concatenation IE of the wrong length', pdu: headed(11, '05 0004070301', ''), status: P_APPN },
  { what: 'a UDHL past the end', pdu: headed(12, '09 0003070301', ''), status: P_APPN },
  { what: 'UDHI with no user data', pdu: deliver(13, { esmClass: 0x40 }), status: P_APPN },
  { what: 'sm_length past the end', pdu: smLengthPastEnd(14), status: P_APPN },
  { what: 'cut inside destination_addr', pdu: cutAt(15, 16 + 1 + 2 + 5 + 2 + 4), status: P_APPN },
];

/** A 3-segment message sent whole, in order, then one whose segment numbers the store refuses. */
const concatenated: Case[] = [
  { what: 'segment 1 of 3', pdu: headed(20, '0b 05040b8423f0 0003410301', '0a0a'), status: ROK },
  { what: 'segment 2 of 3', pdu: headed(21, '0b 05040b8423f0 0003410302', '0b0b'), status: ROK },
  {
    what: 'segment 3 of 3',
    pdu: headed(22, '0b 05040b8423f0 0003410303', '0c0c'),
    status: ROK,
    datagram: wsp('0a0a0b0b0c0c', 3),
  },
  // The reassembler rejects these (acknowledged, dropped); the store takes no such segment.
  {
    what: 'segment 1 of 0',
    pdu: headed(23, '0b 05040b8423f0 0003420001', '0d'),
    status: ROK,
    store: { status: P_APPN },
  },
  {
    what: 'segment 3 of 2',
    pdu: headed(24, '0b 05040b8423f0 0003430203', '0e'),
    status: ROK,
    store: { status: P_APPN },
  },
];

/** A deliver_sm whose sm_length says 40 octets where 2 follow. */
function smLengthPastEnd(sequence: number): Buffer {
  const pdu = deliver(sequence, { shortMessage: hex('0102') });
  pdu[pdu.length - 3] = 40;
  return pdu;
}

/** A deliver_sm cut after `length` octets, its command_length saying so. */
function cutAt(sequence: number, length: number): Buffer {
  const pdu = Buffer.from(deliver(sequence, { shortMessage: hex('01') }).subarray(0, length));
  pdu.writeUInt32BE(length, 0);
  return pdu;
}

/** What a link made of the corpus: answers by sequence, datagrams, 'undecodable' reports. */
interface Outcome {
  answers: [number, number][];
  datagrams: Seen[];
  undecodable: { sequence: number; name: string; code?: string; offset?: number; message: string }[];
  stats: Partial<EsmeLink['stats']>;
  /** The length of the ArrayBuffer under each single SMS's payload, in the order delivered. */
  singleBuffers: number[];
}

async function boundLink(store: Store | undefined): Promise<{ link: EsmeLink; peer: RawPeer; got: WdpDatagram[] }> {
  const { smsc, link, got, close } = await linkAtRawSmsc(store ? { store } : {});
  cleanup.push(close);
  const { peer } = await startBound(smsc, link);
  return { link, peer, got };
}

/** The corpus through a link on `store` (none: memory mode), all in one write, then one by one. */
async function run(cases: Case[], store: Store | undefined): Promise<Outcome> {
  const { link, peer, got } = await boundLink(store);
  const undecodable: Outcome['undecodable'] = [];
  link.on('undecodable', ({ error, pdu }) => {
    const e = error as { name: string; code?: string; offset?: number; message: string };
    undecodable.push({
      sequence: pdu.readUInt32BE(12),
      name: e.name,
      code: e.code,
      offset: e.offset,
      message: e.message,
    });
  });
  const answers = new Map<number, number>();
  const answer = async () => {
    const pdu = await peer.next(3_000);
    expect(pdu.readUInt32BE(4)).toBe(0x80000005);
    answers.set(pdu.readUInt32BE(12), pdu.readUInt32BE(8));
  };
  peer.write(Buffer.concat(cases.map((c) => c.pdu)));
  for (let i = 0; i < cases.length; i++) await answer();
  const { deliverSm, datagrams, undecodable: count, duplicateSingles, storeRefused } = link.stats;
  return {
    answers: [...answers].sort((a, b) => a[0] - b[0]),
    // On a store a message completes as its commit settles, not in the order of the reads.
    datagrams: got.map(seen).sort(byPayload),
    undecodable,
    stats: { deliverSm, datagrams, undecodable: count, duplicateSingles, storeRefused },
    singleBuffers: got.filter((d) => d.segments === 1).map((d) => d.payload.buffer.byteLength),
  };
}

const expected = (cases: Case[], mode: 'memory' | 'store') => ({
  answers: cases.map((c) => [c.pdu.readUInt32BE(12), mode === 'store' && c.store ? c.store.status : c.status]),
  datagrams: cases.flatMap((c) => (c.datagram ? [c.datagram] : [])).sort(byPayload),
});

function lmdb(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-storeread-'));
  const store = new LmdbStore(dir, { sync: 'always' });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => store.close());
  return store;
}

const stores: [string, () => Store][] = [
  ['a memory store', () => new MemoryStore()],
  ['an lmdb store', lmdb],
];

describe('deliver_sm read on a store', () => {
  it.each(stores)('single SMS on %s: the answers, datagrams and reports of memory mode', async (_, open) => {
    const memory = await run(singles, undefined);
    const stored = await run(singles, open());
    for (const outcome of [memory, stored]) {
      expect(outcome.answers, singles.map((c) => c.what).join('; ')).toEqual(expected(singles, 'memory').answers);
      expect(outcome.datagrams).toEqual(expected(singles, 'memory').datagrams);
      expect(outcome.undecodable.map((u) => u.sequence)).toEqual([9, 10, 11, 12, 13, 14, 15]);
      expect(outcome.undecodable.every((u) => u.name === 'DecodeError' && typeof u.offset === 'number')).toBe(true);
    }
    // The same error, code, offset and message for each malformed PDU.
    expect(stored.undecodable).toEqual(memory.undecodable);
    expect(stored.stats).toEqual({ ...memory.stats, storeRefused: 0 });
    expect(stored.stats).toMatchObject({ deliverSm: 15, datagrams: 7, undecodable: 7, duplicateSingles: 0 });
  });

  it.each(stores)(
    'concatenated on %s: the message of memory mode; what the store cannot take refused',
    async (_, open) => {
      const memory = await run(concatenated, undefined);
      const stored = await run(concatenated, open());
      expect(memory).toMatchObject(expected(concatenated, 'memory'));
      expect(stored).toMatchObject(expected(concatenated, 'store'));
      expect(memory.undecodable).toEqual([]);
      expect(stored.undecodable).toEqual([
        { sequence: 23, name: 'RangeError', code: undefined, offset: undefined, message: 'segment 1 of 0' },
        { sequence: 24, name: 'RangeError', code: undefined, offset: undefined, message: 'segment 3 of 2' },
      ]);
    },
  );

  it('makes no Segment object for a single SMS, nor for a segment the store takes', async () => {
    const toSegment = vi.spyOn(SegmentAt.prototype, 'toSegment');
    const taken: StoredSegment[] = [];
    const given: Uint8Array[] = [];
    const store = new (class extends MemoryStore {
      override addSegment(segment: StoredSegment, done: (error: unknown, outcome?: SegmentOutcome) => void): void {
        given.push(segment.data);
        taken.push({ ...segment, data: Uint8Array.from(segment.data) });
        super.addSegment(segment, done);
      }
    })();
    cleanup.push(() => store.close());
    const wellFormed = [...singles.slice(0, 6), ...concatenated.slice(0, 3)];
    const outcome = await run(wellFormed, store);
    expect(outcome).toMatchObject(expected(wellFormed, 'store'));
    // The old path built one per deliver_sm (segmentFromShortMessagePdu), then a copy for the store.
    expect(toSegment).not.toHaveBeenCalled();
    // What the store was given: every field of the segment, its octets its own.
    expect(taken).toEqual(
      ['0a0a', '0b0b', '0c0c'].map((data, i) => ({
        originator: '9200',
        recipient: '+447700900123',
        reference: 0x41,
        total: 3,
        sequence: i + 1,
        data: Uint8Array.from(hex(data)),
        sourcePort: 9200,
        destinationPort: 2948,
        referenceBits: 8,
      })),
    );
    // Their octets copied out of the socket read into the reassembler's payload chunks: a view of
    // the read would keep the whole socket chunk alive for as long as the store holds the part.
    // (A chunk of the socket's is never PAYLOAD_CHUNK_OCTETS long: it is the read, or 64 KiB.)
    expect(given.map((d) => d.buffer.byteLength)).toEqual([
      PAYLOAD_CHUNK_OCTETS,
      PAYLOAD_CHUNK_OCTETS,
      PAYLOAD_CHUNK_OCTETS,
    ]);
    // The same for a single SMS's datagram, which the handler may keep.
    expect(outcome.singleBuffers).toEqual(Array(6).fill(PAYLOAD_CHUNK_OCTETS));
  });

  it("answers ESME_RX_T_APPN and tells 'store-error' when the store cannot look up a single SMS or take a segment", async () => {
    const store = new (class extends MemoryStore {
      override addSegment(_segment: StoredSegment, done: (error: unknown, outcome?: SegmentOutcome) => void): void {
        done(new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'the disk is full'));
      }
      override seenHashed(_hashed: string, done: (error: unknown, seen?: boolean) => void): void {
        done(new StoreError(StoreErrorCode.STORE_UNAVAILABLE, 'no reply'));
      }
    })();
    cleanup.push(() => store.close());
    const { link, peer, got } = await boundLink(store);
    const errors: string[] = [];
    link.on('store-error', (e) => errors.push((e as Error).message));
    peer.write(Buffer.concat([singles[0].pdu, concatenated[0].pdu]));
    const answers = [await peer.next(), await peer.next()].map((p) => [p.readUInt32BE(12), p.readUInt32BE(8)]);
    expect(answers.sort((a, b) => a[0] - b[0])).toEqual([
      [1, T_APPN],
      [20, T_APPN],
    ]);
    expect(errors.sort()).toEqual(['no reply', 'the disk is full']);
    expect(got).toEqual([]);
    expect(link.stats).toMatchObject({ storeRefused: 2, datagrams: 0, undecodable: 0 });
    expect(link.inFlightCount).toBe(0);
  });
});
