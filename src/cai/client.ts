/**
 * PushClient: the Push Client of OMA-TS-PushCAI-V1_1 over this package's bearers, the one
 * object applications use. Applications register (5.1) and deregister (5.2) through it, and it
 * delivers Push events (5.3) from the SMPP link (OTA-WSP over SMS) and from OTA-HTTP receivers.
 *
 * It wires four parts, each in its own file: the registration lifecycle (registrar.ts),
 * dispatch to per-application queues (dispatcher.ts), the pool of OTA-HTTP receivers
 * (httpPool.ts) and the SMPP link it owns or borrows (smppBearer.ts). Its events are typed
 * (events.ts).
 */
import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';
import type { BodySecrets } from '../codec/body.js';
import { DecodeError } from '../codec/errors.js';
import { resolveLimits, type Limits } from '../codec/limits.js';
import type { WdpDatagram } from '../wdp/datagram.js';
import { checkBackoff, type Backoff } from '../wdp/smpp/backoff.js';
import type { EsmeLink, EsmeLinkOptions, SmscUrl } from '../wdp/smpp/link.js';
import type { Cpi } from './cpi.js';
import { Dispatcher, PushDeferred, type PushClientStats } from './dispatcher.js';
import type { PushClientEvents, UnroutedPush } from './events.js';
import { HttpReceiverPool } from './httpPool.js';
import type { TlsServerSettings } from '../security/tlsOptions.js';
import type { OtaHttpLimits, OtaHttpStats } from './otaHttpBudget.js';
import type { Registration, RegistrationResponse } from './registration.js';
import { RoutingTable } from './routingTable.js';
import { DUPLICATE_SETTLE_MS, Registrar } from './registrar.js';
import { SmppBearer } from './smppBearer.js';
import type { Store, StoredRecord } from '../store/types.js';
import { StoreError, StoreErrorCode } from '../store/errors.js';
import { unnamedRecordIdBefore } from './recordId.js';
import { parseRecordId, recordApplication, RegistrationStore, StoredRegistrations } from './store.js';
import { RegistrationFollower } from './follower.js';
import { StoreQueues, WITHDRAWN_DRAIN_MS } from './storeQueues.js';
import type {
  DeregistrationOptions,
  DeregistrationResponse,
  RegistrationPolicy,
  RegistrationRequest,
  RegistrationView,
  WhitelistEntry,
} from './types.js';
import { Whitelist } from './whitelist.js';

export { PushDeferred, type PushClientStats } from './dispatcher.js';
export type { PushClientEvents, UnroutedPush, UnroutedReason } from './events.js';

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
  /**
   * Keeps registrations across restarts: a file (written atomically), or a state-layer Store
   * (docs/state.md), whose record table holds them and which the client's own link then also
   * keeps its concatenated segments in (unless linkOptions.store names another). With a Store,
   * OTA-WSP pushes go through per-application queues on it (answered to the SMSC once queued
   * there), and registrations other nodes sharing it make are followed: routed here to their
   * queues, and part of the CPI. On Redis, stored registrations are followed, not restored as
   * this node's: an application registers on the node where its handler runs.
   */
  store?: string | Store;
  /** With a Store: an old registrations file, read when the store holds none yet. */
  legacyRegistrations?: string;
  /**
   * Backoff between restores of a stored registration that failed for a passing reason (its
   * OTA-HTTP port busy, its Push Server unreachable). Default 1,000 ms doubling to 60,000 ms.
   */
  restoreRetry?: Backoff;
  /**
   * Backoff between sends of a CPI change a Push Server did not take (a replaced or forced-out
   * registration, one undone after it was announced). Default 1,000 ms doubling to 60,000 ms.
   */
  pushServerRetry?: Backoff;
  /**
   * Backoff between writes of the store that undo a change already written to it (a registration
   * withdrawn as a duplicate another node holds; one whose deregistration failed at a Push
   * Server, put back), after such a write failed. Default 1,000 ms doubling to 60,000 ms.
   */
  storeRetry?: Backoff;
  /**
   * With a store other nodes share: how long a registration racing a duplicate on another node,
   * whose application id sorts first, waits for that node to withdraw it (docs/pushcai.md,
   * "Duplicates across nodes"). Default DUPLICATE_SETTLE_MS (1,000 ms).
   */
  duplicateSettleMs?: number;
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
  /**
   * How long a registration waits for the SMPP link to bind. Default: no limit - it stays
   * pending until the link binds, and fails at once, naming why, if the link's bind is refused
   * or the client closes.
   */
  bindTimeoutMs?: number;
  /** Timeout of requests to Push Servers (CPI, Push Service Registration). Default 5,000 ms. */
  serverTimeoutMs?: number;
  /**
   * OTA-HTTP receivers: the host they listen on (default 127.0.0.1) and the bounds over all
   * their requests together (DEFAULT_OTA_HTTP_LIMITS); false turns OTA-HTTP off.
   */
  otaHttp?: false | ({ host?: string; tls?: TlsServerSettings } & Partial<OtaHttpLimits>);
  /** Sent to Push Servers as X-Wap-Terminal-Id. */
  terminalId?: string;
  limits?: Partial<Limits>;
  /** Secrets body decoding checks with: provisioning PIN / IMSI (SEC/MAC), SyncML notification password. */
  secrets?: BodySecrets;
  /** Counts what the client and its link do (a Metrics of src/ops; docs/operations.md). */
  metrics?: { observe(client: PushClient): void };
}

export class PushClient extends EventEmitter<PushClientEvents> {
  readonly link: EsmeLink | undefined;
  readonly stats: PushClientStats;
  private readonly bearer: SmppBearer;
  private readonly http: HttpReceiverPool | undefined;
  private readonly whitelistTable = new Whitelist();
  private readonly dispatcher: Dispatcher;
  private readonly registrar: Registrar;
  private readonly follower: RegistrationFollower | undefined;
  private readonly queues: StoreQueues | undefined;

  constructor(options: PushClientOptions = {}) {
    super();
    const maxQueuedPerApplication = positiveBound(options.maxQueuedPerApplication ?? 1_000, 'maxQueuedPerApplication');
    const handlerTimeoutMs = positiveBound(options.handlerTimeoutMs ?? 30_000, 'handlerTimeoutMs', MAX_TIMER_MS);
    const bindTimeoutMs =
      options.bindTimeoutMs === undefined
        ? undefined
        : positiveBound(options.bindTimeoutMs, 'bindTimeoutMs', MAX_TIMER_MS);
    const serverTimeoutMs = positiveBound(options.serverTimeoutMs ?? 5_000, 'serverTimeoutMs', MAX_TIMER_MS);
    const limits = resolveLimits(options.limits);
    const storeRetry = checkBackoff(options.storeRetry ?? { initialMs: 1_000, maxMs: 60_000 }, 'storeRetry');
    if (options.whitelist) this.whitelistTable.addDefault(options.whitelist);
    const routes = new RoutingTable<Registration>();
    /** This node's registrations taking pushes now: a followed one of the same application gives way to them. */
    const routedHere = new Set<Registration>();
    this.dispatcher = new Dispatcher(this, routes, this.whitelistTable, {
      overflow: options.overflow ?? 'report',
      fallback: options.fallback,
      maxQueuedPerApplication,
      handlerTimeoutMs,
      limits,
      secrets: options.secrets,
    });
    this.stats = this.dispatcher.stats;
    const state = typeof options.store === 'object' ? options.store : undefined;
    if (state) {
      const dispatcher = this.dispatcher;
      this.queues = new StoreQueues(
        state,
        {
          eventOf: (d) => dispatcher.eventOf(d),
          httpEventOf: (s) => dispatcher.httpEventOf(s),
          handOver: (event, r) => dispatcher.handOver(event, r),
          delivered: (r) => {
            r.stats.delivered++;
            this.stats.delivered++;
          },
          error: (r, event, error) => {
            r.stats.handlerErrors++;
            this.stats.handlerErrors++;
            this.emit('handler-error', { registration: r, event, error });
          },
          timeout: (r, event) => {
            r.stats.handlerTimeouts++;
            this.stats.handlerTimeouts++;
            this.emit('handler-timeout', { registration: r, event });
          },
          claimed: (registration, queue, event, deliveries) =>
            this.emit('queue-claimed', { registration, queue, event, deliveries }),
          storeError: (error) => this.emit('store-error', error),
          unrouted: (push) => dispatcher.orphaned(push),
          withdrawnDuplicate: (event) => dispatcher.withdrawnDuplicate(event),
          redispatch: (event, took) => dispatcher.redispatch(event, took),
          storedUnder: async (id) => {
            // A holder this node routes to still: should its record have gone (or its node
            // died) before the follower saw it, a push routed again would go back in this very
            // queue. It is waited out, until the follower's next read.
            if ((this.follower?.holders() ?? []).some((r) => r.queueId === id)) return true;
            // This node's own records in the old form are its restored registrations, which read
            // this version's queues and are rewritten under their new ids with the next save:
            // they hold nothing of the old queue, so they do not stop its forwarding. Nor does a
            // record of a dead node (or one naming none), as the follower lets it lapse; should
            // its node come back, its record stops the forwarding again.
            const nodes = new Set<string>();
            for (const record of await state.registrations.list()) {
              const { application, node } = parseRecordId(record.id);
              if (application === id && node !== undefined && node !== state.nodeId) nodes.add(node);
            }
            return nodes.size > 0 && (await state.liveNodes([...nodes])).size > 0;
          },
          readBy: async (id) => {
            const here = () =>
              this.registrar.holds(id) || (this.follower?.holders() ?? []).some((r) => r.recordId === id);
            if (here()) return true;
            // Any record of the application, of a live node or not: one that lapsed may be
            // written again (follower.ts reassert), and a push given back costs only its order.
            const records = await state.registrations.list();
            const follower = this.follower;
            const applicationOf = (record: StoredRecord) =>
              follower ? follower.applicationOfRecord(record) : recordApplication(record);
            return here() || records.some((record) => applicationOf(record) === id);
          },
        },
        handlerTimeoutMs,
        // A holder of an old queue's death is seen at the follower's pace; a failed read of the
        // table is tried again as a failed write of it is.
        { recheckMs: state.pollMs, retry: storeRetry },
      );
      dispatcher.queues = this.queues;
    }
    const bearerOptions =
      state && options.smsc !== undefined && options.linkOptions?.store === undefined
        ? { ...options, linkOptions: { ...options.linkOptions, store: state } }
        : options;
    this.bearer = new SmppBearer(bearerOptions, (d) => this.dispatcher.deliverDatagram(d));
    this.link = this.bearer.link;
    if (options.otaHttp !== false) {
      const { host, tls, ...httpLimits } = options.otaHttp ?? {};
      this.http = new HttpReceiverPool({
        host: host ?? '127.0.0.1',
        tls,
        limits: httpLimits,
        maxContentOctets: limits.maxDocumentSize,
        cpi: (requestedPort) => this.registrar.cpiForHttpPort(requestedPort),
        onPush: (push, requestedPort) => this.dispatcher.deliverHttp(push, requestedPort),
        // A push its store could not take is sent again later, as one a full queue sends back.
        isDeferral: (e) =>
          e instanceof PushDeferred || (e instanceof StoreError && e.code !== StoreErrorCode.BAD_INPUT),
        isTooLarge: (e) => e instanceof StoreError && e.code === StoreErrorCode.BAD_INPUT,
        onMalformed: (m) =>
          this.dispatcher.malformed(
            new DecodeError('BAD_VALUE', 0, `OTA-HTTP push from ${m.remoteAddress}: ${m.message}`),
          ),
      });
    }
    this.registrar = new Registrar(this, {
      policy: options.policy,
      store: state
        ? new StoredRegistrations(state.registrations, state.nodeId, options.legacyRegistrations)
        : typeof options.store === 'string'
          ? new RegistrationStore(options.store)
          : undefined,
      terminalId: options.terminalId,
      bindTimeoutMs,
      serverTimeoutMs,
      bearer: this.bearer,
      http: this.http,
      routes,
      whitelist: this.whitelistTable,
      makeQueue: (r) => this.dispatcher.queueFor(r),
      restoreRetry: checkBackoff(options.restoreRetry ?? { initialMs: 1_000, maxMs: 60_000 }, 'restoreRetry'),
      pushServerRetry: checkBackoff(options.pushServerRetry ?? { initialMs: 1_000, maxMs: 60_000 }, 'pushServerRetry'),
      storeRetry,
      duplicateSettleMs: positiveBound(
        options.duplicateSettleMs ?? DUPLICATE_SETTLE_MS,
        'duplicateSettleMs',
        MAX_TIMER_MS,
      ),
      restoreStored: state?.backend !== 'redis',
      onRouted: (r) => {
        routedHere.add(r);
        this.follower?.shadow(r);
        this.queues?.start(r);
        // What nodes of the version before queue for an unnamed application (docs/pushcai.md, upgrading).
        if (r.applicationId === undefined) this.queues?.forward(unnamedRecordIdBefore(r.request.pushApplicationId));
        void this.follower?.sync();
      },
      onUnrouted: (r) => {
        routedHere.delete(r);
        this.queues?.stop(r);
        void this.follower?.sync();
      },
      // From its record's removal: every node sees it gone within about two polls (at once, by the watch).
      onWithdrawn: state ? (r) => this.queues?.drain(r, 2 * state.pollMs + WITHDRAWN_DRAIN_MS) : undefined,
      remote: () => this.follower?.holders() ?? [],
      // Only Redis is shared by nodes that admit registrations apart; on lmdb and memory this
      // process restores and holds every registration, and admission saw them all.
      remoteAfterWrite:
        state?.backend === 'redis'
          ? async () => {
              await this.follower?.sync();
              return this.follower?.holders() ?? [];
            }
          : undefined,
    });
    if (state)
      this.follower = new RegistrationFollower(this, {
        store: state,
        collect: state.backend === 'redis',
        routes,
        cpi: this.registrar.cpiSet,
        whitelist: this.whitelistTable,
        local: () => routedHere,
        makeQueue: (r) => this.dispatcher.queueFor(r),
        reassert: () => this.registrar.resave(),
        lapsed: (r) => this.registrar.remoteLapsed(r),
      });
    options.metrics?.observe(this);
  }

  /**
   * Restores the stored registrations, then binds the link it owns, so pushes that waited at
   * the SMSC find their registrations; resolves once each restore has completed. Restored
   * registrations deliver as 'push' events until their applications register again; one that
   * fails to restore stays stored ('restore-failed', heldRegistrations()).
   */
  async start(): Promise<void> {
    const restoring = await this.registrar.restore();
    // Before the link binds, so pushes for applications registered on other nodes find them.
    await this.follower?.start();
    await this.bearer.start();
    await restoring.settled;
  }

  async close(): Promise<void> {
    this.registrar.close();
    this.follower?.close();
    await this.bearer.close();
    await this.queues?.close();
    await this.http?.close();
  }

  /** PushCAI 5.1 Application Registration. */
  register(request: RegistrationRequest): Promise<RegistrationResponse> {
    return this.registrar.register(request);
  }

  /**
   * PushCAI 5.2 Application Deregistration, by the registration object or by Push Application
   * ID (with the application's name when several applications share the App ID: the second
   * argument, or its `applicationId`). With `force`, a Push Server that cannot be told now does
   * not keep the application registered: see DeregistrationOptions.
   */
  deregister(
    target: RegistrationView | string | number,
    options?: string | DeregistrationOptions,
  ): Promise<DeregistrationResponse> {
    return this.registrar.deregister(target, typeof options === 'string' ? { applicationId: options } : options);
  }

  /** The terminal's current CPI: App IDs and MIME types of every registration, and their headers. */
  cpi(): Cpi {
    return this.registrar.cpi();
  }

  registrations(): Registration[] {
    return this.registrar.registrations();
  }

  /** Registrations made on other nodes sharing the store, followed here (`remote`: true). */
  followedRegistrations(): Registration[] {
    return this.follower?.registrations() ?? [];
  }

  /** Push Servers with a change of their CPI not yet delivered; each is retried in the background. */
  pendingPushServers(): string[] {
    return this.registrar.pendingPushServers();
  }

  /** Stored registrations not in effect now: a restore that failed (retried) or was refused (kept). */
  heldRegistrations(): ReturnType<Registrar['heldRegistrations']> {
    return this.registrar.heldRegistrations();
  }

  whitelist(): ReturnType<Whitelist['entries']> {
    return this.whitelistTable.entries();
  }

  /** The port an OTA-HTTP receiver listens on, for a profile that asked for `requestedPort` (0: ephemeral). */
  httpPort(requestedPort: number): number | undefined {
    return this.http?.port(requestedPort);
  }

  /** What the OTA-HTTP receivers hold and have refused, over all of them; undefined with OTA-HTTP off. */
  otaHttpStats(): Readonly<OtaHttpStats> | undefined {
    return this.http?.stats;
  }

  /**
   * Routes one WDP datagram (what the SMPP link hands up); returns once it is queued or
   * reported. With a Store it is queued there in the background; a failure is a 'store-error'
   * (the link's own path waits for the queue and answers the SMSC accordingly).
   */
  deliverDatagram(d: WdpDatagram): void {
    this.dispatcher.deliverDatagram(d)?.catch(() => {});
  }
}
