import smpp from 'smpp';
import { ReferenceAllocator } from '../segmenter.js';
import { nextSequence, takeOverIntake } from './framing.js';
import { parseSmscUrl, type SmscUrl } from './link.js';
import { CommandId, encodeShortMessagePdu } from './shortMessage.js';
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

/**
 * The sending side (what `wappush inject` uses): binds as transmitter and submits datagrams
 * as submit_sm, segmented per the carriage, each PDU written as octets wappush encoded.
 * Resolves with the SMSC's message_ids; rejects on a non-zero submit_sm_resp status.
 */
export class SmppSubmitter {
  private session: smpp.Session | undefined;
  private readonly smsc: SmscUrl;
  private readonly references = new ReferenceAllocator();

  constructor(smsc: string | SmscUrl) {
    this.smsc = typeof smsc === 'string' ? parseSmscUrl(smsc) : smsc;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const session = smpp.connect({ host: this.smsc.host, port: this.smsc.port });
      takeOverIntake(session, smpp.PDU, () => false);
      session.on('error', reject);
      session.on('connect', () => {
        session.bind_transmitter({ system_id: this.smsc.systemId, password: this.smsc.password }, (pdu) => {
          if (pdu.command_status !== 0) {
            session.destroy();
            reject(new Error(`bind_transmitter refused: command_status 0x${pdu.command_status.toString(16)}`));
            return;
          }
          this.session = session;
          resolve();
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
      parts.map(
        (fields) =>
          new Promise<string>((resolve, reject) => {
            const sequence = nextSequence(session);
            session._callbacks[sequence] = (resp) => {
              if (resp.command_status !== 0)
                reject(new Error(`submit_sm refused: command_status 0x${resp.command_status.toString(16)}`));
              else resolve(String(resp.message_id ?? ''));
            };
            session.socket.write(
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
            );
          }),
      ),
    );
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        session.destroy();
        resolve();
      }, 1_000);
      session.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!session.unbind(() => session.close())) session.destroy();
    });
  }
}
