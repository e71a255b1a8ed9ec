/**
 * Base64 (RFC 4648 4) for the header values that carry it (Basic credentials, Content-MD5, octets
 * as data URIs). Decoding is lenient as Node's is: the URL-safe alphabet is read too, and
 * characters outside the alphabet are skipped; it stops at the first '='.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES: Int8Array = (() => {
  const v = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) v[ALPHABET.charCodeAt(i)] = i;
  v[0x2d] = 62; // '-'
  v[0x5f] = 63; // '_'
  return v;
})();

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
    s += i + 1 < b.length ? ALPHABET[(n >> 6) & 63] : '=';
    s += i + 2 < b.length ? ALPHABET[n & 63] : '=';
  }
  return s;
}

export function fromBase64(s: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d) break;
    const v = c < 128 ? VALUES[c] : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
