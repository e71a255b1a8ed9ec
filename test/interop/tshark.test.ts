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
