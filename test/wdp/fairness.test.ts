// Fair reassembly bounds (issue 18 item 2): a flood of never-completing segments must not
// starve real pushes. Each originator and bind has a quota; a global bound takes from whoever
// holds the most; every drop is counted by policy.
import { describe, expect, it } from 'vitest';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import type { Segment } from '../../src/wdp/datagram.js';
import { DEFAULT_REASSEMBLER_OPTIONS, Reassembler, type LostMessage } from '../../src/wdp/reassembler.js';
import { segmentPayload } from '../../src/wdp/segmenter.js';
import { segmentFromUserData } from '../../src/wdp/userData.js';
import { hex } from '../helpers.js';

/** mulberry32: a small seeded generator, so a failing run can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seg = (originator: string, reference: number, sequence: number, total: number, data: string): Segment => ({
  originator,
  recipient: 'B',
  sourcePort: 9200,
  destinationPort: 2948,
  reference,
  referenceBits: 16,
  total,
  sequence,
  data: hex(data),
});

function watched(options = {}) {
  let t = 0;
  const r = new Reassembler({ now: () => t, ...options });
  const lost: LostMessage[] = [];
  r.on('expired', (m) => lost.push(m));
  r.on('evicted', (m) => lost.push(m));
  r.on('superseded', (m) => lost.push(m));
  return { r, lost, advance: (ms: number) => (t += ms) };
}

describe('Reassembler: fair bounds, rule by rule', () => {
  it('an originator over its message quota loses its own oldest, not anyone else', () => {
    const { r, lost } = watched({ maxPendingMessagesPerOriginator: 2 });
    r.push(seg('honest', 1, 1, 2, '01'));
    for (const ref of [1, 2, 3]) r.push(seg('flood', ref, 1, 2, '01'));
    expect(lost.map((m) => [m.originator, m.reference, m.policy])).toEqual([['flood', 1, 'originator-quota']]);
    expect(r.push(seg('honest', 1, 2, 2, '02'))).toBeDefined();
    expect(r.stats).toMatchObject({ evicted: 1, evictedOriginatorQuota: 1 });
  });

  it('the global message bound takes the oldest message of whoever holds the most', () => {
    const { r, lost } = watched({ maxPendingMessages: 4 });
    r.push(seg('honest', 1, 1, 2, '01')); // oldest of all
    for (const ref of [1, 2, 3]) r.push(seg('flood', ref, 1, 2, '01'));
    r.push(seg('other', 1, 1, 2, '01')); // needs room: flood holds 3, so flood's oldest goes
    r.push(seg('other', 2, 1, 2, '01')); // flood 2, other 1, honest 1: flood again
    expect(lost.map((m) => [m.originator, m.reference, m.policy])).toEqual([
      ['flood', 1, 'global'],
      ['flood', 2, 'global'],
    ]);
    r.push(seg('other', 3, 1, 2, '01')); // flood 1, other 2, honest 1: other's oldest
    expect(lost.at(-1)).toMatchObject({ originator: 'other', reference: 1, policy: 'global' });
    expect(r.push(seg('honest', 1, 2, 2, '02'))).toBeDefined();
    expect(r.stats).toMatchObject({ evicted: 3, evictedGlobal: 3 });
  });

  it('the global bytes bound takes from whoever holds the most bytes, never the message being filled', () => {
    const { r, lost } = watched({ maxPendingBytes: 20 });
    r.push(seg('small', 1, 1, 3, '0102')); // 2 octets, oldest
    r.push(seg('big', 1, 1, 3, '01020304050607080910')); // 10
    r.push(seg('big', 2, 1, 3, '010203040506')); // 6: 18 in all
    r.push(seg('small', 1, 2, 3, '010203040506')); // 24 > 20: from big (16), its oldest (10)
    expect(lost.map((m) => [m.originator, m.reference, m.bytes, m.policy])).toEqual([['big', 1, 10, 'global']]);
    expect(r.pendingBytes).toBe(14);
    expect(r.pendingOf('big')).toEqual({ messages: 1, bytes: 6 });
    r.push(seg('big', 2, 2, 3, '0102030405060708')); // big is filling: 22 > 20, small's only message goes
    expect(lost.at(-1)).toMatchObject({ originator: 'small', policy: 'global' });
    expect(r.stats.evictedGlobal).toBe(2);
  });

  it('an originator over its bytes quota loses its own oldest; a message alone over a bytes bound goes (oversize)', () => {
    const { r, lost } = watched({ maxPendingBytesPerOriginator: 8 });
    r.push(seg('a', 1, 1, 3, '010203'));
    r.push(seg('a', 2, 1, 3, '010203'));
    r.push(seg('a', 2, 2, 3, '010203')); // 9 > 8: a's oldest other than ref 2
    expect(lost.map((m) => [m.reference, m.policy])).toEqual([[1, 'originator-quota']]);
    r.push(seg('a', 2, 3, 3, '010203')); // would complete at 9 octets: over the quota alone
    expect(lost.map((m) => [m.reference, m.policy, m.received])).toEqual([
      [1, 'originator-quota', [1]],
      [2, 'oversize', [1, 2, 3]],
    ]);
    expect(r.pendingBytes).toBe(0);
    expect(r.stats).toMatchObject({ evictedOriginatorQuota: 1, evictedOversize: 1, lostBytes: 12 });
  });

  it('a bind over its quota loses its own oldest; other binds and unbound pushes keep theirs', () => {
    const { r, lost } = watched({ maxPendingMessagesPerBind: 2 });
    r.push(seg('x', 1, 1, 2, '01'), 'smsc-2');
    r.push(seg('y', 1, 1, 2, '01'));
    r.push(seg('a', 1, 1, 2, '01'), 'smsc-1');
    r.push(seg('b', 1, 1, 2, '01'), 'smsc-1');
    r.push(seg('c', 1, 1, 2, '01'), 'smsc-1');
    expect(lost.map((m) => [m.originator, m.bind, m.policy])).toEqual([['a', 'smsc-1', 'bind-quota']]);
    expect(r.pendingOfBind('smsc-1')).toEqual({ messages: 2, bytes: 2 });
    // a message counts against the bind of its first segment, whatever bind completes it
    expect(r.push(seg('x', 1, 2, 2, '02'), 'smsc-1')).toBeDefined();
    expect(r.pendingOfBind('smsc-2')).toEqual({ messages: 0, bytes: 0 });
    expect(r.stats.evictedBindQuota).toBe(1);
  });

  it('every drop is counted by policy, and the counts add up', () => {
    const { r, lost, advance } = watched({
      timeoutMs: 1_000,
      maxPendingMessages: 3,
      maxPendingMessagesPerOriginator: 2,
    });
    r.push(seg('a', 1, 1, 2, '01'));
    r.push(seg('a', 2, 1, 2, '01'));
    r.push(seg('a', 3, 1, 2, '01')); // originator-quota
    r.push(seg('b', 1, 1, 2, '01'));
    r.push(seg('c', 1, 1, 2, '01')); // global (a holds 2)
    r.push(seg('b', 1, 1, 3, '01')); // superseded
    advance(1_000);
    r.push(seg('d', 1, 1, 2, '01')); // the rest expire
    r.clear(); // cleared
    const reasons = lost.map((m) => (m.policy ? `${m.reason}/${m.policy}` : m.reason));
    expect(reasons).toEqual([
      'evicted/originator-quota',
      'evicted/global',
      'superseded',
      'expired',
      'expired',
      'expired',
      'evicted/cleared',
    ]);
    const s = r.stats;
    expect(s).toMatchObject({ expired: 3, superseded: 1, evicted: 3, evictedGlobal: 1, evictedOriginatorQuota: 1 });
    expect(s.evictedCleared).toBe(1);
    expect(s.evictedGlobal + s.evictedOriginatorQuota + s.evictedBindQuota + s.evictedOversize + s.evictedCleared).toBe(
      s.evicted,
    );
  });

  it('refuses nonsense quotas by name, keeps defaults for undefined', () => {
    for (const name of [
      'maxPendingMessagesPerOriginator',
      'maxPendingBytesPerOriginator',
      'maxPendingMessagesPerBind',
      'maxPendingBytesPerBind',
    ]) {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '10'])
        expect(() => new Reassembler({ [name]: bad })).toThrow(new RegExp(name));
    }
    const r = new Reassembler({ maxPendingMessagesPerOriginator: undefined, maxPendingBytesPerBind: undefined });
    expect(r.maxPendingMessagesPerOriginator).toBe(1_000);
    expect(r.maxPendingBytesPerOriginator).toBe(1024 * 1024);
    expect(r.maxPendingMessagesPerBind).toBe(r.maxPendingMessages);
    expect(r.maxPendingBytesPerBind).toBe(r.maxPendingBytes);
  });
});

describe('a flood of never-completing segments does not starve real pushes', () => {
  /**
   * 500,000 flood segments (1,000 spoofed originators picked at random, random 16-bit
   * references, first or second of 3, never completed) at 60,000 a second, with the default
   * bounds; 248 real 2-3-segment pushes from 8 honest originators run through it, their
   * segments 10,000 flood segments apart for half of them and 40,000 for the other half.
   */
  it('all 248 real pushes complete; pending messages, bytes and each share stay under their bounds', () => {
    const rnd = random(18);
    let t = 0;
    const r = new Reassembler({ now: () => t });
    const honest = Array.from({ length: 8 }, (_, i) => `+44770090000${i}`);
    const floodFrom = Array.from({ length: 1_000 }, () => `+4479${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`);
    const lostBy = new Map<string, number>();
    let honestLost = 0;
    const onLost = (m: LostMessage) => {
      const k = m.policy ? `${m.reason}/${m.policy}` : m.reason;
      lostBy.set(k, (lostBy.get(k) ?? 0) + 1);
      if (honest.includes(m.originator)) honestLost++;
    };
    r.on('expired', onLost);
    r.on('evicted', onLost);
    r.on('superseded', onLost);

    // The real pushes: SI documents of 2 or 3 SMS, segmented and read back as an SMSC would carry them.
    const FLOOD = 500_000;
    const schedule = new Map<number, Segment[]>();
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 248; i++) {
      const gap = i % 2 === 0 ? 10_000 : 40_000;
      const pdu = encodePushPdu({
        transactionId: i & 0xff,
        contentType: 'application/vnd.wap.sic',
        body: encodeSi({
          href: `http://push.example/${i}`,
          siId: `id-${i}`,
          text: 'x'.repeat(i % 3 === 0 ? 300 : 150),
        }),
      });
      sent.push(pdu);
      const parts = segmentPayload(pdu, { reference: i, referenceBits: 16 }).map((ud) =>
        segmentFromUserData(ud, { originator: honest[i % honest.length], recipient: '+447700900123' }),
      );
      expect(parts.length === 2 || parts.length === 3).toBe(true);
      const start = Math.floor((i * (FLOOD - 2 * 40_000 - 1)) / 248);
      parts.forEach((p, k) => {
        const at = start + k * gap;
        schedule.set(at, [...(schedule.get(at) ?? []), p]);
      });
    }

    const floodData = new Uint8Array(140 * 64);
    for (let i = 0; i < floodData.length; i++) floodData[i] = Math.floor(rnd() * 256);
    const flood: Segment = { ...seg('', 0, 1, 3, ''), recipient: '+447700900123' };
    const received: Uint8Array[] = [];
    let maxMessages = 0;
    let maxBytes = 0;
    let maxShare = 0;
    let floodCompleted = 0;
    for (let j = 0; j < FLOOD; j++) {
      for (const p of schedule.get(j) ?? []) {
        const d = r.push(p);
        if (d) received.push(d.payload);
      }
      flood.originator = floodFrom[Math.floor(rnd() * floodFrom.length)];
      flood.reference = Math.floor(rnd() * 0x10000);
      flood.sequence = 1 + Math.floor(rnd() * 2);
      const k = (j & 63) * 140;
      flood.data = floodData.subarray(k, k + 140);
      t += 1 / 60; // 60,000 segments a second
      if (r.push(flood) !== undefined) floodCompleted++;
      if (r.pendingMessages > maxMessages) maxMessages = r.pendingMessages;
      if (r.pendingBytes > maxBytes) maxBytes = r.pendingBytes;
      if ((j & 1023) === 0) {
        const share = r.pendingOf(flood.originator).messages;
        if (share > maxShare) maxShare = share;
      }
    }

    expect(floodCompleted).toBe(0);
    expect(honestLost).toBe(0);
    expect(received).toHaveLength(248);
    const byContent = new Set(received.map((p) => Buffer.from(p).toString('hex')));
    expect(sent.every((p) => byContent.has(Buffer.from(p).toString('hex')))).toBe(true);
    // memory: within the bounds throughout
    expect(maxMessages).toBeLessThanOrEqual(DEFAULT_REASSEMBLER_OPTIONS.maxPendingMessages);
    expect(maxMessages).toBe(DEFAULT_REASSEMBLER_OPTIONS.maxPendingMessages); // the flood did fill it
    expect(maxBytes).toBeLessThanOrEqual(DEFAULT_REASSEMBLER_OPTIONS.maxPendingBytes);
    expect(maxShare).toBeLessThanOrEqual(DEFAULT_REASSEMBLER_OPTIONS.maxPendingMessagesPerOriginator);
    // what was dropped, by policy: the global bound did the work, from the flood's shares
    expect(lostBy.get('evicted/global')).toBeGreaterThan(400_000);
    expect(r.stats.evictedGlobal).toBe(lostBy.get('evicted/global'));
    expect(r.stats.evicted).toBe([...lostBy].filter(([k]) => k.startsWith('evicted')).reduce((n, [, v]) => n + v, 0));
  });
});
