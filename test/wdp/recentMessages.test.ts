import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RecentMessages, RECENT_INLINE_SEGMENTS } from '../../src/wdp/recentMessages.js';
import type { MessageIdentity } from '../../src/wdp/messageIndex.js';

/** Fingerprint stand-in for the tests: the first octet, so each part says what it should match. */
const firstOctet = (d: Uint8Array): number => d[0];

/** Remembers a completed message of `parts`, each fingerprinted with `print` (as the reassembler does with its own). */
function remember(
  r: RecentMessages,
  id: MessageIdentity,
  hash: number,
  parts: readonly Uint8Array[],
  total: number,
  at: number,
  print: (data: Uint8Array) => number,
): void {
  const prints = new Int32Array(total);
  for (let i = 0; i < total; i++) prints[i] = print(parts[i]);
  r.rememberPrints(id, hash, prints, total, at);
}

function identity(n: number): MessageIdentity {
  return {
    // Made anew each time: a remembered address is matched by its characters, not its string object.
    originator: n % 5 === 0 ? `+4477009${n % 7}`.padEnd(30, '0') : `+4477009${n % 7}`,
    recipient: '+447700900000',
    sourcePort: n % 3 === 0 ? undefined : 9200,
    destinationPort: 2948,
    reference: n,
  };
}

/** A model: remembered messages oldest first, as plain records. */
interface Model {
  n: number;
  total: number;
  prints: number[];
  at: number;
}

describe('RecentMessages', () => {
  it('agrees with a plain oldest-first list through remembering, forgetting, expiry and growth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('remember' as const),
              n: fc.integer({ min: 0, max: 400 }),
              total: fc.integer({ min: 1, max: RECENT_INLINE_SEGMENTS + 3 }),
              seed: fc.integer({ min: 0, max: 200 }),
            }),
            fc.record({ op: fc.constant('forget' as const), n: fc.integer({ min: 0, max: 400 }) }),
            fc.record({ op: fc.constant('expire' as const), by: fc.integer({ min: 0, max: 30 }) }),
          ),
          { minLength: 100, maxLength: 600, size: 'max' },
        ),
        // Hashes with few distinct values make long probe runs, so removals shift entries back.
        fc.integer({ min: 1, max: 12 }),
        (max, ops, hashes) => {
          const r = new RecentMessages(max);
          let model: Model[] = [];
          let clock = 0;
          const hashOf = (n: number) => Math.imul(n % hashes, 0x9e3779b1);
          for (const o of ops) {
            clock++;
            if (o.op === 'remember') {
              // The reassembler remembers a message only when its identity is not remembered.
              const had = r.find(identity(o.n), hashOf(o.n));
              if (had >= 0) r.forget(had);
              model = model.filter((m) => m.n !== o.n);
              const prints = Array.from({ length: o.total }, (_, i) => (o.seed + i) & 0xff);
              remember(
                r,
                identity(o.n),
                hashOf(o.n),
                prints.map((p) => Uint8Array.of(p)),
                o.total,
                clock,
                firstOctet,
              );
              model.push({ n: o.n, total: o.total, prints, at: clock });
              if (model.length > max) model.shift();
            } else if (o.op === 'forget') {
              const s = r.find(identity(o.n), hashOf(o.n));
              expect(s >= 0).toBe(model.some((m) => m.n === o.n));
              if (s >= 0) r.forget(s);
              model = model.filter((m) => m.n !== o.n);
            } else {
              r.expire(clock - o.by);
              model = model.filter((m) => m.at > clock - o.by);
            }
            expect(r.size).toBe(model.length);
          }
          for (const m of model) {
            const s = r.find(identity(m.n), hashOf(m.n));
            expect(s).toBeGreaterThanOrEqual(0);
            for (let q = 1; q <= m.total; q++) {
              expect(r.repeats(s, m.total, q, m.prints[q - 1])).toBe(true);
              expect(r.repeats(s, m.total, q, m.prints[q - 1] + 1)).toBe(false);
            }
            expect(r.repeats(s, m.total + 1, 1, m.prints[0])).toBe(false);
          }
          // Oldest first: expiring at each remembered time takes them in the model's order.
          for (const m of model) {
            r.expire(m.at);
            expect(r.find(identity(m.n), hashOf(m.n))).toBe(-1);
          }
          expect(r.size).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('finds a message whose probe run passed a forgotten one', () => {
    const r = new RecentMessages(10);
    remember(r, identity(1), 5, [Uint8Array.of(1)], 1, 0, firstOctet);
    remember(r, identity(2), 5, [Uint8Array.of(2)], 1, 0, firstOctet);
    r.forget(r.find(identity(1), 5));
    expect(r.repeats(r.find(identity(2), 5), 1, 1, 2)).toBe(true);
  });

  it('tells identities apart by every field, ports absent or present', () => {
    const r = new RecentMessages(10);
    const id = identity(1);
    remember(r, id, 7, [Uint8Array.of(5)], 1, 0, firstOctet);
    expect(r.find({ ...id }, 7)).toBeGreaterThanOrEqual(0);
    for (const other of [
      { ...id, originator: '+1' },
      { ...id, recipient: '+1' },
      { ...id, sourcePort: undefined },
      { ...id, destinationPort: 9200 },
      { ...id, reference: 2 },
      { ...id, reference: undefined },
    ])
      expect(r.find(other, 7)).toBe(-1);
  });

  it('compares addresses by their characters, of one character more or less', () => {
    const r = new RecentMessages(10);
    const long = { ...identity(1), originator: 'x'.repeat(70) };
    const edge = { ...identity(2), recipient: 'y'.repeat(24) };
    remember(r, long, 3, [Uint8Array.of(1)], 1, 0, firstOctet);
    remember(r, edge, 3, [Uint8Array.of(1)], 1, 0, firstOctet);
    expect(r.find({ ...long, originator: ['x'.repeat(35), 'x'.repeat(35)].join('') }, 3)).toBeGreaterThanOrEqual(0);
    expect(r.find({ ...long, originator: 'x'.repeat(71) }, 3)).toBe(-1);
    expect(r.find({ ...edge }, 3)).toBeGreaterThanOrEqual(0);
    expect(r.find({ ...edge, recipient: 'y'.repeat(23) }, 3)).toBe(-1);
    expect(r.find({ ...edge, recipient: 'y'.repeat(23) + 'z' }, 3)).toBe(-1);
  });

  it('keeps the bound and every message with holes left by forgetting out of order', () => {
    // Forgetting all but the oldest leaves holes in the ring; the ring grows past the bound and
    // is compacted, and every remembered message is still found, the oldest still goes first.
    const max = 8;
    const r = new RecentMessages(max);
    const kept: number[] = [];
    for (let n = 0; n < 2_000; n++) {
      remember(r, identity(n), n & 3, [Uint8Array.of(n & 0xff)], 1, n, firstOctet);
      kept.push(n);
      if (kept.length > max) kept.shift();
      // Every other message is forgotten right away unless it is the oldest.
      if (n % 2 === 1 && kept.length > 1) {
        r.forget(r.find(identity(n), n & 3));
        kept.pop();
      }
      expect(r.size).toBe(kept.length);
    }
    for (const n of kept) expect(r.repeats(r.find(identity(n), n & 3), 1, 1, n & 0xff)).toBe(true);
    r.expire(kept[0]);
    expect(r.find(identity(kept[0]), kept[0] & 3)).toBe(-1);
    expect(r.size).toBe(kept.length - 1);
  });

  it('remembers nothing with a bound of 0', () => {
    const r = new RecentMessages(0);
    remember(r, identity(1), 1, [Uint8Array.of(1)], 1, 0, firstOctet);
    expect(r.size).toBe(0);
    expect(r.find(identity(1), 1)).toBe(-1);
  });
});
