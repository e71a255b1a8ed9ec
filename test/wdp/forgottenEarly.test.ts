// The duplicate memories of memory mode are bounded by count as well as by time: when the count
// bound pushes out an entry whose window is still open, the window held less than it promises,
// and the operator must be told (a metric), since a repeat of that entry is handed over again.
// The link over real SMPP on 127.0.0.1 against a raw SMSC; the reassembler alone with a clock.
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import type { Segment, WdpDatagram } from '../../src/wdp/datagram.js';
import { Reassembler } from '../../src/wdp/reassembler.js';
import { RecentSingles } from '../../src/wdp/recentSingles.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { parseExposition, sampleValue } from '../ops/exposition.js';
import { hex, until } from '../helpers.js';
import { acceptBound, rawSmsc } from './rawSmsc.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;

/** A single SMS (port UDH) whose 20-octet payload starts with `n`. */
function single(sequence: number, n: number): Buffer {
  const parts = smppShortMessages(
    Uint8Array.from({ length: 20 }, (_, i) => (i === 0 ? n : (i * 7 + n) & 0xff)),
    {},
  );
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

describe('single SMS forgotten early (link, no store)', () => {
  it('counts each single pushed out by maxRecentSingles within the window, and its repeat is handed over', async () => {
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const delivered: number[] = [];
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${raw.port}`,
      enquireLinkMs: 0,
      duplicateWindowMs: 60_000,
      maxRecentSingles: 2,
      onDatagram: (d) => void delivered.push(d.payload[0]),
    });
    cleanup.push(() => link.close(100));
    const metrics = new Metrics({ process: false });
    metrics.observe(link);
    const started = link.start();
    const { peer } = await acceptBound(raw);
    await started;
    let answered = 0;
    peer.socket.on('data', (b: Buffer) => {
      for (let at = 0; at + 16 <= b.length; at += b.readUInt32BE(at))
        if (b.readUInt32BE(at + 4) === DELIVER_SM_RESP) answered++;
    });

    // The memory is trimmed to maxRecentSingles before each look: at the fourth (a repeat of 3,
    // still remembered) 1 is pushed out while its window is open; the fifth repeats 1, which
    // was forgotten: handed over again.
    let seq = 1;
    for (const n of [1, 2, 3, 3, 1]) peer.write(single(seq++, n));
    await until(() => answered >= 5, 5_000, 'five answers');

    expect(delivered).toEqual([1, 2, 3, 1]);
    expect(link.stats.duplicateSingles).toBe(1);
    expect(link.singlesForgottenEarly).toBe(1);
    const families = parseExposition(await metrics.text());
    expect(sampleValue(families, 'wappush_smpp_singles_forgotten_early_total')).toBe(1);
  }, 20_000);
});

const seg = (reference: number, sequence: number, data: string): Segment => ({
  originator: '+15550001',
  recipient: '+15559999',
  sourcePort: 9200,
  destinationPort: 2948,
  reference,
  referenceBits: 8,
  total: 2,
  sequence,
  data: hex(data),
});

describe('completed messages forgotten early (reassembler)', () => {
  it('counts a message pushed out by maxRecentMessages before timeoutMs, not one whose time had passed', () => {
    let t = 0;
    const r = new Reassembler({ now: () => t, timeoutMs: 1_000, maxRecentMessages: 2 });
    const complete = (ref: number) => {
      expect(r.push(seg(ref, 1, '01'))).toBeUndefined();
      expect(r.push(seg(ref, 2, '02'))).toBeDefined();
    };
    complete(1);
    complete(2);
    expect(r.recentForgottenEarly).toBe(0);
    complete(3); // pushes 1 out within its 1 s
    expect(r.recentForgottenEarly).toBe(1);
    // The effect: a late resend of 1's first segment is no longer a late duplicate.
    const before = r.stats.lateDuplicates;
    r.push(seg(1, 1, '01'));
    expect(r.stats.lateDuplicates).toBe(before);
    t += 2_000; // every window passed: what goes now goes by time
    complete(4);
    complete(5);
    complete(6);
    expect(r.recentForgottenEarly).toBe(2); // 6 pushed 4 out within its window
  });
});

describe('RecentSingles: what the bound takes after its window', () => {
  const d = (n: number): WdpDatagram => ({
    originator: 'o',
    recipient: 'r',
    sourcePort: 9200,
    destinationPort: 2948,
    segments: 1,
    payload: new Uint8Array([n]),
  });

  it('counts an entry taken for the bound within the window, not one whose window had passed', () => {
    const r = new RecentSingles(1_000, 1);
    expect(r.repeated(d(1), 0)).toBe(false);
    expect(r.repeated(d(2), 500)).toBe(false);
    // At 2,000 both windows have passed: the memory is over its bound, but what goes is lapsed.
    expect(r.repeated(d(3), 2_000)).toBe(false);
    expect(r.forgottenEarly).toBe(0);
    expect(r.repeated(d(4), 2_100)).toBe(false);
    expect(r.repeated(d(5), 2_200)).toBe(false); // 3 goes for the bound, within its window
    expect(r.forgottenEarly).toBe(1);
  });
});

/** The deliver_sm of each segment of a 200-octet datagram (two SMS) whose payload starts with `n`. */
function twoParts(firstSequence: number, n: number, reference: number): Buffer[] {
  const parts = smppShortMessages(
    Uint8Array.from({ length: 200 }, (_, i) => (i === 0 ? n : (i * 11 + n) & 0xff)),
    { reference },
  );
  expect(parts).toHaveLength(2);
  return parts.map((p, i) =>
    Buffer.from(
      encodeShortMessagePdu({
        ...p,
        commandId: CommandId.deliver_sm,
        sequenceNumber: firstSequence + i,
        sourceAddr: '9200',
        destinationAddr: '+447700900123',
      }),
    ),
  );
}

describe('the link (no store) with maxRecentSingles 0 and with datagrams kept after a failed handler', () => {
  async function boundLink(options: { maxRecentSingles: number; fail?: (n: number) => boolean }) {
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const delivered: number[] = [];
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${raw.port}`,
      enquireLinkMs: 0,
      duplicateWindowMs: 60_000,
      maxRecentSingles: options.maxRecentSingles,
      onDatagram: (d) => {
        delivered.push(d.payload[0]);
        if (options.fail?.(d.payload[0])) throw new Error('handler failed');
      },
    });
    cleanup.push(() => link.close(100));
    const started = link.start();
    const { peer } = await acceptBound(raw);
    await started;
    const statuses: number[] = [];
    peer.socket.on('data', (b: Buffer) => {
      for (let at = 0; at + 16 <= b.length; at += b.readUInt32BE(at))
        if (b.readUInt32BE(at + 4) === DELIVER_SM_RESP) statuses.push(b.readUInt32BE(at + 8));
    });
    return { link, peer, delivered, statuses };
  }

  it('remembers no single SMS at maxRecentSingles 0, and counts none forgotten', async () => {
    const { link, peer, delivered, statuses } = await boundLink({ maxRecentSingles: 0 });
    let seq = 1;
    for (const n of [1, 1, 2]) peer.write(single(seq++, n));
    await until(() => statuses.length >= 3, 5_000, 'three answers');
    expect(delivered).toEqual([1, 1, 2]);
    expect(link.singlesForgottenEarly).toBe(0);
  }, 20_000);

  it('counts a datagram kept after its handler failed and let go for the bound within the window', async () => {
    // Handlers of 7 and 8 fail once each: their last segments are answered ESME_RX_T_APPN and
    // the datagrams kept for the resend; with room for one, keeping 8 lets 7 go early.
    const failed = new Set<number>();
    const { link, peer, delivered, statuses } = await boundLink({
      maxRecentSingles: 1,
      fail: (n) => !failed.has(n) && failed.add(n) !== undefined,
    });
    for (const b of [...twoParts(1, 7, 70), ...twoParts(3, 8, 80)]) peer.write(b);
    await until(() => statuses.length >= 4, 5_000, 'four answers');
    expect(statuses.filter((s) => s !== 0)).toHaveLength(2);
    expect(link.retainedForgottenEarly).toBe(1);
    // The resend of 8's last segment is handed over from what was kept; 7's is not (let go).
    peer.write(twoParts(5, 8, 80)[1]);
    peer.write(twoParts(7, 7, 70)[1]);
    await until(() => statuses.length >= 6, 5_000, 'six answers');
    expect(delivered).toEqual([7, 8, 8]);
  }, 20_000);
});
