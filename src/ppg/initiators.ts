/**
 * Push initiators: HTTP Basic credentials (RFC 7617) per initiator, the client addresses each
 * may connect from, and the recipient prefixes each may push to (what Kannel's
 * wap-push-user group configures). With no initiators configured, anyone may push.
 */
import { timingSafeEqual } from 'node:crypto';

export interface PushInitiator {
  name: string;
  password: string;
  /** IP addresses it may connect from; absent: any. */
  allowedAddresses?: string[];
  /** Recipient number prefixes it may push to (`+1555`, `+44`); absent: any. */
  allowedPrefixes?: string[];
}

export type Admission =
  { ok: true; initiator: string; prefixes?: readonly string[] } | { ok: false; status: 401 | 403; reason: string };

/** Who a request comes from, or why it is not let in. */
export function admit(
  initiators: readonly PushInitiator[],
  authorization: string | undefined,
  remoteAddress: string | undefined,
): Admission {
  if (initiators.length === 0) return { ok: true, initiator: '' };
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(authorization ?? '');
  if (!m) return { ok: false, status: 401, reason: 'credentials are required' };
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const name = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const who = initiators.find((i) => i.name === name);
  if (!who || !same(who.password, password)) return { ok: false, status: 401, reason: 'bad credentials' };
  const from = (remoteAddress ?? '').replace(/^::ffff:/, '');
  if (who.allowedAddresses && !who.allowedAddresses.includes(from))
    return { ok: false, status: 403, reason: `initiator ${name} may not connect from ${from}` };
  return { ok: true, initiator: name, prefixes: who.allowedPrefixes };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `NAME:PASSWORD` as the CLI takes it. A bad value is named by its position (`index`, from 0)
 * and never echoed: it may be a password alone, and errors reach stderr and logs.
 */
export function parseInitiator(spec: string, index = 0): PushInitiator {
  const colon = spec.indexOf(':');
  if (colon <= 0)
    throw new TypeError(
      `--user value ${index + 1} is not NAME:PASSWORD: ${colon < 0 ? 'it has no colon' : 'its NAME is empty'} (the value is not shown: it may hold a password)`,
    );
  return { name: spec.slice(0, colon), password: spec.slice(colon + 1) };
}
