/**
 * PushClient: the Push Client of OMA-TS-PushCAI-V1_1 over this package's bearers. Applications
 * register (5.1) and deregister (5.2) through it, and it delivers Push events (5.3) from the
 * SMPP link (OTA-WSP over SMS) and from OTA-HTTP receivers to them through a routing table
 * keyed by Push Application ID and port.
 *
 * Delivery never waits for applications: a push is routed and queued for each application it
 * goes to, then the bearer acknowledges it. Each application has its own bounded queue.
 * Nothing is dropped silently: a push no registration takes is an 'unrouted' event (and goes
 * to the fallback handler), one a whitelist refuses is a 'refused' event, one a full queue
 * cannot take is an 'overflow' event, and each has its counter in `stats`.
 */
import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';
import { DecodeError } from '../codec/errors.js';
import type { BodySecrets } from '../codec/body.js';
import { resolveLimits, type Limits } from '../codec/limits.js';
import { applicationIds, DEFAULT_APPLICATION_ID } from '../codec/wsp/applicationIds.js';
import { decodePushRouting } from '../codec/wsp/pushPdu.js';
import type { WdpDatagram } from '../wdp/datagram.js';
import { WDP_PORT_PUSH } from '../wdp/segmenter.js';
import { EsmeLink, type EsmeLinkOptions, type SmscUrl } from '../wdp/smpp/link.js';
import { applicationKey, type ApplicationKey } from './applicationId.js';
import { CpiSet, type Cpi } from './cpi.js';
import { DeliveryQueue } from './delivery.js';
import { HttpPushReceiver, sendCpi, type HttpPush } from './otaHttp.js';
import { PROTOCOLS } from './protocols.js';
import { PushEvent } from './pushEvent.js';
import { Registration, type BoundProfile } from './registration.js';
import { routeOf, RoutingTable } from './routingTable.js';
import { RegistrationStore } from './store.js';
import type {
  DeregistrationResponse,
  RegistrationCompletion,
  RegistrationPolicy,
  RegistrationRejected,
  RegistrationRequest,
  RegistrationResponse,
  WhitelistEntry,
} from './types.js';
import { validateRequest, type Availability } from './validate.js';
import { normalizeAddress, Whitelist } from './whitelist.js';

export interface PushClientOptions {
  /** SMSC to bind to as receiver (smpp://ID:PASSWORD@HOST:PORT); the client owns that link. */
  smsc?: string | SmscUrl;
  /** Or a link made elsewhere; the client takes over its datagrams but does not start or close it. */
  link?: EsmeLink;
  /** Options for the link the client makes from `smsc`. */
  linkOptions?: Omit<EsmeLinkOptions, 'smsc' | 'onDatagram'>;
  /** The client's default whitelist: with entries, only these addresses (plus each application's own) may push. */
  whitelist?: WhitelistEntry[];
  /** PushCAI 6: a registration policy; without one every application is trusted. */
  policy?: RegistrationPolicy;
  /** File that keeps registrations across restarts (written atomically). */
  store?: string;
  /** Receives every push no registration takes (also emitted as 'unrouted'). */
  fallback?: (unrouted: UnroutedPush) => void;
  /** Pushes queued per application before overflow is reported. Default 1,000. */
  maxQueuedPerApplication?: number;
  /**
   * What a push does when an application it goes to has a full queue. 'report' (default): the
   * others get it, the full one is an 'overflow' event. 'redeliver': nobody gets it yet and the
   * bearer is told to send it again later (SMPP ESME_RX_T_APPN, HTTP 503), a 'deferred' event:
   * nothing is lost under overload, at the price of the sender's retries.
   */
  overflow?: 'report' | 'redeliver';
  /** A handler's promise not settled after this long is reported and its queue moves on. Default 30,000 ms. */
  handlerTimeoutMs?: number;
  /** How long a registration waits for the SMPP link to be bound. Default 10,000 ms. */
  bindTimeoutMs?: number;
  /** Timeout of requests to Push Servers (CPI, Push Service Registration). Default 5,000 ms. */
  serverTimeoutMs?: number;
  /** OTA-HTTP receivers: host they listen on (default 127.0.0.1); false turns OTA-HTTP off. */
  otaHttp?: false | { host?: string };
  /** Sent to Push Servers as X-Wap-Terminal-Id. */
  terminalId?: string;
  limits?: Partial<Limits>;
  /** Secrets body decoding checks with: provisioning PIN / IMSI (SEC/MAC), SyncML notification password. */
  secrets?: BodySecrets;
}

/** Thrown to the bearer when a push must be sent again later (overflow: 'redeliver'). */
export class PushDeferred extends Error {
  override readonly name = 'PushDeferred';
}

export type UnroutedReason =
  'no-registration' | 'content-type' | 'whitelist' | 'contact-point' | 'no-handler' | 'undecodable';

export interface UnroutedPush {
  reason: UnroutedReason;
  /** The push, when it could be read as one. */
  event?: PushEvent;
  datagram?: WdpDatagram;
  error?: unknown;
}

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
  /** Handler calls that completed. */
  delivered: number;
  handlerErrors: number;
  handlerTimeouts: number;
}

interface HttpBinding {
  receiver: HttpPushReceiver;
  refs: number;
  ready: Promise<number>;
}

export class PushClient extends EventEmitter {
  readonly link: EsmeLink | undefined;
  readonly stats: PushClientStats = {
    received: 0,
    routed: 0,
    unrouted: 0,
    undecodable: 0,
    refused: 0,
    overflowed: 0,
    deferred: 0,
    delivered: 0,
    handlerErrors: 0,
    handlerTimeouts: 0,
  };
  private readonly ownsLink: boolean;
  private readonly registry = new Map<number, Registration>();
  private readonly routes = new RoutingTable();
  private readonly whitelistTable = new Whitelist();
  private readonly cpiSet = new CpiSet();
  private readonly http = new Map<number, HttpBinding>();
  private readonly store: RegistrationStore | undefined;
  private readonly limits: Partial<Limits> | undefined;
  private readonly settings: Required<
    Pick<PushClientOptions, 'maxQueuedPerApplication' | 'handlerTimeoutMs' | 'bindTimeoutMs' | 'serverTimeoutMs'>
  >;
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: PushClientOptions = {}) {
    super();
    this.settings = {
      maxQueuedPerApplication: positiveBound(options.maxQueuedPerApplication ?? 1_000, 'maxQueuedPerApplication'),
      handlerTimeoutMs: positiveBound(options.handlerTimeoutMs ?? 30_000, 'handlerTimeoutMs', MAX_TIMER_MS),
      bindTimeoutMs: positiveBound(options.bindTimeoutMs ?? 10_000, 'bindTimeoutMs', MAX_TIMER_MS),
      serverTimeoutMs: positiveBound(options.serverTimeoutMs ?? 5_000, 'serverTimeoutMs', MAX_TIMER_MS),
    };
    if (options.link && options.smsc) throw new TypeError('give smsc or link, not both');
    this.ownsLink = !options.link && options.smsc !== undefined;
    this.link =
      options.link ??
      (options.smsc !== undefined ? new EsmeLink({ ...options.linkOptions, smsc: options.smsc }) : undefined);
    if (this.link) this.link.onDatagram = (d) => this.deliverDatagram(d);
    if (options.whitelist) this.whitelistTable.addDefault(options.whitelist);
    this.store = options.store ? new RegistrationStore(options.store) : undefined;
    this.limits = options.limits;
    resolveLimits(options.limits);
  }

  /** Binds the link it owns, then restores stored registrations (they deliver as 'push' events until re-registered). */
  async start(): Promise<void> {
    if (this.ownsLink) await this.link!.start();
    if (!this.store) return;
    for (const request of await this.store.load()) {
      const r = await this.register(request);
      if (r.status === 'rejected') {
        this.emit('restore-failed', { request, response: r });
        continue;
      }
      r.registration.restored = true;
      const done = await r.completed;
      if (done.status === 'failure') this.emit('restore-failed', { request, response: done });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ownsLink) await this.link!.close();
    await Promise.all([...this.http.values()].map((b) => b.receiver.close()));
    this.http.clear();
  }

  /** PushCAI 5.1 Application Registration. */
  async register(request: RegistrationRequest): Promise<RegistrationResponse> {
    const checked = validateRequest(request, this.availability());
    if ('status' in checked) return this.rejected(request, checked);
    if (this.options.policy) {
      let verdict: boolean | string | void;
      try {
        verdict = await this.options.policy(request);
      } catch (e) {
        verdict = `policy failed: ${(e as Error).message}`;
      }
      if (verdict === false || typeof verdict === 'string') {
        return this.rejected(request, {
          status: 'rejected',
          reason: 'policy',
          message: typeof verdict === 'string' ? verdict : 'refused by the registration policy',
        });
      }
    }
    const r = new Registration(++this.nextId, request, checked.profiles, normalizeAddress);
    let replaces: Registration | undefined;
    for (const other of this.registry.values()) {
      if (other.key !== r.key) continue;
      if (other.sameApplicationAs(r)) replaces = other;
      else if (!uniqueBinding(other, r)) {
        return this.rejected(request, {
          status: 'rejected',
          reason: 'duplicate-application-id',
          option: 'pushApplicationId',
          message: `${String(r.pushApplicationId)} is already registered (registration ${other.id}${other.applicationId ? `, ${other.applicationId}` : ''}) on the same binding`,
        });
      }
    }
    r.queue = new DeliveryQueue(
      (e) => this.handOver(e, r),
      this.settings.maxQueuedPerApplication,
      this.settings.handlerTimeoutMs,
      {
        delivered: () => {
          r.stats.delivered++;
          this.stats.delivered++;
        },
        error: (event, error) => {
          r.stats.handlerErrors++;
          this.stats.handlerErrors++;
          this.emit('handler-error', { registration: r, event, error });
        },
        timeout: (event) => {
          r.stats.handlerTimeouts++;
          this.stats.handlerTimeouts++;
          this.emit('handler-timeout', { registration: r, event });
        },
      },
    );
    this.registry.set(r.id, r);
    this.whitelistTable.add(r.id, r.whitelist);
    this.cpiSet.add(r);
    const completed = this.bind(r).then(async (result): Promise<RegistrationCompletion> => {
      if (r.state === 'deregistered') {
        // Deregistered while binding: give back what the binding took.
        for (const port of r.httpPorts) this.releaseHttp(port);
        r.httpPorts = [];
        result = {
          status: 'failure',
          reason: 'deregistered',
          message: 'the application deregistered before binding completed',
        };
      } else if (result.status === 'failure') {
        this.undo(r);
        r.state = 'failed';
      } else {
        if (replaces && this.registry.has(replaces.id)) this.drop(replaces);
        r.state = 'active';
        this.routes.add(r);
        await this.persist();
      }
      this.emit('registration', { registration: r, result });
      return result;
    });
    return { status: 'accepted', registration: r, completed };
  }

  /**
   * PushCAI 5.2 Application Deregistration, by the registration object or by Push Application
   * ID (with the application's name when several applications share the App ID).
   */
  async deregister(target: Registration | string | number, applicationId?: string): Promise<DeregistrationResponse> {
    let r: Registration | undefined;
    if (target instanceof Registration) r = this.registry.get(target.id) === target ? target : undefined;
    else {
      let key: ApplicationKey;
      try {
        key = applicationKey(target);
      } catch {
        key = String(target);
      }
      const matches = [...this.registry.values()].filter(
        (x) => x.key === key && (applicationId === undefined || x.applicationId === applicationId),
      );
      if (matches.length > 1)
        return {
          status: 'rejected',
          reason: 'ambiguous',
          message: `${matches.length} applications are registered for ${String(target)}: deregister by registration or name the applicationId`,
        };
      r = matches[0];
    }
    if (!r || r.state === 'deregistered' || r.state === 'failed') {
      return {
        status: 'rejected',
        reason: 'not-registered',
        message: `${target instanceof Registration ? `registration ${target.id}` : String(target)} is not registered`,
      };
    }
    // Tell the Push Servers first: if that fails nothing changes here and the application may retry.
    const after = this.cpiSet.without(r);
    if (after.headers['X-Wap-CPITag'] !== this.cpiSet.snapshot().headers['X-Wap-CPITag']) {
      for (const point of serverContactPoints(r)) {
        const sent = await sendCpi(point, after, {
          terminalId: this.options.terminalId,
          timeoutMs: this.settings.serverTimeoutMs,
        });
        if (!sent.ok) return { status: 'failure', reason: sent.reason, message: sent.message };
      }
    }
    if (this.registry.get(r.id) !== r)
      return { status: 'rejected', reason: 'not-registered', message: `registration ${r.id} is not registered` };
    this.drop(r);
    await this.persist();
    this.emit('deregistration', { registration: r });
    return { status: 'success' };
  }

  /** The terminal's current CPI: App IDs and MIME types of every registration, and their headers. */
  cpi(): Cpi {
    return this.cpiSet.snapshot();
  }

  registrations(): Registration[] {
    return [...this.registry.values()];
  }

  whitelist(): ReturnType<Whitelist['entries']> {
    return this.whitelistTable.entries();
  }

  /** The port an OTA-HTTP receiver listens on, for a profile that asked for `requestedPort` (0: ephemeral). */
  httpPort(requestedPort: number): number | undefined {
    return this.http.get(requestedPort)?.receiver.port;
  }

  /** Routes one WDP datagram (what the SMPP link hands up); returns once it is queued or reported. */
  deliverDatagram(d: WdpDatagram): void {
    this.stats.received++;
    let routing;
    try {
      routing = decodePushRouting(d.payload, { limits: this.limits });
    } catch (error) {
      this.stats.undecodable++;
      this.unrouted({ reason: 'undecodable', datagram: d, error });
      return;
    }
    const event = new PushEvent({
      protocol: 'OTA-WSP',
      content: routing.body,
      contentType: routing.contentType,
      applicationId: routing.applicationId,
      port: d.destinationPort,
      originator: d.originator,
      recipient: d.recipient,
      transactionId: routing.transactionId,
      pduType: routing.pduType,
      datagram: d,
      limits: this.limits,
      secrets: this.options.secrets,
    });
    // No port addressing: the SMS is taken as sent to the WAP push port.
    this.dispatch(event, d.destinationPort ?? WDP_PORT_PUSH);
  }

  private deliverHttp(push: HttpPush, requestedPort: number): void {
    this.stats.received++;
    let applicationId: string | number = DEFAULT_APPLICATION_ID;
    if (push.applicationId !== undefined) {
      const v = push.applicationId.trim();
      applicationId = /^(?:0x[0-9a-f]+|\d+)$/i.test(v) ? (applicationIds.name(Number(v)) ?? Number(v)) : v;
    }
    const event = new PushEvent({
      protocol: 'OTA-HTTP',
      content: push.content,
      contentType: push.contentType,
      applicationId,
      port: push.port,
      originator: push.remoteAddress,
      recipient: '',
      limits: this.limits,
      secrets: this.options.secrets,
      http: { headers: push.headers, contentTypeParameters: push.contentTypeParameters, path: push.path },
    });
    this.dispatch(event, routeOf('OTA-HTTP', requestedPort));
  }

  private dispatch(event: PushEvent, route: number): void {
    const candidates = this.routes.lookup(applicationKey(event.applicationId), route);
    if (!candidates) {
      this.unrouted({ reason: 'no-registration', event, datagram: event.datagram });
      return;
    }
    if (this.options.overflow === 'redeliver' && this.anyFull(event, candidates)) {
      this.stats.deferred++;
      this.emit('deferred', { event });
      throw new PushDeferred(
        `an application's queue is full: ${String(event.applicationId)} is sent back for redelivery`,
      );
    }
    let taken = 0;
    let reason: UnroutedReason = 'content-type';
    for (const r of candidates) {
      const why = this.refusal(r, event);
      if (why === 'content-type') continue;
      if (why) {
        this.refuse(r, event, (reason = why));
        continue;
      }
      taken++;
      if (!r.queue.push(event)) {
        r.stats.overflowed++;
        this.stats.overflowed++;
        this.emit('overflow', { registration: r, event });
      }
    }
    if (taken === 0) this.unrouted({ reason, event, datagram: event.datagram });
    else this.stats.routed++;
  }

  /** Why `r` does not take `event` (its accept list, contact point, whitelist), or undefined when it does. */
  private refusal(r: Registration, event: PushEvent): 'content-type' | 'contact-point' | 'whitelist' | undefined {
    if (!r.acceptsType(event.contentType)) return 'content-type';
    if (!r.acceptsContactPoint(event.originator)) return 'contact-point';
    if (!this.whitelistTable.allows(r.id, r.hasWhitelist, event.originator)) return 'whitelist';
    return undefined;
  }

  /** Whether a registration this push would go to has no room for it. */
  private anyFull(event: PushEvent, candidates: readonly Registration[]): boolean {
    for (const r of candidates) if (r.queue.full && this.refusal(r, event) === undefined) return true;
    return false;
  }

  private handOver(event: PushEvent, r: Registration): void | Promise<void> {
    if (r.handler) return r.handler(event, r);
    if (!this.emit('push', event, r)) this.unrouted({ reason: 'no-handler', event, datagram: event.datagram });
  }

  private refuse(r: Registration, event: PushEvent, reason: 'whitelist' | 'contact-point'): void {
    r.stats.refused++;
    this.stats.refused++;
    this.emit('refused', { registration: r, event, reason });
  }

  private unrouted(u: UnroutedPush): void {
    this.stats.unrouted++;
    this.emit('unrouted', u);
    if (this.options.fallback) {
      try {
        this.options.fallback(u);
      } catch (error) {
        this.emit('handler-error', { registration: undefined, event: u.event, error });
      }
    }
  }

  private rejected(request: RegistrationRequest, response: RegistrationRejected): RegistrationRejected {
    this.emit('registration-rejected', { request, response });
    return response;
  }

  private availability(): Availability {
    const protocols = new Set<string>();
    if (this.link) protocols.add('OTA-WSP');
    if (this.options.otaHttp !== false) protocols.add('OTA-HTTP');
    const defaultProfile: BoundProfile | undefined = this.link
      ? {
          protocol: 'OTA-WSP',
          bearerType: PROTOCOLS['OTA-WSP'].defaultBearer!,
          port: PROTOCOLS['OTA-WSP'].defaultPort!,
        }
      : undefined;
    return { protocols, defaultProfile };
  }

  /** Binding after acceptance (PushCAI 5.1): the bearer, then the Push Server where there is one. */
  private async bind(r: Registration): Promise<RegistrationCompletion> {
    const acquired: number[] = [];
    const fail = (reason: string, message: string): RegistrationCompletion => {
      for (const port of acquired) this.releaseHttp(port);
      acquired.length = 0;
      r.httpPorts = [];
      return { status: 'failure', reason, message };
    };
    if (r.profiles.some((p) => p.protocol === 'OTA-WSP')) {
      const bound = await this.linkBound();
      if (!bound)
        return fail('bearer-unavailable', `the SMPP link is not bound (waited ${this.settings.bindTimeoutMs} ms)`);
    }
    for (const p of r.profiles) {
      if (p.protocol !== 'OTA-HTTP' || acquired.includes(p.port)) continue;
      try {
        await this.acquireHttp(p.port);
        acquired.push(p.port);
      } catch (e) {
        return fail('bind-failed', `OTA-HTTP receiver on port ${p.port}: ${(e as Error).message}`);
      }
    }
    r.httpPorts = acquired;
    for (const point of serverContactPoints(r)) {
      const sent = await sendCpi(point, this.cpiSet.snapshot(), {
        terminalId: this.options.terminalId,
        timeoutMs: this.settings.serverTimeoutMs,
      });
      if (!sent.ok)
        return fail(
          point === r.pushServiceRegistrationUri ? 'push-service-registration-failed' : sent.reason,
          sent.message,
        );
    }
    if (this.closed) return fail('closed', 'the client was closed');
    return { status: 'success' };
  }

  private linkBound(): Promise<boolean> {
    const link = this.link;
    if (!link) return Promise.resolve(false);
    if (link.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        link.off('bound', onBound);
        resolve(false);
      }, this.settings.bindTimeoutMs);
      const onBound = () => {
        clearTimeout(timer);
        resolve(true);
      };
      link.once('bound', onBound);
    });
  }

  private acquireHttp(port: number): Promise<number> {
    let b = this.http.get(port);
    if (!b) {
      const receiver = new HttpPushReceiver({
        host: (this.options.otaHttp || {}).host ?? '127.0.0.1',
        port,
        maxContentOctets: resolveLimits(this.limits).maxDocumentSize,
        cpi: () => this.cpiSet.snapshot(),
        onPush: (push) => this.deliverHttp(push, port),
        isDeferral: (e) => e instanceof PushDeferred,
        onMalformed: (m) => {
          this.stats.received++;
          this.stats.undecodable++;
          this.unrouted({
            reason: 'undecodable',
            error: new DecodeError('BAD_VALUE', 0, `OTA-HTTP push from ${m.remoteAddress}: ${m.message}`),
          });
        },
      });
      b = { receiver, refs: 0, ready: receiver.listen() };
      this.http.set(port, b);
      b.ready.catch(() => this.http.delete(port));
    }
    b.refs++;
    return b.ready.catch((e) => {
      b!.refs--;
      throw e;
    });
  }

  private releaseHttp(port: number): void {
    const b = this.http.get(port);
    if (!b || --b.refs > 0) return;
    this.http.delete(port);
    void b.receiver.close();
  }

  /** Takes a registration out everywhere: routes, whitelist entries it alone owned, CPI, bearers. */
  private drop(r: Registration): void {
    this.routes.remove(r);
    this.undo(r);
    r.state = 'deregistered';
  }

  private undo(r: Registration): void {
    if (this.registry.get(r.id) !== r) return;
    this.registry.delete(r.id);
    this.whitelistTable.remove(r.id);
    this.cpiSet.remove(r);
    for (const port of r.httpPorts) this.releaseHttp(port);
    r.httpPorts = [];
  }

  private async persist(): Promise<void> {
    if (!this.store) return;
    const active = [...this.registry.values()].filter((r) => r.state === 'active').map((r) => r.request);
    try {
      await this.store.save(active as RegistrationRequest[]);
    } catch (error) {
      this.emit('store-error', error);
    }
  }
}

/** PushCAI 5.1: a second registration of an App ID is allowed on its own port or its own Push Service Registration address. */
function uniqueBinding(a: Registration, b: Registration): boolean {
  if (
    a.pushServiceRegistrationUri &&
    b.pushServiceRegistrationUri &&
    a.pushServiceRegistrationUri !== b.pushServiceRegistrationUri
  )
    return true;
  return !a.routes.some((route) => b.routes.includes(route));
}

/** Push Servers a registration registers with: OTA-HTTP contact points and its Push Service Registration URI. */
function serverContactPoints(r: Registration): string[] {
  const points = r.profiles.filter((p) => p.protocol === 'OTA-HTTP' && p.contactPoint).map((p) => p.contactPoint!);
  if (r.pushServiceRegistrationUri) points.push(r.pushServiceRegistrationUri);
  return [...new Set(points)];
}
