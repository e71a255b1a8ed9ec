// The duplicate memories of memory mode are bounded by count as well as by time: when the count
// bound pushes out an entry whose window is still open, the window held less than it promises,
// and the operator must be told (a metric), since a repeat of that entry is handed over again.
// The link over real SMPP on 127.0.0.1 against a raw SMSC; the reassembler alone with a clock.
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import type { Segment } from '../../src/wdp/datagram.js';
import { Reassembler } from '../../src/wdp/reassembler.js';
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
