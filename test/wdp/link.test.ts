// The ESME link against a raw SMSC on loopback (rawSmsc.ts): what it answers, what it ignores,
// and how it finds a dead SMSC. References are to SMPP v3.4 (Issue 1.2): 2.1 every request
// but alert_notification gets a response; 4.3 generic_nack for an invalid command_length or
// an unknown/invalid command_id; 4.2 unbind and 4.11 enquire_link are answered with their
// _resp; 5.1.3 command_status codes; 7.2 the enquire_link and response timers.
import { afterEach, describe, expect, it } from 'vitest';
import { segmentPayload } from '../../src/wdp/segmenter.js';
import type { EsmeLinkOptions, LostPush } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { linkAtRawSmsc, startBound } from './linkAtRawSmsc.js';
import { acceptBound, header, pdu } from './rawSmsc.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** The link at a raw SMSC, reconnecting quickly; closed after the test. */
async function setUp(options: Partial<EsmeLinkOptions> = {}) {
  const at = await linkAtRawSmsc({ reconnect: { initialMs: 10, maxMs: 20 }, ...options });
  open.push(at);
  return at;
}

const GENERIC_NACK = 0x80000000;
const ESME_RINVCMDLEN = 0x02;
const ESME_RINVCMDID = 0x03;
const ESME_RINVBNDSTS = 0x04;

const deliverSm = (sequence: number) =>
  Buffer.from(
    encodeShortMessagePdu({
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
      shortMessage: Buffer.from('hello'),
    }),
  );

describe('EsmeLink answers the SMSC as SMPP v3.4 requires of an ESME', () => {
  it('binds as receiver with its credentials and interface_version 0x34', async () => {
    const { smsc, link } = await setUp({ addressRange: '^447' });
    const { bind } = await startBound(smsc, link);
    // header, then system_id, password, system_type, interface_version, addr_ton, addr_npi, address_range
    expect(bind.subarray(4, 8).toString('hex')).toBe('00000001');
    expect(bind.subarray(16).toString('latin1')).toBe('esme\0pw\0\0\x34\0\0^447\0');
    expect(link.bound).toBe(true);
  });

  it('enquire_link -> enquire_link_resp; unknown and ESME-only commands -> generic_nack; no answer to responses', async () => {
    const { smsc, link, got } = await setUp();
    const { peer } = await startBound(smsc, link);
    const refused: number[][] = [];
    link.on('refused', (r) => refused.push([r.commandId, r.status, r.sequence]));

    peer.write(pdu(0x00000015, 0, 100)); // enquire_link
    expect((await peer.next()).toString('hex')).toBe(pdu(0x80000015, 0, 100).toString('hex'));

    peer.write(pdu(0x00000003, 0, 101, Buffer.from('42\0\0\0\0', 'latin1'))); // query_sm: the ESME sends it, never receives it
    expect(header(await peer.next())).toEqual([GENERIC_NACK, ESME_RINVCMDID, 101, 16]);
    peer.write(Buffer.from(encodeShortMessagePdu({ commandId: CommandId.submit_sm, sequenceNumber: 102 }))); // submit_sm to a receiver
    expect(header(await peer.next())).toEqual([GENERIC_NACK, ESME_RINVCMDID, 102, 16]);
    peer.write(pdu(0x0000abcd, 0, 103, Buffer.from([1, 2, 3]))); // no such command
    expect(header(await peer.next())).toEqual([GENERIC_NACK, ESME_RINVCMDID, 103, 16]);
    peer.write(pdu(0x00000015, 0, 104, Buffer.from([0, 0, 0, 0]))); // enquire_link with a body: bad command_length
    expect(header(await peer.next())).toEqual([GENERIC_NACK, ESME_RINVCMDLEN, 104, 16]);
    peer.write(pdu(0x00000009, 0, 105, Buffer.from('x\0y\0\0\x34\0\0\0', 'latin1'))); // bind_transceiver from the SMSC
    expect(header(await peer.next())).toEqual([GENERIC_NACK, ESME_RINVCMDID, 105, 16]);

    // Nothing goes back for these: alert_notification has no response (2.1); responses to
    // nothing outstanding are ignored (a generic_nack of a response could be nacked back).
    peer.write(pdu(0x00000102, 0, 106, Buffer.from('\0\0\0\0\0\0', 'latin1'))); // alert_notification
    peer.write(pdu(0x80000004, 0, 107, Buffer.from('id\0', 'latin1'))); // submit_sm_resp to nothing
    peer.write(pdu(GENERIC_NACK, ESME_RINVCMDID, 108)); // generic_nack of nothing
    peer.write(pdu(0x80000015, 0, 109)); // enquire_link_resp to nothing
    peer.write(pdu(0x00000015, 0, 110)); // the next thing answered must be this
    expect(header(await peer.next())).toEqual([0x80000015, 0, 110, 16]);

    peer.write(deliverSm(111));
    expect((await peer.next()).toString('hex')).toBe(pdu(0x80000005, 0, 111, Buffer.from([0])).toString('hex'));
    expect(got.map((d) => Buffer.from(d.payload).toString())).toEqual(['hello']);

    expect(refused).toEqual([
      [0x00000003, ESME_RINVCMDID, 101],
      [0x00000004, ESME_RINVCMDID, 102],
      [0x0000abcd, ESME_RINVCMDID, 103],
      [0x00000015, ESME_RINVCMDLEN, 104],
      [0x00000009, ESME_RINVCMDID, 105],
    ]);
    expect(link.stats).toMatchObject({ refused: 5, unexpectedResponses: 3, enquireLinksAnswered: 2, deliverSm: 1 });
    expect(link.bound).toBe(true);
  });

  it('unbind -> unbind_resp, then the link binds again', async () => {
    const { smsc, link } = await setUp();
    const { peer } = await startBound(smsc, link);
    peer.write(pdu(0x00000006, 0, 7));
    expect(header(await peer.next())).toEqual([0x80000006, 0, 7, 16]);
    expect(await peer.closed()).toBe(true);
    const again = await smsc.accept();
    expect(header(await again.next())[0]).toBe(0x00000001);
    expect(link.stats.connects).toBe(2);
  });

  it('a command_length no framing can trust: generic_nack ESME_RINVCMDLEN, connection closed, bound again', async () => {
    const { smsc, link } = await setUp();
    const { peer } = await startBound(smsc, link);
    peer.write(Buffer.from('0000000800000015000000000000000c', 'hex')); // command_length 8 < 16
    expect(header(await peer.next())).toEqual([GENERIC_NACK, ESME_RINVCMDLEN, 0, 16]);
    expect(await peer.closed()).toBe(true);
    await acceptBound(smsc);
  });

  it('deliver_sm before the bind is answered: deliver_sm_resp ESME_RINVBNDSTS; deliver_sm in the same segment as bind_resp is taken', async () => {
    const { smsc, link, got } = await setUp();
    const started = link.start();
    const peer = await smsc.accept();
    const bind = await peer.next();
    peer.write(deliverSm(50));
    expect(header(await peer.next())).toEqual([0x80000005, ESME_RINVBNDSTS, 50, 17]);
    peer.write(Buffer.concat([pdu(0x80000001, 0, bind.readUInt32BE(12), Buffer.from('S\0')), deliverSm(51)]));
    await started;
    expect(header(await peer.next())).toEqual([0x80000005, 0, 51, 17]);
    expect(got).toHaveLength(1);
  });
});

describe('EsmeLink finds a dead SMSC', () => {
  it('an enquire_link unanswered within enquireLinkTimeoutMs drops the link, reports it and binds again', async () => {
    // Timers wide enough that a loaded machine answers the first enquire_link within them.
    const { smsc, link } = await setUp({ enquireLinkMs: 100, enquireLinkTimeoutMs: 500 });
    const dead: number[][] = [];
    link.on('dead-link', ({ unansweredMs }) => dead.push([unansweredMs, link.stats.enquireLinksSent]));
    const { peer } = await startBound(smsc, link);
    const first = await peer.next();
    expect(header(first)).toEqual([0x00000015, 0, first.readUInt32BE(12), 16]);
    peer.write(pdu(0x80000015, 0, first.readUInt32BE(12))); // the first one answered
    const second = await peer.next();
    expect(header(second)).toEqual([0x00000015, 0, second.readUInt32BE(12), 16]);
    // ... and from here on silence: no second one while it waits, then the connection goes
    expect(await peer.closed(3_000)).toBe(true);
    expect(dead).toHaveLength(1);
    // Node's timers run on a loop clock cached per turn: one may fire a millisecond or two short
    // of its delay as Date.now() measures it.
    expect(dead[0][0]).toBeGreaterThanOrEqual(500 - 2);
    expect(dead[0][1]).toBe(2); // one at a time: none sent while the second waited
    await acceptBound(smsc);
    for (let i = 0; i < 400 && link.stats.binds < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(link.stats).toMatchObject({ binds: 2, deadLinks: 1 });
    expect(link.bound).toBe(true);
  });

  it('a bind unanswered within bindTimeoutMs is dropped and tried again', async () => {
    const { smsc, link } = await setUp({ bindTimeoutMs: 100 });
    const started = link.start();
    const silent = await smsc.accept();
    expect(header(await silent.next())[0]).toBe(0x00000001);
    expect(await silent.closed(1_000)).toBe(true);
    await acceptBound(smsc);
    await started;
    expect(link.stats).toMatchObject({ bindTimeouts: 1, binds: 1, connects: 2 });
  });
});

describe("EsmeLink reports the reassembler's losses as 'lost'", () => {
  /** deliver_sm carrying one SMS of a concatenated push: UDH with ports and concatenation. */
  const segmentSm = (sequence: number, reference: number, part: number, total: number) => {
    const payload = Buffer.alloc(total * 120 - 60, 0x41 + part);
    const ud = segmentPayload(payload, { reference, referenceBits: 8 })[part - 1];
    return Buffer.from(
      encodeShortMessagePdu({
        commandId: CommandId.deliver_sm,
        sequenceNumber: sequence,
        sourceAddr: '9200',
        destinationAddr: '+447700900123',
        esmClass: 0x40,
        dataCoding: 0x04,
        shortMessage: ud,
      }),
    );
  };

  it('expired, superseded and evicted pushes: one typed event each, counted by reason', async () => {
    const { smsc, link } = await setUp({
      reassembly: { timeoutMs: 150, maxPendingMessagesPerOriginator: 2 },
    });
    const lost: LostPush[] = [];
    link.on('lost', (m) => lost.push(m));
    const { peer } = await startBound(smsc, link);
    const bind = `esme@127.0.0.1:${smsc.port}`;
    const send = async (pdu: Buffer) => {
      peer.write(pdu);
      expect(header(await peer.next())[1]).toBe(0);
    };
    await send(segmentSm(1, 7, 1, 2)); // never completed: expires
    await send(segmentSm(2, 8, 1, 2));
    await send(segmentSm(3, 8, 2, 3)); // same reference, another total: 8 of 2 superseded
    await send(segmentSm(4, 9, 1, 3)); // a third pending from 9200: its oldest (7) goes
    expect(lost.map((m) => [m.reason, m.reference])).toEqual([
      ['superseded', 8],
      ['evicted', 7],
    ]);
    // nothing more arrives: the link's own sweep finds 8 (of 3) and 9 expired
    for (let i = 0; i < 300 && lost.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lost[0]).toEqual({
      reason: 'superseded',
      originator: '9200',
      recipient: '+447700900123',
      sourcePort: 9200,
      destinationPort: 2948,
      reference: 8,
      segmentsHeld: 1,
      segmentsExpected: 2,
      bytes: 128, // 140 octets of user data less a 12-octet UDH (UDHL, 16-bit ports, 8-bit concatenation)
      bind,
    });
    expect(lost[1]).toMatchObject({ reason: 'evicted', policy: 'originator-quota', reference: 7, segmentsHeld: 1 });
    expect(lost.slice(2).map((m) => [m.reason, m.reference, m.segmentsHeld, m.segmentsExpected])).toEqual([
      ['expired', 8, 1, 3],
      ['expired', 9, 1, 3],
    ]);
    expect(link.stats).toMatchObject({ lostExpired: 2, lostEvicted: 1, lostSuperseded: 1 });
  });
});
