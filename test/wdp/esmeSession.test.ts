// The ESME session's response deadlines, against a raw SMSC on loopback (rawSmsc.ts): one timer
// serves every request, so a short deadline set after a long one must still fire on time, and
// a request answered in time must not be failed by a deadline of another.
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EsmeSession, ResponseTimeout } from '../../src/wdp/smpp/esmeSession.js';
import { header, pdu, rawSmsc } from './rawSmsc.js';
import { until } from '../helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

const ENQUIRE_LINK = 0x00000015;

async function session() {
  const smsc = await rawSmsc();
  open.push(smsc);
  const socket = connect(smsc.port, '127.0.0.1');
  open.push({ close: async () => void socket.destroy() });
  const s = new EsmeSession(socket);
  const peer = await smsc.accept();
  return { s, peer };
}

describe('EsmeSession response deadlines', () => {
  it('fails a short deadline set after a long one on time, and answers the long one', async () => {
    const { s, peer } = await session();
    const long = s.request(ENQUIRE_LINK, 5_000);
    const started = Date.now();
    const short = s.request(ENQUIRE_LINK, 100).catch((e: unknown) => e);
    const [first, second] = [await peer.next(), await peer.next()];
    expect([header(first)[0], header(second)[0]]).toEqual([ENQUIRE_LINK, ENQUIRE_LINK]);
    const error = await short;
    expect(error).toBeInstanceOf(ResponseTimeout);
    expect((error as ResponseTimeout).timeoutMs).toBe(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The long one is still outstanding: its answer resolves it.
    expect(s.awaiting(ENQUIRE_LINK)).toBe(1);
    peer.write(pdu(0x80000015, 0, first.readUInt32BE(12)));
    expect(header(await long)[2]).toBe(first.readUInt32BE(12));
    // The late answer to the one given up on is ignored, not matched to anything.
    const ignored = new Promise((resolve) => s.once('ignored', resolve));
    peer.write(pdu(0x80000015, 0, second.readUInt32BE(12)));
    expect(await ignored).toEqual({
      commandId: 0x80000015,
      sequence: second.readUInt32BE(12),
      reason: 'unexpected-response',
    });
  });

  it('fails each of many requests with one deadline, and none answered in time', async () => {
    const { s, peer } = await session();
    const answered = s.request(ENQUIRE_LINK, 150);
    const silent = Array.from({ length: 5 }, () => s.request(ENQUIRE_LINK, 150).catch((e: unknown) => e));
    const first = await peer.next();
    peer.write(pdu(0x80000015, 0, first.readUInt32BE(12)));
    expect(header(await answered)[0]).toBe(0x80000015);
    for (const e of await Promise.all(silent)) expect(e).toBeInstanceOf(ResponseTimeout);
    expect(s.awaiting(ENQUIRE_LINK)).toBe(0);
  });
});

describe('EsmeSession answers given outside a read', () => {
  it("writes one turn's deliver_sm_resp in one write, in the order given, before a later response", async () => {
    const { s, peer } = await session();
    const write = vi.spyOn(s.socket, 'write');
    const lengths = () => write.mock.calls.map(([chunk]) => (chunk instanceof Uint8Array ? chunk.length : -1));
    // As a store's commit settles them: after the read, in one turn, in any order of sequence.
    await Promise.resolve();
    s.answerDeliverSm(0, 12);
    s.answerDeliverSm(0x64, 11);
    s.answerDeliverSm(0, 13);
    // A response of another kind in the same turn goes after them, not before.
    s.respond(pdu(0x80000015, 0, 14));
    const got = [await peer.next(), await peer.next(), await peer.next(), await peer.next()].map(header);
    expect(got).toEqual([
      [0x80000005, 0, 12, 17],
      [0x80000005, 0x64, 11, 17],
      [0x80000005, 0, 13, 17],
      [0x80000015, 0, 14, 16],
    ]);
    // The three answers in one write, the enquire_link_resp in its own.
    expect(lengths()).toEqual([51, 16]);
    // The next turn's answer is a write of its own.
    s.answerDeliverSm(0, 15);
    expect(header(await peer.next())).toEqual([0x80000005, 0, 15, 17]);
    expect(lengths()).toEqual([51, 16, 17]);
  });

  it('writes answers given earlier in the turn before a request (an unbind must not overtake them)', async () => {
    const { s, peer } = await session();
    await Promise.resolve();
    s.answerDeliverSm(0, 21);
    s.answerDeliverSm(0, 22);
    const UNBIND = 0x00000006;
    void s.request(UNBIND, 1_000).catch(() => {});
    const got = [await peer.next(), await peer.next(), await peer.next()].map((p) => header(p).slice(0, 3));
    expect(got.map(([id]) => id)).toEqual([0x80000005, 0x80000005, UNBIND]);
    expect(got.slice(0, 2).map(([, , seq]) => seq)).toEqual([21, 22]);
  });
});

describe('EsmeSession unsent octets', () => {
  it('a sending session keeps reading however much of its own it has queued (no unsent bound by default)', async () => {
    const { s, peer } = await session();
    expect(s.maxUnsentOctets).toBe(Infinity);
    // A broadcast's submits queued behind a peer that reads slowly: 2 MiB not sent.
    peer.socket.pause();
    // (Written until past what the kernel's buffers take: more than 1 MiB stays in Node.)
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 64 && s.socket.writableLength <= 2 * block.length; i++) {
      s.socket.write(block);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(s.socket.writableLength).toBeGreaterThan(1024 * 1024);
    let chunks = 0;
    s.socket.on('data', () => chunks++);
    // Its peer's PDUs (submit_sm_resp, receipts, enquire_link) are still read, chunk after chunk.
    peer.write(pdu(ENQUIRE_LINK, 0, 7));
    await until(() => chunks >= 1, 5_000, 'the first chunk read');
    peer.write(pdu(ENQUIRE_LINK, 0, 8));
    await until(() => chunks >= 2, 5_000, 'the second chunk read');
    expect(s.readingStopped).toBe(false);
  });
});
