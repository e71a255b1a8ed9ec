// No segment is answered ESME_ROK before what its answer depends on is committed to the store
// file (docs/state.md, "What lmdb at `always` waits for"): a held segment's message record
// (['m', slot]) holding it, or, for a message that completed, its fingerprints (['d', slot]).
// Checked at the moment the link hands each answer to its socket, by reading the file through a
// read-only lmdb handle, which sees only committed transactions, never the working copy. Real
// SMPP on 127.0.0.1 against a raw SMSC, a real lmdb store in each sync mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { identityOfKey } from '../../src/store/keys.js';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import type { StoreSync } from '../../src/store/options.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { until } from '../helpers.js';
import { acceptBound, rawSmsc } from '../wdp/rawSmsc.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanup.length) await cleanup.pop()!();
});

/** 300 octets for message `reference`: three segments. */
const payloadOf = (reference: number) => Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + reference * 31) & 0xff);

/** What the SMSC sent under each sequence_number: the message's reference and the segment's index. */
type Sent = Map<number, { reference: number; index: number }>;

function deliverSm(sent: Sent, sequence: number, reference: number, index: number): Buffer {
  const parts = smppShortMessages(payloadOf(reference), { reference });
  expect(parts).toHaveLength(3);
  sent.set(sequence, { reference, index });
  return Buffer.from(
    encodeShortMessagePdu({
      ...parts[index],
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
    }),
  );
}

const DELIVER_SM_RESP = 0x80000005;

describe.each(['always', 'everysec', 'no'] as const)('lmdb at sync %s', (sync: StoreSync) => {
  it('hands no ESME_ROK to the socket before its segment or its message is committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-answer-order-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state');
    const store = new LmdbStore(path, { sync });
    cleanup.push(() => store.close());
    const reader = open<unknown, (string | number)[]>({ path, readOnly: true, compression: false });
    cleanup.push(() => reader.close());

    /** From the file as committed: references with a record holding segment i, and completed ones. */
    const committed = () => {
      reader.resetReadTxn();
      const held = new Map<number, Set<number>>();
      const done = new Set<number>();
      for (const { key, value } of reader.getRange({})) {
        if (key[0] === 'm') {
          const r = value as { k: string; p: (Uint8Array | null)[] };
          const indexes = new Set<number>();
          r.p.forEach((part, i) => part !== null && indexes.add(i));
          held.set(identityOfKey(r.k).reference, indexes);
        } else if (key[0] === 'd') done.add(identityOfKey((value as { k: string }).k).reference);
      }
      return { held, done };
    };

    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const delivered: number[] = [];
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${raw.port}`,
      store,
      enquireLinkMs: 0,
      onDatagram: (d) => void delivered.push(d.payload[0]),
    });
    cleanup.push(() => link.close(100));
    const started = link.start();
    const { peer } = await acceptBound(raw);
    await started;

    const sent: Sent = new Map();
    const checked: Array<[number, string]> = [];
    const early: string[] = [];
    const write = Socket.prototype.write;
    vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
      const out = args[0];
      if (this.remotePort === raw.port && Buffer.isBuffer(out)) {
        const disk = committed();
        for (let at = 0; at + 16 <= out.length; at += out.readUInt32BE(at)) {
          if (out.readUInt32BE(at + 4) !== DELIVER_SM_RESP || out.readUInt32BE(at + 8) !== 0) continue;
          const sequence = out.readUInt32BE(at + 12);
          const s = sent.get(sequence)!;
          const ok = disk.done.has(s.reference) || disk.held.get(s.reference)?.has(s.index) === true;
          checked.push([sequence, ok ? 'committed' : 'not committed']);
          if (!ok) early.push(`${sequence} (message ${s.reference}, segment ${s.index + 1})`);
        }
      }
      return Boolean(Reflect.apply(write, this, args));
    });

    // Three reads: first segments of five messages; their second segments with the first of
    // two more and a repeat; then every last segment, which completes the first five.
    let seq = 1;
    const read = (pairs: Array<[number, number]>) =>
      peer.write(Buffer.concat(pairs.map(([reference, index]) => deliverSm(sent, seq++, reference, index))));
    read([1, 2, 3, 4, 5].map((r) => [r, 0]));
    await until(() => checked.length >= 5, 5_000, 'the first answers');
    read([
      [1, 1],
      [6, 0],
      [2, 1],
      [3, 1],
      [7, 0],
      [4, 1],
      [5, 1],
      [1, 1],
    ]);
    await until(() => checked.length >= 13, 5_000, 'the second answers');
    read([1, 2, 3, 4, 5].map((r) => [r, 2]));
    await until(() => checked.length >= 18, 5_000, 'the last answers');

    expect(early).toEqual([]);
    expect(checked).toHaveLength(18);
    expect(delivered).toHaveLength(5);
  }, 30_000);
});
