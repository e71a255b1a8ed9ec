import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../../bounds.js';
import type { Segment, WdpDatagram } from '../datagram.js';
import { RecentSingles } from '../recentSingles.js';
import {
  copyPayload,
  Reassembler,
  type EvictionPolicy,
  type LossReason,
  type LostMessage,
  type ReassemblerOptions,
} from '../reassembler.js';
import { backoffDelay, checkBackoff, type Backoff } from './backoff.js';
import { bindPdu, checkBindFields, type BindFields } from './bind.js';
import { SmppCommand } from './commands.js';
import { EsmeSession, MAX_UNSENT_OCTETS, ResponseTimeout, type RefusedPdu } from './esmeSession.js';
import { enquireLinkTimes, keepAlive } from './keepAlive.js';
import { readSegmentAt } from './deliverSegment.js';
import { SegmentAt } from '../segmentAt.js';
import { decodeShortMessagePdu, SMPP_HEADER_LENGTH } from './shortMessage.js';
import { segmentFromSmpp } from './carriage.js';
import { CommandStatus } from './status.js';
import { evictionPolicy, storable, storedSegmentOf, StoreIntake } from './storeIntake.js';
import type { LostMessage as StoreLostMessage, Store, StoredSegment } from '../../store/types.js';
import { watchLoss, watchReturn } from '../../store/watch.js';
import type { TlsClientSettings } from '../../security/tlsOptions.js';
import type { Socket } from 'node:net';
import { connectSmsc } from './connect.js';

export interface SmscUrl {
  host: string;
  port: number;
  systemId: string;
  password: string;
  /** Over TLS (smpps://): the settings; absent for plain TCP. */
  tls?: TlsClientSettings;
}

/** IANA's port for SMPP over TLS ("ssmpp"). */
export const SMPPS_PORT = 3550;

/**
 * smpp://ID:PASSWORD@HOST:PORT, or smpps:// for TLS (docs/architecture.md, docs/security.md).
 * Default port 2775, 3550 for smpps. `tls` (a CA, a client certificate) applies to smpps only.
 */
export function parseSmscUrl(url: string, tls?: TlsClientSettings): SmscUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not echoed, even masked: text `new URL` refuses may hold a password the mask cannot find.
    throw new TypeError('the SMSC URL is not a URL (not shown: it may hold a password)');
  }
  const where = `${u.protocol}//${u.host}`;
  if (u.protocol !== 'smpp:' && u.protocol !== 'smpps:')
    throw new TypeError(`not an smpp:// or smpps:// URL: ${where}`);
  const secure = u.protocol === 'smpps:';
  if (!secure && tls) throw new TypeError(`TLS settings given for a plain smpp:// URL: ${where}; use smpps://`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : secure ? SMPPS_PORT : 2775,
    systemId: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    ...(secure ? { tls: tls ?? {} } : {}),
  };
}

/** SmscUrl as printed: no password. */
export function smscLabel(smsc: SmscUrl): string {
  return `${smsc.tls ? 'smpps' : 'smpp'}://${smsc.systemId}@${smsc.host}:${smsc.port}`;
}

export interface EsmeLinkOptions {
  smsc: string | SmscUrl;
  /** 'receiver' (default) or 'transceiver'. */
  mode?: 'receiver' | 'transceiver';
  addressRange?: string;
  /** system_type of the bind (SMPP v3.4 4.1.1); default empty. */
  systemType?: string;
  /**
   * Called with each datagram; deliver_sm_resp for its last segment waits for it to settle.
   * May be left out and set later through `link.onDatagram` (a PushClient given a link does).
   */
  onDatagram?: (datagram: WdpDatagram) => void | Promise<void>;
  reassembly?: ReassemblerOptions;
  /**
   * A reassembler shared with other links (their binds then share its bounds, each within its
   * per-bind quota); `reassembly` is then not used. Default: one of its own.
   */
  reassembler?: Reassembler;
  /** This bind's name in the reassembler's per-bind quotas and in 'lost' events. Default SYSTEM_ID@HOST:PORT. */
  bindName?: string;
  /** enquire_link period, ms (default 30,000); 0 turns it off. */
  enquireLinkMs?: number;
  /**
   * How long an enquire_link of ours may go unanswered, ms, while nothing else arrives either,
   * before the link is dead: dropped, reported ('dead-link') and reconnected. Default: the period.
   */
  enquireLinkTimeoutMs?: number;
  /** How long a bind may go unanswered before the connection is dropped and retried, ms. Default 10,000. */
  bindTimeoutMs?: number;
  reconnect?: Backoff;
  /** Datagrams handed up and not yet settled before intake pauses (back-pressure). Default 100. */
  maxInFlight?: number;
  /**
   * deliver_sm read while intake is paused for `maxInFlight`, held unanswered (copied, at most
   * MAX_HELD_OCTETS in all) and taken in order once it resumes; any more is answered
   * ESME_RX_T_APPN at once. The link reads on while paused so that the SMSC's enquire_link is
   * answered. Default 100; 0 holds none. While the store is unavailable none is held.
   */
  maxHeldWhilePaused?: number;
  /**
   * How long a deliver_sm may stay held while intake is paused, ms, before it is answered
   * ESME_RX_T_APPN: the SMSC's own response timer (often 30 s) must not run out on it while the
   * link answers its enquire_link. Default 5,000.
   */
  maxHoldMs?: number;
  /**
   * A single-SMS datagram equal to one seen this recently is a redelivery, not a new push.
   * Default 120,000 ms. With a store, the window is the store's (shared by its nodes, kept
   * across a restart); without one, this link's own memory.
   */
  duplicateWindowMs?: number;
  /** How many single-SMS datagrams that window remembers in the link's memory (no store). Default 10,000. */
  maxRecentSingles?: number;
  /**
   * A durable store (lmdb or Redis; docs/state.md) for concatenated segments: each is answered
   * only once stored, and the reassembler then serves single SMS only, whose repeat window is
   * then kept in the store too. Not closed by the link.
   * A `memory` store is taken too, though the default in-memory reassembler is faster.
   */
  store?: Store;
}

export interface EsmeLinkStats {
  connects: number;
  binds: number;
  bindFailures: number;
  /** Binds that got no answer within bindTimeoutMs. */
  bindTimeouts: number;
  deliverSm: number;
  datagrams: number;
  duplicateSingles: number;
  undecodable: number;
  handlerErrors: number;
  /** enquire_link sent, and those found unanswered (each one a dead link dropped). */
  enquireLinksSent: number;
  deadLinks: number;
  /** enquire_link from the SMSC, answered. */
  enquireLinksAnswered: number;
  /** PDUs refused: generic_nack (unknown or unexpected command, bad command_length) or ESME_RINVBNDSTS. */
  refused: number;
  /** Responses to nothing we had sent: ignored, never answered. */
  unexpectedResponses: number;
  /** Concatenated messages lost before they completed ('lost' events), by reason. */
  lostExpired: number;
  lostEvicted: number;
  lostSuperseded: number;
  /** Segments answered ESME_RX_T_APPN because the store could not take them. */
  storeRefused: number;
  /**
   * deliver_sm answered ESME_RX_T_APPN unread while intake was paused: the store unavailable,
   * or `maxHeldWhilePaused` held already (docs/smpp.md "While intake is paused").
   */
  pausedRefusedStore: number;
  pausedRefusedHoldFull: number;
  /** deliver_sm held while intake was paused, answered ESME_RX_T_APPN after `maxHoldMs`. */
  pausedRefusedHoldExpired: number;
}

/** A concatenated push lost before it completed: what a log line or a resend request needs. */
export interface LostPush {
  reason: LossReason;
  /** For 'evicted': which bound (reassembler.ts EvictionPolicy). */
  policy?: EvictionPolicy;
  originator: string;
  /** Absent when the SMSC gave none. */
  recipient?: string;
  sourcePort?: number;
  destinationPort?: number;
  reference: number;
  segmentsHeld: number;
  segmentsExpected: number;
  /** User-data octets that had arrived. */
  bytes: number;
  /** The bind its first segment came by. */
  bind?: string;
  /** On a store: it was complete, and its handler failed on every try until it expired. */
  handlerFailed?: true;
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
  /** A reconnect is due in `delayMs` (backoff with jitter); `attempt` counts from 0 since the last bind. */
  reconnecting: [{ delayMs: number; attempt: number }];
  /** An enquire_link went unanswered, and nothing else came, for `unansweredMs`: dropped, to reconnect. */
  'dead-link': [{ unansweredMs: number }];
  /** A PDU from the SMSC answered with an error status (what, and which status). */
  refused: [RefusedPdu];
  /** A response to nothing outstanding, ignored. */
  'unexpected-response': [{ commandId: number; sequence: number }];
  /** A deliver_sm that could not be read; answered ESME_RX_P_APPN. */
  undecodable: [{ error: unknown; pdu: Buffer }];
  /** onDatagram threw or rejected; the segment was answered ESME_RX_T_APPN. */
  'handler-error': [unknown];
  /** A concatenated push of this bind dropped before it completed: expired, evicted or superseded. */
  lost: [LostPush];
  /** The store refused a segment (answered ESME_RX_T_APPN), or a background finish/release/sweep failed. */
  'store-error': [unknown];
  /** The store cannot write: intake paused. */
  'store-unavailable': [];
  /** The store writes again: intake resumed. */
  'store-available': [];
  /**
   * A datagram's handler settled, `seconds` after the segment that completed it arrived. Emitted
   * only while someone listens (the clock is not read otherwise); not for messages completed in a store.
   */
  'handler-settled': [{ seconds: number }];
}

/**
 * The events a link emits from inside a socket read or a store's callback, before the answer
 * that goes with them: emitted through tell(), so a listener's throw is a warning.
 */
type ToldEvent =
  'undecodable' | 'handler-settled' | 'handler-error' | 'lost' | 'store-error' | 'refused' | 'unexpected-response';

/** How often a running link sweeps the reassembler for expired messages, at most, ms. */
const SWEEP_MS = 1_000;

/**
 * deliver_sm read ahead of their turn per read of the socket, at most (readAhead): a window's
 * worth and more. The records are kept from one read to the next.
 */
export const MAX_READ_AHEAD = 64;

const DELIVER_SM = SmppCommand.deliver_sm;

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
 * are dropped here.
 *
 * The session (esmeSession.ts) answers what SMPP v3.4 says an ESME must: enquire_link,
 * unbind, generic_nack for anything it does not take. The link keeps the session alive with
 * enquire_link and treats one unanswered within `enquireLinkTimeoutMs` as a dead SMSC; it
 * reconnects with backoff and jitter, pauses intake while `maxInFlight` datagrams are
 * unsettled (or the store is unavailable), and unbinds on close(). A paused intake reads on, so
 * the SMSC's enquire_link is answered; its deliver_sm are held (maxHeldWhilePaused) or answered
 * ESME_RX_T_APPN (docs/smpp.md "While intake is paused").
 */
export class EsmeLink extends EventEmitter<EsmeLinkEvents> {
  readonly reassembler: Reassembler;
  /** Where datagrams go; reassignable, so a PushClient can take over a link made elsewhere. */
  onDatagram: (datagram: WdpDatagram) => void | Promise<void>;
  /** deliver_sm_resp sent with ESME_ROK, and with any other command_status by status. */
  private answeredOk = 0;
  private readonly answeredOther = new Map<number, number>();
  readonly stats: EsmeLinkStats = {
    connects: 0,
    binds: 0,
    bindFailures: 0,
    bindTimeouts: 0,
    deliverSm: 0,
    datagrams: 0,
    duplicateSingles: 0,
    undecodable: 0,
    handlerErrors: 0,
    enquireLinksSent: 0,
    deadLinks: 0,
    enquireLinksAnswered: 0,
    refused: 0,
    unexpectedResponses: 0,
    lostExpired: 0,
    lostEvicted: 0,
    lostSuperseded: 0,
    storeRefused: 0,
    pausedRefusedStore: 0,
    pausedRefusedHoldFull: 0,
    pausedRefusedHoldExpired: 0,
  };
  /** Concatenated segments on the store, when the link was given one. */
  readonly intake: StoreIntake | undefined;
  /** Stops watching the store's loss and return: the store has one listener for all links (src/store/watch.ts). */
  private readonly unwatchStore: (() => void) | undefined;
  /** This bind's name in the reassembler and in 'lost' events. */
  readonly bindName: string;
  private readonly smsc: SmscUrl;
  /** The bound session, if any. */
  private session: EsmeSession | undefined;
  /** The connection being made or in use, bound or not. */
  private connection: EsmeSession | undefined;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  /** Set by drain(): deliver_sm is left unanswered, for the SMSC to send again after the unbind. */
  private draining = false;
  /** Single SMS seen within duplicateWindowMs, without a store. */
  private readonly recentSingles: RecentSingles;
  /** Multi-segment datagrams whose handler failed, by completing segment, until the SMSC resends it. */
  private readonly retained = new Map<string, { datagram: WdpDatagram; data: Buffer; at: number }>();
  /**
   * deliver_sm of the socket read in progress, read ahead of their turn (memory mode), each
   * one's offset in its buffer, how many, and the next to be taken; and the record a deliver_sm
   * not read ahead is read into.
   */
  private readonly ahead: SegmentAt[] = [];
  private readonly aheadAt = new Float64Array(MAX_READ_AHEAD);
  private aheadCount = 0;
  private aheadNext = 0;
  private readonly oneRead = new SegmentAt();
  /** When each single SMS handed to the store's intake arrived (the 'handler-settled' timing). */
  private readonly singleArrivals = new WeakMap<WdpDatagram, number>();
  private readonly options: EsmeLinkOptions &
    Required<
      Pick<
        EsmeLinkOptions,
        | 'enquireLinkMs'
        | 'enquireLinkTimeoutMs'
        | 'bindTimeoutMs'
        | 'reconnect'
        | 'maxInFlight'
        | 'maxHeldWhilePaused'
        | 'maxHoldMs'
        | 'duplicateWindowMs'
        | 'maxRecentSingles'
      >
    >;

  constructor(options: EsmeLinkOptions) {
    super();
    // Each default by ??, so a bound given as undefined keeps its default; each bound checked.
    this.options = {
      ...options,
      ...enquireLinkTimes(options),
      bindTimeoutMs: positiveBound(options.bindTimeoutMs ?? 10_000, 'bindTimeoutMs', MAX_TIMER_MS),
      reconnect: checkBackoff(options.reconnect ?? { initialMs: 100, maxMs: 30_000 }, 'reconnect'),
      maxInFlight: positiveBound(options.maxInFlight ?? 100, 'maxInFlight'),
      maxHeldWhilePaused: nonNegativeBound(options.maxHeldWhilePaused ?? 100, 'maxHeldWhilePaused'),
      maxHoldMs: positiveBound(options.maxHoldMs ?? 5_000, 'maxHoldMs', MAX_TIMER_MS),
      duplicateWindowMs: nonNegativeBound(options.duplicateWindowMs ?? 120_000, 'duplicateWindowMs'),
      maxRecentSingles: nonNegativeBound(options.maxRecentSingles ?? 10_000, 'maxRecentSingles'),
    };
    this.smsc = typeof options.smsc === 'string' ? parseSmscUrl(options.smsc) : options.smsc;
    checkBindFields(this.bindFields());
    this.recentSingles = new RecentSingles(this.options.duplicateWindowMs, this.options.maxRecentSingles);
    this.bindName = options.bindName ?? `${this.smsc.systemId}@${this.smsc.host}:${this.smsc.port}`;
    this.reassembler = options.reassembler ?? new Reassembler(options.reassembly);
    const forward = (m: LostMessage) => this.onLost(m);
    this.reassembler.on('expired', forward);
    this.reassembler.on('evicted', forward);
    this.reassembler.on('superseded', forward);
    this.onDatagram = options.onDatagram ?? (() => {});
    if (options.store) {
      this.intake = new StoreIntake(options.store, {
        deliver: (d, settled) => this.deliverStored(d, settled),
        lost: (m) => this.onStoreLost(m),
        begin: () => {
          if (++this.inFlight >= this.options.maxInFlight) this.pauseIntake(this.connection);
        },
        end: () => {
          this.inFlight--;
          this.resumeIfAble();
        },
        // Told, not emitted: the intake reports before it answers, and a listener's throw must
        // not leave the segment unanswered (and counted in flight).
        refused: (e) => {
          this.stats.storeRefused++;
          this.tell('store-error', e);
        },
        storeError: (e) => this.tell('store-error', e),
        repeated: () => this.stats.duplicateSingles++,
      });
      const warning = {
        code: 'WAPPUSH_LINK_STORE_LISTENER',
        what: `a store-available or store-unavailable listener of ${this.bindName}`,
      };
      const unwatch = [
        watchLoss(
          options.store,
          () => {
            this.pauseIntake(this.connection);
            this.emit('store-unavailable');
          },
          warning,
        ),
        watchReturn(
          options.store,
          () => {
            this.resumeIfAble();
            this.emit('store-available');
          },
          warning,
        ),
      ];
      this.unwatchStore = () => unwatch.forEach((stop) => stop());
    }
  }

  /**
   * Pauses intake (or sets how much a paused one holds): while the store cannot write, nothing
   * is held (each deliver_sm is answered ESME_RX_T_APPN at once, and what was held is answered
   * so now); while waiting for room in flight, up to maxHeldWhilePaused.
   */
  private pauseIntake(session: EsmeSession | undefined): void {
    session?.pause(this.intake !== undefined && !this.intake.store.available ? 0 : this.options.maxHeldWhilePaused);
  }

  /** Pauses intake on a bind made while the store cannot write. */
  private storeDownPause(session: EsmeSession): void {
    if (this.intake && !this.intake.store.available) this.pauseIntake(session);
  }

  /**
   * Resumes a paused intake once there is room in flight and the store (if any) writes; with
   * the store back and no room yet, it holds again.
   */
  private resumeIfAble(): void {
    const c = this.connection;
    if (!c?.paused) return;
    if (this.intake && !this.intake.store.available) return;
    if (this.inFlight >= this.options.maxInFlight) c.pause(this.options.maxHeldWhilePaused);
    else c.resume();
  }

  /** A deliver_sm read while paused and not held: counted by why, answered ESME_RX_T_APPN. */
  private refuseWhilePaused(session: EsmeSession, sequence: number, expired: boolean): void {
    // As onDeliverSm: a draining link leaves it unanswered, for the SMSC to send after the unbind.
    if (this.draining) return;
    this.stats.deliverSm++;
    if (expired) this.stats.pausedRefusedHoldExpired++;
    else if (this.intake !== undefined && !this.intake.store.available) this.stats.pausedRefusedStore++;
    else this.stats.pausedRefusedHoldFull++;
    this.answer(session, sequence, CommandStatus.ESME_RX_T_APPN);
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
      // Expiry is otherwise checked only when a segment arrives; a quiet link must report too.
      const every = Math.min(this.reassembler.timeoutMs, SWEEP_MS);
      clearInterval(this.sweepTimer);
      const intake = this.intake;
      this.sweepTimer = setInterval(
        intake ? () => (this.reassembler.sweep(), void intake.sweep()) : () => this.reassembler.sweep(),
        intake ? SWEEP_MS : every,
      );
      this.sweepTimer.unref();
      this.connect();
    });
  }

  get bound(): boolean {
    return this.session !== undefined;
  }

  /** deliver_sm_resp sent, by command_status (a snapshot). */
  get responses(): ReadonlyMap<number, number> {
    const out = new Map<number, number>();
    if (this.answeredOk > 0) out.set(CommandStatus.ESME_ROK, this.answeredOk);
    for (const [status, n] of this.answeredOther) out.set(status, n);
    return out;
  }

  /**
   * The socket of the connection in use, bound or binding (diagnostics; the pipeline bench
   * feeds it chunks as the network would).
   */
  get socket(): Socket | undefined {
    return this.connection?.socket;
  }

  /** The system_id this link binds with (metrics and logs name the bind by it). */
  get systemId(): string {
    return this.smsc.systemId;
  }

  /** Datagrams handed up (or segments at the store) and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** deliver_sm read while intake is paused, held unanswered until it resumes (maxHeldWhilePaused). */
  get heldCount(): number {
    return this.connection?.heldCount ?? 0;
  }

  /**
   * For a graceful stop: takes no more deliver_sm (each is left unanswered, so the SMSC sends it
   * again once the link is gone) and resolves once every datagram in flight has settled and been
   * answered, or after `timeoutMs`; true when all settled. close() follows.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.inFlight === 0;
  }

  /** Unbinds (waiting up to `timeoutMs` for unbind_resp) and closes. */
  async close(timeoutMs = 1_000): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.enquireTimer);
    clearInterval(this.sweepTimer);
    this.unwatchStore?.();
    const connection = this.connection;
    if (!connection || connection.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
    if (connection.bound) {
      // unbind_resp, or any failure to get one, ends the connection; so does the timer below.
      connection.request(SmppCommand.unbind, timeoutMs).then(
        () => connection.socket.end(),
        () => connection.destroy(),
      );
    } else {
      connection.destroy();
    }
    const timer = setTimeout(() => connection.destroy(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  private bindFields(): BindFields {
    return {
      systemId: this.smsc.systemId,
      password: this.smsc.password,
      systemType: this.options.systemType,
      addressRange: this.options.addressRange,
    };
  }

  private connect(): void {
    if (this.closing) return;
    this.stats.connects++;
    const { socket, ready } = connectSmsc(this.smsc);
    const session = new EsmeSession(socket);
    this.connection = session;
    session.onDeliverSm = (frame, now) => this.onDeliverSm(session, frame, now);
    session.onPausedRefusal = (sequence, expired) => this.refuseWhilePaused(session, sequence, expired);
    session.maxHoldMs = this.options.maxHoldMs;
    session.maxUnsentOctets = MAX_UNSENT_OCTETS;
    // Paused as the bind_resp is read, not once its promise settles: deliver_sm in the same
    // chunk behind it are refused as paused (pausedRefusedStore), as every later one is.
    if (this.intake !== undefined) session.onBound = () => this.storeDownPause(session);
    if (this.intake === undefined) {
      session.onFramesAhead = (input, at) => this.readAhead(input, at);
      session.onFramesRead = () => this.endAhead();
    }
    session.on('enquire_link', () => this.stats.enquireLinksAnswered++);
    // Told, not emitted: the session reports a refusal before it sends the generic_nack, from
    // inside the socket's read; a listener's throw must not skip the answer nor leave the read.
    session.on('refused', (r) => {
      this.stats.refused++;
      this.tell('refused', r);
    });
    session.on('ignored', (x) => {
      if (x.reason !== 'unexpected-response') return;
      this.stats.unexpectedResponses++;
      this.tell('unexpected-response', { commandId: x.commandId, sequence: x.sequence });
    });
    socket.once(ready, () => this.bind(session));
    socket.on('error', (e) => this.emit('connection-error', e));
    socket.on('close', () => {
      if (this.connection === session) {
        this.connection = undefined;
        clearInterval(this.enquireTimer);
      }
      if (this.session === session) this.session = undefined;
      this.emit('disconnected');
      if (this.closing) return;
      const delay = backoffDelay(this.options.reconnect, this.attempt);
      this.emit('reconnecting', { delayMs: delay, attempt: this.attempt++ });
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private bind(session: EsmeSession): void {
    const commandId = this.options.mode === 'transceiver' ? SmppCommand.bind_transceiver : SmppCommand.bind_receiver;
    const fields = this.bindFields();
    session
      .request(commandId, this.options.bindTimeoutMs, (seq) => bindPdu(commandId, seq, fields))
      .then(
        (resp) => {
          const status = resp.readUInt32BE(8);
          if (status !== 0 || resp.readUInt32BE(4) === SmppCommand.generic_nack) {
            this.stats.bindFailures++;
            this.closing = true; // wrong credentials do not get better by retrying
            session.destroy();
            this.emit('bind-failed', { status });
            return;
          }
          if (session.socket.destroyed) return;
          session.bound = true;
          this.attempt = 0;
          this.session = session;
          this.stats.binds++;
          this.storeDownPause(session);
          this.keepAlive(session);
          this.emit('bound');
        },
        (error: Error) => {
          if (error instanceof ResponseTimeout) {
            this.stats.bindTimeouts++;
            this.emit('connection-error', error);
          }
          session.destroy();
        },
      );
  }

  /**
   * enquire_link every period (SMPP v3.4 7.2 enquire_link_timer), one at a time. One that gets
   * no response within enquireLinkTimeoutMs, while no other PDU arrives either (any PDU shows
   * the SMSC is there), means the link is dead: it is dropped, and 'close' reconnects it.
   */
  private keepAlive(session: EsmeSession): void {
    clearInterval(this.enquireTimer);
    this.enquireTimer = keepAlive(session, this.options, {
      sent: () => this.stats.enquireLinksSent++,
      dead: (unansweredMs) => {
        this.stats.deadLinks++;
        this.emit('dead-link', { unansweredMs });
      },
    });
  }

  /**
   * One deliver_sm, read in place from its socket chunk (`frame` is a view of it, `now` the
   * chunk's clock). The hot path (memory mode, a handler that returns at once) makes no
   * promise and no closure: the answer goes into the session's batch for the chunk. What is
   * kept past this call is copied: a held part by the reassembler, a single SMS's payload
   * here, a segment for the store or a frame reported undecodable here.
   */
  private onDeliverSm(session: EsmeSession, frame: Uint8Array, chunkNow: number): void {
    if (this.draining) return;
    if (this.intake === undefined && this.retained.size === 0) {
      this.onDeliverSmInMemory(session, frame, chunkNow);
      return;
    }
    this.onDeliverSmInTurn(session, frame, chunkNow);
    // Nothing reads ahead on a store, so no read's end lets go of the record: it does so here,
    // so that it does not keep the socket chunk alive (memory mode's endAhead does it per read).
    if (this.intake !== undefined) this.oneRead.release();
  }

  /**
   * onDeliverSm on a store, or with a datagram retained for a failed handler: the deliver_sm
   * read into the record as in memory mode (no Segment object or view for it), a single SMS
   * pushed from the record; a concatenated segment for the store gets the one object the store
   * takes, its octets copied (storedSegmentOf). A PDU the quick reader leaves goes to the
   * general decode, which raises the errors.
   */
  private onDeliverSmInTurn(session: EsmeSession, frame: Uint8Array, chunkNow: number): void {
    this.stats.deliverSm++;
    const sequence = readU32(frame, 12);
    const arrivedAt = this.listenerCount('handler-settled') > 0 ? performance.now() : -1;
    const clock = this.reassembler.clock;
    const now = clock === Date.now ? chunkNow : clock();
    const intake = this.intake;
    let segment: SegmentAt | Segment;
    let datagram: WdpDatagram | undefined;
    let stored: StoredSegment | undefined;
    try {
      segment = readSegmentAt(frame, 0, frame.length, this.oneRead)
        ? this.oneRead
        : segmentFromSmpp(decodeShortMessagePdu(frame));
      if (intake !== undefined && segment.reference !== undefined && segment.total !== 1) {
        if (!storable(segment)) throw new RangeError(`segment ${segment.sequence} of ${segment.total}`);
        stored = storedSegmentOf(segment);
      } else {
        if (this.retained.size > 0) {
          // The SMSC resending the segment whose datagram the handler failed: hand it over again.
          const kept = this.takeRetained(segment);
          if (kept) {
            this.handOver(session, kept, segment, sequence, arrivedAt);
            return;
          }
        }
        datagram =
          segment instanceof SegmentAt
            ? this.reassembler.pushAt(segment, this.bindName, now)
            : this.reassembler.push(segment, this.bindName, now);
      }
    } catch (error) {
      this.refuseUndecodable(session, sequence, frame, error);
      return;
    }
    if (stored !== undefined && intake !== undefined) {
      // Outside the try: the store may answer at once (nothing to wait for), and what goes
      // wrong after that is not this PDU's fault, nor may it be answered twice.
      intake.takeStored(stored, this.replier(session, sequence));
      return;
    }
    if (datagram === undefined) {
      this.answer(session, sequence, CommandStatus.ESME_ROK);
      return;
    }
    if (datagram.segments === 1) {
      // Its payload is a view of the socket chunk: given octets of its own before it is kept.
      datagram.payload = copyPayload(datagram.payload);
      if (intake !== undefined) {
        if (arrivedAt >= 0) this.singleArrivals.set(datagram, arrivedAt);
        intake.single(
          datagram,
          this.singleKey(datagram),
          this.options.duplicateWindowMs,
          this.replier(session, sequence),
        );
        return;
      }
      if (this.isRepeatedSingle(datagram, chunkNow)) {
        this.stats.duplicateSingles++;
        this.answer(session, sequence, CommandStatus.ESME_ROK);
        return;
      }
    }
    this.handOver(session, datagram, segment, sequence, arrivedAt);
  }

  /**
   * Before a read of the socket (memory mode): its deliver_sm, up to MAX_READ_AHEAD and up to
   * the first PDU of anything else or not read on the quick way, read into records and shown
   * to the reassembler (Reassembler.preview), so that a message whole within the read completes
   * without ever being pending. They are then taken in their turn (onDeliverSmInMemory).
   */
  private readAhead(input: Uint8Array, at: number): void {
    this.aheadCount = this.aheadNext = 0;
    if (this.draining || this.retained.size > 0) return;
    const n = input.length;
    // A read of one deliver_sm (an SMSC at low load, or at window 1) has nothing to preview: it
    // is read as it is taken (onDeliverSmInMemory), with no record kept past it.
    const second = at + wholeDeliverSm(input, at, n);
    if (second === at || wholeDeliverSm(input, second, n) === 0) return;
    const ahead = this.ahead;
    let k = 0;
    for (let p = at; k < MAX_READ_AHEAD && n - p >= SMPP_HEADER_LENGTH; k++) {
      const length = readU32(input, p);
      if (length < SMPP_HEADER_LENGTH || length > n - p || readU32(input, p + 4) !== DELIVER_SM) break;
      if (k === ahead.length) ahead.push(new SegmentAt());
      if (!readSegmentAt(input, p, p + length, ahead[k])) break;
      this.aheadAt[k] = input.byteOffset + p;
      p += length;
    }
    this.aheadCount = k;
    if (k > 1) this.reassembler.preview(ahead, k);
  }

  /** After a read of the socket: what was read ahead and not taken is taken, and let go. */
  private endAhead(): void {
    if (this.aheadCount === 0) {
      // Nothing read ahead, so nothing previewed: only the one record read in turn to let go.
      this.oneRead.release();
      return;
    }
    // It runs as the socket's read ends, its segments answered already: whatever goes wrong is
    // reported, never thrown out of the socket's 'data' listener (nor past the rest of the chunk).
    try {
      this.reassembler.endPreview();
    } catch (error) {
      process.emitWarning(`ending a read ahead threw: ${String(error)}`, { code: 'WAPPUSH_READ_AHEAD_ERROR' });
    }
    for (let k = 0; k < this.aheadCount; k++) this.ahead[k].release();
    this.aheadCount = this.aheadNext = 0;
    this.oneRead.release();
  }

  /**
   * onDeliverSm in memory mode with nothing retained: the deliver_sm read ahead (or read now)
   * into a record, no Segment object or view made for it, and pushed from the record.
   */
  private onDeliverSmInMemory(session: EsmeSession, frame: Uint8Array, chunkNow: number): void {
    this.stats.deliverSm++;
    const sequence = readU32(frame, 12);
    const arrivedAt = this.listenerCount('handler-settled') > 0 ? performance.now() : -1;
    const clock = this.reassembler.clock;
    const now = clock === Date.now ? chunkNow : clock();
    let segment: SegmentAt | Segment;
    let datagram: WdpDatagram | undefined;
    try {
      const k = this.aheadNext;
      if (k < this.aheadCount && frame.byteOffset === this.aheadAt[k]) {
        this.aheadNext = k + 1;
        segment = this.ahead[k];
        datagram = this.reassembler.pushAt(segment, this.bindName, now);
      } else if (readSegmentAt(frame, 0, frame.length, this.oneRead)) {
        segment = this.oneRead;
        datagram = this.reassembler.pushAt(segment, this.bindName, now);
      } else {
        segment = segmentFromSmpp(decodeShortMessagePdu(frame));
        datagram = this.reassembler.push(segment, this.bindName, now);
      }
    } catch (error) {
      this.refuseUndecodable(session, sequence, frame, error);
      return;
    }
    if (datagram === undefined) {
      this.answer(session, sequence, CommandStatus.ESME_ROK);
      return;
    }
    if (datagram.segments === 1) {
      // Its payload is a view of the socket chunk: given octets of its own before it is kept.
      datagram.payload = copyPayload(datagram.payload);
      if (this.isRepeatedSingle(datagram, chunkNow)) {
        this.stats.duplicateSingles++;
        this.answer(session, sequence, CommandStatus.ESME_ROK);
        return;
      }
    }
    this.handOver(session, datagram, segment, sequence, arrivedAt);
  }

  /** A deliver_sm that could not be read (or taken): counted, told, answered ESME_RX_P_APPN. */
  private refuseUndecodable(session: EsmeSession, sequence: number, frame: Uint8Array, error: unknown): void {
    this.stats.undecodable++;
    this.tell('undecodable', { error, pdu: Buffer.from(frame) });
    this.answer(session, sequence, CommandStatus.ESME_RX_P_APPN);
  }

  /** deliver_sm_resp for `sequence`, counted. */
  private answer(session: EsmeSession, sequence: number, status: number): void {
    if (status === CommandStatus.ESME_ROK) this.answeredOk++;
    else this.answeredOther.set(status, (this.answeredOther.get(status) ?? 0) + 1);
    session.answerDeliverSm(status, sequence);
  }

  /** The answer for a deliver_sm settled later (the store, an asynchronous handler). */
  private replier(session: EsmeSession, sequence: number): (status: number) => void {
    return (status) => this.answer(session, sequence, status);
  }

  /**
   * Calls the handler and answers once it settles. When it fails (ESME_RX_T_APPN) the SMSC
   * will resend this segment; the duplicate memories must not swallow that resend, so a
   * single SMS is forgotten by the repeat window and a multi-segment datagram is kept, keyed
   * by its completing segment, to be handed over again when that segment comes back. A
   * handler that returns at once is answered at once: no promise, no closure.
   */
  private handOver(
    session: EsmeSession,
    datagram: WdpDatagram,
    segment: Segment | SegmentAt,
    sequence: number,
    arrivedAt: number,
  ): void {
    this.stats.datagrams++;
    this.inFlight++;
    if (this.inFlight >= this.options.maxInFlight) this.pauseIntake(session);
    let result: void | Promise<void>;
    try {
      result = this.onDatagram(datagram);
    } catch (error) {
      this.handlerFailed(datagram, segment, error);
      this.settle(session, sequence, CommandStatus.ESME_RX_T_APPN, arrivedAt);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      // A record is filled again by the next deliver_sm: what a failure keeps is taken now.
      const failed = segment instanceof SegmentAt ? segment.toSegment() : segment;
      (result as Promise<void>).then(
        () => this.settle(session, sequence, CommandStatus.ESME_ROK, arrivedAt),
        (error: unknown) => {
          this.handlerFailed(datagram, failed, error);
          this.settle(session, sequence, CommandStatus.ESME_RX_T_APPN, arrivedAt);
        },
      );
      return;
    }
    this.settle(session, sequence, CommandStatus.ESME_ROK, arrivedAt);
  }

  private settle(session: EsmeSession, sequence: number, status: number, arrivedAt: number): void {
    this.inFlight--;
    if (arrivedAt >= 0) this.tell('handler-settled', { seconds: (performance.now() - arrivedAt) / 1000 });
    this.answer(session, sequence, status);
    if (session.paused && this.inFlight < this.options.maxInFlight) session.resume();
  }

  private handlerFailed(datagram: WdpDatagram, segment: Segment | SegmentAt, error: unknown): void {
    this.stats.handlerErrors++;
    this.tell('handler-error', error);
    if (datagram.segments === 1) this.forgetSingle(datagram);
    else this.retain(segment, datagram);
  }

  /**
   * The handler, for a message completed in the store: `settled(true)` once it settled well,
   * `settled(false)` when it failed; at once for a handler that returns at once.
   */
  private deliverStored(datagram: WdpDatagram, settled: (ok: boolean) => void): void {
    this.stats.datagrams++;
    // A single SMS is timed from its arrival here; a message completed in the store may have
    // begun before a restart or on another bind, so it has no arrival of this link to time from.
    const arrivedAt = this.singleArrivals.get(datagram);
    if (arrivedAt !== undefined) this.singleArrivals.delete(datagram);
    const end = (ok: boolean, error?: unknown) => {
      // A listener that throws must not leave the segment unanswered (and counted in flight), nor
      // surface as an unhandled rejection from the store's callback: it becomes a warning.
      try {
        if (arrivedAt !== undefined) this.emit('handler-settled', { seconds: (performance.now() - arrivedAt) / 1000 });
        if (!ok) {
          this.stats.handlerErrors++;
          this.emit('handler-error', error);
        }
      } catch (listenerError) {
        process.emitWarning(`a handler-settled or handler-error listener threw: ${String(listenerError)}`, {
          code: 'WAPPUSH_LISTENER_ERROR',
        });
      }
      settled(ok);
    };
    let result: void | Promise<void>;
    try {
      result = this.onDatagram(datagram);
    } catch (error) {
      end(false, error);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(
        () => end(true),
        (error: unknown) => end(false, error),
      );
      return;
    }
    end(true);
  }

  private onStoreLost(m: StoreLostMessage): void {
    if (m.reason === 'expired') this.stats.lostExpired++;
    else this.stats.lostEvicted++;
    const lost: LostPush = {
      reason: m.reason,
      originator: m.originator,
      reference: m.reference,
      segmentsHeld: m.received.length,
      segmentsExpected: m.total,
      bytes: m.bytes,
    };
    const policy = evictionPolicy(m);
    if (policy !== undefined) lost.policy = policy;
    if (m.recipient !== '') lost.recipient = m.recipient;
    if (m.sourcePort !== undefined) lost.sourcePort = m.sourcePort;
    if (m.destinationPort !== undefined) lost.destinationPort = m.destinationPort;
    if (m.handlerFailed === true) lost.handlerFailed = true;
    this.tell('lost', lost);
  }

  /**
   * Emits to the application's listeners where a throw would otherwise be taken for this
   * link's own failure: a segment answered with a permanent error for a listener's bug (a
   * message lost, its resend swallowed), an answer left out with the segment counted in
   * flight, or an exception out of the socket's read. One that throws becomes a warning.
   */
  private tell<K extends ToldEvent>(event: K, ...args: EsmeLinkEvents[K]): void {
    try {
      EventEmitter.prototype.emit.call(this, event, ...args);
    } catch (error) {
      process.emitWarning(`a '${event}' listener of ${this.bindName} threw: ${String(error)}`, {
        code: 'WAPPUSH_LISTENER_ERROR',
      });
    }
  }

  private onLost(m: LostMessage): void {
    // A shared reassembler reports every bind's losses to every link: each link tells its own.
    if (m.bind !== this.bindName) return;
    if (m.reason === 'expired') this.stats.lostExpired++;
    else if (m.reason === 'evicted') this.stats.lostEvicted++;
    else this.stats.lostSuperseded++;
    const lost: LostPush = {
      reason: m.reason,
      originator: m.originator,
      reference: m.reference,
      segmentsHeld: m.received.length,
      segmentsExpected: m.total,
      bytes: m.bytes,
      bind: m.bind,
    };
    if (m.policy !== undefined) lost.policy = m.policy;
    if (m.recipient !== '') lost.recipient = m.recipient;
    if (m.sourcePort !== undefined) lost.sourcePort = m.sourcePort;
    if (m.destinationPort !== undefined) lost.destinationPort = m.destinationPort;
    this.tell('lost', lost);
  }

  private retain(segment: Segment | SegmentAt, datagram: WdpDatagram): void {
    const now = Date.now();
    const deadline = now - this.options.duplicateWindowMs;
    for (const [k, v] of this.retained) {
      if (v.at > deadline && this.retained.size < this.options.maxRecentSingles) break;
      if (v.at > deadline) this.retainedForgottenEarly++;
      this.retained.delete(k);
    }
    const data = segment instanceof SegmentAt ? segment.octets() : segment.data;
    this.retained.set(retainKey(segment), { datagram, data: Buffer.from(data), at: now });
  }

  private takeRetained(segment: Segment | SegmentAt): WdpDatagram | undefined {
    if (segment.reference === undefined) return undefined;
    const key = retainKey(segment);
    const kept = this.retained.get(key);
    if (!kept || kept.at <= Date.now() - this.options.duplicateWindowMs) return undefined;
    if (!kept.data.equals(segment instanceof SegmentAt ? segment.octets() : segment.data)) return undefined;
    this.retained.delete(key);
    return kept.datagram;
  }

  private singleKey(d: WdpDatagram): string {
    return `${d.originator}\0${d.recipient}\0${d.sourcePort}\0${d.destinationPort}\0${Buffer.from(d.payload.buffer, d.payload.byteOffset, d.payload.length).toString('base64')}`;
  }

  /**
   * Single SMS forgotten for `maxRecentSingles` within `duplicateWindowMs` (no store): the window
   * held fewer than it promises, and a repeat of one of them is handed over again.
   */
  get singlesForgottenEarly(): number {
    return this.recentSingles.forgottenEarly;
  }

  /**
   * Datagrams kept after a failed handler (for the SMSC's resend of their last segment) let go
   * for `maxRecentSingles` within `duplicateWindowMs`: that resend then cannot complete its
   * message, which is lost (no store; a store keeps them itself).
   */
  retainedForgottenEarly = 0;

  private forgetSingle(d: WdpDatagram): void {
    this.recentSingles.forget(d);
  }

  private isRepeatedSingle(d: WdpDatagram, now: number): boolean {
    if (this.options.duplicateWindowMs <= 0 || this.options.maxRecentSingles === 0) return false;
    return this.recentSingles.repeated(d, now);
  }
}

/** The length of the whole deliver_sm at `p` of `b` (before `n`), or 0 if there is none there. */
function wholeDeliverSm(b: Uint8Array, p: number, n: number): number {
  if (n - p < SMPP_HEADER_LENGTH) return 0;
  const length = readU32(b, p);
  return length < SMPP_HEADER_LENGTH || length > n - p || readU32(b, p + 4) !== DELIVER_SM ? 0 : length;
}

function readU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** A segment's identity within its message, for recognising the resend of a completing segment. */
function retainKey(s: Segment | SegmentAt): string {
  return `${s.originator}\0${s.recipient}\0${s.sourcePort}\0${s.destinationPort}\0${s.referenceBits}:${s.reference}\0${s.sequence}/${s.total}`;
}
