/**
 * The one SMPP submit path of the sending side: connect and bind an ESME session, submit a
 * datagram as its submit_sm PDUs (each written as octets wappush encoded), cancel what was
 * submitted, and unbind. `wappush inject` (submitter.ts, bound as transmitter) and the PPG
 * (bound as transceiver, for its delivery receipts) both submit through here.
 */
import { type ReferenceAllocator } from '../segmenter.js';
import { bindPdu } from './bind.js';
import { SmppCommand } from './commands.js';
import { connectSmsc } from './connect.js';
import { EsmeSession } from './esmeSession.js';
import type { SmscUrl } from './link.js';
import { CommandId, encodeShortMessagePdu, SMPP_HEADER_LENGTH } from './shortMessage.js';
import { smppShortMessages, type SmppSubmitOptions } from './submit.js';

export interface SubmitOptions extends SmppSubmitOptions {
  to: string;
  from?: string;
  /** TON/NPI of the destination; default international/ISDN (1/1). */
  destAddrTon?: number;
  destAddrNpi?: number;
  /** registered_delivery (SMPP v3.4 5.2.17): 1 asks a receipt on success or failure. Default 0. */
  registeredDelivery?: number;
  /** validity_period (5.2.17): absolute form YYMMDDhhmmss000+, or empty (default). */
  validityPeriod?: string;
  /**
   * Which segments to submit, by 0-based index, in this order; an index may repeat. For
   * rehearsing out-of-order and duplicated arrival (the demo, tests). Default: each once, in order.
   */
  segmentOrder?: readonly number[];
}

/** The SMSC answered a request with an error status (or a generic_nack). */
export class SubmitRefused extends Error {
  constructor(
    readonly command: 'submit_sm' | 'cancel_sm' | 'bind_transmitter' | 'bind_transceiver',
    readonly status: number,
  ) {
    super(`${command} refused: command_status 0x${status.toString(16)}`);
  }
}

/** The response's command_status, or SubmitRefused when it is not ESME_ROK (or is a generic_nack). */
function accepted(resp: Buffer, command: SubmitRefused['command']): Buffer {
  const status = resp.readUInt32BE(8);
  if (status !== 0 || resp.readUInt32BE(4) === SmppCommand.generic_nack) throw new SubmitRefused(command, status);
  return resp;
}

/**
 * Connects and binds. `setup` sees the session before the bind goes out (to follow its close
 * and deliver_sm from the first PDU on). Rejects, with the connection closed, when the bind
 * is refused or unanswered.
 */
export function bindSession(
  smsc: SmscUrl,
  as: 'bind_transmitter' | 'bind_transceiver',
  bindTimeoutMs: number,
  setup: (session: EsmeSession) => void = () => {},
): Promise<EsmeSession> {
  return new Promise((resolve, reject) => {
    // TLS for smpps://: the bind waits for the handshake, so no credential leaves unchecked.
    const { socket, ready } = connectSmsc(smsc);
    const session = new EsmeSession(socket, as === 'bind_transceiver');
    socket.on('error', reject);
    setup(session);
    socket.once(ready, () => {
      const command = SmppCommand[as];
      const fields = { systemId: smsc.systemId, password: smsc.password };
      session
        .request(command, bindTimeoutMs, (seq) => bindPdu(command, seq, fields))
        .then((resp) => {
          accepted(resp, as);
          resolve(session);
        })
        .catch((error: unknown) => {
          session.destroy();
          reject(error);
        });
    });
  });
}

/**
 * Submits one datagram (all its segments, or those `segmentOrder` names); resolves with one
 * message_id per submit_sm. The reference comes from `references` unless the options give one.
 */
export function submitDatagram(
  session: EsmeSession,
  payload: Uint8Array,
  options: SubmitOptions,
  references: ReferenceAllocator,
  responseTimeoutMs: number,
): Promise<string[]> {
  const bits = options.carriage === 'sar' ? 16 : (options.referenceBits ?? 8);
  const reference = options.reference ?? references.next(options.to, bits);
  const all = smppShortMessages(payload, { ...options, reference, referenceBits: bits });
  const parts = options.segmentOrder
    ? options.segmentOrder.map((i) => {
        if (!Number.isInteger(i) || i < 0 || i >= all.length)
          throw new RangeError(`segmentOrder: no segment ${i} (0-${all.length - 1})`);
        return all[i];
      })
    : all;
  return Promise.all(
    parts.map((fields) =>
      session
        .request(SmppCommand.submit_sm, responseTimeoutMs, (sequence) =>
          encodeShortMessagePdu({
            ...fields,
            commandId: CommandId.submit_sm,
            sequenceNumber: sequence,
            serviceType: 'WAP',
            sourceAddr: options.from ?? '',
            destinationAddr: options.to,
            destAddrTon: options.destAddrTon ?? 1,
            destAddrNpi: options.destAddrNpi ?? 1,
            registeredDelivery: options.registeredDelivery ?? 0,
            validityPeriod: options.validityPeriod ?? '',
          }),
        )
        .then((resp) => messageId(accepted(resp, 'submit_sm'))),
    ),
  );
}

export interface CancelTarget {
  messageId: string;
  /** The destination the message was submitted to, and its TON/NPI (default 1/1). */
  to: string;
  destAddrTon?: number;
  destAddrNpi?: number;
  from?: string;
}

/**
 * cancel_sm (SMPP v3.4 4.9.1) of one submitted message: service_type, message_id, source and
 * destination address. Resolves once the SMSC answered ESME_ROK; rejects SubmitRefused when it
 * could not cancel (already delivered, or unknown: ESME_RCANCELFAIL 0x11).
 */
export async function cancelMessage(session: EsmeSession, target: CancelTarget, responseTimeoutMs: number) {
  const resp = await session.request(SmppCommand.cancel_sm, responseTimeoutMs, (sequence) =>
    cancelSmPdu(sequence, target),
  );
  accepted(resp, 'cancel_sm');
}

/** The octets of a cancel_sm. */
export function cancelSmPdu(sequence: number, t: CancelTarget): Buffer {
  const body = Buffer.concat([
    cOctetString('WAP', 6, 'service_type'),
    cOctetString(t.messageId, 65, 'message_id'),
    Buffer.of(t.from?.startsWith('+') ? 1 : 0, 1),
    cOctetString(t.from ?? '', 21, 'source_addr'),
    Buffer.of(t.destAddrTon ?? 1, t.destAddrNpi ?? 1),
    cOctetString(t.to, 21, 'destination_addr'),
  ]);
  const head = Buffer.alloc(SMPP_HEADER_LENGTH);
  head.writeUInt32BE(SMPP_HEADER_LENGTH + body.length, 0);
  head.writeUInt32BE(SmppCommand.cancel_sm, 4);
  head.writeUInt32BE(0, 8);
  head.writeUInt32BE(sequence, 12);
  return Buffer.concat([head, body]);
}

/** A C-Octet String of at most `max` octets with its NUL (SMPP v3.4 3.1). */
function cOctetString(v: string, max: number, name: string): Buffer {
  if (v.length > max - 1) throw new RangeError(`${name} is ${v.length} characters; SMPP allows ${max - 1}`);
  return Buffer.from(`${v}\0`, 'latin1');
}

/** Unbinds (or cuts the connection when the unbind goes unanswered) and waits for the close. */
export async function unbindSession(session: EsmeSession, timeoutMs: number): Promise<void> {
  if (session.socket.destroyed) return;
  const closed = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
  session.request(SmppCommand.unbind, timeoutMs).then(
    () => session.socket.end(),
    () => session.destroy(),
  );
  const timer = setTimeout(() => session.destroy(), timeoutMs);
  await closed;
  clearTimeout(timer);
}

/** submit_sm_resp's message_id: a C-Octet String after the header (4.4.2), empty when absent. */
function messageId(resp: Buffer): string {
  if (resp.length <= SMPP_HEADER_LENGTH) return '';
  const end = resp.indexOf(0, SMPP_HEADER_LENGTH);
  return resp.toString('latin1', SMPP_HEADER_LENGTH, end < 0 ? resp.length : end);
}
