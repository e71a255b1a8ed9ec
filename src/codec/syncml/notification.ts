/**
 * SyncML Server Alerted Notification, "package #0" (application/vnd.syncml.notification, WSP
 * content type 0x44): OMA-TS-DM_Notification-V1_2 section 6.2 and OMA-TS-DS_SAN-V1_2.
 *   digest 128 bits | version 10 | ui-mode 2 | initiator 1 | future use 27 | session id 16 |
 *   server id length 8 | server id | body (DS: num-syncs 4, future 4, then per sync:
 *   sync type 4, future 4, content type 24, server URI length 8, server URI; DM: vendor data)
 * Big-endian. digest = MD5(B64(MD5(server-id ":" password)) ":" nonce ":" B64(MD5(trigger))),
 * trigger = everything after the digest. Layout and digest cross-checked with Intel's
 * libdmclient (package0.c) and Synthesis' SAN implementation (san.cpp).
 */
import type { Warned } from '../warnings.js';
import { toBase64 } from '../base64.js';
import { md5, sameOctets } from '../digest.js';
import { DecodeError, EncodeError } from '../errors.js';
import { toHex } from '../hex.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';

const DIGEST_OCTETS = 16;
const HEADER_OCTETS = 8;

export type UiMode = 'not-specified' | 'background' | 'informative' | 'user-interaction';
const UI_MODES: readonly UiMode[] = ['not-specified', 'background', 'informative', 'user-interaction'];

export interface SyncAlert {
  /** The 4-bit field as sent: 6-10 stand for the alert codes 206-210 (two-way, slow, one-way from client, refresh from client, one-way from server...). */
  syncType: number;
  /** 24-bit content type code (OMNA). */
  contentType: number;
  serverUri: string;
}

export interface SyncmlNotification extends Warned {
  type: 'syncml-notification';
  /** The 16-octet digest, hex. */
  digest: string;
  /** e.g. "1.2" (the 10-bit field is the version times ten). */
  version: string;
  uiMode: UiMode;
  initiator: 'client' | 'server';
  sessionId: number;
  serverId: string;
  /** DS notifications: the syncs the server asks for, when the body parses as DS exactly. */
  syncs?: SyncAlert[];
  /** Otherwise the body as sent (DM: vendor specific), hex. */
  vendorSpecific?: string;
  authentication?: { verified: boolean | null; nonce?: 'given' | 'zero'; reason?: string };
}

export interface SyncmlSecrets {
  /** The server's password for this client, as configured. */
  password: string;
  /** The nonce last received from the server; a zero nonce (four 0x00 octets) is tried too. */
  nonce?: Uint8Array | string;
}

function parseDsBody(body: Uint8Array): SyncAlert[] | undefined {
  if (body.length === 0) return undefined;
  const n = body[0] >> 4;
  const syncs: SyncAlert[] = [];
  let p = 1;
  for (let i = 0; i < n; i++) {
    if (p + 5 > body.length) return undefined;
    const syncType = body[p] >> 4;
    const contentType = (body[p + 1] << 16) | (body[p + 2] << 8) | body[p + 3];
    const len = body[p + 4];
    p += 5;
    if (p + len > body.length) return undefined;
    syncs.push({ syncType, contentType, serverUri: decodeUtf8(body, p, p + len) });
    p += len;
  }
  return p === body.length ? syncs : undefined;
}

/** The digest a server puts on `trigger` (the octets after the digest). */
export function notificationDigest(
  serverId: string,
  password: string,
  nonce: Uint8Array | string,
  trigger: Uint8Array,
): Uint8Array {
  const a = toBase64(md5(`${serverId}:${password}`));
  const b = toBase64(md5(trigger));
  return md5(concat([encodeUtf8(`${a}:`), typeof nonce === 'string' ? encodeUtf8(nonce) : nonce, encodeUtf8(`:${b}`)]));
}

export function decodeSyncmlNotification(
  input: Uint8Array,
  options: { baseOffset?: number; secrets?: SyncmlSecrets } = {},
): SyncmlNotification {
  const base = options.baseOffset ?? 0;
  if (input.length < DIGEST_OCTETS + HEADER_OCTETS) {
    throw new DecodeError(
      'TRUNCATED',
      base + input.length,
      `a SyncML notification is at least ${DIGEST_OCTETS + HEADER_OCTETS} octets, this one ${input.length}`,
    );
  }
  const h = DIGEST_OCTETS;
  const versionField = (input[h] << 2) | (input[h + 1] >> 6);
  const uiMode = UI_MODES[(input[h + 1] >> 4) & 0x03];
  const initiator = (input[h + 1] >> 3) & 0x01 ? 'server' : 'client';
  const sessionId = (input[h + 5] << 8) | input[h + 6];
  const idLength = input[h + 7];
  const idStart = h + HEADER_OCTETS;
  if (idStart + idLength > input.length) {
    throw new DecodeError(
      'BAD_LENGTH',
      base + h + 7,
      `server identifier of ${idLength} octets runs past the end (${input.length - idStart} left)`,
    );
  }
  const n: SyncmlNotification = {
    type: 'syncml-notification',
    digest: toHex(input.subarray(0, DIGEST_OCTETS)),
    version: `${Math.floor(versionField / 10)}.${versionField % 10}`,
    uiMode,
    initiator,
    sessionId,
    serverId: decodeUtf8(input, idStart, idStart + idLength),
  };
  const body = input.subarray(idStart + idLength);
  const syncs = parseDsBody(body);
  if (syncs) n.syncs = syncs;
  else if (body.length) n.vendorSpecific = toHex(body);
  if (options.secrets) {
    const trigger = input.subarray(DIGEST_OCTETS);
    const given = input.subarray(0, DIGEST_OCTETS);
    const tries: Array<['given' | 'zero', Uint8Array | string]> = [];
    if (options.secrets.nonce !== undefined) tries.push(['given', options.secrets.nonce]);
    tries.push(['zero', new Uint8Array(4)]);
    n.authentication = { verified: false };
    for (const [which, nonce] of tries) {
      if (sameOctets(given, notificationDigest(n.serverId, options.secrets.password, nonce, trigger))) {
        n.authentication = { verified: true, nonce: which };
        break;
      }
    }
  }
  return n;
}

export interface SyncmlNotificationInit {
  version?: string;
  uiMode?: UiMode;
  initiator?: 'client' | 'server';
  sessionId: number;
  serverId: string;
  syncs?: SyncAlert[];
  vendorSpecific?: Uint8Array;
  /** Computes the digest; without it the digest is 16 zero octets. */
  secrets?: SyncmlSecrets;
}

export function encodeSyncmlNotification(init: SyncmlNotificationInit): Uint8Array {
  const id = encodeUtf8(init.serverId);
  if (id.length > 255) throw new EncodeError('LIMIT', 'server identifier longer than 255 octets');
  const version = Math.round(Number(init.version ?? '1.2') * 10);
  if (!(version >= 0 && version < 1024)) throw new EncodeError('OUT_OF_RANGE', `version ${init.version}`);
  if (!Number.isInteger(init.sessionId) || init.sessionId < 0 || init.sessionId > 0xffff)
    throw new EncodeError('OUT_OF_RANGE', `sessionId ${init.sessionId}`);
  const ui = UI_MODES.indexOf(init.uiMode ?? 'not-specified');
  if (ui < 0) throw new EncodeError('BAD_INPUT', `uiMode ${init.uiMode}`);
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(HEADER_OCTETS);
  header[0] = version >> 2;
  header[1] = ((version & 0x03) << 6) | (ui << 4) | ((init.initiator ?? 'server') === 'server' ? 0x08 : 0);
  header[5] = init.sessionId >> 8;
  header[6] = init.sessionId & 0xff;
  header[7] = id.length;
  parts.push(header, id);
  if (init.syncs) {
    if (init.syncs.length > 15) throw new EncodeError('LIMIT', 'at most 15 syncs in a notification');
    parts.push(Uint8Array.of(init.syncs.length << 4));
    for (const s of init.syncs) {
      const uri = encodeUtf8(s.serverUri);
      if (uri.length > 255) throw new EncodeError('LIMIT', 'server URI longer than 255 octets');
      parts.push(
        Uint8Array.of(
          (s.syncType & 0x0f) << 4,
          (s.contentType >> 16) & 0xff,
          (s.contentType >> 8) & 0xff,
          s.contentType & 0xff,
          uri.length,
        ),
        uri,
      );
    }
  } else if (init.vendorSpecific) parts.push(init.vendorSpecific);
  const trigger = concat(parts);
  const digest = init.secrets
    ? notificationDigest(init.serverId, init.secrets.password, init.secrets.nonce ?? new Uint8Array(4), trigger)
    : new Uint8Array(DIGEST_OCTETS);
  return concat([digest, trigger]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
