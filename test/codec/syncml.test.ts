// SyncML Server Alerted Notification, package #0 (OMA-TS-DM_Notification-V1_2 6.2, OMA-TS-DS_SAN-V1_2).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { decodeSyncmlNotification, encodeSyncmlNotification } from '../../src/codec/syncml/notification.js';
import { hex, thrown } from '../helpers.js';

const md5 = (x: Buffer | string) => createHash('md5').update(x).digest();

/** The digest by the formula of the specification, written out here on its own. */
function digest(serverId: string, password: string, nonce: Buffer, trigger: Buffer): Buffer {
  return md5(
    Buffer.concat([
      Buffer.from(md5(`${serverId}:${password}`).toString('base64') + ':'),
      nonce,
      Buffer.from(':' + md5(trigger).toString('base64')),
    ]),
  );
}

// A DM trigger assembled by hand: version 1.2 (12 = 0b0000001100 in 10 bits), ui-mode 2
// (informative), initiator 1 (server), future use 0, session id 0x1234, server id "dm.example".
//   version 10 | ui 2 | init 1 | 27 zero bits -> 00000011 00 10 1 000 | 00000000 x3
const HEADER = Buffer.from('032800000012340a', 'hex');
const SERVER_ID = 'dm.example';
const VENDOR = Buffer.from('cafe', 'hex');
const TRIGGER = Buffer.concat([HEADER, Buffer.from(SERVER_ID), VENDOR]);

describe('package #0', () => {
  it('reads the header fields and checks the digest with the server password and nonce', () => {
    const nonce = Buffer.from('4e6f6e6365', 'hex');
    const message = Buffer.concat([digest(SERVER_ID, 'secret', nonce, TRIGGER), TRIGGER]);
    const n = decodeSyncmlNotification(message, { secrets: { password: 'secret', nonce } });
    expect(n).toMatchObject({
      type: 'syncml-notification',
      version: '1.2',
      uiMode: 'informative',
      initiator: 'server',
      sessionId: 0x1234,
      serverId: SERVER_ID,
      vendorSpecific: 'cafe',
      authentication: { verified: true, nonce: 'given' },
    });
    expect(decodeSyncmlNotification(message, { secrets: { password: 'wrong', nonce } }).authentication).toEqual({
      verified: false,
    });
    expect(decodeSyncmlNotification(message).authentication).toBeUndefined();
  });

  it('falls back to the zero nonce, as clients do after a lost nonce', () => {
    const message = Buffer.concat([digest(SERVER_ID, 'secret', Buffer.alloc(4), TRIGGER), TRIGGER]);
    expect(
      decodeSyncmlNotification(message, { secrets: { password: 'secret', nonce: Buffer.from('stale') } })
        .authentication,
    ).toEqual({ verified: true, nonce: 'zero' });
  });

  it('reads a DS body: the syncs the server asks for', () => {
    // num-syncs 1 | sync type 6 (two-way, 206), content type 0x000007 (text/x-vcard), URI "card"
    const body = Buffer.from('10' + '60' + '000007' + '04' + Buffer.from('card').toString('hex'), 'hex');
    const n = decodeSyncmlNotification(Buffer.concat([Buffer.alloc(16), HEADER, Buffer.from(SERVER_ID), body]));
    expect(n.syncs).toEqual([{ syncType: 6, contentType: 7, serverUri: 'card' }]);
    expect(n.vendorSpecific).toBeUndefined();
  });

  it('encodes what it decodes, digest included (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          uiMode: fc.constantFrom('not-specified', 'background', 'informative', 'user-interaction' as const),
          initiator: fc.constantFrom('client', 'server' as const),
          sessionId: fc.integer({ min: 0, max: 0xffff }),
          serverId: fc.stringMatching(/^[a-z0-9.]{1,40}$/),
          syncs: fc.array(
            fc.record({
              syncType: fc.integer({ min: 6, max: 10 }),
              contentType: fc.integer({ min: 0, max: 0xffffff }),
              serverUri: fc.stringMatching(/^[a-z]{1,20}$/),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          password: fc.string({ maxLength: 12 }),
        }),
        (n) => {
          const bytes = encodeSyncmlNotification({
            ...n,
            version: '1.2',
            secrets: { password: n.password, nonce: Buffer.from('abc') },
          });
          const back = decodeSyncmlNotification(bytes, {
            secrets: { password: n.password, nonce: Buffer.from('abc') },
          });
          expect(back).toMatchObject({
            version: '1.2',
            uiMode: n.uiMode,
            initiator: n.initiator,
            sessionId: n.sessionId,
            serverId: n.serverId,
            syncs: n.syncs,
            authentication: { verified: true },
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is chosen by content type, and short or inconsistent input is a typed error with its offset', () => {
    const message = Buffer.concat([Buffer.alloc(16), TRIGGER]);
    expect(decodeBody('application/vnd.syncml.notification', {}, message)).toMatchObject({
      type: 'syncml-notification',
      serverId: SERVER_ID,
    });
    expect(thrown(() => decodeSyncmlNotification(hex('00'.repeat(20))))).toMatchObject({ code: 'TRUNCATED' });
    const longId = Buffer.concat([Buffer.alloc(16), Buffer.from('032800000012347f', 'hex'), Buffer.from('short')]);
    expect(thrown(() => decodeSyncmlNotification(longId, { baseOffset: 10 }))).toMatchObject({
      code: 'BAD_LENGTH',
      offset: 10 + 23,
    });
  });

  // The facts of Buteo's SAN01.bin (sailfishos/buteo-syncml tests_meego/SANTest.cpp: an OVI Suite
  // SAN for a Contacts sync): SyncML 1.2, background, server-initiated, session 0, server id
  // "PC Suite Data Sync", one sync of type 206 with no content type to "Contacts", digest over
  // an empty password and an empty nonce. The octets are assembled here from those facts by the ABNF.
  it('reads the Buteo/OVI Suite SAN for Contacts and checks its digest with the empty password and nonce', () => {
    const id = 'PC Suite Data Sync';
    const trigger = Buffer.concat([
      Buffer.from([0x03, 0x18, 0, 0, 0, 0x00, 0x00, id.length]),
      Buffer.from(id),
      Buffer.from([0x10, 0x60, 0x00, 0x00, 0x00, 'Contacts'.length]),
      Buffer.from('Contacts'),
    ]);
    const message = Buffer.concat([digest(id, '', Buffer.alloc(0), trigger), trigger]);
    const n = decodeSyncmlNotification(message, { secrets: { password: '', nonce: '' } });
    expect(n).toMatchObject({
      version: '1.2',
      uiMode: 'background',
      initiator: 'server',
      sessionId: 0,
      serverId: id,
      authentication: { verified: true, nonce: 'given' },
    });
    expect(n.syncs).toEqual([{ syncType: 6, contentType: 0, serverUri: 'Contacts' }]);
    expect(
      Buffer.from(
        encodeSyncmlNotification({
          version: '1.2',
          uiMode: 'background',
          initiator: 'server',
          sessionId: 0,
          serverId: id,
          syncs: n.syncs,
          secrets: { password: '', nonce: '' },
        }),
      ).equals(message),
    ).toBe(true);
  });
});
