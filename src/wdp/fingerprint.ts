/**
 * A 32-bit fingerprint that tells a repeated segment from a different one without keeping its
 * octets (the reassembler's late-duplicate memory, the link's single-SMS repeat memory): a
 * multiply-xor step four octets at a time, in four lanes (the first, second, third and fourth
 * four octets of each sixteen) joined at the end. Each step waits for the multiply before it,
 * so four chains that do not wait for each other take a quarter of the time of one (two lanes
 * took 7.7% of the 3-segment pipeline's samples in copyPrinting); it runs over every octet of
 * every completed message. Only this process compares them, and nothing keeps them past it
 * (the stores keep prints of their own, src/store/keys.ts), so the function may change.
 *
 * Every step folds its high bits down (`h ^= h >>> 15`): a multiply alone carries a change only
 * upwards, so FNV's multiply-xor taken a word at a time left a word's bit 31 in bit 31 alone,
 * where the next word's bit 31 undid it, and the lanes' XOR undid it across lanes: flipping
 * 0x80 in any two octets at offsets 3, 7, 11, ... gave the same print, and a new message on a
 * reused reference that differed only so was swallowed as a late duplicate. Each step is one to
 * one in the word and in the state, so a change in one word always changes its lane, and a
 * change in one lane always changes the join (each lane is multiplied by an odd number, then
 * xored with the next); only the last cut to 30 bits (and two changed
 * words, by chance) can meet, at about one in 2^30.
 *
 * Three forms of the one function, all giving the same number for the same octets:
 * `fingerprint` over a Uint8Array, `fingerprintAt` over a DataView (a 32-bit read is one load
 * where four octet reads are four: twice as quick), and `copyPrinting`, which also copies the
 * octets it reads, so that a segment taken into the reassembler is read once, not twice.
 */
export function fingerprint(b: Uint8Array, start = 0, end = b.length): number {
  let h0 = 0x811c9dc5 ^ (end - start);
  let h1 = LANE_SEED;
  let h2 = LANE_SEED_2;
  let h3 = LANE_SEED_3;
  const n = start + ((end - start) & ~15);
  let i = start;
  for (; i < n; i += 16) {
    h0 = Math.imul(h0 ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), MIX);
    h1 = Math.imul(h1 ^ (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24)), MIX);
    h2 = Math.imul(h2 ^ (b[i + 8] | (b[i + 9] << 8) | (b[i + 10] << 16) | (b[i + 11] << 24)), MIX);
    h3 = Math.imul(h3 ^ (b[i + 12] | (b[i + 13] << 8) | (b[i + 14] << 16) | (b[i + 15] << 24)), MIX);
    h0 ^= h0 >>> 15;
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 15;
    h3 ^= h3 >>> 15;
  }
  let h = Math.imul(Math.imul(Math.imul(h0, JOIN) ^ h1, JOIN) ^ h2, JOIN) ^ h3;
  for (; end - i >= 4; i += 4) {
    h = Math.imul(h ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), MIX);
    h ^= h >>> 15;
  }
  if (i < end) {
    let w = 0;
    for (let s = 0; i < end; i++, s += 8) w |= b[i] << s;
    h = Math.imul(h ^ w, MIX);
    h ^= h >>> 15;
  }
  return finish(h);
}

/** fingerprint() of octets `start` to `end` of `v`. */
export function fingerprintAt(v: DataView, start: number, end: number): number {
  let h0 = 0x811c9dc5 ^ (end - start);
  let h1 = LANE_SEED;
  let h2 = LANE_SEED_2;
  let h3 = LANE_SEED_3;
  const n = start + ((end - start) & ~15);
  let i = start;
  for (; i < n; i += 16) {
    h0 = Math.imul(h0 ^ v.getInt32(i, true), MIX);
    h1 = Math.imul(h1 ^ v.getInt32(i + 4, true), MIX);
    h2 = Math.imul(h2 ^ v.getInt32(i + 8, true), MIX);
    h3 = Math.imul(h3 ^ v.getInt32(i + 12, true), MIX);
    h0 ^= h0 >>> 15;
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 15;
    h3 ^= h3 >>> 15;
  }
  let h = Math.imul(Math.imul(Math.imul(h0, JOIN) ^ h1, JOIN) ^ h2, JOIN) ^ h3;
  for (; end - i >= 4; i += 4) {
    h = Math.imul(h ^ v.getInt32(i, true), MIX);
    h ^= h >>> 15;
  }
  if (i < end) {
    let w = 0;
    for (let s = 0; i < end; i++, s += 8) w |= v.getUint8(i) << s;
    h = Math.imul(h ^ w, MIX);
    h ^= h >>> 15;
  }
  return finish(h);
}

/**
 * Copies octets `start` to `end` of `from` to `to` at `at`, and returns their fingerprint():
 * one pass, four octets a load and a store, and no view made of either side (a typed-array
 * view of the source, for TypedArray.set, cost more than the copy).
 */
export function copyPrinting(from: DataView, start: number, end: number, to: DataView, at: number): number {
  let h0 = 0x811c9dc5 ^ (end - start);
  let h1 = LANE_SEED;
  let h2 = LANE_SEED_2;
  let h3 = LANE_SEED_3;
  const n = start + ((end - start) & ~15);
  let i = start;
  let o = at;
  for (; i < n; i += 16, o += 16) {
    const a = from.getInt32(i, true);
    const b = from.getInt32(i + 4, true);
    const c = from.getInt32(i + 8, true);
    const d = from.getInt32(i + 12, true);
    to.setInt32(o, a, true);
    to.setInt32(o + 4, b, true);
    to.setInt32(o + 8, c, true);
    to.setInt32(o + 12, d, true);
    h0 = Math.imul(h0 ^ a, MIX);
    h1 = Math.imul(h1 ^ b, MIX);
    h2 = Math.imul(h2 ^ c, MIX);
    h3 = Math.imul(h3 ^ d, MIX);
    h0 ^= h0 >>> 15;
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 15;
    h3 ^= h3 >>> 15;
  }
  let h = Math.imul(Math.imul(Math.imul(h0, JOIN) ^ h1, JOIN) ^ h2, JOIN) ^ h3;
  for (; end - i >= 4; i += 4, o += 4) {
    const a = from.getInt32(i, true);
    to.setInt32(o, a, true);
    h = Math.imul(h ^ a, MIX);
    h ^= h >>> 15;
  }
  if (i < end) {
    let w = 0;
    for (let s = 0; i < end; i++, o++, s += 8) {
      const c = from.getUint8(i);
      to.setUint8(o, c);
      w |= c << s;
    }
    h = Math.imul(h ^ w, MIX);
    h ^= h >>> 15;
  }
  return finish(h);
}

/** The second lane's start (FNV's 64-bit offset basis, low half): the lanes start apart. */
const LANE_SEED = 0x84222325 | 0;
/** The third and fourth lanes' starts (FNV's 64-bit offset basis, high half, and the 32-bit prime): apart again. */
const LANE_SEED_2 = 0xcbf29ce4 | 0;
const LANE_SEED_3 = 0x01000193 | 0;
/** Each step's multiplier (2^32 / the golden ratio, odd): about half its bits set, so a changed bit reaches many. */
const MIX = 0x9e3779b1 | 0;
/** The multiplier of what is joined so far before the next lane is xored in (murmur3's fmix32 constant): the lanes are weighed apart. */
const JOIN = 0x85ebca6b | 0;

/**
 * The last mix (half of murmur3's fmix32): in the running join each multiply carries bits only
 * upward, so the last lane, xored in after the last multiply, reaches the low bits alone until
 * high bits are folded down; then 30 bits, a small integer, so an array of them holds no heap
 * numbers.
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h >>> 2;
}
