// A single SMS on a durable store is answered ESME_ROK only once its duplicate memory entry
// (['u', HASH], docs/state.md) is committed to the store file, in each sync mode; a repeat of
// one (its entry committed) is answered ESME_ROK and not handed over again. Checked at the
// moment the link hands each answer to its socket, by reading the file through a read-only
// lmdb handle, which sees only committed transactions. Real SMPP on 127.0.0.1 against a raw
// SMSC, a real lmdb store.
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import type { StoreSync } from '../../src/store/options.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { until } from '../helpers.js';
import { acceptBound, rawSmsc } from './rawSmsc.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;

/** A single SMS (port UDH) whose payload is 40 octets starting with `n`. */
function single(sequence: number, n: number): Buffer {
  const parts = smppShortMessages(
    Uint8Array.from({ length: 40 }, (_, i) => (i === 0 ? n : (i * 13 + n) & 0xff)),
    {},
  );
  expect(parts).toHaveLength(1);
  return Buffer.from(
    encodeShortMessagePdu({
      ...parts[0],
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
    }),
  );
}

describe.each(['always', 'everysec'] as const)('single SMS on lmdb at sync %s', (sync: StoreSync) => {
  it('hands no ESME_ROK to the socket before the duplicate memory of its SMS is committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-single-commit-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state');
    const store = new LmdbStore(path, { sync });
    cleanup.push(() => store.close());
    const reader = open<unknown, (string | number)[]>({ path, readOnly: true, compression: false });
    cleanup.push(() => reader.close());
    /** Duplicate memory entries in the file as committed. */
    const remembered = (): number => {
      reader.resetReadTxn();
      let n = 0;
      for (const key of reader.getKeys({})) if (key[0] === 'u') n++;
      return n;
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

    // What each ESME_ROK needs in the file: as many entries as distinct SMS answered so far.
    const distinctOf = new Map<number, number>();
    const answered = new Set<number>();
    const early: string[] = [];
    let checked = 0;
    const write = Socket.prototype.write;
    vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
      const out = args[0];
      if (this.remotePort === raw.port && Buffer.isBuffer(out)) {
        const onDisk = remembered();
        for (let at = 0; at + 16 <= out.length; at += out.readUInt32BE(at)) {
          if (out.readUInt32BE(at + 4) !== DELIVER_SM_RESP) continue;
          expect(out.readUInt32BE(at + 8)).toBe(0);
          checked++;
          answered.add(distinctOf.get(out.readUInt32BE(at + 12))!);
          if (onDisk < answered.size)
            early.push(`sequence ${out.readUInt32BE(at + 12)}: ${onDisk} of ${answered.size}`);
        }
      }
      return Boolean(Reflect.apply(write, this, args));
    });

    let seq = 1;
    const read = (ns: number[]) =>
      peer.write(
        Buffer.concat(
          ns.map((n) => {
            distinctOf.set(seq, n);
            return single(seq++, n);
          }),
        ),
      );
    read([1, 2, 3, 4, 5, 6, 7, 8]);
    await until(() => checked >= 8, 5_000, 'the first answers');
    // Repeats of 2 and 5 (remembered), beside three new ones.
    read([9, 2, 10, 5, 11]);
    await until(() => checked >= 13, 5_000, 'the second answers');

    expect(early).toEqual([]);
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(link.stats.duplicateSingles).toBe(2);
    expect(remembered()).toBe(11);
  }, 30_000);
});
