/** Fuzz targets for src/codec: WSP push PDU and headers, WBXML generic and per document, MMS, SyncML. */
import fc from 'fast-check';
import { decodeBody } from '../../src/codec/body.js';
import { pushToJson } from '../../src/codec/json.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../../src/codec/limits.js';
import { decodeMmsPdu, encodeMmsPdu } from '../../src/codec/mms/pdu.js';
import { ByteReader } from '../../src/codec/reader.js';
import { decodeSyncmlNotification, encodeSyncmlNotification } from '../../src/codec/syncml/notification.js';
import { encodeCo } from '../../src/codec/wbxml/co.js';
import { encodeEmn } from '../../src/codec/wbxml/emn.js';
import { encodeProvisioning } from '../../src/codec/wbxml/provisioning.js';
import { encodeSi, siFromTree } from '../../src/codec/wbxml/si.js';
import { siFromBytes } from '../../src/codec/wbxml/siBytes.js';
import { SI } from '../../src/codec/wbxml/vocabularies.js';
import { DecodeError } from '../../src/codec/errors.js';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { decodeWbxml } from '../../src/codec/wbxml/tree.js';
import { readHeaders, writeHeaders } from '../../src/codec/wsp/headers.js';
import { decodePushPdu, decodePushRouting, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { collectDatagram } from '../../src/wdp/collect.js';
import { segmentFromUserData } from '../../src/wdp/userData.js';
import { ByteWriter } from '../../src/codec/writer.js';
import { co, emn, provisioning, si, sl, text, tightLimits } from '../arbitraries.js';
import { encodable, Finding, fixtures, hex, same, total, type FuzzTarget } from './common.js';
import { nearValid } from './mutate.js';

const LIMITS = resolveLimits();

function wspSeeds(): Buffer[] {
  const pdus = fixtures<{ pdu: string }>('wsp').map((f) => hex(f.pdu));
  pdus.push(
    Buffer.from(
      encodePushPdu({
        transactionId: 1,
        contentType: 'application/vnd.wap.mms-message',
        applicationId: 4,
        headers: [
          { name: 'X-Wap-Initiator-URI', value: 'http://a/' },
          { name: 'Content-Length', value: 9 },
        ],
        body: hex('8c82'),
      }),
    ),
  );
  return pdus;
}

/** What a decode gave: its value, or the DecodeError it threw (checked as total() checks one). */
function decodeOutcome<T>(fn: () => T, limit: number): { value: T } | { error: DecodeError } {
  try {
    return { value: fn() };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    total(() => {
      throw e;
    }, limit);
    return { error: e };
  }
}

const wspPush: FuzzTarget = {
  name: 'wsp-push',
  description: 'WSP Push/ConfirmedPush PDU: full decode with the body, and routing-only decode that must agree',
  fuzz(buf) {
    const decoded = decodeOutcome(() => decodePushPdu(buf), buf.length);
    const routed = decodeOutcome(() => decodePushRouting(buf), buf.length);
    // decodePushRouting's contract (docs/decoding.md): it answers exactly when decodePushPdu
    // does, with the same values, and otherwise throws the same DecodeError.
    if ('error' in decoded || 'error' in routed) {
      const a = 'error' in decoded ? decoded.error : undefined;
      const b = 'error' in routed ? routed.error : undefined;
      if (a?.code !== b?.code || a?.offset !== b?.offset || a?.message !== b?.message) {
        throw new Finding(
          `routing-only decode refuses differently: ${JSON.stringify([a?.code, a?.offset, a?.message])} vs ${JSON.stringify([b?.code, b?.offset, b?.message])}`,
        );
      }
      return;
    }
    const full = decoded.value;
    const routing = routed.value;
    const values = (m: typeof routing) => [m.transactionId, m.pduType, m.contentType, m.applicationId, m.bodyOffset];
    if (JSON.stringify(values(full)) !== JSON.stringify(values(routing))) {
      throw new Finding(
        `routing-only decode disagrees: ${JSON.stringify(values(full))} vs ${JSON.stringify(values(routing))}`,
      );
    }
    total(() => pushToJson(full), buf.length);
  },
  seeds: wspSeeds,
  properties: () => [
    {
      name: 'near-valid PDUs: a result or a DecodeError',
      property: fc.property(nearValid(wspSeeds()), (b) => void wspPush.fuzz(b)),
    },
    {
      name: 'encoded pushes decode to what was encoded',
      property: fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('application/vnd.wap.sic', 'text/plain', 'application/x-y'),
        fc.uint8Array({ maxLength: 200 }),
        (tid, ct, body) => {
          const m = decodePushPdu(encodePushPdu({ transactionId: tid, contentType: ct, body }));
          same(
            [m.transactionId, m.contentType, Buffer.from(m.body).toString('hex')],
            [tid, ct, Buffer.from(body).toString('hex')],
            'push PDU',
          );
        },
      ),
    },
  ],
  scale: (n) =>
    Buffer.from(
      encodePushPdu({
        contentType: 'text/plain',
        headers: Array.from({ length: Math.min(n, 250) }, (_, i) => ({
          name: 'X-H',
          value: `v${i}`.repeat(Math.ceil(n / 250)),
        })),
        body: new Uint8Array(n),
      }),
    ),
};

function headerBlock(buf: Uint8Array) {
  const r = new ByteReader(buf);
  return readHeaders(r, buf.length, LIMITS);
}

const wspHeaders: FuzzTarget = {
  name: 'wsp-headers',
  description: 'A WSP header block alone (every field code, code pages, application headers)',
  fuzz(buf) {
    const headers = total(() => headerBlock(buf), buf.length);
    if (!headers) return;
    // What was read as text re-encodes and reads back the same; raw values are kept as octets.
    const textual = headers.filter(
      (h) => typeof h.value === 'string' && !h.raw && h.page === undefined && !/^0x/.test(h.name),
    );
    const w = new ByteWriter(64);
    if (encodable(() => writeHeaders(w, textual)) === undefined) return;
    const back = total(() => headerBlock(w.finish()), Infinity);
    if (back)
      same(
        back.map((h) => [h.name.toLowerCase(), h.value]),
        textual.map((h) => [h.name.toLowerCase(), h.value]),
        'textual headers',
      );
  },
  seeds: () =>
    wspSeeds().map((p) => {
      const m = decodePushPdu(p);
      return Buffer.from(p.subarray(3, m.bodyOffset));
    }),
  properties: () => [
    {
      name: 'near-valid header blocks',
      property: fc.property(nearValid(wspHeaders.seeds()), (b) => void wspHeaders.fuzz(b)),
    },
  ],
};

const wbxmlSeeds = (): Buffer[] => fixtures<{ body: string }>('wbxml').map((f) => hex(f.body));

const wbxml: FuzzTarget = {
  name: 'wbxml',
  description: 'Generic WBXML (no vocabulary): header, string table, every global token',
  fuzz(buf) {
    total(() => decodeWbxml(buf), buf.length);
  },
  seeds: wbxmlSeeds,
  properties: () => [
    { name: 'near-valid WBXML', property: fc.property(nearValid(wbxmlSeeds()), (b) => void wbxml.fuzz(b)) },
    {
      name: 'deep nesting is refused by maxDepth',
      property: fc.property(
        fc.integer({ min: 65, max: 5_000 }),
        (n) => void wbxml.fuzz(Buffer.concat([hex('03016a00'), Buffer.alloc(n, 0x45)])),
      ),
    },
  ],
  scale: (n) =>
    Buffer.from(
      encodeSi({
        href: 'http://a.com/',
        text: 'x',
        items: Array.from({ length: Math.ceil(n / 8) }, (_, i) => ({ class: 'c', text: String(i) })),
      }),
    ),
};

/** A document target: decode by content type, re-encode what decoded, decode again: the same. */
function documentTarget<D>(
  name: string,
  contentType: string,
  encode: (doc: D) => Uint8Array,
  arbitrary: fc.Arbitrary<D>,
  extraSeeds: () => Buffer[] = () => [],
): FuzzTarget {
  const seeds = () => [
    ...fixtures<{ body: string; contentType: string }>('wbxml')
      .filter((f) => f.contentType === contentType)
      .map((f) => hex(f.body)),
    ...extraSeeds(),
  ];
  const t: FuzzTarget = {
    name,
    description: `${contentType}: decode, re-encode, decode again`,
    fuzz(buf) {
      const doc = total(() => decodeBody(contentType, {}, buf), buf.length) as
        (D & { type: string; authentication?: unknown }) | undefined;
      if (!doc) return;
      // Warnings say what was odd about the octets, not what the document holds: not compared.
      const {
        type: _type,
        authentication: _auth,
        warnings: _warnings,
        ...plain
      } = doc as { type: string; authentication?: unknown; warnings?: unknown };
      const again = encodable(() => encode(plain as D));
      if (!again) return;
      const back = total(() => decodeBody(contentType, {}, again), Infinity) as
        { authentication?: unknown; warnings?: unknown } | undefined;
      if (!back) throw new Finding(`${name}: our own encoding of a decoded document does not decode`);
      delete back.authentication;
      delete back.warnings;
      const { authentication: _a, warnings: _w, ...before } = doc as { authentication?: unknown; warnings?: unknown };
      same(back, before, name);
    },
    seeds: () => {
      const s = seeds();
      return s.length ? s : [Buffer.from(fc.sample(arbitrary, { numRuns: 1, seed: 1 }).map(encode)[0])];
    },
    properties: () => [
      {
        name: 'generated documents round-trip',
        property: fc.property(arbitrary, (d) => void t.fuzz(Buffer.from(encode(d)))),
      },
      { name: 'near-valid documents', property: fc.property(nearValid(t.seeds()), (b) => void t.fuzz(b)) },
    ],
  };
  return t;
}

/** The WSP PDU a concatenated-SMS fixture carries, reassembled as `decode --input sms` does. */
function smsPayload(segments: string[]): Uint8Array {
  return collectDatagram(segments.map((s) => segmentFromUserData(hex(s)))).payload;
}

function otaBodies(): Buffer[] {
  // The production OTA pushes' bodies (test/fixtures/sms): the WSP PDU after reassembly.
  const out: Buffer[] = [];
  for (const f of fixtures<{ segments: string[]; expect: { contentType: string } }>('sms')) {
    if (f.expect.contentType !== 'application/vnd.wap.connectivity-wbxml') continue;
    out.push(Buffer.from(decodePushPdu(smsPayload(f.segments)).body));
  }
  return out;
}

const siTarget = documentTarget('si', 'application/vnd.wap.sic', encodeSi, si);
const slTarget = documentTarget('sl', 'application/vnd.wap.slc', encodeSl, sl);
const coTarget = documentTarget('co', 'application/vnd.wap.coc', encodeCo, co);
const provisioningTarget = documentTarget(
  'provisioning',
  'application/vnd.wap.connectivity-wbxml',
  encodeProvisioning,
  provisioning,
  otaBodies,
);
provisioningTarget.scale = (n) =>
  Buffer.from(
    encodeProvisioning({
      characteristics: [
        {
          type: 'NAPDEF',
          parms: Array.from({ length: n }, (_, i) => ({ name: 'NAME', value: `n${i}` })),
          characteristics: [],
        },
      ],
    }),
  );
const emnTarget = documentTarget('emn', 'application/vnd.wap.emn+wbxml', encodeEmn, emn);

function mmsSeeds(): Buffer[] {
  const [f] = fixtures<{ segments: string[] }>('sms');
  return [
    Buffer.from(decodePushPdu(smsPayload(f.segments)).body),
    hex('8c86' + '8d92' + '8b69643100' + '972b313535352f545950453d504c4d4e00' + '85045b5f0e00' + '9581'),
    hex('8c82' + '96' + '06' + '84' + '536fe966' + '00' + '8906' + '80' + '04ea' + '616200'),
  ];
}

const mms: FuzzTarget = {
  name: 'mms',
  description: 'MMS PDU headers (m-notification-ind and the rest): decode, re-encode, decode again',
  fuzz(buf) {
    const pdu = total(() => decodeMmsPdu(buf), buf.length);
    if (!pdu || pdu.contentType) return;
    const again = encodable(() => encodeMmsPdu(pdu));
    if (!again) return;
    const back = total(() => decodeMmsPdu(again), Infinity);
    if (!back) throw new Finding('our own encoding of a decoded MMS PDU does not decode');
    // Warnings say what was odd about the octets, not what the PDU holds: not compared.
    const { warnings: _b, ...backFields } = back;
    const { warnings: _p, ...fields } = pdu;
    same(backFields, fields, 'mms');
  },
  seeds: mmsSeeds,
  properties: () => [
    { name: 'near-valid MMS PDUs', property: fc.property(nearValid(mmsSeeds()), (b) => void mms.fuzz(b)) },
    {
      name: 'generated notifications round-trip',
      property: fc.property(
        fc.record({
          transactionId: fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
          subject: text.filter((t) => t.length > 0),
          size: fc.nat(),
        }),
        (n) =>
          void mms.fuzz(
            Buffer.from(
              encodeMmsPdu({
                messageType: 'm-notification-ind',
                transactionId: n.transactionId,
                version: '1.2',
                subject: { text: n.subject, charset: 'utf-8' },
                messageClass: 'personal',
                messageSize: n.size,
                expiry: { relative: 60 },
                contentLocation: 'http://m/',
              }),
            ),
          ),
      ),
    },
  ],
  scale: (n) =>
    Buffer.from(
      encodeMmsPdu({
        messageType: 'm-notification-ind',
        otherHeaders: Array.from({ length: Math.min(n, 250) }, (_, i) => ({
          name: `X-${i}`,
          value: 'v'.repeat(Math.ceil(n / 250)),
        })),
      }),
    ),
};

const syncmlSeeds = () => [
  Buffer.from(
    encodeSyncmlNotification({
      sessionId: 1,
      serverId: 'srv',
      syncs: [{ syncType: 6, contentType: 7, serverUri: 'card' }],
      secrets: { password: 'p' },
    }),
  ),
  Buffer.from(
    encodeSyncmlNotification({
      sessionId: 0x1234,
      serverId: 'dm.example',
      uiMode: 'user-interaction',
      vendorSpecific: hex('cafe'),
    }),
  ),
];

const syncml: FuzzTarget = {
  name: 'syncml',
  description: 'SyncML notification package #0 with its digest check',
  fuzz(buf) {
    const n = total(() => decodeSyncmlNotification(buf, { secrets: { password: 'p', nonce: 'n' } }), buf.length);
    if (n && n.authentication?.verified === undefined) throw new Finding('digest check did not run');
  },
  seeds: syncmlSeeds,
  properties: () => [
    { name: 'near-valid notifications', property: fc.property(nearValid(syncmlSeeds()), (b) => void syncml.fuzz(b)) },
  ],
};

/** The SI fast path against the tree path: the same result or error, or it steps aside. */
function outcome(fn: () => unknown): string {
  try {
    const v = fn();
    return v === undefined ? 'fallback' : JSON.stringify(v);
  } catch (e) {
    if (e instanceof DecodeError) return `error ${e.code}@${e.offset}`;
    throw e;
  }
}
const siFast: FuzzTarget = {
  name: 'si-fast',
  description: 'The SI fast path (octets straight into the object) against the tree path, also under tight limits',
  fuzz(buf) {
    siAgrees(buf, DEFAULT_LIMITS);
  },
  seeds: () => siTarget.seeds(),
  properties: () => [
    { name: 'generated SI documents', property: fc.property(si, (d) => void siFast.fuzz(Buffer.from(encodeSi(d)))) },
    { name: 'near-valid SI documents', property: fc.property(nearValid(siTarget.seeds()), (b) => void siFast.fuzz(b)) },
    {
      name: 'SI documents under tight limits',
      property: fc.property(si, tightLimits, (d, limits) => void siAgrees(Buffer.from(encodeSi(d)), limits)),
    },
  ],
};

/** The fast path never throws; where it answers, the tree path must give the same object. */
function siAgrees(buf: Uint8Array, limits: Limits): void {
  const fast = outcome(() => siFromBytes(buf, undefined, limits));
  if (fast === 'fallback') return;
  const slow = outcome(() => siFromTree(decodeWbxml(buf, { vocabulary: SI, limits }).root, 0));
  if (fast !== slow)
    throw new Finding(
      `SI fast path disagrees with the tree path\n  fast ${fast.slice(0, 300)}\n  tree ${slow.slice(0, 300)}`,
    );
}

export const codecTargets: FuzzTarget[] = [
  wspPush,
  wspHeaders,
  wbxml,
  siTarget,
  siFast,
  slTarget,
  coTarget,
  provisioningTarget,
  emnTarget,
  mms,
  syncml,
];
