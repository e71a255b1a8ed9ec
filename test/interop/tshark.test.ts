/**
 * Wireshark (Debian `tshark`) as the peer: what our encoders produce, written as a capture
 * (WSP push over UDP to port 2948, and SMPP submit_sm/deliver_sm over TCP to 2775 with UDH
 * concatenation), must dissect without errors into the fields our decoder reports; and the
 * fixture captures must decode the same in both.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { encodeMmsPdu } from '../../src/codec/mms/pdu.js';
import { encodeCo } from '../../src/codec/wbxml/co.js';
import { encodeProvisioning } from '../../src/codec/wbxml/provisioning.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { decodePushPdu, encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { decodeUdh } from '../../src/wdp/udh.js';
import { CommandId, decodeShortMessagePdu, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { hex, loadFixtures } from '../helpers.js';
import { haveTool } from './helpers.js';
import { pcap, tcpStream, udp } from './pcap.js';

const run = haveTool('tshark', ['-v']) ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), 'wappush-tshark-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Layers = Record<string, Record<string, unknown>>;
let n = 0;
/** tshark's dissection of the packets, one layers object per packet (repeated fields as arrays). */
function dissect(packets: Buffer[]): Layers[] {
  const file = join(dir, `${++n}.pcap`);
  writeFileSync(file, pcap(packets));
  const out = execFileSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return (JSON.parse(out) as Array<{ _source: { layers: Layers } }>).map((p) => p._source.layers);
}

/** Every value of a field anywhere in a layer tree, as strings. */
function values(tree: unknown, field: string): string[] {
  const out: string[] = [];
  const walk = (o: unknown) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if (k === field) out.push(...(Array.isArray(v) ? v.map(String) : [String(v)]));
        if (typeof v === 'object') walk(v);
      }
    }
  };
  walk(tree);
  return out;
}

/** Nothing tshark calls malformed, and no expert info of error severity. */
function expectClean(all: Layers[]): void {
  for (const layers of all) {
    expect(values(layers, '_ws.malformed'), JSON.stringify(layers).slice(0, 300)).toEqual([]);
    expect(values(layers, '_ws.expert.severity').filter((s) => s === '8388608')).toEqual([]);
  }
}

const first = (layers: unknown, field: string) => values(layers, field)[0];

const pushes: Array<[string, Uint8Array]> = [
  [
    'SI',
    encodePushPdu({
      transactionId: 7,
      contentType: 'application/vnd.wap.sic',
      contentTypeParameters: { charset: 'utf-8' },
      applicationId: 'x-wap-application:wml.ua',
      body: encodeSi({
        href: 'http://www.example.com/inbox',
        text: 'You have mail',
        siId: 'id1',
        created: '2026-11-29T10:00:00Z',
        action: 'signal-high',
      }),
    }),
  ],
  [
    'long SI',
    encodePushPdu({
      transactionId: 8,
      contentType: 'application/vnd.wap.sic',
      body: encodeSi({ href: 'http://a.example.org/', text: 'Long text. '.repeat(40) }),
    }),
  ],
  [
    'SL',
    encodePushPdu({
      transactionId: 9,
      contentType: 'application/vnd.wap.slc',
      applicationId: 0x04,
      body: encodeSl({ href: 'https://www.example.net/x.jad', action: 'execute-high' }),
    }),
  ],
  [
    'CO',
    encodePushPdu({
      transactionId: 10,
      contentType: 'application/vnd.wap.coc',
      body: encodeCo({ objects: ['http://www.example.com/a'], services: ['http://www.example.com/'] }),
    }),
  ],
  [
    'MMS',
    encodePushPdu({
      transactionId: 11,
      contentType: 'application/vnd.wap.mms-message',
      applicationId: 'x-wap-application:mms.ua',
      body: encodeMmsPdu({
        messageType: 'm-notification-ind',
        transactionId: 'T1',
        version: '1.2',
        messageClass: 'personal',
        messageSize: 1024,
        expiry: { relative: 3600 },
        contentLocation: 'http://mmsc.example/m1',
      }),
    }),
  ],
  [
    'provisioning',
    encodePushPdu({
      transactionId: 12,
      contentType: 'application/vnd.wap.connectivity-wbxml',
      body: encodeProvisioning({
        characteristics: [
          {
            type: 'NAPDEF',
            parms: [
              { name: 'NAPID', value: 'NET' },
              { name: 'BEARER', value: 'GSM-GPRS' },
            ],
            characteristics: [],
          },
        ],
      }),
    }),
  ],
];

/** WSP fields tshark and our decoder both report. */
function expectSameWsp(wsp: unknown, pdu: Uint8Array, label: string): void {
  const m = decodePushPdu(pdu);
  expect(Number(first(wsp, 'wsp.TID')), label).toBe(m.transactionId);
  expect(Number(first(wsp, 'wsp.pdu_type')), label).toBe(m.pduType === 'push' ? 6 : 7);
  expect(first(wsp, 'wsp.header.content_type'), label).toBe(m.contentType);
  const appId = first(wsp, 'wsp.header.x_wap_application_id');
  if (m.applicationIdDefaulted) expect(appId, label).toBeUndefined();
  else expect(appId, label).toBe(String(m.applicationId));
}

/** Strings tshark reads out of a WBXML body all appear in what our decoder reads out of it. */
function expectSameStrings(wbxml: unknown, contentType: string, body: Uint8Array, label: string): void {
  const ours = JSON.stringify(decodeBody(contentType, {}, body));
  for (const s of values(wbxml, 'wbxml.str_i'))
    expect(ours, `${label}: tshark string ${JSON.stringify(s)}`).toContain(JSON.stringify(s).slice(1, -1));
}

run('tshark dissects what our encoders produce into the fields our decoder reports', () => {
  it('WSP push over UDP 2948: every push', () => {
    const layers = dissect(pushes.map(([, p]) => udp(9200, 2948, p)));
    expectClean(layers);
    pushes.forEach(([label, pdu], i) => {
      expectSameWsp(layers[i].wsp, pdu, label);
      const m = decodePushPdu(pdu);
      if (layers[i].wbxml) expectSameStrings(layers[i].wbxml, m.contentType, m.body, label);
    });
    // tshark's MMS dissector reads the notification we encoded.
    const mms = layers[4];
    expect(first(mms, 'mmse.message_type')).toBe('0x82');
    expect(first(mms, 'mmse.transaction_id')).toBe('T1');
    expect(first(mms, 'mmse.content_location')).toBe('http://mmsc.example/m1');
  });

  it('SMPP submit_sm over TCP 2775: the UDH, the addresses, and the push tshark reassembles', () => {
    for (const [label, pdu] of pushes) {
      const frames = smppShortMessages(pdu, { reference: 42 }).map((f, i) =>
        encodeShortMessagePdu({
          ...f,
          commandId: CommandId.submit_sm,
          sequenceNumber: i + 1,
          sourceAddr: '+15550001',
          destinationAddr: '+15559999',
          destAddrTon: 1,
          destAddrNpi: 1,
        }),
      );
      const layers = dissect(tcpStream(40_000, 2775, frames)).filter((l) => l.smpp);
      expectClean(layers);
      expect(layers.length, label).toBe(frames.length);
      layers.forEach((l, i) => {
        const ours = decodeShortMessagePdu(frames[i]);
        expect(Number(first(l, 'smpp.command_id')), label).toBe(CommandId.submit_sm);
        expect(first(l, 'smpp.source_addr')).toBe(ours.sourceAddr);
        expect(first(l, 'smpp.destination_addr')).toBe(ours.destinationAddr);
        expect(Number(first(l, 'smpp.data_coding'))).toBe(ours.dataCoding);
        expect(Number(first(l, 'smpp.sm_length'))).toBe(ours.shortMessage!.length);
        const udh = decodeUdh(ours.shortMessage!);
        expect(Number(first(l, 'gsm_sms.destination_port'))).toBe(udh.ports!.destination);
        expect(Number(first(l, 'gsm_sms.originator_port'))).toBe(udh.ports!.source);
        if (udh.concatenation) {
          expect(Number(first(l, 'gsm_sms.udh.mm.msg_id'))).toBe(udh.concatenation.reference);
          expect(Number(first(l, 'gsm_sms.udh.mm.msg_parts'))).toBe(udh.concatenation.total);
          expect(Number(first(l, 'gsm_sms.udh.mm.msg_part'))).toBe(udh.concatenation.sequence);
        }
      });
      // The last segment carries the reassembled push in tshark's view, as in ours.
      expectSameWsp(layers[layers.length - 1].wsp, pdu, label);
    }
  });
});

run('our decoder agrees with tshark on the fixture captures', () => {
  it('the WSP push captures (NowSMS forum, Kannel users list, an SMPP gateway guide)', () => {
    const fixtures = loadFixtures<{ pdu: string }>('wsp');
    const layers = dissect(fixtures.map((f) => udp(9200, 2948, hex(f.pdu))));
    expectClean(layers);
    fixtures.forEach((f, i) => expectSameWsp(layers[i].wsp, hex(f.pdu), f.file));
  });

  it('the concatenated SMS captures (MMS notification, OTA settings), carried as deliver_sm', () => {
    for (const f of loadFixtures<{
      segments: string[];
      expect: { contentType: string; applicationId: string; segments: number };
    }>('sms')) {
      const frames = f.segments.map((s, i) =>
        encodeShortMessagePdu({
          commandId: CommandId.deliver_sm,
          sequenceNumber: i + 1,
          sourceAddr: '1234',
          destinationAddr: '+15559999',
          esmClass: 0x40,
          dataCoding: 0xf5,
          shortMessage: hex(s),
        }),
      );
      const layers = dissect(tcpStream(2775, 40_001, frames)).filter((l) => l.smpp);
      expectClean(layers);
      expect(layers.map((l) => Number(first(l, 'gsm_sms.udh.mm.msg_parts')))).toEqual(
        f.segments.map(() => f.expect.segments),
      );
      const wsp = layers.map((l) => l.wsp).find(Boolean);
      expect(first(wsp, 'wsp.header.content_type'), f.file).toBe(f.expect.contentType);
    }
  });
});

/** Our warnings on a push PDU: the PDU's and its body's, as `wappush decode` prints them. */
function ourWarnings(pdu: Uint8Array): Array<{ code: string; offset: number }> {
  const m = decodePushPdu(pdu);
  return [...(m.warnings ?? []), ...(decodeBody(m.contentType, m.contentTypeParameters, m.body).warnings ?? [])];
}

run('what tshark marks as odd, our decoder warns about (issue 20)', () => {
  it('Push-Flag: tshark\'s "Invalid header value" expert warning exactly where we say RESERVED_BITS', () => {
    // 00 tid | 06 push | 03 | 83 text/plain | b4 Push-Flag (0x80 | v): every Short-integer value.
    const pdus = Array.from({ length: 128 }, (_, v) => Uint8Array.from([0, 6, 3, 0x83, 0xb4, 0x80 | v]));
    const layers = dissect(pdus.map((p) => udp(9200, 2948, p)));
    pdus.forEach((pdu, v) => {
      const flagged = values(layers[v].wsp, '_ws.expert.message').includes('Invalid header value');
      expect(
        ourWarnings(pdu).some((w) => w.code === 'RESERVED_BITS'),
        `Push-Flag 0x${v.toString(16)}`,
      ).toBe(flagged);
    });
  });

  it('header field codes tshark leaves undecoded ("default") are the ones we say UNKNOWN_CODE for', () => {
    // Codes with a Short-integer value tshark and we can both read, and every code past the last
    // well-known one (0x4a, WAP-230 Table 39 with the 1.5 additions).
    const codes = [0x05, 0x0d, 0x1e, 0x33, 0x34, ...Array.from({ length: 0x7f - 0x4b + 1 }, (_, i) => 0x4b + i)];
    const pdus = codes.map((c) => Uint8Array.from([0, 6, 3, 0x83, 0x80 | c, 0x85]));
    const layers = dissect(pdus.map((p) => udp(9200, 2948, p)));
    pdus.forEach((pdu, i) => {
      const unknown = values(layers[i].wsp, 'wsp.default_int').length > 0;
      const said = ourWarnings(pdu).some((w) => w.code === 'UNKNOWN_CODE' && w.offset === 4);
      expect(said, `header 0x${codes[i].toString(16)}`).toBe(unknown);
    });
  });

  it("content type codes: tshark's names are ours; its unknown ones that the registry lacks too are UNKNOWN_CODE", () => {
    const pdus = Array.from({ length: 128 }, (_, c) => Uint8Array.from([0, 6, 1, 0x80 | c]));
    const layers = dissect(pdus.map((p) => udp(9200, 2948, p)));
    // tshark 4.0 still names 0x0a and 0x16 as WAP-230's predecessors did (text/vnd.wap.channel,
    // application/vnd.wap.channelc), and its table ends before the OMNA codes 0x4e-0x58 and 0x5b.
    const older = new Set([0x0a, 0x16]);
    const newer = new Set([...Array.from({ length: 0x58 - 0x4e + 1 }, (_, i) => 0x4e + i), 0x5b]);
    pdus.forEach((pdu, c) => {
      const theirs = first(layers[c].wsp, 'wsp.header.content_type');
      // The PDU alone: an empty body is no document, and the content type is the PDU's.
      const ours = decodePushPdu(pdu);
      const unknown = (ours.warnings ?? []).some((w) => w.code === 'UNKNOWN_CODE');
      if (older.has(c) || newer.has(c)) return;
      if (theirs.startsWith('<Unknown media type')) expect(unknown, `0x${c.toString(16)}`).toBe(true);
      else {
        expect(ours.contentType, `0x${c.toString(16)}`).toBe(theirs);
        expect(unknown, `0x${c.toString(16)}`).toBe(false);
      }
    });
    expect(decodePushPdu(pdus[0x5a]).contentType).toBe('application/octet-stream');
  });

  it('an element after the WBXML root: tshark shows a second top-level tag where we say TRAILING_DATA', () => {
    // The issue 20 SL push: <sl href="http://www.oreilly.com/"/> then 45 01, a second <sl>.
    const pdu = hex('000601b003066a00850a036f7265696c6c790085014501');
    const [layers] = dissect([udp(9200, 2948, pdu)]);
    expect(values(layers.wbxml, 'wbxml.known_tag')).toEqual(['sl', 'sl']);
    expect(ourWarnings(pdu)).toEqual([expect.objectContaining({ code: 'TRAILING_DATA', offset: 17 })]);
  });
});
