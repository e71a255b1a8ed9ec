// How the link answers segments on a durable store (docs/smpp.md): the segments of one read
// are committed together, and their acknowledgements leave together once the commit settles,
// in one socket write, each deliver_sm_resp with its own sequence_number and status, whatever
// each segment's outcome; what needs no commit (a refusal) leaves with the read. Real SMPP on 127.0.0.1 against a raw SMSC, a real lmdb store at `always`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { SegmentOutcome, Store, StoredSegment } from '../../src/store/types.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { until } from '../helpers.js';
import { acceptBound, rawSmsc, type RawPeer } from '../wdp/rawSmsc.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanup.length) await cleanup.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-answers-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** 250 octets that no other message of the test carries: two segments. */
const payloadOf = (seed: number) => Uint8Array.from({ length: 250 }, (_, i) => (i * 13 + seed * 101) & 0xff);

/** Segment `i` of the message `seed` (reference `seed`) as a deliver_sm with `sequence`. */
function deliverSm(sequence: number, seed: number, i: number, total = 2): Buffer {
  const data = total === 2 ? payloadOf(seed) : Uint8Array.from({ length: 300 }, (_, k) => (k + seed) & 0xff);
  const parts = smppShortMessages(data, { reference: seed });
  expect(parts).toHaveLength(total);
  return Buffer.from(
    encodeShortMessagePdu({
      ...parts[i],
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
    }),
  );
}

/** The next `n` deliver_sm_resp, as sequence_number -> command_status. */
async function answers(peer: RawPeer, n: number): Promise<Map<number, number>> {
  const got = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const pdu = await peer.next(3_000);
    expect(pdu.readUInt32BE(4)).toBe(0x80000005);
    expect(pdu.readUInt32BE(0)).toBe(17); // an empty message_id
    got.set(pdu.readUInt32BE(12), pdu.readUInt32BE(8));
  }
  return got;
}

async function linkOn(store: Store, onDatagram: (d: WdpDatagram) => void | Promise<void>) {
  const raw = await rawSmsc();
  cleanup.push(() => raw.close());
  const link = new EsmeLink({ smsc: `smpp://client:pw@127.0.0.1:${raw.port}`, store, enquireLinkMs: 0, onDatagram });
  cleanup.push(() => link.close(100));
  const started = link.start();
  const { peer } = await acceptBound(raw);
  await started;
  // The link's own socket is the one whose far end is the raw SMSC's port: its writes are counted.
  const writes: Buffer[] = [];
  const write = Socket.prototype.write;
  vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
    if (this.remotePort === raw.port && Buffer.isBuffer(args[0])) writes.push(Buffer.from(args[0]));
    return Boolean(Reflect.apply(write, this, args));
  });
  return { peer, link, writes };
}

const OK = 0;
const RX_T_APPN = 0x64;

describe('EsmeLink answers on a durable store', () => {
  it('answers one read whose segments end differently in one write once the commit settles', async () => {
    const store = new LmdbStore(join(tempDir(), 'state'), { sync: 'always' });
    cleanup.push(() => store.close());
    const failing = Buffer.from(payloadOf(21));
    const got: WdpDatagram[] = [];
    const { peer, writes } = await linkOn(store, (d) => {
      // The handler fails message 21 (its completing segment is answered ESME_RX_T_APPN).
      if (Buffer.from(d.payload).equals(failing)) throw new Error('the application is down');
      got.push(d);
    });
    // One read: held, held, completing (its handler fails), held, completing (handled), a
    // duplicate of a held one.
    peer.write(
      Buffer.concat([
        deliverSm(101, 21, 0),
        deliverSm(102, 22, 0, 3),
        deliverSm(103, 21, 1),
        deliverSm(104, 23, 0),
        deliverSm(105, 23, 1),
        deliverSm(106, 22, 0, 3),
      ]),
    );
    const statuses = await answers(peer, 6);
    expect([...statuses].sort((a, b) => a[0] - b[0])).toEqual([
      [101, OK],
      [102, OK],
      [103, RX_T_APPN],
      [104, OK],
      [105, OK],
      [106, OK],
    ]);
    // The refusal needs no commit: it leaves with the read. The other five wait for the one
    // commit and leave from its one settlement: one write, each answer 17 octets.
    expect(writes.map((w) => w.length)).toEqual([17, 5 * 17]);
    expect([writes[0].readUInt32BE(12), writes[0].readUInt32BE(8)]).toEqual([103, RX_T_APPN]);
    expect(got.map((d) => Buffer.from(d.payload).equals(Buffer.from(payloadOf(23))))).toEqual([true]);
    // Stored before answered: what was acknowledged is on disk, the failed message kept whole.
    const pending = await store.inspect();
    expect(pending.pending.messages).toBe(2); // 21 (released, whole) and 22 (1 of 3)
  }, 20_000);

  it('still answers a completing segment when a handler-error listener throws', async () => {
    const store = new MemoryStore();
    cleanup.push(() => store.close());
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanup.push(() => void process.off('warning', onWarning));
    const { peer, link } = await linkOn(store, async () => {
      throw new Error('the application is down');
    });
    link.on('handler-error', () => {
      throw new Error('a listener with a bug');
    });
    peer.write(Buffer.concat([deliverSm(7, 41, 0), deliverSm(8, 41, 1)]));
    // The completing segment gets the handler's outcome, and nothing stays in flight.
    const statuses = await answers(peer, 2);
    expect([...statuses].sort((a, b) => a[0] - b[0])).toEqual([
      [7, OK],
      [8, RX_T_APPN],
    ]);
    await until(() => warnings.length > 0, 2_000);
    expect(warnings[0].message).toMatch(/a listener with a bug/);
    expect(link.inFlightCount).toBe(0);
  });

  it('answers within the read on a store with nothing to wait for (the memory backend)', async () => {
    const store = new MemoryStore();
    cleanup.push(() => store.close());
    const { peer, writes, link } = await linkOn(store, () => {});
    peer.write(Buffer.concat([deliverSm(7, 31, 0), deliverSm(8, 31, 1), deliverSm(9, 32, 0)]));
    const statuses = await answers(peer, 3);
    expect([...statuses]).toEqual([
      [7, OK],
      [8, OK],
      [9, OK],
    ]);
    expect(writes.map((w) => w.length)).toEqual([3 * 17]);
    expect(link.stats.datagrams).toBe(1);
  }, 20_000);
});

function limitFileSize(octets: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${octets}:unlimited`]);
}

const stored = (reference: number, sequence: number): StoredSegment => ({
  originator: '+447700900123',
  recipient: '9200',
  reference,
  total: 2,
  sequence,
  data: payloadOf(reference * 2 + sequence),
});

describe('an in-process store called back for the segments of one commit', () => {
  it('calls each back with its own outcome, in order, once the commit settled', async () => {
    const path = join(tempDir(), 'state');
    const store = new LmdbStore(path, { sync: 'always' });
    cleanup.push(() => store.close());
    const calls: Array<[number, string]> = [];
    const each = (n: number) => (error: unknown, outcome?: SegmentOutcome) =>
      calls.push([n, error === undefined ? `${outcome?.status}` : 'error']);
    store.addSegment(stored(1, 1), each(1));
    store.addSegment(stored(2, 1), each(2));
    store.addSegment(stored(1, 1), each(3));
    // Nothing is answered before the commit: not within the call, not in this turn.
    await Promise.resolve();
    expect(calls).toEqual([]);
    const deadline = Date.now() + 3_000;
    while (calls.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(calls).toEqual([
      [1, 'held'],
      [2, 'held'],
      [3, 'duplicate'],
    ]);
    // On disk: a reopened store holds both messages.
    await store.close();
    const again = new LmdbStore(path, { sync: 'always' });
    cleanup.push(() => again.close());
    expect((await again.inspect()).pending.messages).toBe(2);
  });

  it('calls every segment of a commit that fails back with the error, none with an outcome', async () => {
    const store = new LmdbStore(join(tempDir(), 'state'), { sync: 'always', probeIntervalMs: 50 });
    cleanup.push(() => store.close());
    const calls: Array<[number, string]> = [];
    const each = (n: number) => (error: unknown, outcome?: SegmentOutcome) =>
      calls.push([n, error === undefined ? `${outcome?.status}` : 'error']);
    limitFileSize(0);
    try {
      // Segments enough to make the data file grow, while it cannot grow.
      for (let ref = 1; ref <= 40; ref++) store.addSegment(stored(ref, 1), each(ref));
      const deadline = Date.now() + 3_000;
      while (calls.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      limitFileSize('unlimited');
    }
    expect(calls).toHaveLength(40);
    expect(calls.filter(([, what]) => what !== 'error')).toEqual([]);
    expect(calls.map(([n]) => n)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
