/** `wappush encode --sms | --smpp`: the push PDU as SMS TP-User-Data segments, or as whole submit_sm PDUs. */
import { EncodeError } from '../codec/errors.js';
import { toHex } from '../codec/hex.js';
import { ReferenceAllocator, segmentPayload, type SegmentOptions } from '../wdp/segmenter.js';
import { CommandId, encodeShortMessagePdu } from '../wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../wdp/smpp/submit.js';
import { carriage as carriageOf, nonNegativeInteger } from './args.js';

/** The encode flags read here, as parseArgs gives them. */
export interface SegmentFlags {
  smpp?: boolean;
  'source-port'?: string;
  'destination-port'?: string;
  'port-bits'?: string;
  'reference-bits'?: string;
  reference?: string;
  from?: string;
  to?: string;
  carriage?: string;
  'data-coding'?: string;
}

const PORT_BITS: ReadonlyMap<string, 8 | 16 | false> = new Map<string, 8 | 16 | false>([
  ['8', 8],
  ['16', 16],
  ['none', false],
]);
const REFERENCE_BITS: ReadonlyMap<string, 8 | 16> = new Map([
  ['8', 8],
  ['16', 16],
]);

export function writeSegments(pdu: Uint8Array, flags: SegmentFlags): void {
  const portBits = PORT_BITS.get(flags['port-bits'] ?? '16');
  const referenceBits = REFERENCE_BITS.get(flags['reference-bits'] ?? '8');
  if (portBits === undefined) throw new EncodeError('BAD_INPUT', '--port-bits takes 8, 16 or none');
  if (referenceBits === undefined) throw new EncodeError('BAD_INPUT', '--reference-bits takes 8 or 16');
  const carriage = carriageOf(flags.carriage);
  // sar_msg_ref_num is a 16-bit TLV, whatever --reference-bits says.
  const bits = carriage === 'sar' ? 16 : referenceBits;
  const options: SegmentOptions = {
    sourcePort: nonNegativeInteger(flags['source-port'], '--source-port'),
    destinationPort: nonNegativeInteger(flags['destination-port'], '--destination-port'),
    portBits,
    referenceBits: bits,
    reference:
      nonNegativeInteger(flags.reference, '--reference') ?? new ReferenceAllocator().next(flags.to ?? '', bits),
  };
  if (!flags.smpp) {
    for (const seg of segmentPayload(pdu, options)) process.stdout.write(toHex(seg) + '\n');
    return;
  }
  const dataCoding = nonNegativeInteger(flags['data-coding'], '--data-coding');
  smppShortMessages(pdu, { ...options, carriage, dataCoding }).forEach((fields, i) => {
    const bytes = encodeShortMessagePdu({
      ...fields,
      commandId: CommandId.submit_sm,
      sequenceNumber: i + 1,
      serviceType: 'WAP',
      sourceAddr: flags.from ?? '',
      destinationAddr: flags.to ?? '',
      sourceAddrTon: 0,
      destAddrTon: 1,
      destAddrNpi: 1,
    });
    process.stdout.write(toHex(bytes) + '\n');
  });
}
