// On lmdb the segment that completes a message is answered only once its finish() is stored
// (docs/state.md, "The bearer on the store"). When that finish cannot be stored (the disk
// refused a commit while the handler ran), the store reads its state back from disk once it can
// write again: the message's other segments, never its completing one. So the completing segment
// is answered ESME_RX_T_APPN, and the SMSC's resend completes the message again (a duplicate):
// answered ESME_ROK, those segments would never complete, to be reported lost after timeoutMs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { acceptBound, rawSmsc, type RawPeer } from '../wdp/rawSmsc.js';
import { until } from './pushes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;
const ESME_ROK = 0;
const ESME_RX_T_APPN = 0x64;

function limitFileSize(octets: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${octets}:unlimited`]);
}

const payload = Uint8Array.from({ length: 360 }, (_, i) => (i * 13 + 5) & 0xff);

async function send(peer: RawPeer, sequence: number, index: number): Promise<number> {
  const part = smppShortMessages(payload, { reference: 55 })[index];
  peer.write(
    encodeShortMessagePdu({
      ...part,
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
    }),
  );
  const p = await peer.next(5_000);
  expect(p.readUInt32BE(4)).toBe(DELIVER_SM_RESP);
  expect(p.readUInt32BE(12)).toBe(sequence);
  return p.readUInt32BE(8);
}

describe('EsmeLink on lmdb: a finish that could not be stored', () => {
  it('answers the completing segment ESME_RX_T_APPN, and the resend completes the message again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-finish-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = new LmdbStore(join(dir, 'state'), { probeIntervalMs: 50 });
    cleanup.push(() => store.close());
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const got: WdpDatagram[] = [];
    let settle: (() => void) | undefined;
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${raw.port}`,
      store,
      enquireLinkMs: 0,
      onDatagram: (d) => {
        got.push(d);
        // The first time, the handler settles only once the disk has refused a commit.
        if (got.length === 1) return new Promise<void>((r) => (settle = r));
      },
    });
    cleanup.push(() => link.close(100));
    const started = link.start();
    const { peer } = await acceptBound(raw);
    await started;
    expect(smppShortMessages(payload, { reference: 55 })).toHaveLength(3);
    expect(await send(peer, 1, 0)).toBe(ESME_ROK);
    expect(await send(peer, 2, 1)).toBe(ESME_ROK);
    const answer = send(peer, 3, 2);
    await until(
      () => settle !== undefined,
      5_000,
      () => 'the handler',
    );

    // The disk fills while the handler runs: other messages' segments until a commit fails.
    limitFileSize(0);
    try {
      const big = new Uint8Array(60_000);
      for (let ref = 1; ref < 400 && store.available; ref++)
        await store.segments
          .add({ originator: 'fill', recipient: 'x', reference: ref, total: 2, sequence: 1, data: big })
          .catch(() => {});
      expect(store.available).toBe(false);
      settle!();
      expect(await answer).toBe(ESME_RX_T_APPN);
    } finally {
      limitFileSize('unlimited');
    }

    await until(
      () => store.available,
      5_000,
      () => 'the store back',
    );
    // Its other segments were read back from disk; the SMSC's resend completes it again.
    expect(await send(peer, 4, 2)).toBe(ESME_ROK);
    expect(got).toHaveLength(2);
    expect(Buffer.from(got[1].payload).equals(Buffer.from(payload))).toBe(true);
    expect((await store.segments.list()).filter((m) => m.originator === '9200')).toEqual([]);
  }, 20_000);
});
