/**
 * Connection Profile contact points (PushCAI 5.1: "the expected source address of Push
 * messages as applicable to the protocol, e.g. ... the IP address, hostname, or URI of the
 * PPG"). Each form is taken where the bearer can check it, and checked there; a form the
 * bearer cannot check is refused, since an option that is not supported must be rejected:
 *
 * | form | OTA-WSP (SMS) | OTA-HTTP |
 * | --- | --- | --- |
 * | SMS address (`+15550001`, a short code, an alphanumeric sender) | the originator | refused |
 * | `tel:` / `sms:` URI | the originator (its number) | refused |
 * | IP address | refused: an SMS carries no IP source | the HTTP peer's address |
 * | hostname | refused | the HTTP peer is one of its addresses (resolved when binding) |
 * | `http(s):` URI | refused | the CPI goes there, and the peer is one of its host's addresses |
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { normalizeAddress } from './whitelist.js';

export type ContactPoint =
  /** An SMS originator, normalized as whitelist addresses are. */
  | { kind: 'sms'; source: string }
  /** An HTTP peer address, normalized. */
  | { kind: 'ip'; source: string }
  /** An HTTP peer among a hostname's addresses; `url` when the contact point is the PPG's URL (the CPI target). */
  | { kind: 'host'; host: string; url?: string };

/** A GSM alphanumeric originator: up to 11 characters, letters and digits (3GPP TS 23.040 9.1.2.5). */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const SMS_NUMBER = /^\+?[0-9][0-9 ()-]{0,24}$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** An IP address as compared: an IPv4-mapped IPv6 address as its IPv4 one, IPv6 in lower case. */
export function normalizeIp(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** The contact point `text` of a profile for `protocol`, or why it cannot be taken. */
export function parseContactPoint(protocol: 'OTA-WSP' | 'OTA-HTTP', text: string): ContactPoint | string {
  const t = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(t)?.[1]?.toLowerCase();
  const ipText = t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
  if (protocol === 'OTA-WSP') {
    if (scheme === 'tel' || scheme === 'sms') {
      const number = t.slice(scheme.length + 1).split(/[;?]/)[0];
      if (!SMS_NUMBER.test(number)) return `${t} does not name an SMS address`;
      return { kind: 'sms', source: normalizeAddress(number) };
    }
    if (SMS_NUMBER.test(t) || ALPHANUMERIC_SENDER.test(t)) return { kind: 'sms', source: normalizeAddress(t) };
    return `an OTA-WSP contact point over SMS is the PPG's SMS address (a number, a short code, an alphanumeric sender, or a tel:/sms: URI): ${JSON.stringify(t)} cannot be checked against an SMS originator`;
  }
  if (isIP(ipText)) return { kind: 'ip', source: normalizeIp(ipText) };
  if (scheme === 'http' || scheme === 'https') {
    let host: string;
    try {
      host = new URL(t).hostname;
    } catch {
      return `${JSON.stringify(t)} is not a URL`;
    }
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    return { kind: 'host', host: bare, url: t };
  }
  if (scheme === undefined && HOSTNAME.test(t) && !SMS_NUMBER.test(t)) return { kind: 'host', host: t };
  return `an OTA-HTTP contact point is the PPG's IP address, hostname or http(s) URL: ${JSON.stringify(t)} cannot be checked against an HTTP peer`;
}

/** The addresses an HTTP push from this contact point may come from. Rejects when a hostname does not resolve. */
export async function resolveSources(cp: Extract<ContactPoint, { kind: 'host' }>): Promise<string[]> {
  if (isIP(cp.host)) return [normalizeIp(cp.host)];
  const found = await lookup(cp.host, { all: true, verbatim: true });
  return found.map((a) => normalizeIp(a.address));
}
