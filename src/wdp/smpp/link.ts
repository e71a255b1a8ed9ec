import { EventEmitter } from 'node:events';
import smpp from 'smpp';
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../../bounds.js';
import type { Segment, WdpDatagram } from '../datagram.js';
import { Fifo } from '../fifo.js';
import { Reassembler, type ReassemblerOptions } from '../reassembler.js';
import { backoffDelay, checkBackoff, type Backoff } from './backoff.js';
import { segmentFromSmpp } from './carriage.js';
import { messageIdResponse, takeOverIntake } from './framing.js';
import { CommandId, decodeShortMessagePdu } from './shortMessage.js';
import { CommandStatus } from './status.js';

export interface SmscUrl {
  host: string;
  port: number;
  systemId: string;
  password: string;
}

/** smpp://ID:PASSWORD@HOST:PORT (DESIGN.md). Default port 2775. */
export function parseSmscUrl(url: string): SmscUrl {
  const u = new URL(url);
  if (u.protocol !== 'smpp:') throw new TypeError(`not an smpp:// URL: ${url}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 2775,
    systemId: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

export interface EsmeLinkOptions {
  smsc: string | SmscUrl;
  /** 'receiver' (default) or 'transceiver'. */
  mode?: 'receiver' | 'transceiver';
  addressRange?: string;
  /**
   * Called with each datagram; deliver_sm_resp for its last segment waits for it to settle.
   * May be left out and set later through `link.onDatagram` (a PushClient given a link does).
   */
  onDatagram?: (datagram: WdpDatagram) => void | Promise<void>;
  reassembly?: ReassemblerOptions;
  /** enquire_link period, ms (default 30,000); 0 turns it off. */
  enquireLinkMs?: number;
  reconnect?: Backoff;
  /** Datagrams handed up and not yet settled before intake pauses (back-pressure). Default 100. */
  maxInFlight?: number;
  /** A single-SMS datagram equal to one seen this recently is a redelivery, not a new push. */
  duplicateWindowMs?: number;
  /** How many single-SMS datagrams that window remembers. Default 10,000. */
  maxRecentSingles?: number;
}

export interface EsmeLinkStats {
  connects: number;
  binds: number;
  bindFailures: number;
  deliverSm: number;
  datagrams: number;
  duplicateSingles: number;
  undecodable: number;
  handlerErrors: number;
}

/** The events of an EsmeLink, by name: the listener's arguments. */
export interface EsmeLinkEvents {
  /** A bind succeeded (the first one also resolves start()). */
  bound: [];
  /** The SMSC refused the bind; the link stops (credentials do not improve by retrying). */
  'bind-failed': [{ status: number }];
  /** The connection failed or broke; the link reconnects unless closing. */
  'connection-error': [Error];
  /** The connection closed (a reconnect follows unless the link is closing). */
  disconnected: [];
  /** A deliver_sm that could not be read; answered ESME_RX_P_APPN. */
  undecodable: [{ error: unknown; pdu: Buffer }];
  /** onDatagram threw or rejected; the segment was answered ESME_RX_T_APPN. */
  'handler-error': [unknown];
}

interface Recent {
  key: string;
  at: number;
  removed: boolean;
}

/**
 * The push client's side of SMPP: binds to an SMSC as receiver (or transceiver) and turns
 * deliver_sm into datagrams through a Reassembler that outlives connections.
 *
 * At-least-once: deliver_sm_resp (ESME_ROK) goes out only once the segment is in the
 * reassembler, and for the segment that completes a datagram, once `onDatagram` has settled.
 * A segment that cannot be decoded is answered ESME_RX_P_APPN (permanent: resending will not
 * help) and reported as 'undecodable'; a throwing or rejecting handler gets ESME_RX_T_APPN
 * (temporary: the SMSC sends it again). Redeliveries do not reach the handler twice: the
 * reassembler drops duplicate segments, and single SMS repeated within `duplicateWindowMs`
 * are dropped here. The link reconnects with backoff and jitter, keeps the session alive
 * with enquire_link, pauses intake while `maxInFlight` datagrams are unsettled, and unbinds
 * on close().
 */
export class EsmeLink extends EventEmitter<EsmeLinkEvents> {
  readonly reassembler: Reassembler;
  /** Where datagrams go; reassignable, so a PushClient can take over a link made elsewhere. */
  onDatagram: (datagram: WdpDatagram) => void | Promise<void>;
  readonly stats: EsmeLinkStats = {
    connects: 0,
    binds: 0,
    bindFailures: 0,
    deliverSm: 0,
    datagrams: 0,
    duplicateSingles: 0,
    undecodable: 0,
    handlerErrors: 0,
  };
  private readonly smsc: SmscUrl;
  private session: smpp.Session | undefined;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly recent = new Map<string, Recent>();
  private readonly recentOrder = new Fifo<Recent>();
  /** Multi-segment datagrams whose handler failed, by completing segment, until the SMSC resends it. */
  private readonly retained = new Map<string, { datagram: WdpDatagram; data: Buffer; at: number }>();
  private readonly options: EsmeLinkOptions &
    Required<
      Pick<EsmeLinkOptions, 'enquireLinkMs' | 'reconnect' | 'maxInFlight' | 'duplicateWindowMs' | 'maxRecentSingles'>
    >;

  constructor(options: EsmeLinkOptions) {
    super();
    // Each default by ??, so a bound given as undefined keeps its default; each bound checked.
    this.options = {
      ...options,
      enquireLinkMs: nonNegativeBound(options.enquireLinkMs ?? 30_000, 'enquireLinkMs', MAX_TIMER_MS),
      reconnect: checkBackoff(options.reconnect ?? { initialMs: 100, maxMs: 30_000 }, 'reconnect'),
      maxInFlight: positiveBound(options.maxInFlight ?? 100, 'maxInFlight'),
      duplicateWindowMs: nonNegativeBound(options.duplicateWindowMs ?? 120_000, 'duplicateWindowMs'),
      maxRecentSingles: nonNegativeBound(options.maxRecentSingles ?? 10_000, 'maxRecentSingles'),
    };
    this.smsc = typeof options.smsc === 'string' ? parseSmscUrl(options.smsc) : options.smsc;
    this.reassembler = new Reassembler(options.reassembly);
    this.onDatagram = options.onDatagram ?? (() => {});
  }

  /** Connects and binds; resolves on the first successful bind, rejects on a refused one. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onBound = () => {
        this.off('bind-failed', onFailed);
        resolve();
      };
      const onFailed = (e: { status: number }) => {
        this.off('bound', onBound);
        reject(new Error(`bind refused: command_status 0x${e.status.toString(16)}`));
      };
      this.once('bound', onBound);
      this.once('bind-failed', onFailed);
      this.connect();
    });
  }

  get bound(): boolean {
    return this.session !== undefined;
  }

  /** Unbinds (waiting up to `timeoutMs` for unbind_resp) and closes. */
  async close(timeoutMs = 1_000): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.enquireTimer);
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        session.destroy();
        resolve();
      }, timeoutMs);
      session.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      const sent = session.unbind(() => session.close());
      if (!sent) session.destroy();
    });
  }

  private connect(): void {
    if (this.closing) return;
    this.stats.connects++;
    const session = smpp.connect({ host: this.smsc.host, port: this.smsc.port });
    let bound = false;
    takeOverIntake(session, smpp.PDU, (frame) => {
      if (bound && frame.readUInt32BE(4) === CommandId.deliver_sm) {
        this.onDeliverSm(session, frame);
        return true;
      }
      return false;
    });
    session.on('connect', () => {
      const bindCommand = this.options.mode === 'transceiver' ? 'bind_transceiver' : 'bind_receiver';
      session[bindCommand](
        { system_id: this.smsc.systemId, password: this.smsc.password, address_range: this.options.addressRange ?? '' },
        (pdu) => {
          if (pdu.command_status !== 0) {
            this.stats.bindFailures++;
            this.emit('bind-failed', { status: pdu.command_status });
            this.closing = true; // wrong credentials do not get better by retrying
            session.destroy();
            return;
          }
          bound = true;
          this.attempt = 0;
          this.session = session;
          this.stats.binds++;
          if (this.options.enquireLinkMs > 0) {
            this.enquireTimer = setInterval(() => {
              session.enquire_link();
            }, this.options.enquireLinkMs);
            this.enquireTimer.unref();
          }
          this.emit('bound');
        },
      );
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('error', (e: Error) => this.emit('connection-error', e));
    session.on('close', () => {
      clearInterval(this.enquireTimer);
      if (this.session === session) this.session = undefined;
      this.emit('disconnected');
      if (this.closing) return;
      const delay = backoffDelay(this.options.reconnect, this.attempt++);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private onDeliverSm(session: smpp.Session, frame: Buffer): void {
    this.stats.deliverSm++;
    const sequence = frame.readUInt32BE(12);
    const reply = (status: number) => {
      if (session.socket.writable) session.socket.write(messageIdResponse(CommandId.deliver_sm, status, sequence));
    };
    let segment: Segment;
    let datagram: WdpDatagram | undefined;
    try {
      segment = segmentFromSmpp(decodeShortMessagePdu(frame));
      if (this.retained.size > 0) {
        // The SMSC resending the segment whose datagram the handler failed: hand it over again.
        const kept = this.takeRetained(segment);
        if (kept) {
          this.handOver(session, kept, segment, reply);
          return;
        }
      }
      datagram = this.reassembler.push(segment);
    } catch (error) {
      this.stats.undecodable++;
      this.emit('undecodable', { error, pdu: frame });
      reply(CommandStatus.ESME_RX_P_APPN);
      return;
    }
    if (datagram === undefined) {
      reply(CommandStatus.ESME_ROK);
      return;
    }
    if (datagram.segments === 1 && this.isRepeatedSingle(datagram)) {
      this.stats.duplicateSingles++;
      reply(CommandStatus.ESME_ROK);
      return;
    }
    this.handOver(session, datagram, segment, reply);
  }

  /**
   * Calls the handler and answers once it settles. When it fails (ESME_RX_T_APPN) the SMSC
   * will resend this segment; the duplicate memories must not swallow that resend, so a
   * single SMS is forgotten by the repeat window and a multi-segment datagram is kept, keyed
   * by its completing segment, to be handed over again when that segment comes back.
   */
  private handOver(
    session: smpp.Session,
    datagram: WdpDatagram,
    segment: Segment,
    reply: (status: number) => void,
  ): void {
    this.stats.datagrams++;
    this.inFlight++;
    if (this.inFlight >= this.options.maxInFlight) session.pause();
    const settle = (status: number) => {
      this.inFlight--;
      reply(status);
      if (session.paused && this.inFlight < this.options.maxInFlight) session.resume();
    };
    const failed = (error: unknown) => {
      this.stats.handlerErrors++;
      this.emit('handler-error', error);
      if (datagram.segments === 1) this.forgetSingle(datagram);
      else this.retain(segment, datagram);
      settle(CommandStatus.ESME_RX_T_APPN);
    };
    let result: void | Promise<void>;
    try {
      result = this.onDatagram(datagram);
    } catch (error) {
      failed(error);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(() => settle(CommandStatus.ESME_ROK), failed);
    } else {
      settle(CommandStatus.ESME_ROK);
    }
  }

  private retain(segment: Segment, datagram: WdpDatagram): void {
    const now = Date.now();
    for (const [k, v] of this.retained) {
      if (v.at > now - this.options.duplicateWindowMs && this.retained.size < this.options.maxRecentSingles) break;
      this.retained.delete(k);
    }
    this.retained.set(retainKey(segment), { datagram, data: Buffer.from(segment.data), at: now });
  }

  private takeRetained(segment: Segment): WdpDatagram | undefined {
    if (segment.reference === undefined) return undefined;
    const key = retainKey(segment);
    const kept = this.retained.get(key);
    if (!kept || !kept.data.equals(segment.data) || kept.at <= Date.now() - this.options.duplicateWindowMs)
      return undefined;
    this.retained.delete(key);
    return kept.datagram;
  }

  private singleKey(d: WdpDatagram): string {
    return `${d.originator}\0${d.recipient}\0${d.sourcePort}\0${d.destinationPort}\0${Buffer.from(d.payload.buffer, d.payload.byteOffset, d.payload.length).toString('base64')}`;
  }

  private forgetSingle(d: WdpDatagram): void {
    const key = this.singleKey(d);
    const entry = this.recent.get(key);
    if (!entry) return;
    this.recent.delete(key);
    this.recentOrder.remove(entry);
  }

  private isRepeatedSingle(d: WdpDatagram): boolean {
    if (this.options.duplicateWindowMs <= 0) return false;
    const now = Date.now();
    for (
      let r = this.recentOrder.peek();
      r && (r.at <= now - this.options.duplicateWindowMs || this.recentOrder.size > this.options.maxRecentSingles);
      r = this.recentOrder.peek()
    ) {
      this.recent.delete(r.key);
      this.recentOrder.remove(r);
    }
    const key = this.singleKey(d);
    if (this.recent.has(key)) return true;
    const entry = { key, at: now, removed: false };
    this.recent.set(key, entry);
    this.recentOrder.push(entry);
    return false;
  }
}

/** A segment's identity within its message, for recognising the resend of a completing segment. */
function retainKey(s: Segment): string {
  return `${s.originator}\0${s.recipient}\0${s.sourcePort}\0${s.destinationPort}\0${s.referenceBits}:${s.reference}\0${s.sequence}/${s.total}`;
}
