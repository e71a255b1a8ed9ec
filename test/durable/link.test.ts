// The ESME link on a durable store (issue 17): every segment is stored before it is
// acknowledged, so a message survives its link and store being closed mid-way; a store that
// cannot write gets ESME_RX_T_APPN and no acknowledgement. Real SMPP on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { acceptBound, rawSmsc } from '../wdp/rawSmsc.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-durable-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A payload of `n` octets that no other test pushes. */
function payloadOf(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);
}

function limitFileSize(octets: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${octets}:unlimited`]);
}

describe('EsmeLink on an lmdb store, through the SMSC simulator', () => {
  it('a 3-segment push whose link and store closed after segment 1 was acknowledged completes after reopening', async () => {
    const path = join(tempDir(), 'state');
    const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 100 } });
    const port = await smsc.listen();
    cleanup.push(() => smsc.close());
    const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
    await submitter.start();
    cleanup.push(() => submitter.close());
    const payload = payloadOf(360, 1);
    expect(smppShortMessages(payload, { reference: 42 })).toHaveLength(3);
    const target = { to: '+447700900123', from: '9200', reference: 42 };

    let store = new LmdbStore(path);
    const got: WdpDatagram[] = [];
    let link = new EsmeLink({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, onDatagram: (d) => void got.push(d) });
    await link.start();
    let delivered = 0;
    smsc.on('delivered', () => delivered++);
    await submitter.submit(payload, { ...target, segmentOrder: [0] });
    await until(() => delivered === 1, 5_000, 'acknowledgement of segment 1');
    // The holder goes without finishing anything: the segment is only in the store now.
    await link.close(100);
    await store.close();
    expect(got).toEqual([]);

    store = new LmdbStore(path);
    cleanup.push(() => store.close());
    link = new EsmeLink({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, onDatagram: (d) => void got.push(d) });
    cleanup.push(() => link.close(100));
    await link.start();
    await submitter.submit(payload, { ...target, segmentOrder: [1, 2] });
    await until(() => got.length === 1 && delivered === 3, 5_000, 'the completed push');
    expect(got[0].segments).toBe(3);
    expect(Buffer.from(got[0].payload).equals(Buffer.from(payload))).toBe(true);
    expect((await store.inspect()).pending.messages).toBe(0);
  }, 20_000);
});

describe('EsmeLink on an lmdb store that cannot write', () => {
  it('answers ESME_RX_T_APPN, acknowledges nothing, stays up, and takes the resend once the store is back', async () => {
    const path = join(tempDir(), 'state');
    const store = new LmdbStore(path, { probeIntervalMs: 50 });
    cleanup.push(() => store.close());
    await store.segments.add({
      originator: 'x',
      recipient: 'y',
      reference: 1,
      total: 2,
      sequence: 1,
      data: new Uint8Array(1),
    });
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const got: WdpDatagram[] = [];
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${raw.port}`,
      store,
      enquireLinkMs: 0,
      onDatagram: (d) => void got.push(d),
    });
    cleanup.push(() => link.close(100));
    const events: string[] = [];
    link.on('store-unavailable', () => events.push('unavailable'));
    link.on('store-available', () => events.push('available'));
    const started = link.start();
    const { peer } = await acceptBound(raw);
    await started;

    const deliver = (sequence: number, i: number, data: Uint8Array, ref: number) =>
      peer.write(
        encodeShortMessagePdu({
          ...smppShortMessages(data, { reference: ref })[i],
          commandId: CommandId.deliver_sm,
          sequenceNumber: sequence,
          sourceAddr: '9200',
          destinationAddr: '+447700900123',
        }),
      );
    const statusOf = async () => {
      const pdu = await peer.next(3_000);
      expect(pdu.readUInt32BE(4)).toBe(0x80000005); // deliver_sm_resp
      return [pdu.readUInt32BE(12), pdu.readUInt32BE(8)];
    };
    // Segments that make the data file grow, written while it cannot grow.
    const big = (ref: number) => payloadOf(250, ref);
    expect(smppShortMessages(big(1), { reference: 1 })).toHaveLength(2);
    const statuses: number[][] = [];
    limitFileSize(0);
    try {
      for (let ref = 10; ref < 400 && !statuses.some(([, s]) => s === 0x64); ref++) {
        deliver(ref, 0, big(ref), ref);
        statuses.push(await statusOf());
      }
    } finally {
      limitFileSize('unlimited');
    }
    const refused = statuses.filter(([, s]) => s === 0x64).map(([seq]) => seq);
    expect(refused.length).toBeGreaterThan(0); // ESME_RX_T_APPN
    expect(statuses.every(([, s]) => s === 0 || s === 0x64)).toBe(true);
    expect(link.bound).toBe(true);
    expect(link.stats.storeRefused).toBeGreaterThan(0);
    await until(() => store.available, 5_000, 'the store back');
    await until(() => events.includes('available'), 5_000, 'the link to hear of it');
    expect(events[0]).toBe('unavailable');
    // What was refused was not kept: its resend is taken as new, then completes with segment 2.
    const ref = refused[0];
    deliver(1_000, 0, big(ref), ref);
    expect(await statusOf()).toEqual([1_000, 0]);
    deliver(1_001, 1, big(ref), ref);
    expect(await statusOf()).toEqual([1_001, 0]);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0].payload).equals(Buffer.from(big(ref)))).toBe(true);
  }, 20_000);
});
