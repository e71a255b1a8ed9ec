// Each WBXML document type, decoded (body alone, into the document object) and encoded, beside
// libwbxml2 parsing the same octets in C (bench/peers.ts): its tree build and its WBXML->XML.
import { readFileSync } from 'node:fs';
import { type Case, type CaseResult, runSuite } from './suite.js';
import {
  collectDatagram,
  decodeBody,
  decodePushPdu,
  encodeCo,
  encodeEmn,
  encodeProvisioning,
  encodeSi,
  encodeSl,
  fromHex,
  segmentFromUserData,
  type SlAction,
} from '../src/index.js';
import { type PeerRun, runLibwbxml } from './peers.js';
import { repoPath } from './repo.js';

function otaBody(): Uint8Array {
  const f = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'sms', 'ota-viettel-3-segments.json'), 'utf8')) as {
    segments: string[];
  };
  const d = collectDatagram(f.segments.map((s) => segmentFromUserData(fromHex(s))));
  return decodePushPdu(d.payload).body;
}

const si = {
  href: 'http://www.xyz.com/email/123/abc.wml',
  created: '1999-06-25T15:23:15Z',
  expires: '1999-06-30T00:00:00Z',
  text: 'You have 4 new emails',
};
const sl: { href: string; action: SlAction } = { href: 'http://www.oreilly.com/', action: 'execute-high' };
const co = { objects: ['http://www.xyz.com/Emails/123.wml'], services: ['http://www.abc.com/'] };
const emn = { mailbox: 'mailat:user@example.com', timestamp: '2026-11-29T10:00:00Z' };
const provisioning = otaBody();

/** name, content type, the document's octets, its encoder (from the document object). */
export type BenchDocument = readonly [name: string, contentType: string, body: Uint8Array, encode: () => Uint8Array];

export const documents: BenchDocument[] = [
  ['si', 'application/vnd.wap.sic', encodeSi(si), () => encodeSi(si)],
  ['sl', 'application/vnd.wap.slc', encodeSl(sl), () => encodeSl(sl)],
  ['co', 'application/vnd.wap.coc', encodeCo(co), () => encodeCo(co)],
  ['emn', 'application/vnd.wap.emn+wbxml', encodeEmn(emn), () => encodeEmn(emn)],
  [
    'provisioning',
    'application/vnd.wap.connectivity-wbxml',
    provisioning,
    (() => {
      const doc = decodeBody('application/vnd.wap.connectivity-wbxml', {}, provisioning);
      if (doc.type !== 'provisioning') throw new Error('the OTA fixture is not a provisioning document');
      return () => encodeProvisioning(doc);
    })(),
  ],
];

let sink = 0;

/** libwbxml2 on the same documents, for a fixed time per document (bench/peers.ts). */
export function runDocumentsPeer({ quick = false } = {}): PeerRun {
  return runLibwbxml(
    documents.map(([name, , body]) => [name, body]),
    quick ? 0.5 : 3,
  );
}

export function runDocuments({ quick = false } = {}): {
  results: CaseResult[];
  peer: PeerRun;
  sizes: Record<string, number>;
  sink: number;
} {
  const cases: Case[] = [];
  for (const [name, ct, body, encode] of documents) {
    cases.push([
      `${name}-body-decode`,
      () => {
        sink += decodeBody(ct, {}, body).type.length;
      },
    ]);
    cases.push([
      `${name}-encode`,
      () => {
        sink += encode().length;
      },
    ]);
  }
  const results = runSuite(cases, { quick });
  const peer = runDocumentsPeer({ quick });
  return { results, peer, sizes: Object.fromEntries(documents.map(([name, , body]) => [name, body.length])), sink };
}
