// What a paused link holds, and for how long: the held queue stays as large as what it holds
// under steady load; held deliver_sm are refused past MAX_HELD_OCTETS and after maxHoldMs; the
// store's return with a handler still running restores the hold; and a peer that does not read
// its answers makes the link stop reading (MAX_UNSENT_OCTETS), paused or not. Real TCP on
// 127.0.0.1 against a raw SMSC. SMPP v3.4 4.6.2, 4.11, 5.1.3.
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import { MAX_UNSENT_OCTETS } from '../../src/wdp/smpp/esmeSession.js';
import { HeldFrames, MAX_HELD_OCTETS } from '../../src/wdp/smpp/heldFrames.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { SmppCommand } from '../../src/wdp/smpp/commands.js';
import { CommandStatus } from '../../src/wdp/smpp/status.js';
import { parseExposition, sampleValue } from '../ops/exposition.js';
import { linkAtRawSmsc } from './linkAtRawSmsc.js';
import {
  DELIVER_SM_RESP,
  deliverSms,
  ENQUIRE_LINK_RESP,
  enquireLink,
  FlakyStore,
  hangingHandler,
  nextHeaders,
  payloadOf,
  quiet,
  single,
  until,
  boundLink,
  closeOpened,
  later,
} from './pausedLink.js';
import { header, pdu, type RawPeer } from './rawSmsc.js';

afterEach(closeOpened);

const { ESME_ROK, ESME_RX_T_APPN } = CommandStatus;

/** The held queue of the link's connection (private: its array's size is what is tested). */
const heldOf = (link: EsmeLink): HeldFrames =>
  (link as unknown as { connection: { held: HeldFrames } }).connection.held;

describe('HeldFrames under steady load', () => {
  it('a queue that never empties keeps an array the size of what it holds, in order', () => {
    const h = new HeldFrames();
    const frame = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff);
    h.hold(frame(0), 2, 0);
    h.hold(frame(1), 2, 0);
    let outOfOrder = 0;
    let peak = 0;
    for (let i = 2; i < 100_002; i++) {
      const taken = h.take()!;
      if ((taken[0] | (taken[1] << 8)) !== ((i - 2) & 0xffff)) outOfOrder++;
      h.hold(frame(i), 2, 0);
      peak = Math.max(peak, h.capacity);
    }
    expect(outOfOrder).toBe(0);
    expect(h.size).toBe(2);
    // 32 taken slots before it compacts, and only once they are half the array.
    expect(peak).toBeLessThanOrEqual(66);
  });

  it('on a link whose SMSC window is wider than maxInFlight, steady traffic: the queue stays small, each answered once', async () => {
    const { peer, link } = await boundLink({
      maxInFlight: 1,
      onDatagram: () => new Promise<void>((r) => setTimeout(r, 0)),
    });
    const total = 1_500;
    const window = 10;
    let sent = 0;
    let peak = 0;
    const answers = new Map<number, number[]>();
    // Each a different SMS (its own originator): none a repeat within duplicateWindowMs.
    const nth = (n: number) => deliverSms(payloadOf(60, n), n & 0xff, n, `9${n}`)[0];
    for (; sent < window; sent++) peer.write(nth(sent + 1));
    while (answers.size < total) {
      const [id, status, seq] = header(await peer.next(2_000));
      if (id !== DELIVER_SM_RESP) continue;
      answers.set(seq, [...(answers.get(seq) ?? []), status]);
      peak = Math.max(peak, heldOf(link).capacity);
      if (sent < total) peer.write(nth(++sent));
    }
    expect([...answers.values()].every((s) => s.length === 1 && s[0] === ESME_ROK)).toBe(true);
    expect(peak).toBeLessThanOrEqual(66);
  }, 30_000);
});

describe('EsmeLink hold bounds', () => {
  it('MAX_HELD_OCTETS: deliver_sm held up to 1 MiB of octets whatever the count, the next refused at once', async () => {
    const h = hangingHandler();
    const { peer, link } = await boundLink({ maxInFlight: 1, onDatagram: h.onDatagram });
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    // Header-only bodies of 65,000 octets: held unread, so their content does not matter here.
    const big = (seq: number) => pdu(SmppCommand.deliver_sm, 0, seq, new Uint8Array(65_000 - 16));
    const fit = Math.floor(MAX_HELD_OCTETS / 65_000);
    const frames = Array.from({ length: fit + 1 }, (_, i) => big(2 + i));
    peer.write(Buffer.concat([...frames, enquireLink(100)]));
    expect(await nextHeaders(peer, 2, 3_000)).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 2 + fit],
      [ENQUIRE_LINK_RESP, ESME_ROK, 100],
    ]);
    expect(link.heldCount).toBe(fit);
    expect(link.stats.pausedRefusedHoldFull).toBe(1);
  });

  it('maxHeldWhilePaused 0: nothing held, each deliver_sm refused at once, enquire_link answered', async () => {
    const h = hangingHandler();
    const { peer, link } = await boundLink({ maxInFlight: 1, maxHeldWhilePaused: 0, onDatagram: h.onDatagram });
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    peer.write(Buffer.concat([single(2, 2), enquireLink(3), single(3, 4)]));
    expect(await nextHeaders(peer, 3)).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 2],
      [ENQUIRE_LINK_RESP, ESME_ROK, 3],
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 4],
    ]);
    expect(link.heldCount).toBe(0);
    expect(link.stats.pausedRefusedHoldFull).toBe(2);
    h.settle.shift()!();
    expect(await nextHeaders(peer, 1)).toEqual([[DELIVER_SM_RESP, ESME_ROK, 1]]);
  });

  it.each([
    ['maxHeldWhilePaused', -1],
    ['maxHeldWhilePaused', Number.NaN],
    ['maxHeldWhilePaused', '5'],
    ['maxHoldMs', 0],
    ['maxHoldMs', 2 ** 31],
    ['maxHoldMs', Infinity],
  ])('%s %s is refused by name', (name, value) => {
    expect(() => new EsmeLink({ smsc: 'smpp://esme:pw@127.0.0.1:1', [name]: value })).toThrow(
      new RegExp(`^${name} must be`),
    );
    expect(() => new EsmeLink({ smsc: 'smpp://esme:pw@127.0.0.1:1', [name]: value })).toThrow(RangeError);
  });

  it('the store back while a handler still runs: the hold is restored, the next deliver_sm held, not refused', async () => {
    const store = new FlakyStore({ probeIntervalMs: 60_000 });
    later(() => store.close());
    const h = hangingHandler();
    const { peer, link } = await boundLink({ store, maxInFlight: 1, onDatagram: h.onDatagram });
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    store.goDown();
    peer.write(single(2, 2));
    expect(await nextHeaders(peer, 1)).toEqual([[DELIVER_SM_RESP, ESME_RX_T_APPN, 2]]);
    expect(await store.probe()).toBe(true);
    expect(link.inFlightCount).toBe(1);
    peer.write(Buffer.concat([single(3, 3), enquireLink(4)]));
    expect(await nextHeaders(peer, 1)).toEqual([[ENQUIRE_LINK_RESP, ESME_ROK, 4]]);
    expect(link.heldCount).toBe(1);
    expect(link.stats).toMatchObject({ pausedRefusedStore: 1, pausedRefusedHoldFull: 0 });
    h.settle.shift()!();
    // On a store the two are answered as their commits come: in either order.
    const rest = (await nextHeaders(peer, 2)).sort((x, y) => x[2] - y[2]);
    expect(rest).toEqual([
      [DELIVER_SM_RESP, ESME_ROK, 1],
      [DELIVER_SM_RESP, ESME_ROK, 3],
    ]);
    expect(h.got.map((d) => d.originator)).toEqual(['921', '923']);
  });

  it('deliver_sm behind the bind_resp in its chunk, the store down: refused as paused, the store not asked', async () => {
    const store = new FlakyStore({ probeIntervalMs: 60_000 });
    later(() => store.close());
    store.goDown();
    const { smsc, link, close } = await linkAtRawSmsc({ store });
    later(close);
    const started = link.start();
    const peer = await smsc.accept();
    const bind = await peer.next();
    const [m1] = deliverSms(payloadOf(250, 4), 4, 2, '9304');
    const bindResp = pdu((bind.readUInt32BE(4) | 0x80000000) >>> 0, 0, bind.readUInt32BE(12), Buffer.from('SMSC\0'));
    peer.write(Buffer.concat([bindResp, m1, single(5, 3)]));
    await started;
    expect(await nextHeaders(peer, 2)).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 2],
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 3],
    ]);
    expect(link.stats).toMatchObject({ pausedRefusedStore: 2, storeRefused: 0, deliverSm: 2 });
  });
});

describe('EsmeLink maxHoldMs', () => {
  it('held deliver_sm are refused once held for maxHoldMs, oldest first; the rest goes on', async () => {
    const h = hangingHandler();
    // maxHoldMs well over the 1 s a prompt answer may take here under load (PROMPT_MS).
    const { peer, link } = await boundLink({ maxInFlight: 1, maxHoldMs: 1_500, onDatagram: h.onDatagram });
    const metrics = new Metrics({ process: false });
    metrics.observe(link);
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    const started = performance.now();
    peer.write(Buffer.concat([single(2, 2), single(3, 3), enquireLink(4)]));
    expect(await nextHeaders(peer, 1)).toEqual([[ENQUIRE_LINK_RESP, ESME_ROK, 4]]);
    expect(link.heldCount).toBe(2);
    const m = parseExposition(await metrics.text());
    expect(sampleValue(m, 'wappush_smpp_held', {})).toBe(2);
    const expired = await nextHeaders(peer, 2, 5_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_490);
    expect(expired).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 2],
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 3],
    ]);
    expect(link.heldCount).toBe(0);
    expect(link.stats).toMatchObject({ pausedRefusedHoldExpired: 2, pausedRefusedHoldFull: 0 });
    const after = parseExposition(await metrics.text());
    expect(sampleValue(after, 'wappush_smpp_paused_refused_total', { reason: 'hold-expired' })).toBe(2);
    expect(sampleValue(after, 'wappush_smpp_held', {})).toBe(0);
    // A held one taken before its time is not refused later.
    peer.write(single(4, 5));
    await until(() => link.heldCount === 1, 'the next held');
    h.settle.shift()!();
    expect(await nextHeaders(peer, 2)).toEqual([
      [DELIVER_SM_RESP, ESME_ROK, 1],
      [DELIVER_SM_RESP, ESME_ROK, 5],
    ]);
    expect(await quiet(peer, 1_600)).toBe(true);
    expect(h.got.map((d) => d.originator)).toEqual(['921', '924']);
  });
});

/** Waits until the link's socket has read nothing more for 300 ms (at most `ms`). */
async function readingSettles(link: EsmeLink, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = -1;
  while (Date.now() < deadline) {
    const now = link.socket!.bytesRead;
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Counts what the peer reads from now on (its own collecting listener removed: it would copy all). */
function countReceived(peer: RawPeer): { octets: number } {
  const seen = { octets: 0 };
  peer.socket.removeAllListeners('data');
  peer.socket.on('data', (d: Buffer) => (seen.octets += d.length));
  return seen;
}

describe('EsmeLink facing an SMSC that does not read its answers', () => {
  const FLOOD = 500_000;

  it.each([
    ['not paused, enquire_link', false],
    ['paused, deliver_sm and enquire_link', true],
  ])(
    '%s: the link stops reading while its unsent answers pass MAX_UNSENT_OCTETS, and reads on once they drain',
    async (_, paused) => {
      const h = hangingHandler(paused ? 1 : 0);
      const { peer, link } = await boundLink({ maxInFlight: 1, maxHeldWhilePaused: 0, onDatagram: h.onDatagram });
      if (paused) {
        peer.write(single(1, 1));
        await until(() => h.got.length === 1, 'the first single SMS handed over');
      }
      const seen = countReceived(peer);
      peer.socket.pause();
      const make = (i: number) => (paused && i % 2 ? pdu(SmppCommand.deliver_sm, 0, i) : enquireLink(i));
      const batch = 10_000;
      for (let i = 0; i < FLOOD; i += batch) {
        peer.socket.write(Buffer.concat(Array.from({ length: batch }, (_, k) => make(i + k + 10))));
        if ((i / batch) % 10 === 9) await new Promise((r) => setTimeout(r, 10));
      }
      await readingSettles(link);
      expect((link as unknown as { connection: { readingStopped: boolean } }).connection.readingStopped).toBe(true);
      const socket = link.socket!;
      expect(socket.writableLength).toBeLessThanOrEqual(MAX_UNSENT_OCTETS + 64 * 1024);
      expect(socket.bytesRead).toBeLessThan(FLOOD * 16);
      // The SMSC reads again: every PDU it sent is read and answered, once.
      peer.socket.resume();
      const answers = FLOOD * 16 + (paused ? FLOOD / 2 : 0);
      await until(() => seen.octets >= answers, 'every answer', 20_000);
      expect(seen.octets).toBe(answers);
      expect(link.stats.enquireLinksAnswered).toBe(paused ? FLOOD / 2 : FLOOD);
      expect(link.bound).toBe(true);
      h.settle.shift()?.();
    },
    60_000,
  );
});
