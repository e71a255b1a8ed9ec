/**
 * Per-application delivery queues on the state layer (docs/state.md), used when the Push
 * Client has a Store: every push an application takes, OTA-WSP or OTA-HTTP, is put in that
 * application's queue on the store, and the bearer (the SMSC, the HTTP sender) is answered once
 * it is stored there. Each node where the
 * application is registered consumes the queue (with Redis: one stream per application, one
 * consumer group, one consumer per node), runs the handler one push at a time, and
 * acknowledges the push only once the handler settled. So a push reaches its application
 * whichever node's bind it came in on, and what is queued survives a crash: on lmdb it is
 * replayed when the process starts again, on Redis a dead node's pushes in hand are taken over
 * by another node (or by the node itself once it is back).
 */
import { StoreError, StoreErrorCode } from '../store/errors.js';
import type { QueueConsumer, QueueItem, Store } from '../store/types.js';
import type { WdpDatagram } from '../wdp/datagram.js';
import type { Backoff } from '../wdp/smpp/backoff.js';
import { ComesRoundAgain, Forwarder, FORWARD_TIMEOUT_MS, leftInHand } from './forwarder.js';
import type { HttpEventSource, PushEvent } from './pushEvent.js';
import type { Registration } from './registration.js';

/** What the queues need of the Push Client: rebuild an event, hand it over, report. */
export interface QueueHost {
  /** The push an item holds, read again; throws when it is not one (then reported as a handler error). */
  eventOf(datagram: WdpDatagram): PushEvent;
  /** The same for an OTA-HTTP push. */
  httpEventOf(source: HttpEventSource): PushEvent;
  handOver(event: PushEvent, r: Registration): void | Promise<void>;
  delivered(r: Registration): void;
  error(r: Registration, event: PushEvent | undefined, error: unknown): void;
  timeout(r: Registration, event: PushEvent): void;
  /** An item handed out again (its consumer died or timed out): a handler may have seen it before. */
  claimed(r: Registration, queue: string, event: PushEvent, deliveries: number): void;
  storeError(error: unknown): void;
  /**
   * Whether a registration on any node reads the queue of application `recordId` now, or is
   * about to (drain): one of this node, being added or held included, one another node holds
   * as this node follows it, or any record of the application in the store as read now.
   */
  readBy(recordId: string): Promise<boolean>;
  /**
   * A push drained from a withdrawn registration's queue that no registration takes, or one
   * that could not be given back to its queue (`error` says why): without its event, it does
   * not read (its datagram then, when it is one).
   */
  unrouted(push: { event?: PushEvent; datagram?: WdpDatagram; error?: unknown }): void;
  /**
   * A push drained from a withdrawn registration's queue that was put, at the same routing, in
   * the queue of an application read now: that one takes it (or took it), so it is no
   * unrouted push but the withdrawn duplicate's copy.
   */
  withdrawnDuplicate(event: PushEvent): void;
  /**
   * Whether a node of the version before reads the queue stored under application id `id`: a
   * record stored under it of a live node other than this one (as read now), or one this
   * node's follower follows still (it has not yet seen it go).
   */
  storedUnder(id: string): Promise<boolean>;
  /**
   * Routes a push again, as one arriving now; resolves once it is in each queue that takes it.
   * Rejects as a store does (STORE_UNAVAILABLE), or with PushDeferred (`overflow: 'redeliver'`,
   * a queue full: counted `deferred` already). `took`: as ForwarderHost.redispatch.
   */
  redispatch(event: PushEvent, took: Set<string>): Promise<void>;
}

/**
 * A forwarder's waits (forward) after a failed read of the record table or a push not stored
 * again, unless given: `storeRetry`'s default.
 */
const DEFAULT_FORWARD_RETRY: Backoff = Object.freeze({ initialMs: 1_000, maxMs: 60_000 });

/**
 * How long a withdrawn registration's queue is drained beyond two of the store's polls
 * (registrationPollMs), counted from the write that took its record out: a margin for a push
 * another node routed to it just before it saw the record go, still being stored.
 */
export const WITHDRAWN_DRAIN_MS = 5_000;

/**
 * The queue of an application: one name for it on every node (Registration.recordId); a
 * followed one's is the name its record is stored under (Registration.queueId), the queue its
 * holder reads whatever version that holder runs.
 */
export function queueName(r: Registration): string {
  return `app:${r.queueId ?? r.recordId}`;
}

/** Attribute names of a queued push (the WDP datagram's addressing). */
const ATTR = Object.freeze({
  originator: 'o',
  recipient: 'r',
  sourcePort: 'sp',
  destinationPort: 'dp',
  segments: 'n',
  /** 'h' for an OTA-HTTP push; absent for a WDP datagram. */
  kind: 'k',
  /** The other applications (Registration.recordId, a JSON array) the push was queued for at the same routing. */
  with: 'w',
  contentType: 'ct',
  parameters: 'cp',
  applicationId: 'a',
  port: 'p',
  path: 'pa',
  headers: 'h',
  rawHeaders: 'rh',
} as const);

const HTTP_KIND = 'h';

function httpAttributes(s: HttpEventSource): Record<string, string> {
  const a: Record<string, string> = {
    [ATTR.kind]: HTTP_KIND,
    [ATTR.originator]: s.originator,
    [ATTR.contentType]: s.contentType,
    [ATTR.parameters]: JSON.stringify(s.http.contentTypeParameters),
    [ATTR.applicationId]: JSON.stringify(s.applicationId),
    [ATTR.path]: s.http.path,
    [ATTR.headers]: JSON.stringify(s.http.headers),
    [ATTR.rawHeaders]: Buffer.from(s.http.rawHeaders).toString('base64'),
  };
  if (s.port !== undefined) a[ATTR.port] = String(s.port);
  return a;
}

/** An OTA-HTTP push read back from its item; the JSON attributes are what httpAttributes wrote. */
function httpSourceOf(item: QueueItem): HttpEventSource {
  const a = item.attributes;
  const json = <T>(v: string | undefined, fallback: T): T => (v === undefined ? fallback : (JSON.parse(v) as T));
  return {
    content: item.data,
    contentType: a[ATTR.contentType] ?? '',
    applicationId: json<string | number>(a[ATTR.applicationId], ''),
    port: a[ATTR.port] === undefined ? undefined : Number(a[ATTR.port]),
    originator: a[ATTR.originator] ?? '',
    http: {
      headers: json(a[ATTR.headers], []),
      rawHeaders: Buffer.from(a[ATTR.rawHeaders] ?? '', 'base64'),
      contentTypeParameters: json(a[ATTR.parameters], {}),
      path: a[ATTR.path] ?? '/',
    },
  };
}

function attributesOf(d: WdpDatagram): Record<string, string> {
  const a: Record<string, string> = {
    [ATTR.originator]: d.originator,
    [ATTR.recipient]: d.recipient,
    [ATTR.segments]: String(d.segments),
  };
  if (d.sourcePort !== undefined) a[ATTR.sourcePort] = String(d.sourcePort);
  if (d.destinationPort !== undefined) a[ATTR.destinationPort] = String(d.destinationPort);
  return a;
}

function datagramOf(item: QueueItem): WdpDatagram {
  const a = item.attributes;
  const d: WdpDatagram = {
    originator: a[ATTR.originator] ?? '',
    recipient: a[ATTR.recipient] ?? '',
    segments: Number(a[ATTR.segments] ?? 1),
    payload: item.data,
  };
  if (a[ATTR.sourcePort] !== undefined) d.sourcePort = Number(a[ATTR.sourcePort]);
  if (a[ATTR.destinationPort] !== undefined) d.destinationPort = Number(a[ATTR.destinationPort]);
  return d;
}

/** The push an item holds, read again by the host; throws when it is not one. */
function eventOfItem(host: QueueHost, item: QueueItem): PushEvent {
  return item.attributes[ATTR.kind] === HTTP_KIND
    ? host.httpEventOf(httpSourceOf(item))
    : host.eventOf(datagramOf(item));
}

/** Reports a push no registration takes (`error`: why it could not be kept): its event, or what it is when it does not read. */
function reportItem(host: QueueHost, item: QueueItem, error?: unknown): void {
  let event: PushEvent;
  try {
    event = eventOfItem(host, item);
  } catch (unread) {
    const datagram = item.attributes[ATTR.kind] === HTTP_KIND ? undefined : datagramOf(item);
    host.unrouted({ datagram, error: error ?? unread });
    return;
  }
  host.unrouted({ event, error });
}

interface Hosted {
  registration: Registration | undefined;
  consumer?: QueueConsumer;
  /** Draining a withdrawn registration's queue (drain): the application's id, and the window's end. */
  drain?: { application: string; timer: NodeJS.Timeout };
}

export class StoreQueues {
  private readonly hosted = new Map<string, Hosted>();
  /** Queues of the version before forwarded here (forward), by their old id. */
  private readonly forwarders = new Map<string, Forwarder>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly host: QueueHost,
    private readonly handlerTimeoutMs: number,
    private readonly forwarding: { recheckMs?: number; retry?: Backoff } = {},
  ) {}

  /**
   * Puts the push in the application's queue; resolves once it is stored. `others` are the
   * registrations it is queued for besides `r` (the drain tells a duplicate's copy by them).
   */
  enqueue(r: Registration, event: PushEvent, others: readonly Registration[] = []): Promise<string> {
    const also = others.length === 0 ? undefined : JSON.stringify(others.map((o) => o.recordId));
    const d = event.datagram;
    if (d !== undefined) {
      const attributes = attributesOf(d);
      if (also !== undefined) attributes[ATTR.with] = also;
      return this.store.queues.enqueue(queueName(r), { data: d.payload, attributes });
    }
    const http = event.httpSource;
    if (http === undefined)
      return Promise.reject(new StoreError(StoreErrorCode.BAD_INPUT, 'a push without its datagram or request'));
    const source: HttpEventSource = {
      content: event.content,
      contentType: event.contentType,
      applicationId: event.applicationId,
      port: event.port,
      originator: event.originator,
      http,
    };
    const attributes = httpAttributes(source);
    if (also !== undefined) attributes[ATTR.with] = also;
    return this.store.queues.enqueue(queueName(r), { data: event.content, attributes });
  }

  /**
   * The version before named every unnamed application of an App ID by one id (`old`,
   * recordId.ts unnamedRecordIdBefore), and its nodes still put their pushes for such an
   * application in that queue, which no registration of this version reads; what was queued
   * there before an upgrade waits there too. This node forwards it (forwarder.ts) from now until
   * it closes: while no live node of the version before holds a record stored under that id, it
   * takes its pushes and routes each again as one arriving now. Called again (another unnamed
   * application of the App ID starting here), a forwarder waiting asks again at once.
   */
  forward(old: string): void {
    const known = this.forwarders.get(old);
    if (known !== undefined) return known.nudge();
    if (this.closed || this.hosted.has(`app:${old}`)) return;
    const host = this.host;
    const forwarder = new Forwarder(
      this.store,
      {
        storedUnder: (id) => host.storedUnder(id),
        redispatch: (event, took) => host.redispatch(event, took),
        read: (item) => eventOfItem(host, item),
        report: (item, error) => reportItem(host, item, error),
        storeError: (error) => host.storeError(error),
      },
      old,
      {
        timeoutMs: FORWARD_TIMEOUT_MS,
        recheckMs: this.forwarding.recheckMs ?? this.store.pollMs,
        retry: this.forwarding.retry ?? DEFAULT_FORWARD_RETRY,
      },
    );
    this.forwarders.set(old, forwarder);
  }

  /** Whether a withdrawn registration's queue is being drained here (drain) now. */
  draining(r: Registration): boolean {
    return this.hosted.get(queueName(r))?.drain !== undefined;
  }

  /** This node takes `r`'s pushes from its queue from now on (an application re-registering keeps the consumer). */
  start(r: Registration): void {
    if (this.closed || r.remote) return;
    const name = queueName(r);
    const known = this.hosted.get(name);
    if (known !== undefined) {
      // A drain of the queue turns into this registration's consumer: what it takes is r's.
      this.endDrain(known);
      known.registration = r;
      // A drain still asking whether to start has no consumer yet.
      if (known.consumer === undefined) this.consume(name, known);
      return;
    }
    this.consume(name, { registration: r });
  }

  /**
   * `r` was stored, then withdrew (a duplicate on another node stayed), and its record is out of
   * the store now. Other nodes, following the record until then, may have put pushes in its
   * queue, each answered ESME_ROK; its application may never register again, and the queue
   * would keep them unseen. The queue is an application's, though, not this registration's: so
   * it is drained for `ms` only while no registration on any node reads it (QueueHost.readBy,
   * asked before the drain starts and again for each push taken). Each push it takes is
   * reported unrouted; once a reader appears, the push in hand goes back in the queue for it
   * and the drain ends. Should the application register on this node meanwhile, it takes them.
   */
  drain(r: Registration, ms: number): void {
    const name = queueName(r);
    const known = this.hosted.get(name);
    if (this.closed || (known !== undefined && (known.registration !== undefined || known.drain !== undefined))) return;
    // A consumer of the application still stopping (stop, a turn later) is taken over: its
    // queue is drained as well as another's would be.
    const entry: Hosted = known ?? { registration: undefined };
    // Held from now, so a registration of this node starting meanwhile takes the entry over.
    this.hosted.set(name, entry);
    const timer = setTimeout(() => this.stopDraining(name, entry), ms);
    timer.unref();
    entry.drain = { application: r.recordId, timer };
    void this.host.readBy(r.recordId).then(
      (read) => {
        if (entry.drain === undefined || this.hosted.get(name) !== entry) return;
        if (read) this.stopDraining(name, entry);
        else if (entry.consumer === undefined) this.consume(name, entry);
      },
      (error: unknown) => {
        this.host.storeError(error);
        this.stopDraining(name, entry);
      },
    );
  }

  private endDrain(entry: Hosted): void {
    if (entry.drain === undefined) return;
    clearTimeout(entry.drain.timer);
    entry.drain = undefined;
  }

  /** The drain is over (its window ended, or a reader appeared): the entry and its consumer go, unless a registration took them. */
  private stopDraining(name: string, entry: Hosted): void {
    if (entry.drain === undefined) return;
    this.endDrain(entry);
    if (entry.registration !== undefined || this.hosted.get(name) !== entry) return;
    this.hosted.delete(name);
    void entry.consumer?.stop();
  }

  /** What a draining consumer does with a push: reports it, or gives it back when the queue has a reader. */
  private async drained(name: string, entry: Hosted): Promise<'report' | 'back' | 'take'> {
    const drain = entry.drain;
    if (drain === undefined) return 'back';
    let read: boolean;
    try {
      read = await this.host.readBy(drain.application);
    } catch (error) {
      // Not known whether it has a reader: it goes back, and the drain ends.
      this.host.storeError(error);
      read = true;
    }
    // A registration of this node took the queue during the read: the push is its.
    if (entry.registration !== undefined) return 'take';
    if (!read && entry.drain === drain && !this.closed) return 'report';
    this.stopDraining(name, entry);
    return 'back';
  }

  /** Whether a push was queued, at the same routing, for another application read now (its `with`). */
  private async queuedElsewhere(item: QueueItem): Promise<boolean> {
    const also = item.attributes[ATTR.with];
    if (also === undefined) return false;
    let ids: unknown;
    try {
      ids = JSON.parse(also);
    } catch {
      return false;
    }
    if (!Array.isArray(ids)) return false;
    for (const id of ids) {
      if (typeof id !== 'string') continue;
      // Not known whether it is read: the push is reported, on the side of its being seen.
      if (await this.host.readBy(id).catch(() => false)) return true;
    }
    return false;
  }

  private consume(name: string, entry: Hosted): void {
    this.hosted.set(name, entry);
    const events = new WeakMap<QueueItem, PushEvent>();
    const read = (item: QueueItem): PushEvent => eventOfItem(this.host, item);
    const report = (item: QueueItem, error?: unknown) => reportItem(this.host, item, error);
    // The item goes back in its queue (then this one is acknowledged). Should the queue be
    // full (the item in hand counting), it is reported, not acknowledged unseen; should the
    // store be away, it is left in hand, unacknowledged, and comes round again.
    const back = (item: QueueItem) =>
      this.store.queues.enqueue(name, { data: item.data, attributes: item.attributes }).then(
        () => {},
        (error: unknown) => {
          if (error instanceof StoreError && error.code === StoreErrorCode.QUEUE_FULL) return report(item, error);
          this.host.storeError(error);
          throw new ComesRoundAgain('not given back', { cause: error });
        },
      );
    const deliver = (item: QueueItem) => {
      const to = entry.registration;
      // Deregistered between the take and now: the push goes back in the queue (then this
      // one is acknowledged) for the next node that hosts the application.
      if (to === undefined) return back(item);
      const event = read(item);
      events.set(item, event);
      if (item.deliveries > 1) this.host.claimed(to, name, event, item.deliveries);
      return this.host.handOver(event, to);
    };
    const drainOne = async (item: QueueItem) => {
      const next = await this.drained(name, entry);
      if (next === 'take') return deliver(item);
      if (next === 'back') return back(item);
      // No registration to report a handler error against: what does not read is unrouted too.
      let event: PushEvent;
      try {
        event = read(item);
      } catch {
        return report(item);
      }
      if (await this.queuedElsewhere(item)) return this.host.withdrawnDuplicate(event);
      return this.host.unrouted({ event });
    };
    const consumer = this.store.queues.consume(
      name,
      (item) => (entry.registration === undefined && entry.drain !== undefined ? drainOne(item) : deliver(item)),
      { handlerTimeoutMs: this.handlerTimeoutMs, unacknowledged: leftInHand },
    );
    // A consumer retries every blockMs while the store is away: its failure is reported once
    // (the store's own 'unavailable' says the rest), again only after it worked in between.
    let failing = false;
    consumer.on('delivered', () => {
      failing = false;
      if (entry.registration) this.host.delivered(entry.registration);
    });
    consumer.on('handler-error', (item, error) => {
      if (entry.registration) this.host.error(entry.registration, events.get(item), error);
    });
    consumer.on('timeout', (item) => {
      const event = events.get(item);
      if (entry.registration && event) this.host.timeout(entry.registration, event);
    });
    consumer.on('store-error', (e) => {
      if (!failing) this.host.storeError(e);
      failing = true;
    });
    entry.consumer = consumer;
  }

  /**
   * `r` no longer takes pushes here. The consumer stops a turn later, unless the application
   * registered again meanwhile (a replacement is stopped, then started): what is queued waits
   * in the store for the next node that hosts the application.
   */
  stop(r: Registration): void {
    const name = queueName(r);
    const entry = this.hosted.get(name);
    if (entry === undefined || entry.registration !== r) return;
    entry.registration = undefined;
    setImmediate(() => {
      // Registered again, or drained now (drain took the entry over): the consumer stays.
      if (entry.registration !== undefined || entry.drain !== undefined || this.hosted.get(name) !== entry) return;
      this.hosted.delete(name);
      void entry.consumer?.stop();
    });
  }

  /** Stops every consumer; resolves once the pushes in hand have settled and been acknowledged. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.hosted.values()];
    for (const e of all) this.endDrain(e);
    this.hosted.clear();
    const forwarders = [...this.forwarders.values()];
    this.forwarders.clear();
    await Promise.all([...all.map((e) => e.consumer?.stop()), ...forwarders.map((f) => f.close())]);
  }
}
