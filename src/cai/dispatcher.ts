/**
 * Dispatch (PushCAI 5.3): a push from either bearer is routed by App ID and port, checked
 * against each candidate's accept list, contact point and whitelist, and queued for each
 * application that takes it. Delivery never waits for applications: the bearer is answered
 * once the push is queued or reported. Nothing is dropped silently: what no registration takes
 * is 'unrouted' (and goes to the fallback), a refusal is 'refused', a full queue 'overflow'.
 */
import type { EventEmitter } from 'node:events';
import type { BodySecrets } from '../codec/body.js';
import { resolveLimits, type Limits } from '../codec/limits.js';
import { applicationIds, DEFAULT_APPLICATION_ID } from '../codec/wsp/applicationIds.js';
import { decodePushPdu } from '../codec/wsp/pushPdu.js';
import { skimPushPdu, type PushSkim } from '../codec/wsp/pushSkim.js';
import { StoreError, StoreErrorCode } from '../store/errors.js';
import type { WdpDatagram } from '../wdp/datagram.js';
import { WDP_PORT_PUSH } from '../wdp/segmenter.js';
import { applicationKey } from './applicationId.js';
import { PushDeferred } from './deferred.js';
import { DeliveryQueue } from './delivery.js';
import type { PushClientEvents, UnroutedPush, UnroutedReason } from './events.js';
import type { HttpPush } from './otaHttp.js';
import type { HttpPushOutcome } from './otaHttpReceiver.js';
import { PushEvent, type HttpEventSource } from './pushEvent.js';
import type { Registration } from './registration.js';
import { routeOf, type RoutingTable } from './routingTable.js';
import type { StoreQueues } from './storeQueues.js';
import type { Whitelist } from './whitelist.js';

// Its own file: the forwarder of old queues (forwarder.ts) tells it apart without this one.
export { PushDeferred };

export interface PushClientStats {
  /** Pushes received from any bearer. */
  received: number;
  /** Pushes that reached at least one application's queue. */
  routed: number;
  unrouted: number;
  undecodable: number;
  /** Per-application refusals by whitelist or contact point. */
  refused: number;
  overflowed: number;
  /** Pushes handed back to the bearer for redelivery (overflow: 'redeliver'). */
  deferred: number;
  /**
   * Copies of a push queued for a registration that then withdrew as a duplicate, drained here
   * while another application the push was queued for at the same routing is read
   * ('withdrawn-duplicate'): not unrouted, and not given to the fallback.
   */
  withdrawnDuplicates: number;
  /** Handler calls that completed. */
  delivered: number;
  handlerErrors: number;
  handlerTimeouts: number;
}

export interface DispatcherOptions {
  overflow: 'report' | 'redeliver';
  fallback: ((unrouted: UnroutedPush) => void) | undefined;
  maxQueuedPerApplication: number;
  handlerTimeoutMs: number;
  limits: Partial<Limits> | undefined;
  secrets: BodySecrets | undefined;
}

export class Dispatcher {
  /** With a Store: the applications' queues there, which every OTA-WSP push taken goes through. */
  queues: StoreQueues | undefined;
  readonly stats: PushClientStats = {
    received: 0,
    routed: 0,
    unrouted: 0,
    undecodable: 0,
    refused: 0,
    overflowed: 0,
    deferred: 0,
    withdrawnDuplicates: 0,
    delivered: 0,
    handlerErrors: 0,
    handlerTimeouts: 0,
  };
  /** The limits every decode of this client's pushes uses. */
  private readonly limits: Readonly<Limits>;

  constructor(
    private readonly events: EventEmitter<PushClientEvents>,
    private readonly routes: RoutingTable<Registration>,
    private readonly whitelist: Whitelist,
    private readonly options: DispatcherOptions,
  ) {
    // Resolved (and frozen) once: an event's headers and body may be decoded long after
    // dispatch, and must be decoded with the limits dispatch checked them with, not with
    // whatever the caller's object holds by then.
    this.limits = resolveLimits(options.limits);
  }

  /** The delivery queue of a new registration: its handler, or the client's 'push' event. */
  queueFor(r: Registration): DeliveryQueue {
    return new DeliveryQueue(
      (e) => this.handOver(e, r),
      this.options.maxQueuedPerApplication,
      this.options.handlerTimeoutMs,
      {
        delivered: () => {
          r.stats.delivered++;
          this.stats.delivered++;
        },
        error: (event, error) => {
          r.stats.handlerErrors++;
          this.stats.handlerErrors++;
          this.events.emit('handler-error', { registration: r, event, error });
        },
        timeout: (event) => {
          r.stats.handlerTimeouts++;
          this.stats.handlerTimeouts++;
          this.events.emit('handler-timeout', { registration: r, event });
        },
      },
    );
  }

  /**
   * Routes one WDP datagram (what the SMPP link hands up); returns once it is queued or
   * reported. With store queues it returns a promise that resolves once the push is in each
   * queue it goes to, and rejects when one could not take it (the bearer answers a temporary
   * error, so the SMSC sends it again).
   */
  deliverDatagram(d: WdpDatagram): void | Promise<void> {
    this.stats.received++;
    // The whole header block is checked before routing (PushCAI 5.3: the headers as received
    // go with the event), so a malformed one is 'undecodable' here, not an error in a handler.
    let event: PushEvent;
    try {
      event = this.eventOf(d);
    } catch (error) {
      this.stats.undecodable++;
      this.unrouted({ reason: 'undecodable', datagram: d, error });
      return;
    }
    const pending: Promise<void>[] | undefined = this.queues ? [] : undefined;
    this.dispatch(event, d.destinationPort ?? WDP_PORT_PUSH, pending);
    if (pending === undefined || pending.length === 0) return;
    return pending.length === 1 ? pending[0] : Promise.all(pending).then(() => {});
  }

  /** The Push event of a datagram; throws when its Push PDU cannot be decoded. */
  eventOf(d: WdpDatagram): PushEvent {
    const limits = this.limits;
    // The skim reads what routing needs and vouches for the full decode, which then waits until
    // a handler or listener asks for the headers (PushEvent.wsp). What it cannot vouch for is
    // decoded in full here, so a malformed push is refused here, as it always was.
    const skim = skimPushPdu(d.payload, { limits });
    const message = skim === undefined ? decodePushPdu(d.payload, { limits }) : undefined;
    const head: PushSkim = skim ?? message!;
    // No port addressing: the SMS is taken as sent to the WSP push port, and the event says so.
    const portImplied = d.destinationPort === undefined;
    const port = d.destinationPort ?? WDP_PORT_PUSH;
    return new PushEvent({
      protocol: 'OTA-WSP',
      bodyOffset: head.bodyOffset,
      contentType: head.contentType,
      applicationId: head.applicationId,
      port,
      portImplied,
      originator: d.originator,
      recipient: d.recipient,
      transactionId: head.transactionId,
      pduType: head.pduType,
      datagram: d,
      message,
      limits,
      secrets: this.options.secrets,
    });
  }

  /**
   * Routes one OTA-HTTP push that arrived at the receiver asked for on `requestedPort`;
   * 'forbidden' when every registration it was for refused its sender (whitelist, contact point).
   */
  deliverHttp(push: HttpPush, requestedPort: number): HttpPushOutcome | Promise<HttpPushOutcome> {
    this.stats.received++;
    let applicationId: string | number = DEFAULT_APPLICATION_ID;
    if (push.applicationId !== undefined) {
      const v = push.applicationId.trim();
      applicationId = /^(?:0x[0-9a-f]+|\d+)$/i.test(v) ? (applicationIds.name(Number(v)) ?? Number(v)) : v;
    }
    const event = this.httpEventOf({
      content: push.content,
      contentType: push.contentType,
      applicationId,
      port: push.port,
      originator: push.remoteAddress,
      http: {
        headers: push.headers,
        rawHeaders: push.rawHeaders,
        contentTypeParameters: push.contentTypeParameters,
        path: push.path,
      },
    });
    // With store queues the push is answered once it is stored in each queue that takes it.
    const pending: Promise<void>[] | undefined = this.queues ? [] : undefined;
    const refused = this.dispatch(event, routeOf('OTA-HTTP', requestedPort), pending);
    const outcome = refused === 'whitelist' || refused === 'contact-point' ? 'forbidden' : 'accepted';
    if (pending === undefined || pending.length === 0) return outcome;
    return Promise.all(pending).then(() => outcome);
  }

  /**
   * Routes a push taken from a queue of the version before (StoreQueues.forward) as one
   * arriving now, to the store queues; resolves once it is in each that takes it. Not counted
   * as received again: its bearer's node counted it.
   */
  redispatch(event: PushEvent): Promise<void> {
    const pending: Promise<void>[] = [];
    // Routed by the port it arrived on: an OTA-HTTP receiver's, or the WDP destination port.
    const port = event.port ?? WDP_PORT_PUSH;
    const route = event.protocol === 'OTA-HTTP' ? routeOf('OTA-HTTP', port) : port;
    this.dispatch(event, route, pending);
    return Promise.all(pending).then(() => {});
  }

  /** The Push event of an OTA-HTTP push (as received, or as kept in a store queue). */
  httpEventOf(push: HttpEventSource): PushEvent {
    return new PushEvent({
      protocol: 'OTA-HTTP',
      ...push,
      recipient: '',
      limits: this.limits,
      secrets: this.options.secrets,
    });
  }

  /** An OTA-HTTP request that was not a readable push. */
  malformed(error: unknown): void {
    this.stats.received++;
    this.stats.undecodable++;
    this.unrouted({ reason: 'undecodable', error });
  }

  /**
   * Queues `event` for each registration that takes it; returns why none did, or undefined.
   * With `pending`, OTA-WSP pushes go to the store queues, each enqueue added to it.
   */
  private dispatch(event: PushEvent, route: number, pending?: Promise<void>[]): UnroutedReason | undefined {
    const candidates = this.routes.lookup(applicationKey(event.applicationId), route);
    if (!candidates) {
      this.unrouted({ reason: 'no-registration', event, datagram: event.datagram });
      return 'no-registration';
    }
    if (this.options.overflow === 'redeliver' && this.anyFull(event, candidates, route)) {
      this.stats.deferred++;
      this.events.emit('deferred', { event });
      throw new PushDeferred(
        `an application's queue is full: ${String(event.applicationId)} is sent back for redelivery`,
      );
    }
    // Registrations whose contact point is this push's source are the ones it is meant for; the
    // others on the route are refused by contact point only when none is (5.1 unique delivery).
    let fromContactPoint = false;
    for (const r of candidates)
      if (r.acceptsType(event.contentType) && r.acceptsContactPoint(event.originator, route)) fromContactPoint = true;
    let taken = 0;
    let reason: UnroutedReason = 'content-type';
    // With store queues: each taker's queue names the others (a withdrawn duplicate's drain
    // tells its copy by them: StoreQueues.drain).
    const stored: Registration[] = [];
    for (const r of candidates) {
      // A remote registration takes pushes through the store queues only (an OTA-HTTP push is
      // answered where its receiver is).
      if (r.remote && pending === undefined) continue;
      const why = this.refusal(r, event, route);
      if (why === 'content-type' || (why === 'contact-point' && fromContactPoint)) continue;
      if (why) {
        this.refuse(r, event, (reason = why));
        continue;
      }
      taken++;
      if (pending !== undefined) {
        stored.push(r);
        continue;
      }
      if (!r.queue.push(event)) {
        r.stats.overflowed++;
        this.stats.overflowed++;
        this.events.emit('overflow', { registration: r, event });
      }
    }
    for (const r of stored)
      pending!.push(
        this.enqueue(
          r,
          event,
          stored.filter((o) => o !== r),
        ),
      );
    if (taken > 0) {
      this.stats.routed++;
      return undefined;
    }
    this.unrouted({ reason, event, datagram: event.datagram });
    return reason;
  }

  /** Puts `event` in `r`'s queue on the store; a full queue is an overflow, as for the in-memory queues. */
  private enqueue(r: Registration, event: PushEvent, others: readonly Registration[]): Promise<void> {
    return this.queues!.enqueue(r, event, others).then(
      () => {},
      (error: unknown) => {
        if (!(error instanceof StoreError) || error.code !== StoreErrorCode.QUEUE_FULL) {
          this.events.emit('store-error', error);
          throw error;
        }
        if (this.options.overflow === 'redeliver') {
          this.stats.deferred++;
          this.events.emit('deferred', { event });
          throw new PushDeferred(`${String(event.applicationId)}: ${error.message}; sent back for redelivery`);
        }
        r.stats.overflowed++;
        this.stats.overflowed++;
        this.events.emit('overflow', { registration: r, event });
      },
    );
  }

  /** Why `r` does not take `event` (its accept list, contact point, whitelist), or undefined when it does. */
  private refusal(
    r: Registration,
    event: PushEvent,
    route: number,
  ): 'content-type' | 'contact-point' | 'whitelist' | undefined {
    if (!r.acceptsType(event.contentType)) return 'content-type';
    if (!r.acceptsContactPoint(event.originator, route)) return 'contact-point';
    if (!this.whitelist.allows(r.id, r.hasWhitelist, event.originator)) return 'whitelist';
    return undefined;
  }

  /** Whether a registration this push would go to has no room for it. */
  private anyFull(event: PushEvent, candidates: readonly Registration[], route: number): boolean {
    for (const r of candidates) if (r.queue.full && this.refusal(r, event, route) === undefined) return true;
    return false;
  }

  /** Hands a push to its registration: its handler, or the client's 'push' event. */
  handOver(event: PushEvent, r: Registration): void | Promise<void> {
    if (r.handler) return r.handler(event, r);
    if (!this.events.emit('push', event, r)) this.unrouted({ reason: 'no-handler', event, datagram: event.datagram });
  }

  private refuse(r: Registration, event: PushEvent, reason: 'whitelist' | 'contact-point'): void {
    r.stats.refused++;
    this.stats.refused++;
    this.events.emit('refused', { registration: r, event, reason });
  }

  /**
   * A push queued for a registration that withdrew before taking it (StoreQueues.drain), or one
   * that could not go back to its queue (`error`): no registration takes it now; without its
   * event, it does not read (undecodable, with its datagram when it is one).
   */
  orphaned(push: { event?: PushEvent; datagram?: WdpDatagram; error?: unknown }): void {
    const { event, error } = push;
    if (event === undefined) {
      this.stats.undecodable++;
      this.unrouted({ reason: 'undecodable', datagram: push.datagram, error });
    } else this.unrouted({ reason: 'no-registration', event, datagram: event.datagram, error });
  }

  /**
   * A withdrawn duplicate's copy of a push another application read now was queued with
   * (StoreQueues.drain): that application has it, so it is neither unrouted nor the fallback's.
   */
  withdrawnDuplicate(event: PushEvent): void {
    this.stats.withdrawnDuplicates++;
    this.events.emit('withdrawn-duplicate', { event });
  }

  private unrouted(u: UnroutedPush): void {
    this.stats.unrouted++;
    this.events.emit('unrouted', u);
    if (this.options.fallback) {
      try {
        this.options.fallback(u);
      } catch (error) {
        this.events.emit('handler-error', { registration: undefined, event: u.event, error });
      }
    }
  }
}
