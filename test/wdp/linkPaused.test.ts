// A link whose intake is paused (maxInFlight reached, or the store unavailable) still answers
// the SMSC's enquire_link: an SMSC drops a bind whose keep-alive goes unanswered, and TCP
// delivers the enquire_link only behind the deliver_sm sent before it, so the link reads on.
// deliver_sm read meanwhile are held (up to maxHeldWhilePaused) and taken in order once intake
// resumes, or answered ESME_RX_T_APPN at once: never ESME_ROK for what is not taken, never two
// answers to one. Real TCP on 127.0.0.1 against a raw SMSC. SMPP v3.4 4.6.2, 4.11, 5.1.3.
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import { MemoryStore } from '../../src/store/memory.js';
import { SmppCommand } from '../../src/wdp/smpp/commands.js';
import { CommandStatus } from '../../src/wdp/smpp/status.js';
import {
  answersBySequence,
  DELIVER_SM_RESP,
  deliverSms,
  ENQUIRE_LINK_RESP,
  enquireLink,
  FlakyStore,
  hangingHandler,
  nextHeaders,
  payloadOf,
  PROMPT_MS,
  quiet,
  single,
  until,
  boundLink,
  closeOpened,
  later,
} from './pausedLink.js';
import { header, pdu } from './rawSmsc.js';
import { parseExposition, sampleValue } from '../ops/exposition.js';

afterEach(closeOpened);

const { ESME_ROK, ESME_RX_T_APPN } = CommandStatus;

describe('EsmeLink with intake paused for its store', () => {
  it('store unavailable: enquire_link answered at once, deliver_sm ESME_RX_T_APPN unread, taken again once it is back', async () => {
    const store = new FlakyStore({ probeIntervalMs: 60_000 });
    later(() => store.close());
    const { peer, link } = await boundLink({ store });
    store.goDown();
    expect(store.available).toBe(false);
    const message = payloadOf(250, 1);
    const [m1] = deliverSms(message, 7, 1, '9300');
    // A segment, a single SMS, then the keep-alive: TCP brings it behind them.
    const started = Date.now();
    peer.write(Buffer.concat([m1, single(2, 2), enquireLink(3)]));
    const seen = await nextHeaders(peer, 3);
    expect(Date.now() - started).toBeLessThan(PROMPT_MS);
    expect(seen).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 1],
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 2],
      [ENQUIRE_LINK_RESP, ESME_ROK, 3],
    ]);
    expect(await quiet(peer)).toBe(true);
    // Nothing of it was stored: the store was not even asked.
    expect(link.stats).toMatchObject({ pausedRefusedStore: 2, storeRefused: 0, deliverSm: 2, enquireLinksAnswered: 1 });
    expect(link.heldCount).toBe(0);
    expect(link.bound).toBe(true);

    expect(await store.probe()).toBe(true);
    // The SMSC's resends are taken as new, and the message completes.
    peer.write(Buffer.concat([...deliverSms(message, 7, 4, '9300'), single(2, 6)]));
    const again = await nextHeaders(peer, 3);
    expect(again.map(([, status, seq]) => [status, seq]).sort((a, b) => a[1] - b[1])).toEqual([
      [ESME_ROK, 4],
      [ESME_ROK, 5],
      [ESME_ROK, 6],
    ]);
    expect(await quiet(peer)).toBe(true);
    expect(answersBySequence([...seen, ...again]).size).toBe(5);
  });

  it('store gone while deliver_sm are held: the held ones are answered ESME_RX_T_APPN at once, none ESME_ROK', async () => {
    const store = new FlakyStore({ probeIntervalMs: 60_000 });
    later(() => store.close());
    const h = hangingHandler();
    const { peer, link } = await boundLink({ store, maxInFlight: 1, onDatagram: h.onDatagram });
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    peer.write(Buffer.concat([single(2, 2), single(3, 3), enquireLink(4)]));
    expect(await nextHeaders(peer, 1)).toEqual([[ENQUIRE_LINK_RESP, ESME_ROK, 4]]);
    expect(link.heldCount).toBe(2);
    store.goDown();
    const refused = await nextHeaders(peer, 2);
    expect(refused).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 2],
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 3],
    ]);
    expect(link.heldCount).toBe(0);
    expect(link.stats.pausedRefusedStore).toBe(2);
    h.settle.shift()!();
    // The first was handed over; its memory cannot be stored, but it was delivered: ESME_ROK.
    const last = await nextHeaders(peer, 1);
    expect(last).toEqual([[DELIVER_SM_RESP, ESME_ROK, 1]]);
    expect(await quiet(peer)).toBe(true);
    expect(h.got).toHaveLength(1);
  });
});

describe('EsmeLink with intake paused for maxInFlight', () => {
  it('a handler that has not settled: enquire_link answered, deliver_sm held then taken in order, past the hold ESME_RX_T_APPN', async () => {
    const h = hangingHandler();
    const { peer, link } = await boundLink({ maxInFlight: 1, maxHeldWhilePaused: 2, onDatagram: h.onDatagram });
    const metrics = new Metrics({ process: false });
    metrics.observe(link);
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    const started = Date.now();
    peer.write(Buffer.concat([single(2, 2), single(3, 3), single(4, 4), enquireLink(5)]));
    const prompt = await nextHeaders(peer, 2);
    expect(Date.now() - started).toBeLessThan(PROMPT_MS);
    expect(prompt).toEqual([
      [DELIVER_SM_RESP, ESME_RX_T_APPN, 4],
      [ENQUIRE_LINK_RESP, ESME_ROK, 5],
    ]);
    expect(await quiet(peer)).toBe(true);
    expect(link.heldCount).toBe(2);
    expect(h.got).toHaveLength(1);
    expect(link.stats).toMatchObject({ pausedRefusedHoldFull: 1, deliverSm: 2, enquireLinksAnswered: 1 });
    const m = parseExposition(await metrics.text());
    const paused = (reason: string) => sampleValue(m, 'wappush_smpp_paused_refused_total', { reason });
    expect([paused('hold-full'), paused('store-unavailable')]).toEqual([1, 0]);

    h.settle.shift()!();
    const rest = await nextHeaders(peer, 3);
    expect(rest).toEqual([
      [DELIVER_SM_RESP, ESME_ROK, 1],
      [DELIVER_SM_RESP, ESME_ROK, 2],
      [DELIVER_SM_RESP, ESME_ROK, 3],
    ]);
    expect(h.got.map((d) => d.originator)).toEqual(['921', '922', '923']);
    expect(link.heldCount).toBe(0);
    // The refused one comes again and is taken.
    peer.write(single(4, 6));
    const resent = await nextHeaders(peer, 1);
    expect(resent).toEqual([[DELIVER_SM_RESP, ESME_ROK, 6]]);
    expect(await quiet(peer)).toBe(true);
    const all = answersBySequence([...prompt, ...rest, ...resent]);
    expect([...all.values()].every((statuses) => statuses.length === 1)).toBe(true);
    expect(link.responses.get(ESME_RX_T_APPN)).toBe(1);
  });

  it('a push read ahead in the chunk that paused intake: its segments held, completed once the handler settles', async () => {
    // A (single, whose handler waits), M1 M2 (one message), enquire_link: one chunk. M's
    // segments were read ahead but not reached when A paused intake; they are held, not lost,
    // and not taken twice.
    const h = hangingHandler();
    const { peer, link } = await boundLink({ maxInFlight: 1, onDatagram: h.onDatagram });
    const message = payloadOf(250, 9);
    const [m1, m2] = deliverSms(message, 9, 2, '9309');
    peer.write(Buffer.concat([single(1, 1), m1, m2, enquireLink(4)]));
    expect(await nextHeaders(peer, 1)).toEqual([[ENQUIRE_LINK_RESP, ESME_ROK, 4]]);
    expect(link.heldCount).toBe(2);
    expect(link.reassembler.pendingMessages).toBe(0);
    h.settle.shift()!();
    const rest = await nextHeaders(peer, 3);
    expect(rest).toEqual([
      [DELIVER_SM_RESP, ESME_ROK, 1],
      [DELIVER_SM_RESP, ESME_ROK, 2],
      [DELIVER_SM_RESP, ESME_ROK, 3],
    ]);
    expect(await quiet(peer)).toBe(true);
    expect(h.got).toHaveLength(2);
    expect(Buffer.from(h.got[1].payload).equals(Buffer.from(message))).toBe(true);
    expect(link.reassembler.stats).toMatchObject({ segments: 3, datagrams: 2, duplicates: 0 });
  });

  it('on a store, a single SMS whose handler waits: enquire_link answered, the next held and taken after', async () => {
    const store = new MemoryStore();
    later(() => store.close());
    const h = hangingHandler();
    const { peer, link } = await boundLink({ store, maxInFlight: 1, onDatagram: h.onDatagram });
    const [m1, m2] = deliverSms(payloadOf(250, 5), 5, 2, '9305');
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    peer.write(Buffer.concat([m1, m2, enquireLink(4)]));
    expect(await nextHeaders(peer, 1)).toEqual([[ENQUIRE_LINK_RESP, ESME_ROK, 4]]);
    expect(link.heldCount).toBe(2);
    h.settle.shift()!();
    const rest = await nextHeaders(peer, 3);
    expect(answersBySequence(rest)).toEqual(
      new Map([
        [1, [ESME_ROK]],
        [2, [ESME_ROK]],
        [3, [ESME_ROK]],
      ]),
    );
    expect(await quiet(peer)).toBe(true);
    expect(h.got).toHaveLength(2);
    expect((await store.inspect()).pending.messages).toBe(0);
  });

  it("the link's own enquire_link is answered while paused: no dead link", async () => {
    const h = hangingHandler();
    const { peer, link } = await boundLink({
      maxInFlight: 1,
      enquireLinkMs: 60,
      enquireLinkTimeoutMs: 200,
      onDatagram: h.onDatagram,
    });
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    // The SMSC answers each enquire_link for 700 ms, sending nothing else.
    const deadline = Date.now() + 700;
    let answered = 0;
    while (Date.now() < deadline) {
      const p = await peer.next(PROMPT_MS);
      expect(p.readUInt32BE(4)).toBe(SmppCommand.enquire_link);
      peer.write(pdu(ENQUIRE_LINK_RESP, 0, p.readUInt32BE(12)));
      answered++;
    }
    expect(answered).toBeGreaterThan(3);
    expect(link.stats.deadLinks).toBe(0);
    expect(link.bound).toBe(true);
    expect(link.stats.connects).toBe(1);
    h.settle.shift()!();
  });

  it('unbind while deliver_sm are held: unbind_resp at once, the held ones never answered', async () => {
    const h = hangingHandler();
    const { peer, link } = await boundLink({ maxInFlight: 1, onDatagram: h.onDatagram });
    peer.write(single(1, 1));
    await until(() => h.got.length === 1, 'the first single SMS handed over');
    peer.write(Buffer.concat([single(2, 2), pdu(SmppCommand.unbind, 0, 3)]));
    expect(await nextHeaders(peer, 1)).toEqual([[0x80000006, ESME_ROK, 3]]);
    expect(link.heldCount).toBe(0);
    h.settle.shift()!();
    // The first is answered on its way out if the socket still takes it; the held one never.
    const after: number[][] = [];
    for (;;) {
      const p = await peer.next(300).catch(() => undefined);
      if (p === undefined) break;
      after.push(header(p).slice(0, 3));
    }
    expect(after.filter(([, , seq]) => seq === 2)).toEqual([]);
    expect(h.got).toHaveLength(1);
  });
});

describe("EsmeLink's store-error listener that throws", () => {
  /** A memory store whose segment writes and repeat memory fail, though it stays available. */
  class FailingWrites extends MemoryStore {
    override addSegment(_s: Parameters<MemoryStore['addSegment']>[0], done: Parameters<MemoryStore['addSegment']>[1]) {
      done(new Error('disk full'));
    }
    override rememberHashed(_h: string, _w: number, done: Parameters<MemoryStore['rememberHashed']>[2]) {
      done(new Error('disk full'));
    }
  }

  /** A link on `store` whose store-error listener throws, and the WAPPUSH_LISTENER_ERROR warnings it causes. */
  async function throwingListener(store: MemoryStore) {
    later(() => store.close());
    const h = hangingHandler(0);
    const { peer, link } = await boundLink({ store, onDatagram: h.onDatagram });
    link.on('store-error', () => {
      throw new Error('listener bug');
    });
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'WAPPUSH_LISTENER_ERROR' && w.message.includes("'store-error' listener")) warnings.push(w.message);
    };
    process.on('warning', onWarning);
    later(() => process.off('warning', onWarning));
    return { peer, link, warnings };
  }

  it('a segment the store refuses is still answered ESME_RX_T_APPN, the throw a warning', async () => {
    const { peer, link, warnings } = await throwingListener(new FailingWrites());
    const [m1] = deliverSms(payloadOf(250, 3), 3, 1, '9303');
    peer.write(m1);
    expect(await nextHeaders(peer, 1)).toEqual([[DELIVER_SM_RESP, ESME_RX_T_APPN, 1]]);
    expect(await quiet(peer)).toBe(true);
    expect(link.inFlightCount).toBe(0);
    expect(link.stats.storeRefused).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(warnings).toHaveLength(1);
  });

  it('a single SMS delivered whose memory the store cannot keep is still answered ESME_ROK, the throw a warning', async () => {
    const { peer, link, warnings } = await throwingListener(new FailingWrites());
    peer.write(single(2, 2));
    expect(await nextHeaders(peer, 1)).toEqual([[DELIVER_SM_RESP, ESME_ROK, 2]]);
    expect(await quiet(peer)).toBe(true);
    expect(link.inFlightCount).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(warnings).toHaveLength(1);
  });
});

describe("EsmeLink's refused and unexpected-response listeners that throw", () => {
  it('the generic_nack still goes out, the response is still ignored, the read goes on; each throw a warning', async () => {
    const { peer, link } = await boundLink({});
    for (const event of ['refused', 'unexpected-response'] as const)
      link.on(event, () => {
        throw new Error(`${event} listener bug`);
      });
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'WAPPUSH_LISTENER_ERROR') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    later(() => process.off('warning', onWarning));
    // data_sm (refused: generic_nack ESME_RINVCMDID), a response to nothing, then the keep-alive.
    peer.write(Buffer.concat([pdu(SmppCommand.data_sm, 0, 1), pdu(ENQUIRE_LINK_RESP, 0, 77), enquireLink(2)]));
    expect(await nextHeaders(peer, 2)).toEqual([
      [SmppCommand.generic_nack, CommandStatus.ESME_RINVCMDID, 1],
      [ENQUIRE_LINK_RESP, ESME_ROK, 2],
    ]);
    expect(await quiet(peer)).toBe(true);
    expect(link.stats).toMatchObject({ refused: 1, unexpectedResponses: 1, enquireLinksAnswered: 1 });
    expect(link.bound).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(warnings.map((w) => /'([a-z-]+)' listener/.exec(w)?.[1]).sort()).toEqual(['refused', 'unexpected-response']);
  });
});
