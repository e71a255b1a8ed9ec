import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
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
import { Accounts, type SmscAccount } from './accounts.js';
import { AddressRange, AddressRangeError } from './addressRange.js';
import { RouteTable } from './routes.js';

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
}

/** The faults as given, each checked: a probability over 1 or a NaN delay is refused by name. */
function checkFaults(f: SmscFaults): SmscFaults {
  if (f.dropAfterDeliveries !== undefined) positiveBound(f.dropAfterDeliveries, 'faults.dropAfterDeliveries');
  if (f.responseDelayMs !== undefined) nonNegativeBound(f.responseDelayMs, 'faults.responseDelayMs', MAX_TIMER_MS);
  for (const name of ['dropProbability', 'duplicateProbability', 'reorderProbability'] as const) {
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
}

export type BindMode = 'receiver' | 'transmitter' | 'transceiver';

/** The events of SmscSimulator and what their listeners get: a misspelled name does not compile. */
export interface SmscEvents {
  /** A bind succeeded. */
  bind: [{ systemId: string; mode: BindMode }];
  /** A bind was refused with `status`; `reason` says why when the address_range was the cause. */
  bindRefused: [{ systemId: string; mode: BindMode; status: number; reason: string | undefined }];
  /** A receiver answered a deliver_sm with ESME_ROK; the message left the queue. */
  delivered: [{ id: string; attempts: number }];
  /** A receiver answered with a permanent error; the message left the queue. */
  failed: [{ id: string; status: number; pdu: ShortMessagePdu }];
  /** The message left the queue undelivered: no receiver could be given it within unroutedTimeoutMs. */
  dropped: [{ id: string; reason: 'no-receiver'; pdu: ShortMessagePdu }];
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
  };
  private readonly server: smpp.Server;
  private readonly accounts: Accounts;
  private readonly binds: Bind[] = [];
  /** Ready to deliver: a queue per set of receivers, so that none waits behind another's messages. */
  private readonly routes = new RouteTable<Bind, Message>(
    (destination) => this.receiversFor(destination),
    (m) => m.pdu.destinationAddr,
  );
  /** Waiting for a retry time. */
  private delayed: Message[] = [];
  private nextId = 1;
  private nextBindId = 1;
  private pumpTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private pumpImmediate: NodeJS.Immediate | undefined;
  /** After close(), the unbinds that follow set no new timers. */
  private closed = false;
  private readonly options: Required<Omit<SmscOptions, 'accounts' | 'throttlePerSecond' | 'host' | 'port'>> &
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
    this.server = smpp.createServer({}, (session) => this.onSession(session));
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Messages accepted and not yet delivered (queued or outstanding). */
  get backlog(): number {
    let n = this.routes.size + this.delayed.length;
    for (const b of this.binds) n += b.outstanding.size;
    return n;
  }

  /** Messages queued that no bound receiver may be given (each waits unroutedTimeoutMs at most). */
  get unrouted(): number {
    return this.routes.unroutedCount;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pumpTimer);
    clearTimeout(this.expiryTimer);
    if (this.pumpImmediate !== undefined) clearImmediate(this.pumpImmediate);
    for (const b of [...this.binds]) b.session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onSession(session: smpp.Session): void {
    const s = session as unknown as SmppSession;
    let bind: Bind | undefined;
    let windowStart = 0;
    let windowCount = 0;
    const respond = (bytes: Buffer) => {
      const delay = this.options.faults.responseDelayMs;
      if (delay) setTimeout(() => session.socket.writable && session.socket.write(bytes), delay);
      else session.socket.write(bytes);
    };
    const respondPdu = (pdu: smpp.PDU) => respond(pdu.toBuffer());

    takeOverIntake(s, smpp.PDU as never, (frame) => {
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
        this.routes.place({ id, pdu, attempts: 0, notBefore: 0 }, Date.now());
        this.scheduleExpiry();
        this.stats.submitted++;
        respond(messageIdResponse(commandId, CommandStatus.ESME_ROK, sequence, id));
        this.schedulePump(0);
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
      let status = this.accounts.check(systemId, password);
      // address_range routes what a receiver gets (SMPP v3.4 5.2.7); a transmitter's is unused.
      // SMPP v3.4 5.1.3 has no status for a bad bind parameter: ESME_RBINDFAIL ("Bind Failed") says it.
      let addressRange: AddressRange | undefined;
      let reason: string | undefined;
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
        respondPdu(pdu.response({ command_status: status }));
        this.emit('bindRefused', { systemId, mode, status, reason });
        return;
      }
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
      if (bind.receives) this.reroute([]);
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
          this.stats.droppedNoReceiver++;
          this.emit('dropped', { id: m.id, reason: 'no-receiver', pdu: m.pdu });
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
    this.routes.dispatch(
      (b) => b.outstanding.size < window && b.session.socket.writable,
      (b, m) => this.send(b, m),
      (queued) =>
        faults.reorderProbability && random() < faults.reorderProbability ? Math.floor(random() * queued) : 0,
    );
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
    } else if (isTemporary(status)) {
      this.retry(o.message);
    } else {
      this.stats.failed++;
      this.emit('failed', { id: o.message.id, status, pdu: o.message.pdu });
    }
    this.schedulePump(0);
  }

  private onTimeout(bind: Bind, sequence: number): void {
    const o = bind.outstanding.get(sequence);
    if (!o) return;
    bind.outstanding.delete(sequence);
    this.retry(o.message);
  }

  private retry(m: Message): void {
    this.stats.retries++;
    m.notBefore = Date.now() + backoffDelay(this.options.retry, m.attempts - 1, this.options.random);
    this.delayed.push(m);
    this.schedulePump(Math.max(1, m.notBefore - Date.now()));
  }
}
