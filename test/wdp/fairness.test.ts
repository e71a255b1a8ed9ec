// Fair reassembly bounds (issue 18 item 2): a flood of never-completing segments must not
// starve real pushes. Each originator and bind has a quota; a global bound takes from whoever
// holds the most; every drop is counted by policy.
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { DEFAULT_REASSEMBLER_OPTIONS, Reassembler, type LostMessage } from '../../src/wdp/reassembler.js';
import { hex } from '../helpers.js';
import { runFlood } from '../../bench/flood.js';

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
  // The run is bench/flood.ts's (the benchmark reports the same run): 500,000 flood segments
  // from 1,000 spoofed originators at 60,000 a second, default bounds, 248 real 2-3-segment
  // pushes from 8 honest originators, their segments 10,000 or 40,000 flood segments apart.
  it('all 248 real pushes complete; pending messages, bytes and each share stay under their bounds', () => {
    const {
      reassembler: r,
      sent,
      received,
      lostBy,
      honestLost,
      floodCompleted,
      maxMessages,
      maxBytes,
      maxShare,
    } = runFlood(500_000);
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
