/**
 * The PPG's SMPP side: one transceiver session (esmeSession.ts) that submits each push's SMS
 * with registered_delivery set and takes the SMSC's delivery receipts on the same bind.
 * Every deliver_sm is answered at once: a receipt is handed on as an event, anything else
 * (a PPG is no phone) is acknowledged and counted. The session keeps itself alive with
 * enquire_link (keepAlive.ts, as the receiving side's link does), so an idle PPG is not closed
 * by the SMSC's inactivity timer, and one unanswered marks the link dead: it is dropped and
 * made again with the reconnect backoff. The SMSC's own enquire_link is answered by the session.
 */
import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';
import { ReferenceAllocator } from '../wdp/segmenter.js';
import { backoffDelay, checkBackoff, type Backoff } from '../wdp/smpp/backoff.js';
import { checkBindFields } from '../wdp/smpp/bind.js';
import type { EsmeSession } from '../wdp/smpp/esmeSession.js';
import { messageIdResponse } from '../wdp/smpp/framing.js';
import { enquireLinkTimes, keepAlive, type EnquireLinkTimes } from '../wdp/smpp/keepAlive.js';
import { parseSmscUrl, type SmscUrl } from '../wdp/smpp/link.js';
import { CommandId, decodeShortMessagePdu } from '../wdp/smpp/shortMessage.js';
import { CommandStatus } from '../wdp/smpp/status.js';
import {
  SubmitRefused,
  bindSession,
  cancelMessage,
  submitDatagram,
  unbindSession,
  type CancelTarget,
  type SubmitOptions,
} from '../wdp/smpp/submitPath.js';
import { isDeliveryReceipt, readDeliveryReceipt, type DeliveryReceipt } from './receipt.js';

export { SubmitRefused } from '../wdp/smpp/submitPath.js';

export interface TransceiverOptions {
  bindTimeoutMs?: number;
  /** Delay before reconnecting after a lost connection. Default 100 ms doubling to 5,000 ms. */
  reconnect?: Backoff;
  /** How long a submit_sm may go unanswered, ms. Default 30,000. */
  responseTimeoutMs?: number;
  /** enquire_link period, ms (default 30,000, DEFAULT_ENQUIRE_LINK_MS); 0 turns it off. */
  enquireLinkMs?: number;
  /**
   * How long an enquire_link may go unanswered, ms, while nothing else arrives either, before
   * the link is dead: dropped, reported ('dead-link') and reconnected. Default: the period.
   */
  enquireLinkTimeoutMs?: number;
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
  /** An enquire_link went unanswered, and nothing else came, for `unansweredMs`: dropped, to reconnect. */
  'dead-link': [{ unansweredMs: number }];
}

export interface StartOptions {
  /**
   * When the first connection or bind fails for a reason other than a refused bind (the SMSC
   * is not there yet, or does not answer): resolve anyway and keep trying with the reconnect
   * backoff, each failure a 'connection-error'. Default false: start() rejects.
   */
  retry?: boolean;
}

/** What the PPG submits: the shared submit options (registered_delivery, validity_period...). */
export type PpgSubmit = SubmitOptions;

export class PpgTransceiver extends EventEmitter<TransceiverEvents> {
  private session: EsmeSession | undefined;
  private readonly smsc: SmscUrl;
  private readonly bindTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  private readonly reconnect: Backoff;
  private readonly enquireLink: EnquireLinkTimes;
  private enquireTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly references = new ReferenceAllocator();

  constructor(smsc: string | SmscUrl, options: TransceiverOptions = {}) {
    super();
    this.smsc = typeof smsc === 'string' ? parseSmscUrl(smsc) : smsc;
    checkBindFields({ systemId: this.smsc.systemId, password: this.smsc.password });
    this.bindTimeoutMs = positiveBound(options.bindTimeoutMs ?? 10_000, 'bindTimeoutMs', MAX_TIMER_MS);
    this.responseTimeoutMs = positiveBound(options.responseTimeoutMs ?? 30_000, 'responseTimeoutMs', MAX_TIMER_MS);
    this.reconnect = checkBackoff(options.reconnect ?? { initialMs: 100, maxMs: 5_000 }, 'reconnect');
    this.enquireLink = enquireLinkTimes(options);
  }

  get bound(): boolean {
    return this.session?.bound === true && !this.session.socket.destroyed;
  }

  /**
   * Binds; rejects when the first bind fails (unless `retry`: see StartOptions). A connection
   * lost later is made again by itself.
   */
  async start(options: StartOptions = {}): Promise<void> {
    this.closing = false;
    try {
      await this.connect();
    } catch (e) {
      // Wrong credentials do not get better by retrying: a refused bind fails the start.
      if (!options.retry || e instanceof SubmitRefused) throw e;
      this.emit('connection-error', e instanceof Error ? e : new Error(String(e)));
      this.scheduleReconnect();
    }
  }

  private async connect(): Promise<void> {
    const session = await bindSession(this.smsc, 'bind_transceiver', this.bindTimeoutMs, (s) => {
      s.socket.on('close', () => {
        if (this.session !== s) return;
        this.session = undefined;
        clearInterval(this.enquireTimer);
        this.emit('disconnected');
        this.scheduleReconnect();
      });
      s.on('deliver_sm', (frame) => this.onDeliver(s, frame));
    });
    if (this.closing) {
      // close() came while this bind was on its way: it is not kept.
      await unbindSession(session, this.bindTimeoutMs);
      return;
    }
    this.session = session;
    this.attempts = 0;
    clearInterval(this.enquireTimer);
    this.enquireTimer = keepAlive(session, this.enquireLink, {
      dead: (unansweredMs) => this.emit('dead-link', { unansweredMs }),
    });
    this.emit('bound');
  }

  /** Submits the SMS of one push in order; resolves with one message_id per SMS. */
  async submit(payload: Uint8Array, options: PpgSubmit): Promise<string[]> {
    if (!this.session) throw new Error('not bound to the SMSC');
    return submitDatagram(this.session, payload, options, this.references, this.responseTimeoutMs);
  }

  /** cancel_sm of one submitted SMS; rejects SubmitRefused when the SMSC could not cancel it. */
  async cancel(target: CancelTarget): Promise<void> {
    if (!this.session) throw new Error('not bound to the SMSC');
    return cancelMessage(this.session, target, this.responseTimeoutMs);
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
    clearInterval(this.enquireTimer);
    this.reconnectTimer = undefined;
    const session = this.session;
    this.session = undefined;
    if (session) await unbindSession(session, timeoutMs);
  }
}
