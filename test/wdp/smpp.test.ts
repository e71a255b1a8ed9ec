import { describe, expect, it } from 'vitest';
import { segmentFromSmpp } from '../../src/wdp/smpp/carriage.js';
import { alphabetOf } from '../../src/wdp/smpp/dataCoding.js';
import {
  CommandId,
  decodeShortMessagePdu,
  encodeShortMessagePdu,
  type ShortMessageInit,
} from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { TlvTag } from '../../src/wdp/smpp/tlv.js';
import { collectDatagram } from '../../src/wdp/collect.js';
import { hex, loadFixtures, thrown } from '../helpers.js';

describe('submit_sm / deliver_sm codec', () => {
  for (const f of loadFixtures<{ pdu: string; expect: Record<string, unknown> & { shortMessageText: string } }>(
    'smpp',
  )) {
    it(`reads a published PDU: ${f.file}`, () => {
      const { shortMessageText, ...fields } = f.expect;
      const pdu = decodeShortMessagePdu(hex(f.pdu));
      expect(pdu).toMatchObject(fields);
      expect(Buffer.from(pdu.shortMessage).toString('latin1')).toBe(shortMessageText);
      // and writes it back octet for octet
      expect(Buffer.from(encodeShortMessagePdu(pdu)).toString('hex')).toBe(f.pdu);
    });
    it(`a text SMS without port addressing is a lone segment without ports: ${f.file}`, () => {
      const seg = segmentFromSmpp(decodeShortMessagePdu(hex(f.pdu)));
      expect(seg).toMatchObject({ originator: '80362', recipient: '812345001000', total: 1, sequence: 1 });
      expect(seg.destinationPort).toBeUndefined();
    });
  }
  it('reads every C-Octet String of a Buffer PDU, long, short, empty and with high octets, into plain views', () => {
    // The five strings come from one Latin-1 read of their stretch (shortMessage.ts); each must be its own field.
    const fields = {
      serviceType: 'WAP',
      sourceAddr: '+447700900123456',
      destinationAddr: '9200',
      scheduleDeliveryTime: '',
      validityPeriod: '000001000000000R',
    };
    const bytes = Buffer.from(
      encodeShortMessagePdu({
        ...fields,
        commandId: CommandId.deliver_sm,
        shortMessage: hex('0102'),
        tlvs: [{ tag: 0x0426, value: hex('01') }],
      }),
    );
    const pdu = decodeShortMessagePdu(bytes);
    expect(pdu).toMatchObject(fields);
    expect(Buffer.isBuffer(pdu.shortMessage)).toBe(false);
    expect(pdu.shortMessage.buffer).toBe(bytes.buffer);
    expect([...pdu.shortMessage]).toEqual([1, 2]);
    expect([...pdu.tlvs[0].value]).toEqual([1]);
    // Octets above 0x7F (not ASCII, but some SMSCs send them) read one character per octet, as before.
    const high = Uint8Array.from(bytes);
    const at = bytes.indexOf(Buffer.from('+4477'));
    high[at + 1] = 0xe9;
    expect(decodeShortMessagePdu(high).sourceAddr).toBe('+\u00e947700900123456');
  });
  it('TLVs are views, with their offsets', () => {
    const bytes = encodeShortMessagePdu({
      commandId: CommandId.deliver_sm,
      tlvs: [{ tag: 0x1234, value: hex('abcd') }],
    });
    const pdu = decodeShortMessagePdu(bytes);
    expect(pdu.commandId).toBe(CommandId.deliver_sm);
    expect(pdu.tlvs).toHaveLength(1);
    expect(pdu.tlvs[0].value.buffer).toBe(bytes.buffer);
    expect(pdu.tlvs[0].offset).toBe(bytes.length - 6);
  });
  it('typed errors: short, length mismatch, other command, field past the end, TLV past the end, oversize', () => {
    const good = encodeShortMessagePdu({ shortMessage: hex('0102'), tlvs: [{ tag: 0x0426, value: hex('01') }] });
    expect(thrown(() => decodeShortMessagePdu(good.subarray(0, 10)))).toMatchObject({ code: 'TRUNCATED' });
    expect(thrown(() => decodeShortMessagePdu(good.subarray(0, good.length - 1)))).toMatchObject({
      code: 'BAD_LENGTH',
      offset: 0,
    });
    const other = good.slice();
    other[7] = 0x09; // bind_transceiver
    expect(thrown(() => decodeShortMessagePdu(other))).toMatchObject({ code: 'BAD_PDU_TYPE', offset: 4 });
    const cut = good.slice(0, 20);
    new DataView(cut.buffer).setUint32(0, 20);
    expect(thrown(() => decodeShortMessagePdu(cut))).toMatchObject({ code: 'TRUNCATED' });
    const badTlv = good.slice();
    badTlv[badTlv.length - 2] = 0x05; // TLV length 5, 1 octet follows
    expect(thrown(() => decodeShortMessagePdu(badTlv))).toMatchObject({ code: 'BAD_LENGTH', offset: good.length - 3 });
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, 0x7fffffff);
    expect(thrown(() => decodeShortMessagePdu(huge))).toMatchObject({ code: 'LIMIT' });
    const longType = hex('0000001c 00000004 00000000 00000001 41414141414141000000');
    expect(thrown(() => decodeShortMessagePdu(longType.subarray(0, 26)))).toMatchObject({ code: 'BAD_LENGTH' });
  });
});

const pushPdu = hex('01060403ae81ea02056a0045c60c036578616d706c652e636f6d000103486921000101');

function viaSmpp(fields: ShortMessageInit[], from = '9200', to = '447700900123') {
  return fields.map((f, i) =>
    segmentFromSmpp(
      decodeShortMessagePdu(
        encodeShortMessagePdu({
          ...f,
          commandId: CommandId.deliver_sm,
          sequenceNumber: i + 1,
          sourceAddr: from,
          destinationAddr: to,
        }),
      ),
    ),
  );
}

describe('SMPP carriage: equivalent inputs give the same datagram', () => {
  const long = new Uint8Array(400).map((_, i) => (i * 7) & 0xff);
  for (const payload of [pushPdu, long]) {
    it(`UDH, sar_* TLVs and message_payload agree (${payload.length} octets)`, () => {
      const results = (['udh', 'sar', 'payload'] as const).map((carriage) =>
        collectDatagram(viaSmpp(smppShortMessages(payload, { carriage, reference: 0x42 }))),
      );
      for (const d of results) {
        expect(d).toMatchObject({
          originator: '9200',
          recipient: '447700900123',
          sourcePort: 9200,
          destinationPort: 2948,
        });
        expect(Buffer.from(d.payload).equals(Buffer.from(payload))).toBe(true);
      }
      // UDH costs 12 octets a segment (128 left), sar_* none (140), message_payload is one PDU.
      expect(results.map((r) => r.segments)).toEqual(payload.length > 133 ? [4, 3, 1] : [1, 1, 1]);
    });
  }
  it('data_coding 0xF5 and Kannel esm_class 0x43 read like 0x04 / 0x40', () => {
    const fields = smppShortMessages(pushPdu, { dataCoding: 0xf5 }).map((f) => ({ ...f, esmClass: 0x43 }));
    expect(Buffer.from(collectDatagram(viaSmpp(fields)).payload).equals(Buffer.from(pushPdu))).toBe(true);
  });
  it('UDH and TLVs saying the same thing together are fine', () => {
    const [f] = smppShortMessages(pushPdu);
    const seg = viaSmpp([{ ...f, tlvs: [{ tag: TlvTag.destination_port, value: hex('0b84') }] }])[0];
    expect(seg.destinationPort).toBe(2948);
  });
  it('a 7-bit SMS with a //SCK text header carries ports and concatenation', () => {
    const sm = new Uint8Array(Buffer.from('//SCKL0B8423F0 hello', 'latin1'));
    const [seg] = viaSmpp([{ dataCoding: 0x00, shortMessage: sm }]);
    expect(seg).toMatchObject({ sourcePort: 9200, destinationPort: 2948, total: 1 });
    expect(Buffer.from(seg.data).toString()).toBe('hello');
  });
});

describe('SMPP carriage: typed errors', () => {
  const deliver = (init: ShortMessageInit) =>
    decodeShortMessagePdu(encodeShortMessagePdu({ commandId: CommandId.deliver_sm, ...init }));
  it('UCS2 and other alphabets: UNSUPPORTED_DATA_CODING at the data_coding octet', () => {
    const pdu = deliver({ dataCoding: 0x08, esmClass: 0x40, shortMessage: hex('0605040b8423f0 00') });
    const e = thrown(() => segmentFromSmpp(pdu));
    expect(e).toMatchObject({ code: 'UNSUPPORTED_DATA_CODING', offset: pdu.shortMessageOffset! - 3 });
    expect(e.message).toMatch(/UCS2/);
    expect(alphabetOf(0x04)).toBe('binary');
    expect(alphabetOf(0xf5)).toBe('binary');
    expect(alphabetOf(0xf1)).toBe('text');
    expect(alphabetOf(0x05)).toBe('unsupported');
  });
  it('short_message and message_payload both carrying data', () => {
    expect(
      thrown(() =>
        segmentFromSmpp(
          deliver({
            dataCoding: 4,
            shortMessage: hex('01'),
            tlvs: [{ tag: TlvTag.message_payload, value: hex('02') }],
          }),
        ),
      ),
    ).toMatchObject({ code: 'BAD_VALUE' });
  });
  it('an incomplete sar_* set, a sar_* TLV of the wrong size, a repeated one', () => {
    expect(
      thrown(() =>
        segmentFromSmpp(
          deliver({
            dataCoding: 4,
            shortMessage: hex('01'),
            tlvs: [{ tag: TlvTag.sar_msg_ref_num, value: hex('0001') }],
          }),
        ),
      ),
    ).toMatchObject({ code: 'BAD_VALUE' });
    expect(
      thrown(() =>
        segmentFromSmpp(
          deliver({
            dataCoding: 4,
            shortMessage: hex('01'),
            tlvs: [{ tag: TlvTag.sar_total_segments, value: hex('0001') }],
          }),
        ),
      ),
    ).toMatchObject({ code: 'BAD_LENGTH' });
    expect(
      thrown(() =>
        segmentFromSmpp(
          deliver({
            dataCoding: 4,
            tlvs: [
              { tag: TlvTag.source_port, value: hex('0001') },
              { tag: TlvTag.source_port, value: hex('0001') },
            ],
          }),
        ),
      ),
    ).toMatchObject({ code: 'BAD_VALUE' });
  });
  it('UDH and TLVs that contradict each other', () => {
    const [f] = smppShortMessages(pushPdu);
    expect(
      thrown(() => segmentFromSmpp(deliver({ ...f, tlvs: [{ tag: TlvTag.destination_port, value: hex('0b85') }] }))),
    ).toMatchObject({ code: 'BAD_VALUE' });
    const [g] = smppShortMessages(new Uint8Array(300), { reference: 5 });
    const sar = [
      { tag: TlvTag.sar_msg_ref_num, value: hex('0006') },
      { tag: TlvTag.sar_total_segments, value: hex('03') },
      { tag: TlvTag.sar_segment_seqnum, value: hex('01') },
    ];
    expect(thrown(() => segmentFromSmpp(deliver({ ...g, tlvs: sar })))).toMatchObject({ code: 'BAD_VALUE' });
  });
  it('a bad UDH inside short_message reports the PDU offset', () => {
    const pdu = deliver({ dataCoding: 4, esmClass: 0x40, shortMessage: hex('0b05040b84') });
    expect(thrown(() => segmentFromSmpp(pdu))).toMatchObject({ code: 'BAD_LENGTH', offset: pdu.shortMessageOffset });
  });
});
