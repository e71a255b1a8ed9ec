/**
 * The PPG's SMPP side: one transceiver session (esmeSession.ts) that submits each push's SMS
 * with registered_delivery set and takes the SMSC's delivery receipts on the same bind.
 * Every deliver_sm is answered at once: a receipt is handed on as an event, anything else
 * (a PPG is no phone) is acknowledged and counted.
 */
import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';
import { backoffDelay, checkBackoff, type Backoff } from '../wdp/smpp/backoff.js';
import { bindPdu, checkBindFields } from '../wdp/smpp/bind.js';
import { SmppCommand } from '../wdp/smpp/commands.js';
import { connectSmsc } from '../wdp/smpp/connect.js';
import { EsmeSession } from '../wdp/smpp/esmeSession.js';
import { messageIdResponse } from '../wdp/smpp/framing.js';
import { parseSmscUrl, type SmscUrl } from '../wdp/smpp/link.js';
import {
  CommandId,
  decodeShortMessagePdu,
  encodeShortMessagePdu,
  SMPP_HEADER_LENGTH,
} from '../wdp/smpp/shortMessage.js';
import { CommandStatus } from '../wdp/smpp/status.js';
import { smppShortMessages, type SmppSubmitOptions } from '../wdp/smpp/submit.js';
import { isDeliveryReceipt, readDeliveryReceipt, type DeliveryReceipt } from './receipt.js';

export interface TransceiverOptions {
  bindTimeoutMs?: number;
  /** Delay before reconnecting after a lost connection. Default 100 ms doubling to 5,000 ms. */
  reconnect?: Backoff;
  /** How long a submit_sm may go unanswered, ms. Default 30,000. */
  responseTimeoutMs?: number;
}

export interface TransceiverEvents {
  receipt: [DeliveryReceipt];
  /** A deliver_sm that is not a readable receipt (acknowledged, not used). */
  'other-deliver': [];
  /** Bound (the first time, and again after each reconnect). */
  bound: [];
  /** The connection closed; a reconnect follows unless closing. */
  disconnected: [];
  /** A reconnect failed (it is tried again). */
  'connection-error': [Error];
}

export interface PpgSubmit extends SmppSubmitOptions {
  to: string;
  from?: string;
  /** registered_delivery (SMPP v3.4 5.2.17): 1 asks a receipt on success or failure. */
  registeredDelivery?: number;
  /** validity_period, absolute form YYMMDDhhmmss000+ (5.2.17), or empty. */
  validityPeriod?: string;
}

export class PpgTransceiver extends EventEmitter<TransceiverEvents> {
  private session: EsmeSession | undefined;
  private readonly smsc: SmscUrl;
  private readonly bindTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  private readonly reconnect: Backoff;
  private closing = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(smsc: string | SmscUrl, options: TransceiverOptions = {}) {
    super();
    this.smsc = typeof smsc === 'string' ? parseSmscUrl(smsc) : smsc;
    checkBindFields({ systemId: this.smsc.systemId, password: this.smsc.password });
    this.bindTimeoutMs = positiveBound(options.bindTimeoutMs ?? 10_000, 'bindTimeoutMs', MAX_TIMER_MS);
    this.responseTimeoutMs = positiveBound(options.responseTimeoutMs ?? 30_000, 'responseTimeoutMs', MAX_TIMER_MS);
    this.reconnect = checkBackoff(options.reconnect ?? { initialMs: 100, maxMs: 5_000 }, 'reconnect');
  }

  get bound(): boolean {
    return this.session?.bound === true && !this.session.socket.destroyed;
  }

  /** Binds; rejects when the first bind fails. A connection lost later is made again by itself. */
  start(): Promise<void> {
    this.closing = false;
    return this.connect();
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { socket, ready } = connectSmsc(this.smsc);
      const session = new EsmeSession(socket, true);
      socket.on('error', reject);
      socket.on('close', () => {
        if (this.session !== session) return;
        this.session = undefined;
        this.emit('disconnected');
        this.scheduleReconnect();
      });
      session.on('deliver_sm', (frame) => this.onDeliver(session, frame));
      socket.once(ready, () => {
        const fields = { systemId: this.smsc.systemId, password: this.smsc.password };
        session
          .request(SmppCommand.bind_transceiver, this.bindTimeoutMs, (seq) =>
            bindPdu(SmppCommand.bind_transceiver, seq, fields),
          )
          .then((resp) => {
            const status = resp.readUInt32BE(8);
            if (status !== 0 || resp.readUInt32BE(4) === SmppCommand.generic_nack) {
              session.destroy();
              reject(new Error(`bind_transceiver refused: command_status 0x${status.toString(16)}`));
              return;
            }
            this.session = session;
            this.attempts = 0;
            this.emit('bound');
            resolve();
          })
          .catch((error: unknown) => {
            session.destroy();
            reject(error);
          });
      });
    });
  }

  /** Submits the SMS of one push in order; resolves with one message_id per SMS. */
  async submit(payload: Uint8Array, options: PpgSubmit): Promise<string[]> {
    const session = this.session;
    if (!session) throw new Error('not bound to the SMSC');
    const parts = smppShortMessages(payload, options);
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
              destAddrTon: options.to.startsWith('+') ? 1 : 0,
              destAddrNpi: 1,
              registeredDelivery: options.registeredDelivery ?? 0,
              validityPeriod: options.validityPeriod ?? '',
            }),
          )
          .then((resp) => {
            const status = resp.readUInt32BE(8);
            if (status !== 0 || resp.readUInt32BE(4) === SmppCommand.generic_nack) throw new SubmitRefused(status);
            return messageId(resp);
          }),
      ),
    );
  }

  private onDeliver(session: EsmeSession, frame: Buffer): void {
    const sequence = frame.readUInt32BE(12);
    let receipt: DeliveryReceipt | undefined;
    try {
      const pdu = decodeShortMessagePdu(frame);
      if (isDeliveryReceipt(pdu)) receipt = readDeliveryReceipt(pdu);
    } catch {
      // not readable: acknowledged below all the same (resending it will not help)
    }
    session.respond(messageIdResponse(CommandId.deliver_sm, CommandStatus.ESME_ROK, sequence));
    if (receipt) this.emit('receipt', receipt);
    else this.emit('other-deliver');
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const delay = backoffDelay(this.reconnect, this.attempts++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing) return;
      this.connect().catch((e: unknown) => {
        this.emit('connection-error', e instanceof Error ? e : new Error(String(e)));
        this.scheduleReconnect();
      });
    }, delay);
  }

  async close(timeoutMs = 1_000): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
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

/** The SMSC answered a submit_sm with an error status. */
export class SubmitRefused extends Error {
  constructor(readonly status: number) {
    super(`submit_sm refused: command_status 0x${status.toString(16)}`);
  }
}

function messageId(resp: Buffer): string {
  if (resp.length <= SMPP_HEADER_LENGTH) return '';
  const end = resp.indexOf(0, SMPP_HEADER_LENGTH);
  return resp.toString('latin1', SMPP_HEADER_LENGTH, end < 0 ? resp.length : end);
}
