/**
 * The Push Proxy Gateway: PAP 2.0 over HTTP at POST /wappush in, SMS over one SMPP
 * transceiver out, SMSC delivery receipts back into PAP message states, and result
 * notifications to the initiator. A push is answered 1001 only once it is stored.
 */
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../bounds.js';
import { fromHex, toHex } from '../codec/hex.js';
import { MemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import { ReferenceAllocator } from '../wdp/segmenter.js';
import { parseSmscUrl, type SmscUrl } from '../wdp/smpp/link.js';
import { parseClientAddress, type ClientAddress } from './address.js';
import { FINAL_STATES, MessageState, PapCode, PapError } from './codes.js';
import { buildPushPdu } from './content.js';
import { admit, type PushInitiator } from './initiators.js';
import { checkConnectionLimits, clientAddress, ConnectionLimiter } from '../security/connectionLimiter.js';
import { GuessThrottle, type ThrottleEvent, type ThrottleLimits } from '../security/throttle.js';
import type { TlsServerSettings } from '../security/tlsOptions.js';
import { createWebServer, type WebServer } from '../security/webServer.js';
import { postPap } from './notify.js';
import type { CancelMessage, CcqMessage, PushMessage, StatusQueryMessage } from './pap.js';
import {
  ownerOf,
  pushKey,
  PushRecords,
  type ForeignReceipt,
  type PushRecord,
  type RecipientRecord,
} from './pushRecord.js';
import { DEFAULT_STATUS_WRITE_MS, DEFAULT_STORE_RETRY_MS, PushWrites } from './pushWrites.js';
import { SmppMessageState, STAT_WORD_OF, type DeliveryReceipt } from './receipt.js';
import { parsePapRequest, type PapRequest } from './request.js';
import { Retention, type RemovalReason, type RetentionBounds } from './retention.js';
import {
  badMessageResponse,
  cancelResponse,
  ccqResponse,
  PAP_CONTENT_TYPE,
  pushResponse,
  resultNotification,
  statusQueryResponse,
  type AddressResult,
  type ProgressNote,
} from './responses.js';
import { DEFAULT_MAX_SEGMENTS, segmentsNeeded } from './segments.js';
import { PpgTransceiver, SubmitRefused, type TransceiverOptions } from './transceiver.js';
import {
  DEFAULT_TAKEOVER_MS,
  FOREIGN_RECEIPT_KEEP_MS,
  leaseKey,
  mayTake,
  otherOwners,
  TAKEOVER_LEASE_MS,
  unfinished,
} from './takeover.js';

export interface PpgOptions extends RetentionBounds {
  smsc: string | SmscUrl;
  /** The SMPP session's timers: bind, response, reconnect backoff, enquire_link (transceiver.ts). */
  smscSession?: TransceiverOptions;
  /**
   * start() with the SMSC not there (or not answering): false (default) rejects; true listens
   * anyway, not bound (readiness false), and binds with the reconnect backoff once the SMSC
   * answers. A refused bind rejects either way.
   */
  connectRetry?: boolean;
  /** HTTP port; 0 (default) for an ephemeral one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where pushes and outcomes are kept. Default: a MemoryStore of its own. */
  store?: Store;
  /** Push initiators; none (default): anyone may push, without credentials. */
  initiators?: readonly PushInitiator[];
  /** Most SMS one push may take; more is refused (3003). Default 10. */
  maxSegments?: number;
  /** Octets of a request body. Default 131,072. */
  maxBodyOctets?: number;
  /** Octets of a request's HTTP header block. Default 8,192. */
  maxHeaderOctets?: number;
  /** Time for a whole request to arrive, ms. Default 10,000. */
  requestTimeoutMs?: number;
  /** Ask the SMSC for delivery receipts (registered_delivery 1). Default true. */
  receipts?: boolean;
  /** 8 (default) or 16-bit concatenation references. */
  referenceBits?: 8 | 16;
  /** SMPP source_addr. Default empty. */
  from?: string;
  /** How far ahead a deliver-after-timestamp may be, ms. Default 7 days. */
  maxDeferMs?: number;
  /** submit attempts per recipient before it is undeliverable. Default 3. */
  submitAttempts?: number;
  /** Result notification: time per POST and attempts. Defaults 5,000 ms and 3. */
  notifyTimeoutMs?: number;
  notifyAttempts?: number;
  /** sender-name in responses. Default "wappush". */
  senderName?: string;
  /**
   * A submitted push with no final receipt for this long is given up on: state `timeout`.
   * Default 172,800,000 ms (48 h, a common SMSC validity period).
   */
  receiptTimeoutMs?: number;
  /** Serve PAP over HTTPS with this certificate and key (docs/security.md). Default: plain HTTP. */
  tls?: TlsServerSettings;
  /** Connections open at once, in total and from one client address. Defaults 256 and 32. */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** Failed HTTP Basic logins throttled per client address, then answered 429 (docs/security.md). */
  throttle?: Partial<ThrottleLimits>;
  /** Counts what the gateway does (a Metrics of src/ops; docs/operations.md). */
  metrics?: { observe(gateway: Ppg): void };
  /**
   * Longest a push's status change waits to be written, ms: message_ids after the submit and
   * the notified mark wait this long (a receipt's change within it makes one write of both);
   * a final state rides in the next write of any push, or waits this long when none comes.
   * What an initiator is told is written before it is told all the same (pushWrites.ts,
   * docs/ppg.md). Default 100; 0 writes each change in the next turn.
   */
  statusWriteMs?: number;
  /**
   * Wait before the retry timer writes push records whose write failed again, ms; doubled after
   * each timer retry that fails, up to 30 s (or this, when longer), and back to this once a
   * record whose write had failed is stored. No retry while the store is unavailable; its
   * return retries at once (pushWrites.ts, docs/ppg.md). Default 1000.
   */
  storeRetryMs?: number;
  /**
   * How often the PPG looks in a shared store for pushes of a PPG that died (its node's liveness
   * lapsed: nodeTtlMs on Redis) and takes them up, and hands receipts that came over its bind for
   * another PPG's SMS to that PPG (takeover.ts, docs/ppg.md "Several PPGs on one store"), ms.
   * Each look lists the push table once. Default 10,000 on a Redis store; 0 (never: one PPG per
   * store) on the others.
   */
  takeoverMs?: number;
}

export interface PpgEvents {
  /** A recipient of a push reached a final state. */
  outcome: [
    {
      initiator: string;
      pushId: string;
      address: string;
      state: MessageState;
      code: PapCode;
      sourceReference?: string;
    },
  ];
  /** A result notification was answered 2xx (`ok`) or given up on. */
  notified: [{ pushId: string; address: string; ok: boolean; error?: string }];
  /** The state store failed a write. */
  'store-error': [unknown];
  /**
   * Pushes taken up from the store at a look or at start (each counted by the owner it was
   * taken from: a dead node's id, or '' for none: let go, or an earlier version's).
   */
  'taken-up': [{ pushes: number; from: Record<string, number>; atStart: boolean }];
  /** Failed logins from an address were answered late, or the address was refused (429). */
  throttled: [ThrottleEvent];
  /** A connection over a connection cap, closed at once. */
  connectionRefused: [{ address: string }];
  /** A finished push's record left the store: older than retentionMs, or over maxRecords. */
  removed: [{ initiator: string; pushId: string; reason: RemovalReason }];
  /** An HTTP answer went out: its status and the first PAP code it carries (metrics count them). */
  'pap-response': [{ status: number; code: number | undefined }];
  /** A recipient reached a final state `seconds` after its push was accepted (metrics time it). */
  settled: [{ state: MessageState; seconds: number }];
  /** The SMSC session: bound (again), lost, a connect or bind that failed, a dead link dropped. */
  'smsc-bound': [];
  'smsc-disconnected': [];
  'smsc-error': [Error];
  'smsc-dead-link': [{ unansweredMs: number }];
}

/** Receipts for message_ids not yet known (the receipt overtook the submit_sm_resp), kept briefly. */
const MAX_EARLY_RECEIPTS = 10_000;
/**
 * A receipt for a message_id this PPG does not know is held this long for its submit_sm_resp
 * before it is passed to the other PPGs on the store (passReceipts).
 */
const EARLY_HOLD_MS = 2_000;
/**
 * Receipts one look writes into the push table at most (passReceipts); the rest wait in `early`
 * for the next look, so one look's writes stay bounded.
 */
export const MAX_RECEIPTS_PASSED_PER_LOOK = 1_000;
/**
 * `@receipt:` rows the push table holds at most (all PPGs together, as the look counts them):
 * they count against its hard record cap, so past this a PPG writes none and holds its
 * receipts in `early` (MAX_EARLY_RECEIPTS, oldest dropped first).
 */
export const MAX_RECEIPT_ROWS = 10_000;

export class Ppg extends EventEmitter<PpgEvents> {
  private readonly server: WebServer;
  /** Failed HTTP Basic logins per client address. */
  readonly throttle: GuessThrottle;
  readonly connections: ConnectionLimiter;
  private readonly transceiver: PpgTransceiver;
  private readonly store: Store;
  private readonly ownStore: boolean;
  private readonly records: PushRecords;
  /** Live records by store key; the store holds them too. */
  private readonly live = new Map<string, PushRecord>();
  private readonly reserved = new Set<string>();
  /** message_id -> its push key and recipient index. */
  private readonly bySms = new Map<string, { key: string; recipient: number }>();
  private readonly early = new Map<string, { receipt: DeliveryReceipt; at: number }>();
  /** The periodic look for dead PPGs' pushes and foreign receipts (takeUp). */
  private takeoverTimer: NodeJS.Timeout | undefined;
  private looking: Promise<void> | undefined;
  /** takeoverMs: how often to look for dead PPGs' pushes; 0: never (at start only). */
  private readonly takeoverEvery: number;
  /**
   * Whether other PPGs may share the store (Redis, or a takeoverMs given): owners, liveness and
   * leases are then checked, whatever takeoverMs is (0 only stops the periodic look).
   */
  private readonly shared: boolean;
  /** The SMSC account (system_id) of this PPG's bind: its receipts passed on are marked with it. */
  private readonly account: string;
  private readonly writes: PushWrites;
  /** Decoded PDU of each push in memory (the record keeps it as hex). */
  private readonly pdus = new WeakMap<PushRecord, Uint8Array>();
  /** Pushes accepted and not yet handed to the submit path (started together, next turn). */
  private toSubmit: PushRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly notifying = new Set<Promise<void>>();
  /** Notifications on their way, by push: the push stays in memory till the last one ends. */
  private readonly notifyRuns = new Map<PushRecord, number>();
  /** Waits that close() cuts short. */
  private readonly wakeups = new Set<() => void>();
  private listeningPort = 0;
  /** Recipients final but not notified when the store was read at start. */
  private readonly recovered: Array<[PushRecord, number]> = [];
  private readonly references = new ReferenceAllocator();
  /** Submissions waiting for the SMSC link to be bound again. */
  private waiting: Array<() => void> = [];
  private readonly o: Required<
    Omit<
      PpgOptions,
      | 'store'
      | 'smsc'
      | 'smscSession'
      | 'connectRetry'
      | 'initiators'
      | 'from'
      | 'tls'
      | 'throttle'
      | 'maxConnections'
      | 'maxConnectionsPerAddress'
      | 'retentionMs'
      | 'maxRecords'
      | 'metrics'
      | 'statusWriteMs'
      | 'storeRetryMs'
      | 'takeoverMs'
    >
  > &
    PpgOptions;
  private readonly retention: Retention;
  /** Who each finished push in `retention` is, by store key (to name it in a `removed` event). */
  private readonly finishedNames = new Map<string, { initiator: string; pushId: string }>();
  private closed = false;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: PpgOptions) {
    super();
    this.o = {
      ...options,
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      maxSegments: positiveBound(options.maxSegments ?? DEFAULT_MAX_SEGMENTS, 'maxSegments', 255),
      maxBodyOctets: positiveBound(options.maxBodyOctets ?? 131_072, 'maxBodyOctets'),
      maxHeaderOctets: positiveBound(options.maxHeaderOctets ?? 8_192, 'maxHeaderOctets'),
      requestTimeoutMs: positiveBound(options.requestTimeoutMs ?? 10_000, 'requestTimeoutMs', MAX_TIMER_MS),
      receipts: options.receipts ?? true,
      referenceBits: options.referenceBits ?? 8,
      maxDeferMs: positiveBound(options.maxDeferMs ?? 7 * 86_400_000, 'maxDeferMs'),
      submitAttempts: positiveBound(options.submitAttempts ?? 3, 'submitAttempts', 100),
      notifyTimeoutMs: positiveBound(options.notifyTimeoutMs ?? 5_000, 'notifyTimeoutMs', MAX_TIMER_MS),
      notifyAttempts: positiveBound(options.notifyAttempts ?? 3, 'notifyAttempts', 100),
      senderName: options.senderName ?? 'wappush',
      receiptTimeoutMs: positiveBound(options.receiptTimeoutMs ?? 172_800_000, 'receiptTimeoutMs'),
    };
    this.ownStore = options.store === undefined;
    this.store = options.store ?? new MemoryStore();
    this.takeoverEvery = nonNegativeBound(
      options.takeoverMs ?? (this.store.backend === 'redis' ? DEFAULT_TAKEOVER_MS : 0),
      'takeoverMs',
      MAX_TIMER_MS,
    );
    this.shared = this.store.backend === 'redis' || this.takeoverEvery > 0;
    this.records = new PushRecords(this.store.pushes);
    this.retention = new Retention(options);
    this.writes = new PushWrites(
      this.records,
      nonNegativeBound(options.statusWriteMs ?? DEFAULT_STATUS_WRITE_MS, 'statusWriteMs', MAX_TIMER_MS),
      (e) => this.emit('store-error', e),
      (record) => this.finished(record, Date.now()),
      positiveBound(options.storeRetryMs ?? DEFAULT_STORE_RETRY_MS, 'storeRetryMs', MAX_TIMER_MS),
      this.store,
    );
    this.transceiver = new PpgTransceiver(options.smsc, options.smscSession);
    this.account = (typeof options.smsc === 'string' ? parseSmscUrl(options.smsc) : options.smsc).systemId;
    this.transceiver.on('receipt', (r) => this.onReceipt(r));
    this.transceiver.on('bound', () => this.emit('smsc-bound'));
    this.transceiver.on('disconnected', () => this.emit('smsc-disconnected'));
    this.transceiver.on('connection-error', (e) => this.emit('smsc-error', e));
    this.transceiver.on('dead-link', (d) => this.emit('smsc-dead-link', d));
    this.transceiver.on('bound', () => {
      const go = this.waiting;
      this.waiting = [];
      for (const f of go) f();
    });
    this.throttle = new GuessThrottle(options.throttle);
    this.throttle.on('throttled', (e) => this.emit('throttled', e));
    this.connections = new ConnectionLimiter(
      checkConnectionLimits({
        maxConnections: options.maxConnections ?? 256,
        maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 32,
      }),
    );
    this.server = createWebServer(
      options.tls,
      {
        maxHeaderSize: this.o.maxHeaderOctets,
        // Also the TLS handshake's bound when serving HTTPS (webServer.ts).
        headersTimeout: Math.min(this.o.requestTimeoutMs, 60_000),
        // Node looks for timed-out requests this often (30 s by default): a slow request is cut
        // within requestTimeoutMs plus this.
        connectionsCheckingInterval: Math.min(1_000, this.o.requestTimeoutMs),
      },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => {
          if (!res.headersSent) this.send(res, 500, badMessageResponse(PapCode.INTERNAL_SERVER_ERROR, String(e)));
        });
      },
    );
    this.server.requestTimeout = this.o.requestTimeoutMs;
    this.server.headersTimeout = Math.min(this.o.requestTimeoutMs, 60_000);
    this.connections.guard(this.server, (address) => this.emit('connectionRefused', { address }));
    options.metrics?.observe(this);
  }

  /**
   * Binds to the SMSC (or, with connectRetry, goes on binding in the background), takes up what
   * the store holds, then listens; resolves with the HTTP port.
   */
  async start(): Promise<number> {
    // At start a PPG takes up its own node's unfinished pushes (a restart): with another live
    // instance of its nodeId on the store, those are that instance's, and would go out twice.
    if (this.shared && this.store.nodeWasLive === true)
      throw new Error(
        `node ${this.store.nodeId} is live in the store already: another process uses this nodeId, ` +
          'or one stopped without closing less than nodeTtlMs ago; give each process its own nodeId, or wait',
      );
    await this.transceiver.start({ retry: this.o.connectRetry === true });
    await this.recover();
    if (this.takeoverEvery > 0 && !this.closed) {
      this.takeoverTimer = setInterval(() => this.lookAgain(), this.takeoverEvery);
      this.takeoverTimer.unref();
    }
    // Only pushes in progress are looked at, so a sweep costs what is in memory anyway.
    this.sweepTimer = setInterval(
      () => this.sweep(),
      Math.min(60_000, this.o.receiptTimeoutMs, this.retention.retentionMs),
    );
    this.sweepTimer.unref();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => resolve());
    });
    this.listeningPort = (this.server.address() as AddressInfo).port;
    // Notifications left over from before the restart name this PPG's address: only now known.
    for (const [record, i] of this.recovered.splice(0)) this.notifyThenRelease(record, i);
    // Receipts that came over the bind before the pushes taken up at start were held: settled
    // once start() has returned, so the caller tells that it listens before any outcome.
    setImmediate(() => {
      if (!this.closed) for (const record of [...this.live.values()]) this.earlyFor(record);
    });
    return this.port;
  }

  /** Pushes with a recipient not yet final or not yet notified (the ones held in memory). */
  get inProgress(): number {
    return this.live.size;
  }

  /** Finished push records removed so far, by reason (retention.ts). */
  get removedRecords(): Readonly<Record<RemovalReason, number>> {
    return { ...this.retention.removed };
  }

  /** Bound to the SMSC now (readiness). */
  get bound(): boolean {
    return this.transceiver.bound;
  }

  /** The state store writes (readiness). */
  get storeAvailable(): boolean {
    return this.store.available;
  }

  /** The HTTP port, once listening (kept after close, for notifications still on their way). */
  get port(): number {
    return this.listeningPort;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.takeoverTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Notifications on their way finish and are stored as sent: a retry waiting wakes and
    // stops, a POST on its way ends within notifyTimeoutMs.
    for (const wake of this.wakeups) wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.notifying]),
      new Promise((resolve) => (timer = setTimeout(resolve, this.o.notifyTimeoutMs + 1_000))),
    ]);
    clearTimeout(timer);
    // The SMSC link first: a receipt or submit_sm_resp coming while it closes is still
    // written, and what comes after writes.close() is written at once, before the store closes.
    await this.transceiver.close();
    await this.looking;
    // What this PPG held and did not finish is let go: no one's, so a PPG still live on the
    // store takes it up at its next look rather than after this node's liveness lapses.
    if (this.shared)
      for (const record of this.live.values())
        if (ownerOf(record) === this.store.nodeId) {
          record.owner = '';
          this.writes.later(record, true);
        }
    await this.writes.close();
    if (this.ownStore) await this.store.close();
  }

  // ---- HTTP ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/wappush')
      return this.send(res, 404, badMessageResponse(PapCode.BAD_REQUEST, `no PAP service at ${path}`));
    if (req.method !== 'POST')
      return this.send(res, 405, badMessageResponse(PapCode.BAD_REQUEST, 'PAP requests are POSTed'), { allow: 'POST' });
    // An address that failed too often is refused before its credentials are looked at.
    const address = clientAddress(req.socket);
    const gate = this.throttle.gate(address);
    if (gate.refused) {
      req.resume();
      const retryAfter = String(Math.ceil(gate.retryAfterMs / 1000));
      const why = 'too many failed logins from this address';
      return this.send(res, 429, badMessageResponse(PapCode.FORBIDDEN, why), { 'retry-after': retryAfter });
    }
    const who = admit(this.o.initiators ?? [], req.headers.authorization, req.socket.remoteAddress);
    if (!who.ok) {
      req.resume();
      // Wrong credentials (not missing ones: a client first asks without) count as a guess.
      if (who.status === 401 && req.headers.authorization !== undefined) {
        const delay = this.throttle.failed(address);
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
      const extra: Record<string, string> =
        who.status === 401 ? { 'www-authenticate': 'Basic realm="wappush ppg"' } : {};
      return this.send(res, who.status, badMessageResponse(PapCode.FORBIDDEN, who.reason), extra);
    }
    const body = await readBody(req, this.o.maxBodyOctets);
    if (body === undefined)
      return this.send(
        res,
        413,
        badMessageResponse(PapCode.BAD_REQUEST, `the request body exceeds ${this.o.maxBodyOctets} octets`),
        { connection: 'close' },
      );
    let request: PapRequest;
    try {
      request = parsePapRequest(req.headers['content-type'], body);
    } catch (e) {
      if (!(e instanceof PapError)) throw e;
      return this.send(
        res,
        400,
        badMessageResponse(e.code, e.message, Buffer.from(body.subarray(0, 256)).toString('utf8')),
      );
    }
    const m = request.message;
    if (m.kind === 'push-message') {
      const { code, desc, notes } = await this.push(who.initiator, who.prefixes, m, request);
      return this.send(
        res,
        code === PapCode.ACCEPTED_FOR_PROCESSING ? 202 : 200,
        pushResponse(m.pushId, code, desc, this.sender(), Date.now(), m.progressNotesRequested ? notes : []),
      );
    }
    if (m.kind === 'statusquery-message') return this.send(res, 200, await this.statusQuery(who.initiator, m));
    if (m.kind === 'ccq-message') return this.send(res, 200, this.ccq(who.prefixes, m));
    return this.send(res, 200, await this.cancel(who.initiator, m));
  }

  private send(res: http.ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
    if (this.listenerCount('pap-response') > 0) {
      const code = /\bcode="(\d+)"/.exec(xml)?.[1];
      this.emit('pap-response', { status, code: code === undefined ? undefined : Number(code) });
    }
    res.writeHead(status, { 'content-type': PAP_CONTENT_TYPE, 'content-length': Buffer.byteLength(xml), ...headers });
    // As text, node:http writes it with the header block in one write (a Buffer takes two, in a writev).
    res.end(xml, 'utf8');
  }

  private sender() {
    const scheme = this.o.tls ? 'https' : 'http';
    return { senderName: this.o.senderName, senderAddress: `${scheme}://${this.o.host}:${this.port}/wappush` };
  }

  // ---- push-message ----

  private async push(
    initiator: string,
    prefixes: readonly string[] | undefined,
    m: PushMessage,
    request: PapRequest,
  ): Promise<{ code: PapCode; desc: string; notes: ProgressNote[] }> {
    const progress: ProgressNote[] = [];
    try {
      const notes: string[] = [];
      const method = m.qos.deliveryMethod;
      if (method === 'confirmed')
        throw new PapError(
          PapCode.DELIVERY_METHOD_NOT_POSSIBLE,
          'confirmed push needs a WSP session; over SMS only unconfirmed push is sent',
        );
      if (method === 'preferconfirmed') notes.push('sent unconfirmed: confirmed push is not possible over SMS');
      const bearer = m.qos.bearer?.toLowerCase();
      if (bearer !== undefined && bearer !== 'sms' && bearer !== 'any')
        throw new PapError(
          PapCode.REQUIRED_BEARER_NOT_AVAILABLE,
          `bearer ${m.qos.bearer} is not available; this PPG sends SMS`,
        );
      const addresses: ClientAddress[] = m.addresses.map(parseClientAddress);
      if (new Set(addresses.map((a) => a.value)).size !== addresses.length)
        throw new PapError(PapCode.BAD_REQUEST, 'an address is given twice');
      if (prefixes)
        for (const a of addresses)
          if (!prefixes.some((p) => a.number.startsWith(p)))
            throw new PapError(PapCode.FORBIDDEN, `this initiator may not push to ${a.number}`);
      const now = Date.now();
      if (m.deliverBeforeTimestamp !== undefined && m.deliverBeforeTimestamp <= now)
        throw new PapError(PapCode.BAD_REQUEST, 'deliver-before-timestamp has already passed');
      if (m.deliverAfterTimestamp !== undefined && m.deliverAfterTimestamp > now + this.o.maxDeferMs)
        throw new PapError(PapCode.BAD_REQUEST, `deliver-after-timestamp is more than ${this.o.maxDeferMs} ms ahead`);
      if (
        m.deliverAfterTimestamp !== undefined &&
        m.deliverBeforeTimestamp !== undefined &&
        m.deliverAfterTimestamp >= m.deliverBeforeTimestamp
      )
        throw new PapError(PapCode.BAD_REQUEST, 'deliver-after-timestamp is not before deliver-before-timestamp');
      const content = buildPushPdu(request.content!.headers, request.content!.body);
      const segments = segmentsNeeded(content.pdu, this.o.maxSegments, { referenceBits: this.o.referenceBits });
      progress.push({
        stage: 'compiled',
        note: `${content.pdu.length}-octet WSP push, ${segments} SMS per recipient`,
        time: Date.now(),
      });
      const key = `${initiator}\0${m.pushId}`;
      if (this.live.has(key) || this.reserved.has(key))
        throw new PapError(PapCode.DUPLICATE_PUSH_ID, `push-id ${m.pushId} was used before`);
      // Reserved while the store is asked, so that two requests with one push-id cannot both pass.
      this.reserved.add(key);
      try {
        if (await this.records.get(initiator, m.pushId))
          throw new PapError(PapCode.DUPLICATE_PUSH_ID, `push-id ${m.pushId} was used before`);
      } finally {
        this.reserved.delete(key);
      }
      if (this.live.has(key)) throw new PapError(PapCode.DUPLICATE_PUSH_ID, `push-id ${m.pushId} was used before`);
      this.makeRoom();
      const record: PushRecord = {
        initiator,
        pushId: m.pushId,
        receivedTime: now,
        deliveryMethod: method === 'notspecified' ? 'notspecified' : 'unconfirmed',
        pdu: toHex(content.pdu),
        recipients: addresses.map((a) => ({
          address: a.value,
          number: a.number,
          state: MessageState.pending,
          code: PapCode.ACCEPTED_FOR_PROCESSING,
          desc: 'accepted for processing',
          eventTime: now,
          messageIds: [],
          receipts: {},
          notified: false,
        })),
      };
      if (m.deliverBeforeTimestamp !== undefined) record.deliverBefore = m.deliverBeforeTimestamp;
      if (m.deliverAfterTimestamp !== undefined) record.deliverAfter = m.deliverAfterTimestamp;
      if (m.ppgNotifyRequestedTo !== undefined) record.notifyTo = m.ppgNotifyRequestedTo;
      if (m.sourceReference !== undefined) record.sourceReference = m.sourceReference;
      record.owner = this.store.nodeId;
      this.live.set(key, record);
      this.pdus.set(record, content.pdu);
      try {
        await this.writes.now(record);
      } catch (e) {
        this.live.delete(key);
        this.writes.forget(record);
        throw new PapError(PapCode.INTERNAL_SERVER_ERROR, `the push could not be stored: ${String(e)}`);
      }
      progress.push({
        stage: 'stored',
        note: `${addresses.length} recipient(s), waiting to be sent`,
        time: Date.now(),
      });
      this.schedule(record);
      notes.unshift(`accepted for processing: ${addresses.length} recipient(s), ${segments} SMS each`);
      return { code: PapCode.ACCEPTED_FOR_PROCESSING, desc: notes.join('; '), notes: progress };
    } catch (e) {
      if (e instanceof PapError) return { code: e.code, desc: e.message, notes: progress };
      throw e;
    }
  }

  /**
   * Room for one more push record: finished ones past retentionMs, then the oldest finished
   * while over maxRecords, are removed. Pushes in progress alone filling it: 4001.
   */
  private makeRoom(): void {
    // Records whose last write failed are held too (PushWrites), though their pushes are done:
    // counted here, so a store that keeps failing some writes cannot grow memory without bound.
    const unstored = this.writes.unstored;
    if (this.retention.full(this.live.size + this.reserved.size + unstored)) {
      // Those records are written again by the retry timer (or at once when the store comes
      // back): try now too, so the next push may find room (this one is refused all the same).
      if (unstored > 0) this.writes.retry();
      throw new PapError(
        PapCode.SERVICE_UNAVAILABLE,
        `${this.live.size} pushes are in progress and ${unstored} wait for the store, the most this PPG keeps (maxRecords ${this.retention.maxRecords})`,
      );
    }
    this.remove(this.retention.due(Date.now(), this.live.size, 1));
  }

  /** Deletes finished records from the store; each counted (and told) once it is gone. */
  private remove(due: Array<{ key: string; reason: RemovalReason }>): void {
    for (const { key, reason } of due) {
      const who = this.finishedNames.get(key);
      this.finishedNames.delete(key);
      if (!who) continue;
      this.records.delete(who.initiator, who.pushId).then(
        () => {
          this.retention.removed[reason]++;
          this.emit('removed', { ...who, reason });
        },
        (e: unknown) => this.emit('store-error', e),
      );
    }
  }

  /** Note a push whose record stays only for status queries now, for retention. */
  private finished(record: PushRecord, at: number): void {
    const key = pushKey(record.initiator, record.pushId);
    this.finishedNames.set(key, { initiator: record.initiator, pushId: record.pushId });
    this.retention.finish(key, at);
  }

  private schedule(record: PushRecord): void {
    const wait = Math.max(0, (record.deliverAfter ?? 0) - Date.now());
    if (wait === 0) {
      // One immediate for every push accepted in this turn, not a timer each.
      if (this.toSubmit.push(record) === 1)
        setImmediate(() => {
          const go = this.toSubmit;
          this.toSubmit = [];
          for (const r of go) this.submitAll(r);
        });
      return;
    }
    for (let i = 0; i < record.recipients.length; i++) {
      const r = record.recipients[i];
      if (r.state !== MessageState.pending || r.messageIds.length > 0) continue;
      this.later(Math.min(wait, MAX_TIMER_MS), () => void this.submit(record, i, 1));
    }
  }

  private submitAll(record: PushRecord): void {
    for (let i = 0; i < record.recipients.length; i++) {
      const r = record.recipients[i];
      if (r.state === MessageState.pending && r.messageIds.length === 0) void this.submit(record, i, 1);
    }
  }

  private later(ms: number, f: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private async submit(record: PushRecord, i: number, attempt: number): Promise<void> {
    const r = record.recipients[i];
    if (this.closed || r.state !== MessageState.pending || r.messageIds.length > 0) return;
    if ((record.deliverAfter ?? 0) > Date.now()) return this.schedule(record);
    if (record.deliverBefore !== undefined && Date.now() >= record.deliverBefore)
      return this.settle(
        record,
        i,
        MessageState.expired,
        PapCode.SERVICE_FAILURE,
        'deliver-before-timestamp passed before it was sent',
      );
    if (!this.transceiver.bound) {
      // Not an attempt: the push waits for the link (or for its deliver-before time).
      this.waiting.push(() => void this.submit(record, i, attempt));
      if (record.deliverBefore !== undefined)
        this.later(
          Math.min(MAX_TIMER_MS, Math.max(0, record.deliverBefore - Date.now())),
          () => void this.submit(record, i, attempt),
        );
      return;
    }
    let ids: string[];
    try {
      const bits = this.o.referenceBits;
      let pdu = this.pdus.get(record);
      if (pdu === undefined) this.pdus.set(record, (pdu = fromHex(record.pdu)));
      ids = await this.transceiver.submit(pdu, {
        to: r.number,
        destAddrTon: r.number.startsWith('+') ? 1 : 0,
        from: this.o.from,
        reference: this.references.next(r.number, bits),
        referenceBits: bits,
        registeredDelivery: this.o.receipts ? 1 : 0,
        validityPeriod: record.deliverBefore === undefined ? '' : smppAbsoluteTime(record.deliverBefore),
      });
    } catch (e) {
      if (attempt < this.o.submitAttempts && !(e instanceof SubmitRefused && isPermanent(e.status))) {
        this.later(500 * 2 ** (attempt - 1), () => void this.submit(record, i, attempt + 1));
        return;
      }
      return this.settle(
        record,
        i,
        MessageState.undeliverable,
        PapCode.SERVICE_FAILURE,
        `the SMSC did not take it: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (r.state !== MessageState.pending) return; // cancelled meanwhile: what was sent stays sent
    r.messageIds = ids;
    r.desc = `submitted as ${ids.length} SMS`;
    r.eventTime = Date.now();
    const key = `${record.initiator}\0${record.pushId}`;
    for (const id of ids) this.bySms.set(id, { key, recipient: i });
    if (!this.o.receipts)
      return this.settle(record, i, MessageState.delivered, PapCode.OK, 'submitted to the SMSC; no receipt asked');
    // Not awaited, and written with the receipt's change when that comes within
    // statusWriteMs. Lost in a crash, the push is submitted again after the restart.
    this.writes.later(record, false);
    for (const id of ids) {
      const early = this.early.get(id);
      if (early) {
        this.early.delete(id);
        this.onReceipt(early.receipt);
      }
    }
  }

  // ---- receipts and outcomes ----

  /** Submitted recipients whose receipts did not all come within receiptTimeoutMs: timeout. */
  private sweep(): void {
    const now = Date.now();
    this.remove(this.retention.due(now, this.live.size));
    for (const record of [...this.live.values()])
      record.recipients.forEach((r, i) => {
        if (r.state === MessageState.pending && r.messageIds.length > 0 && now - r.eventTime >= this.o.receiptTimeoutMs)
          void this.settle(
            record,
            i,
            MessageState.timeout,
            PapCode.SERVICE_FAILURE,
            `no final receipt for every SMS within ${this.o.receiptTimeoutMs} ms`,
          );
      });
  }

  private onReceipt(receipt: DeliveryReceipt): void {
    const at = this.bySms.get(receipt.messageId);
    if (!at) {
      // A non-final receipt settles nothing (below): not held, nor passed to the other PPGs.
      const n = receipt.state;
      if (n === SmppMessageState.ENROUTE || n === SmppMessageState.ACCEPTED || n === SmppMessageState.UNKNOWN) return;
      if (this.early.size >= MAX_EARLY_RECEIPTS) this.early.delete(this.early.keys().next().value!);
      this.early.set(receipt.messageId, { receipt, at: Date.now() });
      return;
    }
    const record = this.live.get(at.key);
    if (!record) return;
    const r = record.recipients[at.recipient];
    if (FINAL_STATES.has(r.state)) return;
    const s = receipt.state;
    if (s === SmppMessageState.ENROUTE || s === SmppMessageState.ACCEPTED || s === SmppMessageState.UNKNOWN) return;
    const stat = `stat:${STAT_WORD_OF[s]}${receipt.error ? ` err:${receipt.error}` : ''}`;
    if (s === SmppMessageState.DELIVERED) {
      r.receipts[receipt.messageId] = true;
      if (r.messageIds.every((id) => r.receipts[id] === true))
        return void this.settle(
          record,
          at.recipient,
          MessageState.delivered,
          PapCode.OK,
          `every SMS delivered (${r.messageIds.length})`,
        );
      return this.writes.later(record, false);
    }
    r.receipts[receipt.messageId] = false;
    const state = s === SmppMessageState.EXPIRED ? MessageState.expired : MessageState.undeliverable;
    void this.settle(record, at.recipient, state, PapCode.SERVICE_FAILURE, `SMS ${receipt.messageId} ${stat}`);
  }

  /**
   * A recipient's final state. Written with the next write (`durable`: now, resolving once
   * stored, for a cancel-response that tells it); a notification waits for it to be stored.
   */
  private async settle(
    record: PushRecord,
    i: number,
    state: MessageState,
    code: PapCode,
    desc: string,
    durable = false,
  ): Promise<void> {
    const r = record.recipients[i];
    if (FINAL_STATES.has(r.state)) return;
    r.state = state;
    r.code = code;
    r.desc = desc;
    r.eventTime = Date.now();
    // A failed write is told (a store-error) where it failed; the cancel-response waits for it.
    if (durable) await this.writes.now(record).catch(() => undefined);
    else this.writes.later(record, true);
    this.emit('settled', { state, seconds: Math.max(0, r.eventTime - record.receivedTime) / 1000 });
    this.emit('outcome', {
      initiator: record.initiator,
      pushId: record.pushId,
      address: r.address,
      state,
      code,
      ...(record.sourceReference === undefined ? {} : { sourceReference: record.sourceReference }),
    });
    // Not awaited: a cancel-response does not wait for the initiator's notification URL.
    this.notifyThenRelease(record, i);
  }

  /**
   * Notifies, then lets the push leave memory. Followed until it settles, so close() can wait
   * for a POST on its way: a restart must not notify again what was notified just before.
   */
  private notifyThenRelease(record: PushRecord, i: number): void {
    this.notifyRuns.set(record, (this.notifyRuns.get(record) ?? 0) + 1);
    const p = this.notify(record, i).then(() => {
      const left = this.notifyRuns.get(record)! - 1;
      if (left > 0) return void this.notifyRuns.set(record, left);
      this.notifyRuns.delete(record);
      this.release(record);
    });
    this.notifying.add(p);
    void p.finally(() => this.notifying.delete(p));
  }

  /**
   * A push whose every recipient is final (and notified, or given up on) leaves memory; the
   * store keeps it for status queries. Memory holds only pushes still in progress.
   */
  private release(record: PushRecord): void {
    if (!record.recipients.every((r) => FINAL_STATES.has(r.state))) return;
    // Another recipient's notification on its way still writes the record when it is answered.
    if (this.notifyRuns.has(record)) return;
    const key = `${record.initiator}\0${record.pushId}`;
    for (const r of record.recipients) for (const id of r.messageIds) this.bySms.delete(id);
    // Only once its last change is stored: a status query after that reads the store's copy.
    // Or once that write failed (a store-error told it): memory holds only pushes in progress.
    // PushWrites keeps its record and writes it again (retry timer, the store's return, a
    // query about it); retention counts it once that write is stored.
    this.writes.whenStored(record, (stored) => {
      if (this.live.get(key) !== record) return;
      this.live.delete(key);
      if (stored) this.finished(record, Date.now());
      else this.writes.leftMemory(record);
    });
  }

  /** Resolves after `ms`, or at once when closing. */
  private pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakeups.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  private async notify(record: PushRecord, i: number): Promise<void> {
    const r = record.recipients[i];
    if (!record.notifyTo || r.notified) return;
    // The outcome told is stored first: a crash after the POST cannot take it back. Not
    // stored (the store fails): not told; the record says it is not notified, so it is
    // notified once written (after a restart at the latest). The failed write was told
    // (a store-error) where it failed.
    try {
      await this.writes.stored(record);
    } catch {
      return;
    }
    const xml = resultNotification({
      pushId: record.pushId,
      address: r.address,
      state: r.state,
      code: r.code,
      desc: r.desc,
      eventTime: r.eventTime,
      receivedTime: record.receivedTime,
      deliveryMethod: record.deliveryMethod,
      ...this.sender(),
    });
    let error = '';
    for (let attempt = 1; attempt <= this.o.notifyAttempts && !this.closed; attempt++) {
      try {
        const status = await postPap(record.notifyTo, xml, this.o.notifyTimeoutMs);
        if (status >= 200 && status < 300) {
          r.notified = true;
          // Lost in a crash, the notification is sent again after the restart (at least once).
          this.writes.later(record, false);
          this.emit('notified', { pushId: record.pushId, address: r.address, ok: true });
          return;
        }
        error = `HTTP ${status}`;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (attempt < this.o.notifyAttempts) await this.pause(250 * 2 ** (attempt - 1));
    }
    // Closing is not giving up: the record says it is not notified, so the next start notifies.
    if (!this.closed) this.emit('notified', { pushId: record.pushId, address: r.address, ok: false, error });
  }

  // ---- statusquery-message and cancel-message ----

  /** A push as it is now; one in memory has what the answer will tell stored first. */
  private async find(initiator: string, pushId: string): Promise<PushRecord | undefined> {
    // A push out of memory whose last write failed: the query has it written first, or 3000.
    const live = this.live.get(`${initiator}\0${pushId}`) ?? this.writes.failedRecord(initiator, pushId);
    if (live === undefined) return this.records.get(initiator, pushId);
    await this.told(live);
    return live;
  }

  /** Has what an answer about the record will tell stored; 3000 when the store fails. */
  private async told(record: PushRecord): Promise<void> {
    try {
      await this.writes.stored(record);
    } catch (e) {
      throw new PapError(PapCode.INTERNAL_SERVER_ERROR, `the push's state could not be stored: ${String(e)}`);
    }
  }

  private async statusQuery(initiator: string, m: StatusQueryMessage): Promise<string> {
    let record: PushRecord | undefined;
    try {
      record = await this.find(initiator, m.pushId);
    } catch (e) {
      if (!(e instanceof PapError)) throw e;
      return statusQueryResponse(
        m.pushId,
        [{ state: MessageState.unknown, code: e.code, desc: e.message }],
        this.sender(),
        Date.now(),
      );
    }
    const now = Date.now();
    if (!record)
      return statusQueryResponse(
        m.pushId,
        [
          {
            state: MessageState.unknown,
            code: PapCode.PUSH_ID_NOT_FOUND,
            desc: `no push ${m.pushId} of this initiator`,
          },
        ],
        this.sender(),
        now,
      );
    const results: AddressResult[] = this.selected(record, m.addresses).map((r) =>
      r === undefined
        ? { state: MessageState.unknown, code: PapCode.ADDRESS_NOT_FOUND, desc: 'not an address of this push' }
        : { address: r.address, state: r.state, code: r.code, desc: r.desc, eventTime: r.eventTime },
    );
    return statusQueryResponse(m.pushId, results, this.sender(), now);
  }

  private async cancel(initiator: string, m: CancelMessage): Promise<string> {
    try {
      return await this.cancelStored(initiator, m);
    } catch (e) {
      if (!(e instanceof PapError)) throw e;
      return cancelResponse(m.pushId, [{ code: e.code, desc: e.message }]);
    }
  }

  /** The cancel-response, given once what it tells is stored (a PapError when that fails). */
  private async cancelStored(initiator: string, m: CancelMessage): Promise<string> {
    const found = await this.find(initiator, m.pushId);
    if (!found)
      return cancelResponse(m.pushId, [
        { code: PapCode.PUSH_ID_NOT_FOUND, desc: `no push ${m.pushId} of this initiator` },
      ]);
    const held = await this.holdFor(found);
    if ('heldBy' in held) return cancelResponse(m.pushId, heldElsewhere(found, m.addresses, held.heldBy));
    const { record, takenUp } = held;
    try {
      return await this.cancelHeld(record, m);
    } finally {
      // Taken up by this cancel: what it did not cancel is sent now (or at its time).
      if (takenUp && !this.closed && this.live.get(`${record.initiator}\0${record.pushId}`) === record)
        this.schedule(record);
    }
  }

  private async cancelHeld(record: PushRecord, m: CancelMessage): Promise<string> {
    const results = [];
    for (const r of this.selected(record, m.addresses)) {
      if (r === undefined) {
        results.push({ code: PapCode.ADDRESS_NOT_FOUND, desc: 'not an address of this push' });
      } else if (r.state === MessageState.pending && r.messageIds.length === 0) {
        await this.settle(
          record,
          record.recipients.indexOf(r),
          MessageState.cancelled,
          PapCode.OK,
          'cancelled before it was sent',
          true,
        );
        results.push({ address: r.address, code: PapCode.OK, desc: 'cancelled' });
      } else if (r.state === MessageState.pending) {
        results.push(await this.cancelSubmitted(record, r));
      } else {
        results.push({ address: r.address, code: PapCode.CANCELLATION_NOT_POSSIBLE, desc: `already ${r.state}` });
      }
    }
    // A receipt may have changed it while cancel_sm was on its way ("already X"); a cancel
    // whose write failed may have let it leave memory already: it is told only once stored.
    await this.told(record);
    return cancelResponse(m.pushId, results);
  }

  /**
   * Cancel of a recipient already handed to the SMSC: cancel_sm (SMPP v3.4 4.9) for each of its
   * SMS with no delivery receipt yet. Once one is cancelled the phone cannot put the push
   * together, so the push is cancelled; when the SMSC cancels none (each delivered or on its
   * way already: ESME_RCANCELFAIL), 2008.
   */
  private async cancelSubmitted(record: PushRecord, r: RecipientRecord) {
    const open = r.messageIds.filter((id) => r.receipts[id] === undefined);
    const tried = await Promise.allSettled(
      open.map((messageId) =>
        this.transceiver.cancel({
          messageId,
          to: r.number,
          destAddrTon: r.number.startsWith('+') ? 1 : 0,
          from: this.o.from,
        }),
      ),
    );
    const cancelled = tried.filter((t) => t.status === 'fulfilled').length;
    // A receipt may have settled it while cancel_sm was on its way.
    const state: MessageState = r.state;
    if (state !== MessageState.pending)
      return { address: r.address, code: PapCode.CANCELLATION_NOT_POSSIBLE, desc: `already ${state}` };
    if (cancelled === 0) {
      const why = tried.find((t) => t.status === 'rejected')?.reason;
      return {
        address: r.address,
        code: PapCode.CANCELLATION_NOT_POSSIBLE,
        desc: `the SMSC could not cancel it: ${why instanceof Error ? why.message : 'every SMS has its receipt'}`,
      };
    }
    await this.settle(
      record,
      record.recipients.indexOf(r),
      MessageState.cancelled,
      PapCode.OK,
      `cancelled at the SMSC (cancel_sm): ${cancelled} of ${r.messageIds.length} SMS`,
      true,
    );
    return { address: r.address, code: PapCode.OK, desc: 'cancelled' };
  }

  /**
   * A client capabilities query: over SMS no capabilities (UAProf) of a phone are known, so a
   * phone this initiator may reach is answered 3008 (capabilities not available).
   */
  private ccq(prefixes: readonly string[] | undefined, m: CcqMessage): string {
    const address = m.addresses[0];
    const answer = (code: PapCode, desc: string) =>
      ccqResponse(m.queryId, address, code, desc, this.sender(), Date.now());
    let number: string;
    try {
      number = parseClientAddress(address).number;
    } catch (e) {
      if (e instanceof PapError) return answer(e.code, e.message);
      throw e;
    }
    if (prefixes && !prefixes.some((p) => number.startsWith(p)))
      return answer(PapCode.FORBIDDEN, `this initiator may not push to ${number}`);
    return answer(
      PapCode.CAPABILITIES_NOT_AVAILABLE,
      'no client capabilities are known for an SMS phone: this PPG keeps no UAProf',
    );
  }

  /** The recipients a query names (undefined for a named address not in the push), or all. */
  private selected(record: PushRecord, addresses: readonly string[]): (RecipientRecord | undefined)[] {
    if (addresses.length === 0) return record.recipients;
    return addresses.map((a) => record.recipients.find((r) => r.address === a));
  }

  // ---- state ----

  /**
   * After a restart: pushes not yet sent are sent, outcomes not yet notified are notified. On a
   * store shared with other PPGs, only the pushes no live PPG holds (takeover.ts).
   */
  private async recover(): Promise<void> {
    await this.records.adopt(this.store.registrations);
    await this.takeUp(true);
  }

  /** The periodic look (takeoverMs): one at a time; a store failure is told, the next look tries again. */
  private lookAgain(): void {
    if (this.closed || this.looking !== undefined) return;
    this.looking = this.takeUp(false)
      .catch((e: unknown) => void this.emit('store-error', e))
      .finally(() => (this.looking = undefined));
  }

  /**
   * Reads the push table once: takes up the unfinished pushes this PPG may (takeover.ts), notes
   * the finished ones for retention, and, at a periodic look, passes receipts between PPGs.
   */
  private async takeUp(atStart: boolean): Promise<void> {
    const me = this.store.nodeId;
    const { pushes, receipts } = await this.records.scan();
    const shared = this.shared;
    const owners = shared ? otherOwners(pushes, me) : [];
    const live = owners.length > 0 ? await this.store.liveNodes(owners) : new Set<string>();
    const finished: Array<[string, number]> = [];
    const finishedNow = new Set<string>();
    const candidates: PushRecord[] = [];
    for (const record of pushes) {
      const key = `${record.initiator}\0${record.pushId}`;
      if (this.live.has(key) || this.reserved.has(key)) continue;
      if (!unfinished(record)) {
        const k = pushKey(record.initiator, record.pushId);
        finishedNow.add(k);
        if (this.finishedNames.has(k)) continue;
        this.finishedNames.set(k, { initiator: record.initiator, pushId: record.pushId });
        finished.push([k, Math.max(record.receivedTime, ...record.recipients.map((r) => r.eventTime))]);
        continue;
      }
      // One PPG on its store (lmdb, memory): every unfinished push is its own, as before.
      if (!shared || mayTake(record, me, live, atStart)) candidates.push(record);
    }
    let failure: unknown;
    const taken: PushRecord[] = [];
    if (shared) {
      // Asked together: one round of calls. Only the PPG whose lease is new takes the push up.
      const leases = await Promise.allSettled(
        candidates.map((r) => this.store.duplicates.remember(leaseKey(r), TAKEOVER_LEASE_MS)),
      );
      leases.forEach((l, j) => {
        if (l.status === 'fulfilled' && l.value) taken.push(candidates[j]);
        else if (l.status === 'rejected') failure ??= l.reason;
      });
    } else taken.push(...candidates);
    const from: Record<string, number> = {};
    for (const record of taken) {
      const o = ownerOf(record) ?? '';
      from[o] = (from[o] ?? 0) + 1;
      this.adopt(record, atStart);
    }
    if (taken.length > 0) this.emit('taken-up', { pushes: taken.length, from, atStart });
    // A finished push noted earlier and not finished in the table now was removed (by another
    // PPG's retention), and its push-id perhaps accepted again: not this PPG's to remove. (One
    // this PPG finished while the table was read is noted again at the next look.)
    if (this.shared)
      for (const k of [...this.finishedNames.keys()])
        if (!finishedNow.has(k)) {
          this.finishedNames.delete(k);
          this.retention.forget(k);
        }
    this.retention.restore(finished);
    this.remove(this.retention.due(Date.now(), this.live.size));
    if (!atStart) failure ??= await this.passReceipts(receipts);
    if (failure !== undefined) throw failure;
  }

  /**
   * Holds a push read from the store (taken up): its SMS are looked after, its receipts settle
   * it, its outcomes are notified (after start() listens, when taken up at start).
   */
  private adopt(record: PushRecord, atStart: boolean, send = true): void {
    const key = `${record.initiator}\0${record.pushId}`;
    if (this.live.has(key)) return;
    if (this.closed) {
      // Its lease unused: forgotten, so a live PPG takes the push now, not when the lease lapses.
      if (this.shared)
        this.store.duplicates.forget(leaseKey(record)).catch((e: unknown) => this.emit('store-error', e));
      return;
    }
    this.live.set(key, record);
    if (this.shared && ownerOf(record) !== this.store.nodeId) {
      // Written with the next write: other PPGs then see a live owner (the lease covers the wait).
      record.owner = this.store.nodeId;
      this.writes.later(record, true);
    }
    record.recipients.forEach((r, i) => {
      for (const id of r.messageIds) this.bySms.set(id, { key, recipient: i });
      if (FINAL_STATES.has(r.state) && !r.notified) {
        if (atStart) this.recovered.push([record, i]);
        else this.notifyThenRelease(record, i);
      }
    });
    // Not when a cancel takes it up: its SMS would go out while the cancel awaits its writes.
    if (send) this.schedule(record);
    // Receipts for its SMS that came over this PPG's bind before it held the push; at start,
    // once the PPG listens (start() hands them over), so no outcome is told before that.
    if (!atStart) this.earlyFor(record);
  }

  /** Settles with the receipts held in `early` for the record's SMS. */
  private earlyFor(record: PushRecord): void {
    for (const r of record.recipients)
      for (const id of r.messageIds) {
        const early = this.early.get(id);
        if (early === undefined) continue;
        this.early.delete(id);
        this.onReceipt(early.receipt);
      }
  }

  /**
   * Receipts between PPGs on one store: the SMSC gives a receipt to any bind of the account, so
   * one may come to a PPG that does not hold its push. One that no push here claimed within
   * EARLY_HOLD_MS goes into the push table; the PPG holding its message_id settles with it at
   * its next look, and deletes it once that outcome is stored. Unclaimed for
   * FOREIGN_RECEIPT_KEEP_MS (10 min; or receiptTimeoutMs when shorter), it is deleted.
   */
  private async passReceipts(receipts: Array<{ key: string; value: ForeignReceipt }>): Promise<unknown> {
    const now = Date.now();
    // Awaited (the look is, by close()): no store-error after close.
    const calls: Array<Promise<unknown>> = [];
    const drop = (key: string) => this.records.deleteKey(key);
    for (const { key, value } of receipts) {
      const ours = value.account === undefined || value.account === this.account;
      const at = ours ? this.bySms.get(value.receipt.messageId) : undefined;
      const record = at === undefined ? undefined : this.live.get(at.key);
      if (record !== undefined) {
        this.onReceipt(value.receipt as DeliveryReceipt);
        calls.push(
          this.writes.stored(record).then(
            () => drop(key),
            () => undefined, // told where the write failed; the next look settles with it again
          ),
        );
      } else if (now - value.at >= Math.min(this.o.receiptTimeoutMs, FOREIGN_RECEIPT_KEEP_MS)) calls.push(drop(key));
    }
    let room = Math.min(MAX_RECEIPTS_PASSED_PER_LOOK, MAX_RECEIPT_ROWS - receipts.length);
    for (const [id, e] of this.early) {
      if (room <= 0) break;
      if (now - e.at < EARLY_HOLD_MS) continue;
      room--;
      this.early.delete(id);
      const receipt: ForeignReceipt['receipt'] = { messageId: id, state: e.receipt.state };
      if (e.receipt.error !== undefined) receipt.error = e.receipt.error;
      calls.push(
        this.records.putReceipt({ receipt, at: e.at, account: this.account }).catch((err: unknown) => {
          // Kept for the next look (unless newer ones pushed it out meanwhile).
          if (!this.early.has(id) && this.early.size < MAX_EARLY_RECEIPTS) this.early.set(id, e);
          throw err;
        }),
      );
    }
    const failed = (await Promise.allSettled(calls)).find((c) => c.status === 'rejected');
    return failed?.reason;
  }

  /**
   * A push read from the store that a cancel would change: the record to change, once this PPG
   * holds it (its own, or taken up now from a dead owner or none: let go, or an earlier
   * version's), or who holds it: a live PPG, or one whose lease on it is newer.
   */
  private async holdFor(record: PushRecord): Promise<{ record: PushRecord; takenUp: boolean } | { heldBy: string }> {
    const key = `${record.initiator}\0${record.pushId}`;
    const held = this.live.get(key);
    if (held !== undefined) return { record: held, takenUp: false };
    if (!this.shared || !unfinished(record)) return { record, takenUp: false };
    const me = this.store.nodeId;
    const owner = ownerOf(record);
    if (owner === me) return { record, takenUp: false };
    // An earlier version's record (no owner): its PPG may still run beside this one and marks
    // nothing; as at the periodic look, only a PPG that starts takes it up (takeover.ts).
    if (typeof (record.owner as unknown) !== 'string')
      return { heldBy: 'a PPG of an earlier version, or the next PPG to start' };
    if (owner !== undefined && (await this.store.liveNodes([owner])).has(owner))
      return { heldBy: `the PPG of node ${owner}` };
    if (!(await this.store.duplicates.remember(leaseKey(record), TAKEOVER_LEASE_MS)))
      return { heldBy: 'another PPG, taking it up now' };
    // Its SMS are scheduled once the cancel has marked what it cancels (cancelStored).
    const before = this.live.get(key);
    if (before !== undefined) return { record: before, takenUp: false };
    this.adopt(record, false, false);
    return { record, takenUp: this.live.get(key) === record };
  }
}

/** Reads a body of at most `max` octets; undefined when it is larger (the rest is not read). */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > max) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The cancel-response for a push another live PPG on the store holds: nothing is changed here
 * (that PPG's copy would overwrite it, and it might still send the push). A recipient still
 * pending is answered 4001, to be asked again (behind a load balancer, possibly of that PPG).
 */
function heldElsewhere(record: PushRecord, addresses: readonly string[], who: string) {
  const chosen =
    addresses.length === 0 ? record.recipients : addresses.map((a) => record.recipients.find((r) => r.address === a));
  return chosen.map((r) =>
    r === undefined
      ? { code: PapCode.ADDRESS_NOT_FOUND, desc: 'not an address of this push' }
      : r.state === MessageState.pending
        ? { address: r.address, code: PapCode.SERVICE_UNAVAILABLE, desc: `held by ${who}: ask again` }
        : { address: r.address, code: PapCode.CANCELLATION_NOT_POSSIBLE, desc: `already ${r.state}` },
  );
}

/** SMPP v3.4 7.1.1 absolute time, UTC: YYMMDDhhmmss, tenths 0, offset 00, '+'. */
function smppAbsoluteTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}000+`;
}

/** submit_sm statuses that a resend will not change (bad address, bad message...). */
function isPermanent(status: number): boolean {
  return status !== 0x14 && status !== 0x58 && status !== 0x08; // ESME_RMSGQFUL, ESME_RTHROTTLED, ESME_RSYSERR
}
