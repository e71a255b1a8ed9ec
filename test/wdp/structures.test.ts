import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/wdp/fifo.js';
import { MessageIndex, identityHash, type Indexed } from '../../src/wdp/messageIndex.js';
import { MAX_IDLE_ORIGINATOR_SHARES, OriginatorShares, type Held } from '../../src/wdp/shares.js';

describe('Fifo', () => {
  it('keeps oldest-first order through removals from anywhere and compactions', () => {
    const q = new Fifo<{ removed: boolean; n: number }>();
    const items = Array.from({ length: 5000 }, (_, n) => ({ removed: false, n }));
    for (const it of items) q.push(it);
    // remove all odd ones, then the first 1000 even ones: triggers compactions
    for (const it of items) if (it.n % 2) q.remove(it);
    expect(q.size).toBe(2500);
    expect(q.peek()?.n).toBe(0);
    for (let n = 0; n < 2000; n += 2) q.remove(items[n]);
    expect(q.size).toBe(1500);
    expect(q.peek()?.n).toBe(2000);
    expect(q.peekOther(items[2000])?.n).toBe(2002);
    q.remove(items[2000]);
    q.remove(items[2000]); // twice is harmless
    expect(q.size).toBe(1499);
    const seen: number[] = [];
    for (let it = q.peek(); it; it = q.peek()) {
      seen.push(it.n);
      q.remove(it);
    }
    expect(seen).toEqual(Array.from({ length: 1499 }, (_, i) => 2002 + 2 * i));
    expect(q.peek()).toBeUndefined();
  });
});

describe('MessageIndex', () => {
  const entry = (originator: string, reference: number, hash?: number): Indexed => {
    const id = { originator, recipient: 'r', sourcePort: 9200, destinationPort: 2948, reference };
    return { ...id, hash: hash ?? identityHash(id), chain: undefined };
  };
  it('tells apart entries whose hashes collide, and unlinks any of them', () => {
    const idx = new MessageIndex<Indexed>();
    const a = entry('a', 1, 42);
    const b = entry('b', 1, 42);
    const c = entry('c', 1, 42);
    idx.add(a);
    idx.add(b);
    idx.add(c);
    expect(idx.get(b, 42)).toBe(b);
    expect(idx.get(entry('d', 1), 42)).toBeUndefined();
    idx.delete(b);
    expect(idx.get(a, 42)).toBe(a);
    expect(idx.get(c, 42)).toBe(c);
    expect(idx.get(b, 42)).toBeUndefined();
    idx.delete(c);
    idx.delete(a);
    expect(idx.get(a, 42)).toBeUndefined();
  });
  it('finds every entry as the index grows past its buckets and shrinks again, negative hashes too', () => {
    const idx = new MessageIndex<Indexed>();
    // Hashes with equal low bits share a bucket at every size: they chain.
    const all = Array.from({ length: 5_000 }, (_, i) =>
      entry(`+1555${i}`, i & 0xff, i % 7 === 0 ? -(i << 12) : undefined),
    );
    for (const e of all) idx.add(e);
    expect(idx.size).toBe(5_000);
    for (const e of all) expect(idx.get(e, e.hash)).toBe(e);
    // Every other one goes, then all but ten: each delete leaves the rest findable.
    for (let i = 0; i < all.length; i += 2) idx.delete(all[i]);
    for (let i = 0; i < all.length; i++) expect(idx.get(all[i], all[i].hash)).toBe(i % 2 ? all[i] : undefined);
    for (let i = 1; i < all.length - 20; i += 2) idx.delete(all[i]);
    expect(idx.size).toBe(10);
    for (let i = all.length - 19; i < all.length; i += 2) expect(idx.get(all[i], all[i].hash)).toBe(all[i]);
    // Deleting what is not there changes nothing.
    idx.delete(all[0]);
    expect(idx.size).toBe(10);
  });
  it('hashes every part of the identity', () => {
    const base = { originator: 'o', recipient: 'r', sourcePort: 1, destinationPort: 2, reference: 3 };
    const variants = [
      base,
      { ...base, originator: 'p' },
      { ...base, recipient: 's' },
      { ...base, sourcePort: 4 },
      { ...base, destinationPort: 5 },
      { ...base, reference: 6 },
      { ...base, sourcePort: undefined },
      { ...base, originator: 'or', recipient: '' },
    ];
    expect(new Set(variants.map(identityHash)).size).toBe(variants.length);
  });
});

describe('OriginatorShares idle shares', () => {
  interface M extends Held<M> {
    n: number;
  }
  const message = (n: number): M => ({
    n,
    bytes: 0,
    originatorShare: undefined,
    prevO: undefined,
    nextO: undefined,
    bindShare: undefined,
    prevB: undefined,
    nextB: undefined,
  });

  it('keeps an emptied share for reuse, at most MAX_IDLE_ORIGINATOR_SHARES of them, out of the rankings', () => {
    const o = new OriginatorShares<M>();
    const first = o.acquire('+1');
    const m = message(1);
    o.add(first, m);
    o.addBytes(first, 300);
    m.bytes = 300;
    o.remove(m);
    expect(o.size).toBe(0);
    expect(o.oldestOfMostMessages()).toBeUndefined();
    expect(o.oldestOfMostBytes(undefined)).toBeUndefined();
    // The same share comes back, empty and at bytes level 0.
    const again = o.acquire('+1');
    expect(again).toBe(first);
    expect(again).toMatchObject({ messages: 0, bytes: 0, level: 0 });
    const m2 = message(2);
    o.add(again, m2);
    expect(o.size).toBe(1);
    expect(o.oldestOfMostMessages()).toBe(m2);
    o.remove(m2);
    // Past the bound, the share idle longest is forgotten: '+1' went idle first.
    for (let i = 0; i < MAX_IDLE_ORIGINATOR_SHARES; i++) {
      const s = o.acquire(`+2${i}`);
      const x = message(i);
      o.add(s, x);
      o.remove(x);
    }
    expect(o.get('+1')).toBeUndefined();
    expect(o.get('+20')?.messages).toBe(0);
    expect(o.size).toBe(0);
  });
});
