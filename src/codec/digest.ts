/**
 * SHA-1 (FIPS 180-4 6.1), HMAC (RFC 2104) and MD5 (RFC 1321), in plain JavaScript: provisioning
 * MACs and SyncML digests are checked in a browser as on Node, synchronously, where WebCrypto
 * would make every body decode asynchronous. Inputs are a few hundred octets: speed is not the point.
 */

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** UTF-8 octets of a string, or the octets themselves. */
function octets(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

/** The message padded to whole 64-octet blocks with its bit length (both algorithms pad alike). */
function pad(m: Uint8Array, bigEndian: boolean): DataView {
  const n = (((m.length + 8) >> 6) + 1) << 6;
  const out = new Uint8Array(n);
  out.set(m);
  out[m.length] = 0x80;
  const v = new DataView(out.buffer);
  const bits = m.length * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  if (bigEndian) {
    v.setUint32(n - 8, hi);
    v.setUint32(n - 4, lo);
  } else {
    v.setUint32(n - 8, lo, true);
    v.setUint32(n - 4, hi, true);
  }
  return v;
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

export function sha1(data: Uint8Array | string): Uint8Array {
  const v = pad(octets(data), true);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Int32Array(80);
  for (let off = 0; off < v.byteLength; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = v.getInt32(off + 4 * t);
    for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    let [a, b, c, d, e] = h;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
      else if (t < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
      else if (t < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
      else [f, k] = [b ^ c ^ d, 0xca62c1d6];
      const tmp = (rotl(a, 5) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = tmp;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
  }
  const out = new DataView(new ArrayBuffer(20));
  h.forEach((x, i) => out.setUint32(4 * i, x >>> 0));
  return new Uint8Array(out.buffer);
}

export function hmacSha1(key: Uint8Array | string, data: Uint8Array): Uint8Array {
  let k = typeof key === 'string' ? ascii(key) : key;
  if (k.length > 64) k = sha1(k);
  const ipad = new Uint8Array(64 + data.length);
  const opad = new Uint8Array(64 + 20);
  for (let i = 0; i < 64; i++) {
    ipad[i] = (k[i] ?? 0) ^ 0x36;
    opad[i] = (k[i] ?? 0) ^ 0x5c;
  }
  ipad.set(data, 64);
  opad.set(sha1(ipad), 64);
  return sha1(opad);
}

/** Per-round shift amounts and the sine table of RFC 1321 3.4. */
const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0);

export function md5(data: Uint8Array | string): Uint8Array {
  const v = pad(octets(data), false);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const m = new Int32Array(16);
  for (let off = 0; off < v.byteLength; off += 64) {
    for (let t = 0; t < 16; t++) m[t] = v.getInt32(off + 4 * t, true);
    let [a, b, c, d] = h;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) [f, g] = [(b & c) | (~b & d), i];
      else if (i < 32) [f, g] = [(d & b) | (~d & c), (5 * i + 1) & 15];
      else if (i < 48) [f, g] = [b ^ c ^ d, (3 * i + 5) & 15];
      else [f, g] = [c ^ (b | ~d), (7 * i) & 15];
      const tmp = d;
      d = c;
      c = b;
      b = (b + rotl((a + f + MD5_K[i] + m[g]) | 0, MD5_S[(i >> 4) * 4 + (i & 3)])) | 0;
      a = tmp;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
  }
  const out = new DataView(new ArrayBuffer(16));
  h.forEach((x, i) => out.setUint32(4 * i, x >>> 0, true));
  return new Uint8Array(out.buffer);
}

/** Equal octets, compared in a time that does not depend on where they differ. */
export function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
