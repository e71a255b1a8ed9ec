// The tree of every fixture: its leaves cover the input once, in order, and its values are the
// decode JSON's (test/fixtures name their sources).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { fromHex } from '../../src/codec/hex.js';
import { pushToJson, type PushJson } from '../../src/codec/json.js';
import { decodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { parseContentType } from '../../src/codec/wsp/contentType.js';
import { dissect, type DissectNode } from '../../src/dissect/index.js';
import { expectCoverage, find, findAll, walk } from './tree.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures');
const load = (dir: string) =>
  readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(path.join(FIXTURES, dir, f), 'utf8'))] as const);

/** SI/SL attributes and the body JSON fields they become (WAP-167, WAP-168). */
const FIELDS: Record<string, string> = { href: 'href', 'si-id': 'siId', created: 'created', 'si-expires': 'expires' };

function expectBodyValues(root: DissectNode, body: Record<string, unknown>): void {
  const attributes = findAll(root, (n) => n.name in FIELDS && n.children.some((c) => c.name.includes('attribute')));
  for (const a of attributes) expect(a.value, a.name).toBe(body[FIELDS[a.name]]);
  if (body.type === 'si' && find(root, 'WBXML document')) {
    if (body.href !== undefined) expect(attributes.map((a) => a.name)).toContain('href');
    expect(find(root, '<indication>')?.value ?? '').toBe(body.text);
  }
}

function expectPushValues(root: DissectNode, json: PushJson): void {
  const pdu = find(root, 'WSP push PDU')!;
  expect(find(pdu, 'TID')?.value).toBe(json.wsp.transactionId);
  expect(find(pdu, 'PDU type')?.value).toBe(json.wsp.pduType);
  const ct = find(pdu, 'Content-Type')!;
  expect(ct.children.find((c) => /media/i.test(c.name))?.value).toBe(json.wsp.contentType);
  const headers = find(pdu, 'Headers')!.children.filter((c) => c.children.length > 0);
  expect(headers.map((h) => [h.name, h.value])).toEqual(json.wsp.headers.map((h) => [h.name, h.value]));
  expectBodyValues(pdu, json.body as unknown as Record<string, unknown>);
  // The decode's warnings are all on the tree, each on a node that holds its octet.
  const placed = [...walk(root)].flatMap(([n]) => n.warnings);
  expect(placed.map((w) => w.code).sort()).toEqual((json.warnings ?? []).map((w) => w.code).sort());
}

describe('dissect: WSP push PDUs (test/fixtures/wsp)', () => {
  it.each(load('wsp'))('%s', (_f, fx) => {
    const pdu = fromHex(fx.pdu);
    const root = dissect(pdu, { input: 'wsp' });
    expectCoverage(root, pdu.length);
    expect(findAll(root, (n) => n.error !== undefined)).toEqual([]);
    expectPushValues(root, pushToJson(decodePushPdu(pdu)));
  });
});

describe('dissect: bare bodies (test/fixtures/wbxml)', () => {
  it.each(load('wbxml'))('%s', (_f, fx) => {
    const body = fromHex(fx.body);
    const root = dissect(body, { input: 'wbxml', contentType: fx.contentType });
    expectCoverage(root, body.length);
    const ct = parseContentType(fx.contentType);
    const json = decodeBody(ct.type, ct.params, body) as unknown as Record<string, unknown>;
    expectBodyValues(root, json);
    if (ct.type.startsWith('text/')) {
      // An XML document is one leaf: its text.
      expect(root.children.map((c) => c.name)).toEqual(['XML document']);
      expect(root.children[0].value).toBe(new TextDecoder().decode(body));
    } else {
      // A WBXML document has the leaves of its header, string table and tokens.
      expect(find(root, 'string table')).toBeDefined();
      expect(find(root, 'tag')).toBeDefined();
    }
  });
});

describe('dissect: SMS segments and SMPP PDUs (test/fixtures/sms, test/fixtures/smpp)', () => {
  it.each(load('sms'))('%s', (_f, fx) => {
    const segments = (fx.segments as string[]).map(fromHex);
    const root = dissect(segments, { input: 'sms' });
    expectCoverage(
      root,
      segments.reduce((n, s) => n + s.length, 0),
    );
    expect(root.children.filter((c) => c.name.startsWith('segment'))).toHaveLength(segments.length);
    const udh = find(root, 'User Data Header')!;
    expect(find(udh, 'destination port')?.value).toBe(fx.expect.destinationPort);
    expect(find(udh, 'source port')?.value).toBe(fx.expect.sourcePort);
    expect(find(udh, 'reference')?.value).toBe(fx.expect.reference);
    const datagram = find(root, 'reassembled WDP datagram')!;
    const payload = datagram.source!.octets;
    expect(payload.length).toBe(segments.reduce((n, s) => n + s.length - s[0] - 1, 0));
    expectPushValues(datagram, pushToJson(decodePushPdu(payload)));
  });

  it.each(load('smpp'))('%s', (_f, fx) => {
    const pdu = fromHex(fx.pdu);
    const root = dissect(pdu, { input: 'smpp' });
    expectCoverage(root, pdu.length);
    for (const [field, key] of [
      ['sequence_number', 'sequenceNumber'],
      ['service_type', 'serviceType'],
      ['source_addr', 'sourceAddr'],
      ['destination_addr', 'destinationAddr'],
      ['validity_period', 'validityPeriod'],
      ['data_coding', 'dataCoding'],
    ] as const)
      expect(find(root, field)?.value, field).toBe(fx.expect[key]);
    // A text SMS with no ports is no WDP datagram and no push: NOT_WDP, as `decode` says it, where
    // the WSP PDU type would be (short_message's second octet), carrying what WSP made of it.
    const error = root.children.find((c) => c.error)!;
    expect(error.error?.code).toBe('NOT_WDP');
    expect(error.error?.message).toMatch(
      /^not a WDP datagram \(no port addressing\); read as WSP it fails: BAD_PDU_TYPE: /,
    );
    expect(error.offset).toBe(find(root, 'short_message')!.offset + 1);
  });
});

describe('dissect: where decoding stops', () => {
  // The NowSMS forum SI (test/fixtures/wsp/01-nowsms-forum-si.json), cut short and spoiled.
  const SI = 'FD0601AE02056A0045C60D03676F6F676C652E636F6D0007010342696B61736800010100';

  it.each([
    ['cut inside the document', SI.slice(0, 48)],
    ['HeadersLen past the end', 'FD06' + '7F' + SI.slice(6)],
    ['an unknown attribute token', SI.replace('C60D03', 'C63F03')],
    ['a PDU type that is not a push', 'FD09' + SI.slice(4)],
  ])('%s: the tree up to the decode error, then the error node at its octet', (_what, hex) => {
    const input = fromHex(hex);
    let offset = -1;
    let code = '';
    try {
      const msg = decodePushPdu(input);
      decodeBody(msg.contentType, msg.contentTypeParameters, msg.body, { baseOffset: msg.bodyOffset });
    } catch (e) {
      ({ offset, code } = e as { offset: number; code: string });
    }
    expect(offset).toBeGreaterThanOrEqual(0);
    const root = dissect(input, { input: 'wsp' });
    const errors = findAll(root, (n) => n.error !== undefined);
    expect(errors).toHaveLength(1);
    expect(errors[0].error).toMatchObject({ code, offset });
    expect(errors[0].offset).toBe(offset);
    expectCoverage(root, input.length);
    // Nothing read after the error's octet is shown as read.
    for (const [n] of [...walk(root)].slice(1))
      if (!n.error) expect(n.offset + n.length).toBeLessThanOrEqual(offset || input.length);
  });

  it('an SMS whose segments are not all there ends in INCOMPLETE after the segments it has', () => {
    const fx = JSON.parse(readFileSync(path.join(FIXTURES, 'sms/ota-viettel-3-segments.json'), 'utf8'));
    const two = (fx.segments as string[]).slice(0, 2).map(fromHex);
    const root = dissect(two, { input: 'sms' });
    const error = root.children.at(-1)!;
    expect(error.error?.code).toBe('INCOMPLETE');
    expect(error.offset).toBe(two[0].length + two[1].length);
    expectCoverage(root, two[0].length + two[1].length);
  });
});
