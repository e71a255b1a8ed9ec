import { EventEmitter } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import smpp from 'smpp';
import { DecodeError } from '../codec/errors.js';
import { MAX_TIMER_MS, nonNegativeBound, positiveBound, probabilityBound } from '../bounds.js';
import { backoffDelay, checkBackoff, type Backoff } from '../wdp/smpp/backoff.js';
import { headerPdu, messageIdResponse, nextSequence, takeOverIntake, type SmppSession } from '../wdp/smpp/framing.js';
import {
  CommandId,
  decodeShortMessagePdu,
  encodeShortMessagePdu,
  type ShortMessagePdu,
} from '../wdp/smpp/shortMessage.js';
import { CommandStatus, isTemporary } from '../wdp/smpp/status.js';
import { TlvTag } from '../wdp/smpp/tlv.js';
import { Accounts, type SmscAccount } from './accounts.js';
import { AddressRange, AddressRangeError } from './addressRange.js';
import { readCancelSm } from './cancel.js';
import { RouteTable } from './routes.js';
import { SessionGuard, type SessionLimits, type SessionTimeout } from './sessionGuard.js';
import type { ThrottleEvent, ThrottleLimits } from '../security/throttle.js';
import { tlsServerOptions, type TlsServerSettings } from '../security/tlsOptions.js';

export type { SmscAccount } from './accounts.js';

/** Fault injection, for tests and for rehearsing outages. Probabilities are per PDU. */
export interface SmscFaults {
  /** Close a receiver's connection after this many deliver_sm sent on it (then count again). */
  dropAfterDeliveries?: number;
  /** Probability of closing a receiver's connection right after a deliver_sm is written. */
  dropProbability?: number;
  /** Delay every response the simulator sends (bind, submit_sm, enquire_link...), ms. */
  responseDelayMs?: number;
  /** Probability that a deliver_sm is sent twice (as an SMSC does after a lost response). */
  duplicateProbability?: number;
  /** Probability that delivery takes a random queued message instead of the oldest. */
  reorderProbability?: number;
  /** Probability that a delivery receipt says UNDELIV although the message was delivered. */
  receiptFailureProbability?: number;
  /** Delay every delivery receipt by this long, ms (a receipt that comes late). */
  receiptDelayMs?: number;
}

/** The faults as given, each checked: a probability over 1 or a NaN delay is refused by name. */
function checkFaults(f: SmscFaults): SmscFaults {
  if (f.dropAfterDeliveries !== undefined) positiveBound(f.dropAfterDeliveries, 'faults.dropAfterDeliveries');
  if (f.responseDelayMs !== undefined) nonNegativeBound(f.responseDelayMs, 'faults.responseDelayMs', MAX_TIMER_MS);
  if (f.receiptDelayMs !== undefined) nonNegativeBound(f.receiptDelayMs, 'faults.receiptDelayMs', MAX_TIMER_MS);
  for (const name of [
    'dropProbability',
    'duplicateProbability',
    'reorderProbability',
    'receiptFailureProbability',
  ] as const) {
    if (f[name] !== undefined) probabilityBound(f[name], `faults.${name}`);
  }
  return f;
}

export interface SmscOptions {
  host?: string;
  /** 0 (default) for an ephemeral port. */
  port?: number;
  /**
   * Without accounts any credentials bind and any receiver may be given any message. With
   * them, an account's `addressRange` claims destinations for its receivers (docs/simulator.md).
   */
  accounts?: SmscAccount[];
  /** Outstanding deliver_sm per bind. Default 10. */
  window?: number;
  /** Messages accepted and not yet delivered; over it submit_sm gets ESME_RMSGQFUL. Default 100,000. */
  maxQueue?: number;
  /**
   * A message that no bound receiver may be given waits this long for one to bind, then is
   * dropped ('dropped' event, reason 'no-receiver'). Default 300,000 ms.
   */
  unroutedTimeoutMs?: number;
  /** A deliver_sm without a response after this long is sent again. Default 5,000 ms. */
  responseTimeoutMs?: number;
  /** Delay before a retry (missing, late or temporary-error response). */
  retry?: Backoff;
  /** submit_sm accepted per second per session; over it ESME_RTHROTTLED. Default unlimited. */
  throttlePerSecond?: number;
  faults?: SmscFaults;
  random?: () => number;
  /**
   * Serve SMPP over TLS (smpps://) with this certificate and key, on `tls.port` (0, the
   * default: an ephemeral one). Plain TCP is served on `port` as well unless `plain` is false.
   */
  tls?: TlsServerSettings & { port?: number };
  /** Serve plain TCP on `port`. Default true; false with `tls` serves TLS only. */
  plain?: boolean;
  /**
   * Session bounds (docs/security.md): session-init and inactivity timers (SMPP v3.4 7.2),
   * connections in total and per client address.
   */
  sessions?: Partial<SessionLimits>;
  /** Failed binds throttled per client address (docs/security.md). */
  throttle?: Partial<ThrottleLimits>;
  /** Counts what the simulator does (a Metrics of src/ops; docs/operations.md). */
  metrics?: { observe(simulator: SmscSimulator): void };
}

export type BindMode = 'receiver' | 'transmitter' | 'transceiver';

/** The events of SmscSimulator and what their listeners get: a misspelled name does not compile. */
export interface SmscEvents {
  /** A bind succeeded. */
  bind: [{ systemId: string; mode: BindMode }];
  /** A bind was refused with `status`; `reason` says why when the address_range was the cause. */
  bindRefused: [{ systemId: string; mode: BindMode; status: number; reason: string | undefined; address?: string }];
  /** Failed binds from an address were answered late, or the address was refused (docs/security.md). */
  throttled: [ThrottleEvent];
  /** A connection over a connection cap, closed at once. */
  connectionRefused: [{ address: string }];
  /** A session closed by its session-init timer (never bound) or its inactivity timer. */
  sessionTimeout: [SessionTimeout];
  /** A receiver answered a deliver_sm with ESME_ROK; the message left the queue. */
  delivered: [{ id: string; attempts: number }];
  /** A receiver answered with a permanent error; the message left the queue. */
  failed: [{ id: string; status: number; pdu: ShortMessagePdu }];
  /** The message left the queue undelivered: no receiver could be given it within unroutedTimeoutMs. */
  dropped: [{ id: string; reason: 'no-receiver'; pdu: ShortMessagePdu }];
  /** A delivery receipt was written to a receiving bind of the submitter's system_id. */
  receipt: [{ id: string; systemId: string; stat: ReceiptStat }];
}

interface Bind {
  /** Names the bind in route keys. */
  id: number;
  session: smpp.Session;
  systemId: string;
  receives: boolean;
  transmits: boolean;
  addressRange: AddressRange | undefined;
  outstanding: Map<number, Outstanding>;
  deliveries: number;
}

interface Message {
  id: string;
  pdu: ShortMessagePdu;
  /** system_id of the bind that submitted it: where its delivery receipt goes. */
  submitter: string;
  submittedAt: number;
  attempts: number;
  notBefore: number;
}

interface Outstanding {
  message: Message;
  timer: NodeJS.Timeout;
}

export interface SmscStats {
  binds: number;
  bindFailures: number;
  submitted: number;
  rejected: number;
  delivered: number;
  deliverAttempts: number;
  retries: number;
  failed: number;
  genericNacks: number;
  /** Messages dropped after waiting unroutedTimeoutMs with no receiver that may be given them. */
  droppedNoReceiver: number;
  dropsInjected: number;
  duplicatesInjected: number;
  /** Delivery receipts written, and those the receipt-failure fault turned to UNDELIV. */
  receipts: number;
  receiptFailuresInjected: number;
  /** Receipts dropped because MAX_PENDING_RECEIPTS waited for their submitter to bind. */
  receiptsDropped: number;
  /** Messages taken out of the queue by a cancel_sm. */
  cancelled: number;
}

/**
 * An SMSC simulator: SMPP 3.4 server on the `smpp` package, with the intake replaced by
 * wappush's framing so that short messages travel as octets, untouched. submit_sm is
 * answered with a message_id, queued, and delivered as deliver_sm to a bound receiver that
 * its account and its address_range allow (round-robin; docs/simulator.md), esm_class,
 * data_coding, UDH and TLVs unchanged. Messages queue per set of receivers, so one that no
 * receiver may take, or whose receivers are busy, holds up no other; the order per destination
 * is kept. One that no receiver may take waits unroutedTimeoutMs, then is dropped ('dropped').
 * A message leaves the queue only on a deliver_sm_resp with ESME_ROK or a permanent error
 * ('failed' event); a missing, late or temporary-error response is retried with backoff, and a
 * lost connection puts its outstanding messages back first in line.
 */
export class SmscSimulator extends EventEmitter<SmscEvents> {
  readonly stats: SmscStats = {
    binds: 0,
    bindFailures: 0,
    submitted: 0,
    rejected: 0,
    delivered: 0,
    deliverAttempts: 0,
    retries: 0,
    failed: 0,
    genericNacks: 0,
    droppedNoReceiver: 0,
    dropsInjected: 0,
    duplicatesInjected: 0,
    receipts: 0,
    receiptFailuresInjected: 0,
    receiptsDropped: 0,
    cancelled: 0,
  };
  /** Receipts waiting for a receiving bind of their system_id, oldest first. */
  private pendingReceipts: Array<{ systemId: string; pdu: ShortMessagePdu }> = [];
  private readonly receiptTimers = new Set<NodeJS.Timeout>();
  private readonly server: smpp.Server | undefined;
  private readonly tlsServer: smpp.Server | undefined;
  /** Session timers, connection caps and the bind throttle. */
  readonly guard: SessionGuard;
  private readonly accounts: Accounts;
  private readonly binds: Bind[] = [];
  /** Ready to deliver: a queue per set of receivers, so that none waits behind another's messages. */
  private readonly routes = new RouteTable<Bind, Message>(
    (destination) => this.receiversFor(destination),
    (m) => m.pdu.destinationAddr,
  );
  /** Waiting for a retry time. */
  private delayed: Message[] = [];
  /** Accepted and not yet given to a receiver (queued or waiting to retry): what cancel_sm may take back. */
  private readonly waiting = new Map<string, Message>();
  /** Cancelled while queued: skipped when the queue reaches them. */
  private readonly cancelled = new Set<string>();
  private nextId = 1;
  private nextBindId = 1;
  private pumpTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private pumpImmediate: NodeJS.Immediate | undefined;
  /** After close(), the unbinds that follow set no new timers. */
  private closed = false;
  private readonly options: Required<
    Omit<
      SmscOptions,
      'accounts' | 'throttlePerSecond' | 'host' | 'port' | 'tls' | 'plain' | 'sessions' | 'throttle' | 'metrics'
    >
  > &
    SmscOptions;

  constructor(options: SmscOptions = {}) {
    super();
    // Each default by ??, so a bound given as undefined (as the CLI passes a flag left out)
    // keeps its default instead of lifting the bound; each bound checked.
    this.options = {
      ...options,
      window: positiveBound(options.window ?? 10, 'window'),
      maxQueue: positiveBound(options.maxQueue ?? 100_000, 'maxQueue'),
      responseTimeoutMs: positiveBound(options.responseTimeoutMs ?? 5_000, 'responseTimeoutMs', MAX_TIMER_MS),
      unroutedTimeoutMs: positiveBound(options.unroutedTimeoutMs ?? 300_000, 'unroutedTimeoutMs', MAX_TIMER_MS),
      retry: checkBackoff(options.retry ?? { initialMs: 50, maxMs: 5_000 }, 'retry'),
      throttlePerSecond:
        options.throttlePerSecond === undefined
          ? undefined
          : positiveBound(options.throttlePerSecond, 'throttlePerSecond'),
      faults: checkFaults(options.faults ?? {}),
      random: options.random ?? Math.random,
    };
    this.accounts = new Accounts(options.accounts);
    this.guard = new SessionGuard(options.sessions, options.throttle);
    this.guard.on('throttled', (e) => this.emit('throttled', e));
    this.guard.on('connectionRefused', (e) => this.emit('connectionRefused', e));
    this.guard.on('sessionTimeout', (e) => this.emit('sessionTimeout', e));
    if (options.plain === false && !options.tls)
      throw new RangeError('plain: false needs tls: the simulator would serve nothing');
    if (options.plain !== false) {
      this.server = smpp.createServer({}, (session) => this.onSession(session));
      this.guard.limit(this.server);
    }
    if (options.tls) {
      this.tlsServer = smpp.createServer(
        // A handshake that does not finish is bounded like a session that does not bind.
        { ...tlsServerOptions(options.tls), handshakeTimeout: this.guard.limits.sessionInitTimeoutMs },
        (session) => this.onSession(session),
      );
      this.guard.limit(this.tlsServer);
    }
    options.metrics?.observe(this);
  }

  /** Starts listening; resolves with the plain port, or the TLS port when TLS only. */
  async listen(): Promise<number> {
    const host = this.options.host ?? '127.0.0.1';
    const open = (server: Server, port: number) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    if (this.server) await open(this.server, this.options.port ?? 0);
    if (this.tlsServer) await open(this.tlsServer, this.options.tls?.port ?? 0);
    return this.port;
  }

  /** The plain port, or the TLS port when TLS only. */
  get port(): number {
    return ((this.server ?? this.tlsServer)!.address() as AddressInfo).port;
  }

  /** The TLS (smpps) port, when serving TLS. */
  get tlsPort(): number | undefined {
    return this.tlsServer ? (this.tlsServer.address() as AddressInfo).port : undefined;
  }

  /** Messages accepted and not yet delivered (queued or outstanding). */
  get backlog(): number {
    let n = this.routes.size + this.delayed.length;
    for (const b of this.binds) n += b.outstanding.size;
    return n;
  }

  /** Sessions bound now, of any mode. */
  get boundSessions(): number {
    return this.binds.length;
  }

  /** Messages queued that no bound receiver may be given (each waits unroutedTimeoutMs at most). */
  get unrouted(): number {
    return this.routes.unroutedCount;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pumpTimer);
    clearTimeout(this.expiryTimer);
    for (const t of this.receiptTimers) clearTimeout(t);
    if (this.pumpImmediate !== undefined) clearImmediate(this.pumpImmediate);
    for (const b of [...this.binds]) b.session.destroy();
    this.guard.closeAll();
    await Promise.all(
      [this.server, this.tlsServer].map(
        (server) => new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve())),
      ),
    );
  }

  private onSession(session: smpp.Session): void {
    const s = session as unknown as SmppSession;
    let bind: Bind | undefined;
    let windowStart = 0;
    let windowCount = 0;
    const watch = this.guard.watch(session.socket);
    const respond = (bytes: Buffer) => {
      const delay = this.options.faults.responseDelayMs;
      if (delay) setTimeout(() => session.socket.writable && session.socket.write(bytes), delay);
      else session.socket.write(bytes);
    };
    const respondPdu = (pdu: smpp.PDU) => respond(pdu.toBuffer());

    takeOverIntake(s, smpp.PDU as never, (frame) => {
      watch.activity();
      const commandId = frame.readUInt32BE(4);
      const sequence = frame.readUInt32BE(12);
      if (commandId === CommandId.submit_sm) {
        if (!bind || !bind.transmits) {
          respond(messageIdResponse(commandId, CommandStatus.ESME_RINVBNDSTS, sequence));
          return true;
        }
        const limit = this.options.throttlePerSecond;
        if (limit !== undefined) {
          const now = Date.now();
          if (now - windowStart >= 1000) {
            windowStart = now;
            windowCount = 0;
          }
          if (++windowCount > limit) {
            this.stats.rejected++;
            respond(messageIdResponse(commandId, CommandStatus.ESME_RTHROTTLED, sequence));
            return true;
          }
        }
        let pdu: ShortMessagePdu;
        try {
          pdu = decodeShortMessagePdu(frame);
        } catch (e) {
          this.stats.rejected++;
          respond(
            messageIdResponse(
              commandId,
              e instanceof DecodeError && e.code === 'LIMIT'
                ? CommandStatus.ESME_RINVMSGLEN
                : CommandStatus.ESME_RINVCMDLEN,
              sequence,
            ),
          );
          return true;
        }
        if (this.backlog >= this.options.maxQueue) {
          this.stats.rejected++;
          respond(messageIdResponse(commandId, CommandStatus.ESME_RMSGQFUL, sequence));
          return true;
        }
        const id = (this.nextId++).toString(16).padStart(8, '0');
        const m: Message = { id, pdu, submitter: bind.systemId, submittedAt: Date.now(), attempts: 0, notBefore: 0 };
        this.waiting.set(id, m);
        this.routes.place(m, Date.now());
        this.scheduleExpiry();
        this.stats.submitted++;
        respond(messageIdResponse(commandId, CommandStatus.ESME_ROK, sequence, id));
        this.schedulePump(0);
        return true;
      }
      if (commandId === CANCEL_SM) {
        // SMPP v3.4 4.9: only the submitter may cancel, only what is not yet delivered.
        const c = readCancelSm(frame);
        const m = c && this.waiting.get(c.messageId);
        const ours = bind?.transmits === true && m !== undefined && m.submitter === bind.systemId;
        const done = ours && c?.destinationAddr === m.pdu.destinationAddr;
        if (done) {
          this.waiting.delete(m.id);
          this.cancelled.add(m.id);
          this.stats.cancelled++;
        }
        const status = !bind?.transmits
          ? CommandStatus.ESME_RINVBNDSTS
          : done
            ? CommandStatus.ESME_ROK
            : ESME_RCANCELFAIL;
        respond(headerPdu((CANCEL_SM | 0x80000000) >>> 0, status, sequence));
        return true;
      }
      if (commandId === (CommandId.deliver_sm | 0x80000000) >>> 0) {
        if (bind) this.onDeliverResp(bind, sequence, frame.readUInt32BE(8));
        return true;
      }
      return false;
    });

    const onBind = (mode: BindMode) => (pdu: smpp.PDU) => {
      if (bind) {
        respondPdu(pdu.response({ command_status: CommandStatus.ESME_RINVBNDSTS }));
        return;
      }
      const systemId = String(pdu.system_id ?? '');
      const password = String(pdu.password ?? '');
      const address = watch.address;
      // An address that failed too often is refused before its credentials are looked at.
      const gate = this.guard.throttle.gate(address);
      let status = gate.refused ? CommandStatus.ESME_RBINDFAIL : this.accounts.check(systemId, password);
      const delay =
        status === CommandStatus.ESME_RINVPASWD || status === CommandStatus.ESME_RINVSYSID
          ? this.guard.throttle.failed(address)
          : 0;
      // address_range routes what a receiver gets (SMPP v3.4 5.2.7); a transmitter's is unused.
      // SMPP v3.4 5.1.3 has no status for a bad bind parameter: ESME_RBINDFAIL ("Bind Failed") says it.
      let addressRange: AddressRange | undefined;
      let reason: string | undefined = gate.refused ? 'throttled' : undefined;
      const range = String(pdu.address_range ?? '');
      if (status === CommandStatus.ESME_ROK && range && mode !== 'transmitter') {
        try {
          addressRange = AddressRange.compile(range);
        } catch (e) {
          if (!(e instanceof AddressRangeError)) throw e;
          status = CommandStatus.ESME_RBINDFAIL;
          reason = e.message;
        }
      }
      if (status !== CommandStatus.ESME_ROK) {
        this.stats.bindFailures++;
        const answer = pdu.response({ command_status: status });
        if (delay > 0) watch.later(delay, () => respondPdu(answer));
        else respondPdu(answer);
        this.emit('bindRefused', { systemId, mode, status, reason, address });
        return;
      }
      watch.bound();
      bind = {
        id: this.nextBindId++,
        session,
        systemId,
        receives: mode !== 'transmitter',
        transmits: mode !== 'receiver',
        addressRange,
        outstanding: new Map(),
        deliveries: 0,
      };
      this.binds.push(bind);
      this.stats.binds++;
      respondPdu(pdu.response({ system_id: 'wappush-smsc' }));
      this.emit('bind', { systemId, mode });
      if (bind.receives) {
        this.reroute([]);
        this.flushReceipts();
      }
      this.schedulePump(0);
    };
    session.on('bind_receiver', onBind('receiver'));
    session.on('bind_transmitter', onBind('transmitter'));
    session.on('bind_transceiver', onBind('transceiver'));
    session.on('enquire_link', (pdu: smpp.PDU) => respondPdu(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      respondPdu(pdu.response());
      this.unbind(bind);
      bind = undefined;
      session.close();
    });
    session.on('pdu', (pdu: smpp.PDU) => {
      const handled = ['bind_receiver', 'bind_transmitter', 'bind_transceiver', 'enquire_link', 'unbind'];
      if (pdu.isResponse() || handled.includes(pdu.command)) return;
      // Unknown commands, and ones a simulator does not offer (query_sm, replace_sm, ...).
      this.stats.genericNacks++;
      respond(headerPdu(0x80000000, CommandStatus.ESME_RINVCMDID, pdu.sequence_number));
    });
    session.on('close', () => {
      this.unbind(bind);
      bind = undefined;
    });
    session.on('error', () => {
      /* the close that follows does the work */
    });
  }

  private unbind(bind: Bind | undefined): void {
    if (!bind) return;
    const i = this.binds.indexOf(bind);
    if (i < 0) return;
    this.binds.splice(i, 1);
    // Nothing accepted is lost: what was in flight goes back, first in line.
    const back: Message[] = [];
    for (const o of bind.outstanding.values()) {
      clearTimeout(o.timer);
      back.push(o.message);
      this.waiting.set(o.message.id, o.message);
    }
    bind.outstanding.clear();
    if (bind.receives) this.reroute(back);
    this.schedulePump(0);
  }

  /** The receivers changed: every queued message's route is worked out again. */
  private reroute(returned: Message[]): void {
    this.routes.reroute(returned, Date.now());
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.scheduleExpiry();
  }

  /** Drops what waited unroutedTimeoutMs with no receiver, when the oldest of them is due. */
  private scheduleExpiry(): void {
    const oldest = this.routes.oldestUnrouted;
    if (oldest === undefined || this.expiryTimer !== undefined || this.closed) return;
    const limit = this.options.unroutedTimeoutMs;
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        for (const m of this.routes.expire(Date.now(), limit)) {
          this.waiting.delete(m.id);
          if (this.cancelled.delete(m.id)) continue;
          this.stats.droppedNoReceiver++;
          this.emit('dropped', { id: m.id, reason: 'no-receiver', pdu: m.pdu });
          this.receipt(m, 'EXPIRED');
        }
        this.scheduleExpiry();
      },
      Math.max(1, oldest + limit - Date.now()),
    );
  }

  private schedulePump(delay: number): void {
    if (this.closed) return;
    if (delay <= 0) {
      // setImmediate, not setTimeout(0): timers round up to 1 ms, which capped window 1 at ~1,000/s.
      if (this.pumpImmediate === undefined) {
        this.pumpImmediate = setImmediate(() => {
          this.pumpImmediate = undefined;
          this.pump();
        });
      }
      return;
    }
    clearTimeout(this.pumpTimer); // the newest request may be the soonest
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, delay);
  }

  /** The receivers that may be given a message for `destination` (docs/simulator.md, "Accounts and routing"). */
  private receiversFor(destination: string): Bind[] {
    const allowed = this.accounts.receiversOf(destination);
    return this.binds.filter(
      (b) => b.receives && allowed(b.systemId) && (b.addressRange === undefined || b.addressRange.matches(destination)),
    );
  }

  private pump(): void {
    const now = Date.now();
    const faults = this.options.faults;
    const random = this.options.random;
    if (this.delayed.length) {
      const due = this.delayed.filter((m) => m.notBefore <= now);
      if (due.length) {
        this.delayed = this.delayed.filter((m) => m.notBefore > now);
        for (const m of due) this.routes.place(m, now);
        this.scheduleExpiry();
      }
    }
    const window = this.options.window;
    // A pump's deliver_sm to one receiver leave in one write, not a syscall each (only where
    // the window leaves room for more than one: a single write goes as it did).
    const corked: Bind[] = [];
    for (const b of this.binds)
      if (b.receives && window - b.outstanding.size > 1) {
        b.session.socket.cork();
        corked.push(b);
      }
    try {
      this.routes.dispatch(
        (b) => b.outstanding.size < window && b.session.socket.writable,
        (b, m) => {
          if (!this.cancelled.delete(m.id)) this.send(b, m);
        },
        (queued) =>
          faults.reorderProbability && random() < faults.reorderProbability ? Math.floor(random() * queued) : 0,
      );
    } finally {
      for (const b of corked) b.session.socket.uncork();
    }
    if (this.delayed.length) {
      let wait = Infinity;
      for (const m of this.delayed) wait = Math.min(wait, m.notBefore - now);
      this.schedulePump(Math.max(1, wait));
    }
  }

  private send(bind: Bind, m: Message): void {
    const s = bind.session as unknown as SmppSession;
    const sequence = nextSequence(s);
    const bytes = encodeShortMessagePdu({
      ...m.pdu,
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      scheduleDeliveryTime: '',
      validityPeriod: '',
    });
    this.waiting.delete(m.id);
    m.attempts++;
    this.stats.deliverAttempts++;
    const timer = setTimeout(() => this.onTimeout(bind, sequence), this.options.responseTimeoutMs);
    bind.outstanding.set(sequence, { message: m, timer });
    bind.session.socket.write(bytes);
    const faults = this.options.faults;
    if (faults.duplicateProbability && this.options.random() < faults.duplicateProbability) {
      // The same message again, as a separate delivery nobody waits for.
      this.stats.duplicatesInjected++;
      bind.session.socket.write(
        encodeShortMessagePdu({
          ...m.pdu,
          commandId: CommandId.deliver_sm,
          sequenceNumber: nextSequence(s),
          scheduleDeliveryTime: '',
          validityPeriod: '',
        }),
      );
    }
    bind.deliveries++;
    const dropNow =
      (faults.dropAfterDeliveries && bind.deliveries % faults.dropAfterDeliveries === 0) ||
      (faults.dropProbability && this.options.random() < faults.dropProbability);
    if (dropNow) {
      this.stats.dropsInjected++;
      // What this pump wrote before goes out first, as it would have uncorked.
      bind.session.socket.uncork();
      bind.session.socket.destroy();
    }
  }

  private onDeliverResp(bind: Bind, sequence: number, status: number): void {
    const o = bind.outstanding.get(sequence);
    if (!o) return; // late: the message was already sent again, or a duplicate's response
    clearTimeout(o.timer);
    bind.outstanding.delete(sequence);
    if (status === CommandStatus.ESME_ROK) {
      this.stats.delivered++;
      this.emit('delivered', { id: o.message.id, attempts: o.message.attempts });
      this.receipt(o.message, 'DELIVRD');
    } else if (isTemporary(status)) {
      this.retry(o.message);
    } else {
      this.stats.failed++;
      this.emit('failed', { id: o.message.id, status, pdu: o.message.pdu });
      this.receipt(o.message, 'UNDELIV');
    }
    this.schedulePump(0);
  }

  private onTimeout(bind: Bind, sequence: number): void {
    const o = bind.outstanding.get(sequence);
    if (!o) return;
    bind.outstanding.delete(sequence);
    this.retry(o.message);
  }

  /**
   * The delivery receipt a submit_sm's registered_delivery asks for (SMPP v3.4 5.2.17: bits
   * 1-0 = 01 on success or failure, 10 on failure only), to the submitter's system_id.
   */
  private receipt(m: Message, outcome: ReceiptStat): void {
    const asked = m.pdu.registeredDelivery & 0x03;
    if (asked === 0 || (asked === 2 && outcome === 'DELIVRD')) return;
    const faults = this.options.faults;
    let stat = outcome;
    if (
      stat === 'DELIVRD' &&
      faults.receiptFailureProbability &&
      this.options.random() < faults.receiptFailureProbability
    ) {
      stat = 'UNDELIV';
      this.stats.receiptFailuresInjected++;
    }
    const pdu = receiptPdu(m, stat, Date.now());
    const queue = () => {
      if (this.pendingReceipts.length >= MAX_PENDING_RECEIPTS) {
        this.pendingReceipts.shift();
        this.stats.receiptsDropped++;
      }
      this.pendingReceipts.push({ systemId: m.submitter, pdu });
      this.flushReceipts();
      this.emit('receipt', { id: m.id, systemId: m.submitter, stat });
    };
    const delay = faults.receiptDelayMs;
    if (!delay) return queue();
    const t = setTimeout(() => {
      this.receiptTimers.delete(t);
      if (!this.closed) queue();
    }, delay);
    this.receiptTimers.add(t);
  }

  /** Writes each waiting receipt to a receiving bind of its system_id, if one is bound. */
  private flushReceipts(): void {
    if (!this.pendingReceipts.length) return;
    const left: Array<{ systemId: string; pdu: ShortMessagePdu }> = [];
    for (const r of this.pendingReceipts) {
      const bind = this.binds.find((b) => b.receives && b.systemId === r.systemId && b.session.socket.writable);
      if (!bind) {
        left.push(r);
        continue;
      }
      // Not tracked for a response: a receipt lost with its connection is not sent again (docs/simulator.md).
      bind.session.socket.write(encodeShortMessagePdu({ ...r.pdu, sequenceNumber: nextSequence(bind.session) }));
      this.stats.receipts++;
    }
    this.pendingReceipts = left;
  }

  private retry(m: Message): void {
    this.waiting.set(m.id, m);
    this.stats.retries++;
    m.notBefore = Date.now() + backoffDelay(this.options.retry, m.attempts - 1, this.options.random);
    this.delayed.push(m);
    this.schedulePump(Math.max(1, m.notBefore - Date.now()));
  }
}

const CANCEL_SM = 0x00000008;
/** SMPP v3.4 5.1.3: cancel_sm failed (the message is delivered, on its way, or unknown). */
const ESME_RCANCELFAIL = 0x0011;

/** The stat words of SMPP v3.4 Appendix B this simulator writes. */
export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED';

/** message_state (SMPP v3.4 5.2.28) of each stat word. */
const MESSAGE_STATE: Readonly<Record<ReceiptStat, number>> = Object.freeze({ DELIVRD: 2, EXPIRED: 3, UNDELIV: 5 });

/** Receipts kept while no receiving bind of their system_id is bound; over it the oldest go. */
export const MAX_PENDING_RECEIPTS = 10_000;

/** YYMMDDhhmm, UTC (Appendix B's submit date and done date). */
function receiptDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
}

/**
 * A delivery receipt deliver_sm (esm_class 0x04, SMPP v3.4 5.2.12): from the recipient to the
 * submitter, with receipted_message_id and message_state TLVs and the Appendix B text.
 */
function receiptPdu(m: Message, stat: ReceiptStat, now: number): ShortMessagePdu {
  const text =
    `id:${m.id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${receiptDate(m.submittedAt)} ` +
    `done date:${receiptDate(now)} stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:`;
  return {
    ...m.pdu,
    commandId: CommandId.deliver_sm,
    serviceType: '',
    sourceAddrTon: m.pdu.destAddrTon,
    sourceAddrNpi: m.pdu.destAddrNpi,
    sourceAddr: m.pdu.destinationAddr,
    destAddrTon: m.pdu.sourceAddrTon,
    destAddrNpi: m.pdu.sourceAddrNpi,
    destinationAddr: m.pdu.sourceAddr,
    esmClass: 0x04,
    registeredDelivery: 0,
    dataCoding: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    shortMessage: Buffer.from(text, 'latin1'),
    tlvs: [
      { tag: TlvTag.receipted_message_id, value: Buffer.from(`${m.id}\0`, 'latin1') },
      { tag: TlvTag.message_state, value: Uint8Array.of(MESSAGE_STATE[stat]) },
    ],
  };
}
