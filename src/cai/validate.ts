/**
 * Checks an Application Registration request before anything is bound. PushCAI 5.1: "The
 * Push Client MUST reject an Application Registration with an option that is not supported
 * or not currently available." Every rejection names the option as a path into the request.
 */
import { isApplicationId } from './applicationId.js';
import { parseContactPoint } from './contactPoint.js';
import { DEFAULT_PROTOCOL, PROTOCOLS, PTM_FIELDS } from './protocols.js';
import type {
  BoundProfile,
  ConnectionProfile,
  RegistrationRejected,
  RegistrationRejectReason,
  RegistrationRequest,
} from './types.js';

const REQUEST_FIELDS = new Set([
  'pushApplicationId',
  'applicationId',
  'handler',
  'whitelist',
  'connectionProfiles',
  'pushServiceRegistrationUri',
  'accept',
]);
const PROFILE_FIELDS = new Set(['protocol', 'bearerType', 'port', 'contactPoint', ...PTM_FIELDS]);
const WHITELIST_FIELDS = new Set(['address']);
/** RFC 6838 type/subtype, with the wildcards Accept lists use. */
const MEDIA_TYPE = /^(?:\*\/\*|[a-z0-9][a-z0-9!#$&^_.+-]*\/(?:\*|[a-z0-9][a-z0-9!#$&^_.+-]*))$/i;

/** What the client can serve right now. */
export interface Availability {
  /** The protocols whose bearer this client has (an SMPP link for OTA-WSP, HTTP for OTA-HTTP). */
  protocols: ReadonlySet<string>;
  /** Profile used when a request names neither profiles nor a Push Service Registration URI. */
  defaultProfile: BoundProfile | undefined;
  /** Why a protocol is not available now, by name, for the rejection's message. */
  reasons?: Partial<Record<BoundProfile['protocol'], string>>;
}

/**
 * A stored request is taken as its node accepted it: every protocol counts as served (the
 * follower's remote registrations, a stored record's id).
 */
export const EVERYWHERE: Availability = Object.freeze({
  protocols: new Set(Object.keys(PROTOCOLS)),
  defaultProfile: Object.freeze({
    protocol: 'OTA-WSP' as const,
    bearerType: PROTOCOLS['OTA-WSP'].defaultBearer!,
    port: PROTOCOLS['OTA-WSP'].defaultPort!,
  }),
});

export type Validated = { ok: true; profiles: BoundProfile[] } | RegistrationRejected;

function reject(reason: RegistrationRejectReason, option: string | undefined, message: string): RegistrationRejected {
  return option === undefined
    ? { status: 'rejected', reason, message }
    : { status: 'rejected', reason, option, message };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function validateRequest(request: RegistrationRequest, available: Availability): Validated {
  if (request === null || typeof request !== 'object')
    return reject('invalid-request', undefined, 'the registration request is not an object');
  for (const k of Object.keys(request)) {
    if (!REQUEST_FIELDS.has(k)) return reject('unsupported-option', k, `option ${k} is not supported`);
  }
  if (request.pushApplicationId === undefined)
    return reject('invalid-request', 'pushApplicationId', 'pushApplicationId is required (PushCAI 5.1)');
  if (!isApplicationId(request.pushApplicationId)) {
    return reject(
      'invalid-request',
      'pushApplicationId',
      `pushApplicationId ${JSON.stringify(request.pushApplicationId)} is neither an App ID code nor a URI`,
    );
  }
  if (
    request.applicationId !== undefined &&
    (typeof request.applicationId !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(request.applicationId))
  ) {
    return reject('invalid-request', 'applicationId', 'applicationId must be a URI (anyURI)');
  }
  if (request.handler !== undefined && typeof request.handler !== 'function')
    return reject('invalid-request', 'handler', 'handler must be a function');
  if (request.whitelist !== undefined) {
    if (!Array.isArray(request.whitelist))
      return reject('invalid-request', 'whitelist', 'whitelist must be an array of { address }');
    for (const [i, e] of request.whitelist.entries()) {
      if (e === null || typeof e !== 'object')
        return reject('invalid-request', `whitelist[${i}]`, 'a whitelist entry is an object { address }');
      for (const k of Object.keys(e))
        if (!WHITELIST_FIELDS.has(k))
          return reject('unsupported-option', `whitelist[${i}].${k}`, `whitelist option ${k} is not supported`);
      if (typeof e.address !== 'string' || e.address.replace(/[\s*+]/g, '') === '')
        return reject('invalid-request', `whitelist[${i}].address`, 'a whitelist address must be a non-empty string');
    }
  }
  if (request.accept !== undefined) {
    if (!Array.isArray(request.accept))
      return reject('invalid-request', 'accept', 'accept must be an array of MIME types');
    for (const [i, t] of request.accept.entries()) {
      if (typeof t !== 'string' || !MEDIA_TYPE.test(t))
        return reject('invalid-request', `accept[${i}]`, `${JSON.stringify(t)} is not a MIME type`);
    }
  }
  if (request.connectionProfiles !== undefined && request.pushServiceRegistrationUri !== undefined) {
    return reject(
      'invalid-request',
      'pushServiceRegistrationUri',
      'give one of connectionProfiles or pushServiceRegistrationUri (PushCAI 5.1)',
    );
  }
  if (request.pushServiceRegistrationUri !== undefined) {
    if (typeof request.pushServiceRegistrationUri !== 'string' || !isHttpUrl(request.pushServiceRegistrationUri)) {
      return reject(
        'unsupported-option',
        'pushServiceRegistrationUri',
        'the Push Service Registration procedure runs over HTTP: give an http(s) URI',
      );
    }
    if (available.protocols.size === 0)
      return reject(
        'unavailable-option',
        'pushServiceRegistrationUri',
        `no bearer to bind after Push Service Registration: ${available.reasons?.['OTA-WSP'] ?? 'the client has no SMPP link'}, and OTA-HTTP is turned off`,
      );
    // The binding comes from the Push Server's answer (serviceRegistration.ts): none until then.
    return { ok: true, profiles: [] };
  }
  if (request.connectionProfiles === undefined) {
    if (!available.defaultProfile)
      return reject(
        'unavailable-option',
        'connectionProfiles',
        `no connection profile given and the client has no default bearer${available.reasons?.['OTA-WSP'] ? `: ${available.reasons['OTA-WSP']}` : ''}`,
      );
    return { ok: true, profiles: [{ ...available.defaultProfile }] };
  }
  return validateProfiles(request.connectionProfiles, available, 'connectionProfiles');
}

/**
 * Checks connection profiles - a request's, or those a Push Server's answer to the Push Service
 * Registration procedure gives - and fills in the defaults. `at` names them in a rejection.
 */
export function validateProfiles(given: unknown, available: Availability, at: string): Validated {
  if (!Array.isArray(given) || given.length === 0) {
    return reject('invalid-request', at, `${at} must be a non-empty array`);
  }
  const profiles: BoundProfile[] = [];
  for (const [i, p] of (given as ConnectionProfile[]).entries()) {
    const path = `${at}[${i}]`;
    if (p === null || typeof p !== 'object')
      return reject('invalid-request', path, 'a connection profile is an object');
    for (const k of Object.keys(p))
      if (!PROFILE_FIELDS.has(k))
        return reject('unsupported-option', `${path}.${k}`, `connection profile option ${k} is not supported`);
    const protocol = p.protocol ?? DEFAULT_PROTOCOL;
    const support = typeof protocol === 'string' ? PROTOCOLS[protocol.toUpperCase()] : undefined;
    if (!support)
      return reject(
        'unsupported-option',
        `${path}.protocol`,
        `protocol ${JSON.stringify(protocol)} is not supported (OTA-WSP, OTA-HTTP are)`,
      );
    if (!support.served)
      return reject('unsupported-option', `${path}.protocol`, `protocol ${protocol} is not supported: ${support.note}`);
    for (const f of PTM_FIELDS)
      if (p[f] !== undefined)
        return reject('unsupported-option', `${path}.${f}`, `${f} is an OTA-PTM option, and OTA-PTM is not supported`);
    const name = protocol.toUpperCase() as BoundProfile['protocol'];
    const bearerType = p.bearerType ?? support.defaultBearer!;
    if (typeof bearerType !== 'string' || !support.bearer!.test(bearerType)) {
      return reject(
        'unsupported-option',
        `${path}.bearerType`,
        `bearer ${JSON.stringify(bearerType)} is not supported for ${name}`,
      );
    }
    let port = support.defaultPort!;
    if (p.port !== undefined) {
      const n = typeof p.port === 'string' && /^\d{1,5}$/.test(p.port.trim()) ? Number(p.port) : p.port;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff)
        return reject('invalid-request', `${path}.port`, `port ${JSON.stringify(p.port)} is not 0-65535`);
      port = n;
    }
    if (p.contactPoint !== undefined && (typeof p.contactPoint !== 'string' || p.contactPoint.trim() === '')) {
      return reject('invalid-request', `${path}.contactPoint`, 'contactPoint must be a non-empty string');
    }
    if (p.contactPoint !== undefined) {
      const cp = parseContactPoint(name, p.contactPoint);
      if (typeof cp === 'string') return reject('unsupported-option', `${path}.contactPoint`, cp);
    }
    if (!available.protocols.has(name)) {
      return reject(
        'unavailable-option',
        `${path}.protocol`,
        available.reasons?.[name] ??
          (name === 'OTA-WSP'
            ? 'OTA-WSP over SMS needs an SMPP link, and this client has none'
            : `${name} is turned off in this client`),
      );
    }
    const bound: BoundProfile = { protocol: name, bearerType, port };
    if (p.contactPoint !== undefined) bound.contactPoint = p.contactPoint.trim();
    profiles.push(bound);
  }
  return { ok: true, profiles };
}
