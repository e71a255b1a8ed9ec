import { MAX_TIMER_MS, positiveBound } from '../../bounds.js';
import { ReferenceAllocator } from '../segmenter.js';
import { bindPdu, checkBindFields } from './bind.js';
import { SmppCommand } from './commands.js';
import { connectSmsc } from './connect.js';
import { EsmeSession } from './esmeSession.js';
import { parseSmscUrl, type SmscUrl } from './link.js';
import { CommandId, encodeShortMessagePdu, SMPP_HEADER_LENGTH } from './shortMessage.js';
import { smppShortMessages, type SmppSubmitOptions } from './submit.js';

export interface SubmitOptions extends SmppSubmitOptions {
  to: string;
  from?: string;
  /** TON/NPI of the destination; default international/ISDN (1/1). */
  destAddrTon?: number;
  destAddrNpi?: number;
  /**
   * Which segments to submit, by 0-based index, in this order; an index may repeat. For
   * rehearsing out-of-order and duplicated arrival (the demo, tests). Default: each once, in order.
   */
  segmentOrder?: readonly number[];
}

export interface SubmitterOptions {
  /** How long a bind_transmitter may go unanswered, ms. Default 10,000. */
  bindTimeoutMs?: number;
  /** How long a submit_sm may go unanswered before submit() rejects, ms. Default 30,000. */
  responseTimeoutMs?: number;
}

/**
 * The sending side (what `wappush inject` uses): binds as transmitter and submits datagrams
 * as submit_sm, segmented per the carriage, each PDU written as octets wappush encoded, over
 * the same small SMPP session as the ESME link (esmeSession.ts). Resolves with the SMSC's
 * message_ids; rejects on a non-zero submit_sm_resp status, a generic_nack or no response.
 */
export class SmppSubmitter {
  private session: EsmeSession | undefined;
  private readonly smsc: SmscUrl;
  private readonly references = new ReferenceAllocator();
  private readonly bindTimeoutMs: number;
  private readonly responseTimeoutMs: number;

  constructor(smsc: string | SmscUrl, options: SubmitterOptions = {}) {
    this.smsc = typeof smsc === 'string' ? parseSmscUrl(smsc) : smsc;
    checkBindFields({ systemId: this.smsc.systemId, password: this.smsc.password });
    this.bindTimeoutMs = positiveBound(options.bindTimeoutMs ?? 10_000, 'bindTimeoutMs', MAX_TIMER_MS);
    this.responseTimeoutMs = positiveBound(options.responseTimeoutMs ?? 30_000, 'responseTimeoutMs', MAX_TIMER_MS);
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { socket, ready } = connectSmsc(this.smsc);
      const session = new EsmeSession(socket, false);
      socket.on('error', reject);
      socket.once(ready, () => {
        const fields = { systemId: this.smsc.systemId, password: this.smsc.password };
        session
          .request(SmppCommand.bind_transmitter, this.bindTimeoutMs, (seq) =>
            bindPdu(SmppCommand.bind_transmitter, seq, fields),
          )
          .then((resp) => {
            const status = resp.readUInt32BE(8);
            if (status !== 0 || resp.readUInt32BE(4) === SmppCommand.generic_nack) {
              session.destroy();
              reject(new Error(`bind_transmitter refused: command_status 0x${status.toString(16)}`));
              return;
            }
            this.session = session;
            resolve();
          })
          .catch((error: unknown) => {
            session.destroy();
            reject(error);
          });
      });
    });
  }

  /** Submits one datagram (all its segments); resolves with one message_id per submit_sm. */
  async submit(payload: Uint8Array, options: SubmitOptions): Promise<string[]> {
    const session = this.session;
    if (!session) throw new Error('not bound');
    const bits = options.carriage === 'sar' ? 16 : (options.referenceBits ?? 8);
    const reference = options.reference ?? this.references.next(options.to, bits);
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
          .request(SmppCommand.submit_sm, this.responseTimeoutMs, (sequence) =>
            encodeShortMessagePdu({
              ...fields,
              commandId: CommandId.submit_sm,
              sequenceNumber: sequence,
              serviceType: 'WAP',
              sourceAddr: options.from ?? '',
              destinationAddr: options.to,
              destAddrTon: options.destAddrTon ?? 1,
              destAddrNpi: options.destAddrNpi ?? 1,
            }),
          )
          .then((resp) => {
            const status = resp.readUInt32BE(8);
            if (status !== 0 || resp.readUInt32BE(4) === SmppCommand.generic_nack)
              throw new Error(`submit_sm refused: command_status 0x${status.toString(16)}`);
            return messageId(resp);
          }),
      ),
    );
  }

  async close(timeoutMs = 1_000): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session || session.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
    session.request(SmppCommand.unbind, timeoutMs).then(
      () => session.socket.end(),
      () => session.destroy(),
    );
    const timer = setTimeout(() => session.destroy(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }
}

/** submit_sm_resp's message_id: a C-Octet String after the header (4.4.2), empty when absent. */
function messageId(resp: Buffer): string {
  if (resp.length <= SMPP_HEADER_LENGTH) return '';
  const end = resp.indexOf(0, SMPP_HEADER_LENGTH);
  return resp.toString('latin1', SMPP_HEADER_LENGTH, end < 0 ? resp.length : end);
}
