/**
 * Authentication of OMA Client Provisioning documents (OMA-WAP-ProvBoot-v1_1 section 5): the
 * SEC and MAC content-type parameters. MAC = HMAC-SHA1(key, the WBXML document), 40 hex
 * digits. The key per SEC method:
 *   NETWPIN      the IMSI in semi-octet form (as in EF-IMSI, 3GPP TS 31.102 4.2.2: the
 *                parity nibble 9 for an odd digit count or 1 for even, then the digits,
 *                nibble-swapped, padded with F)
 *   USERPIN      the PIN as ASCII
 *   USERNETWPIN  the IMSI semi-octets followed by the PIN as ASCII
 *   USERPINMAC   the PIN carries its own check: its second half are the digits
 *                HMAC-SHA1(first half as ASCII, document)[i] mod 10
 * Facts cross-checked with an Android client-provisioning implementation (Kryten's OmaSigner).
 * Kannel's sender keys NETWPIN with the IMSI as ASCII digits, and gives USERPINMAC the USERPIN
 * MAC: those are reported as non-standard matches, never as verified.
 */
import { hmacSha1, sameOctets } from '../digest.js';
import { fromHex, toHex } from '../hex.js';
import { codeTable } from '../table.js';
import type { Parameters } from '../wsp/parameters.js';

/** SEC parameter values (OMA-WAP-ProvBoot-v1_1 Table 5; WSP Well-known-parameter 0x11). */
export const SEC_METHODS = codeTable([
  [0, 'NETWPIN'],
  [1, 'USERPIN'],
  [2, 'USERNETWPIN'],
  [3, 'USERPINMAC'],
]);
export type SecMethod = 'NETWPIN' | 'USERPIN' | 'USERNETWPIN' | 'USERPINMAC';

export interface ProvisioningSecrets {
  /** The user PIN (USERPIN, USERNETWPIN, USERPINMAC). */
  pin?: string;
  /** The IMSI as decimal digits (NETWPIN, USERNETWPIN). */
  imsi?: string;
}

export interface ProvisioningAuthentication {
  sec: SecMethod | null;
  mac: string | null;
  /** true: the MAC verifies per specification; false: it does not; null: no SEC, or no secret given. */
  verified: boolean | null;
  /** A match by a known non-standard sender's method; `verified` stays false. */
  nonStandard?: 'kannel-imsi-ascii' | 'kannel-userpinmac';
  reason?: string;
}

export function imsiSemiOctets(imsi: string): Uint8Array {
  if (!/^\d{1,15}$/.test(imsi)) throw new RangeError(`an IMSI is 1-15 decimal digits, not ${JSON.stringify(imsi)}`);
  const digits = imsi.length % 2 === 1 ? `9${imsi}` : `1${imsi}F`;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (parseInt(digits[2 * i + 1], 16) << 4) | parseInt(digits[2 * i], 16);
  return out;
}

function hmac(key: Uint8Array, body: Uint8Array): Uint8Array {
  return hmacSha1(key, body);
}

/** A secret as the octets of its characters (PINs and IMSIs are ASCII digits). */
function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** The key of a method, or undefined when a secret it needs was not given. */
function keyFor(sec: SecMethod, secrets: ProvisioningSecrets): Uint8Array | undefined {
  switch (sec) {
    case 'NETWPIN':
      return secrets.imsi === undefined ? undefined : imsiSemiOctets(secrets.imsi);
    case 'USERPIN':
      return secrets.pin === undefined ? undefined : ascii(secrets.pin);
    case 'USERNETWPIN':
      return secrets.imsi === undefined || secrets.pin === undefined
        ? undefined
        : Uint8Array.from([...imsiSemiOctets(secrets.imsi), ...ascii(secrets.pin)]);
    case 'USERPINMAC':
      return undefined;
  }
}

/** The MAC parameter a sender puts on `body` (40 upper-case hex digits); not for USERPINMAC. */
export function provisioningMac(
  sec: Exclude<SecMethod, 'USERPINMAC'>,
  body: Uint8Array,
  secrets: ProvisioningSecrets,
): string {
  const key = keyFor(sec, secrets);
  if (!key)
    throw new RangeError(
      `${sec} needs ${sec === 'USERPIN' ? 'a PIN' : sec === 'NETWPIN' ? 'an IMSI' : 'an IMSI and a PIN'}`,
    );
  return toHex(hmac(key, body)).toUpperCase();
}

/** USERPINMAC: the full PIN a user types, given its first half (N >= 1 decimal digits). */
export function userPinMacPin(firstHalf: string, body: Uint8Array): string {
  const m = hmac(ascii(firstHalf), body);
  let out = firstHalf;
  for (let i = 0; i < firstHalf.length; i++) out += String(m[i] % 10);
  return out;
}

function sameHex(a: string, b: Uint8Array): boolean {
  const given = /^[0-9a-f]{40}$/i.test(a) ? fromHex(a) : undefined;
  return given !== undefined && sameOctets(given, b);
}

export function verifyProvisioning(
  params: Parameters,
  body: Uint8Array,
  secrets: ProvisioningSecrets = {},
): ProvisioningAuthentication {
  const rawSec = params.sec;
  const mac = params.mac === undefined ? null : String(params.mac);
  if (rawSec === undefined) return { sec: null, mac, verified: null };
  const sec = (
    typeof rawSec === 'number'
      ? SEC_METHODS.name(rawSec)
      : SEC_METHODS.code(String(rawSec)) !== undefined
        ? String(rawSec).toUpperCase()
        : undefined
  ) as SecMethod | undefined;
  if (!sec) return { sec: null, mac, verified: false, reason: `unknown SEC value ${String(rawSec)}` };
  const out: ProvisioningAuthentication = { sec, mac, verified: null };
  if (sec === 'USERPINMAC') {
    const pin = secrets.pin;
    if (pin === undefined) return { ...out, reason: 'USERPINMAC needs the PIN' };
    const n = pin.length / 2;
    if (!Number.isInteger(n) || n < 1 || !/^\d+$/.test(pin))
      return { ...out, verified: false, reason: 'a USERPINMAC PIN is an even number of decimal digits' };
    out.verified = userPinMacPin(pin.slice(0, n), body) === pin;
    if (!out.verified && mac !== null && sameHex(mac, hmac(ascii(pin), body))) out.nonStandard = 'kannel-userpinmac';
    return out;
  }
  if (mac === null) return { ...out, verified: false, reason: `SEC ${sec} without a MAC parameter` };
  let key: Uint8Array | undefined;
  try {
    key = keyFor(sec, secrets);
  } catch (e) {
    return { ...out, verified: false, reason: (e as Error).message };
  }
  if (!key)
    return {
      ...out,
      reason: `${sec} needs ${sec === 'USERPIN' ? 'the PIN' : sec === 'NETWPIN' ? 'the IMSI' : 'the IMSI and the PIN'}`,
    };
  out.verified = sameHex(mac, hmac(key, body));
  if (!out.verified && secrets.imsi !== undefined && (sec === 'NETWPIN' || sec === 'USERNETWPIN')) {
    const kannelKey = sec === 'NETWPIN' ? ascii(secrets.imsi) : ascii(secrets.imsi + (secrets.pin ?? ''));
    if (sameHex(mac, hmac(kannelKey, body))) out.nonStandard = 'kannel-imsi-ascii';
  }
  return out;
}
