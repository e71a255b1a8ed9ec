/**
 * Registrations made on other nodes, followed through the shared store's record table. Each
 * node that hosts an application writes its own record of it (store.ts holderRecordId); an
 * application with a record of a live node other than this one is a remote registration here.
 * Unless this node hosts the application itself, it is routed here (its pushes go to its queue
 * on the store, which the nodes holding its handler consume) and counts in this node's CPI; in
 * any case it counts in the CPI of the Push Servers it is bound to. A node's records lapse with
 * its liveness (Store.liveNodes: on Redis, nodeTtlMs after its last heartbeat): a dead node's
 * applications leave the routes and the CPI like a deregistration, and (`collect`) its records
 * are deleted. A record that names no node (the format before holders were recorded) has no
 * liveness to hold it and lapses likewise, at the first read. The table is read again on each
 * change another node announces (Redis pub/sub, at once), at the latest every
 * `registrationPollMs` (also to see a node die), and after each change of this node's own
 * registrations.
 */
import type { EventEmitter } from 'node:events';
import { StoreError, StoreErrorCode } from '../store/errors.js';
import type { JsonValue, Store, StoredRecord } from '../store/types.js';
import type { CpiSet } from './cpi.js';
import type { DeliveryQueue } from './delivery.js';
import type { PushClientEvents } from './events.js';
import { Registration } from './registration.js';
import type { RoutingTable } from './routingTable.js';
import { parseRecordId, recordApplication, requestOf, type RegistrationRecord } from './store.js';
import type { RegistrationRequest } from './types.js';
import { EVERYWHERE, validateProfiles, validateRequest } from './validate.js';
import type { Whitelist } from './whitelist.js';

export interface FollowerParts {
  store: Pick<Store, 'registrations' | 'liveNodes' | 'pollMs' | 'nodeId' | 'available'>;
  /** Delete the records of dead nodes (a shared store; on one a single process owns, its registrar restores them). */
  collect: boolean;
  routes: RoutingTable<Registration>;
  cpi: CpiSet;
  whitelist: Whitelist;
  /** This node's own registrations taking pushes now (they shadow a record of the same application). */
  local: () => Iterable<Registration>;
  makeQueue: (r: Registration) => DeliveryQueue;
  /**
   * One of this node's registrations has no record of this node (another node took it for
   * dead): write them again. Not called again before the promise it returns settles.
   */
  reassert?: () => void | Promise<void>;
  /** A remote registration whose every holder died is gone: its Push Servers are to hear the CPI without it. */
  lapsed?: (r: Registration) => void;
}

interface Remote {
  json: string;
  /** The application part of the record's id: the queue its holder reads (an older form's too). */
  stored: string;
  registration: Registration;
  /** In the routes, the whitelist and the CPI here: this node does not host the application itself. */
  routed: boolean;
}

export class RegistrationFollower {
  /** Applications a live node other than this one holds, by application id. */
  private readonly remote = new Map<string, Remote>();
  /** Remote registrations are numbered down from -1, apart from this node's own. */
  private nextId = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopWatch: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** The rewrite of this node's records under way (reassert). */
  private reasserting: Promise<void> | undefined;
  /** Each record's application (applicationOf) as of the last read, by record id; and the read under way. */
  private applications = new Map<string, { json: string; application: string }>();
  private reading = new Map<string, { json: string; application: string }>();
  /** Records skipped as no registration (recordApplication), reported once each. */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly events: EventEmitter<PushClientEvents>,
    private readonly parts: FollowerParts,
  ) {}

  /** Reads the table now and follows it from then on. */
  async start(): Promise<void> {
    this.stopWatch ??= this.parts.store.registrations.watch(() => void this.sync());
    if (this.poll === undefined) {
      // A death announces nothing: the table is read again at the watch's pace.
      // While the store is away it is not asked; the first tick after it is back reads the table.
      this.poll = setInterval(() => {
        if (this.parts.store.available) void this.sync();
      }, this.parts.store.pollMs);
      this.poll.unref();
    }
    await this.sync();
  }

  close(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
    clearInterval(this.poll);
    this.poll = undefined;
  }

  /** The remote registrations routed here now. */
  registrations(): Registration[] {
    return [...this.remote.values()].filter((f) => f.routed).map((f) => f.registration);
  }

  /** Every remote registration, routed here or not: what the Push Servers' CPIs count besides this node's own. */
  holders(): Registration[] {
    return [...this.remote.values()].map((f) => f.registration);
  }

  /**
   * A registration of this node starts taking pushes: a remote one of the same application
   * leaves the routes now (not at the next read), so no push goes to both.
   */
  shadow(r: Registration): void {
    const f = this.remote.get(r.recordId);
    if (f?.routed) this.unroute(f);
  }

  /** Reads the table and brings the remote registrations in line; calls made meanwhile run once after. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        try {
          await this.once();
        } catch (error) {
          // The store is away: the next change or poll tries again.
          this.events.emit('store-error', error);
        }
      } while (this.again && this.stopWatch !== undefined);
    };
    this.running = run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async once(): Promise<void> {
    const { store } = this.parts;
    const me = store.nodeId;
    const records = await store.registrations.list();
    // Each record by the application its request names (store.ts recordApplication), not
    // by its id's first part: a record written before unnamed applications were told apart
    // by binding names every unnamed one of its App ID alike.
    const parsed = [];
    for (const r of records) {
      const application = this.applicationOf(r);
      if (application === undefined) continue;
      const { node, application: stored } = parseRecordId(r.id);
      parsed.push({ ...r, node, stored, application });
    }
    this.applications = this.reading;
    this.reading = new Map();
    const nodes = new Set<string>();
    for (const r of parsed) if (r.node !== undefined && r.node !== me) nodes.add(r.node);
    const live = await store.liveNodes([...nodes, me]);
    const wanted = new Map<string, { value: JsonValue; stored: string }>();
    const held = new Set<string>();
    const mine = new Set<string>();
    const dead: string[] = [];
    for (const r of parsed) {
      if (r.node === me) {
        mine.add(r.application);
        continue;
      }
      held.add(r.application);
      // A record without a node (written before holders were recorded) names no holder whose
      // liveness could keep it: it lapses as a dead node's record does.
      if (r.node !== undefined && live.has(r.node)) {
        if (!wanted.has(r.application)) wanted.set(r.application, { value: r.value, stored: r.stored });
      } else dead.push(r.id);
    }
    const own = new Set<string>();
    for (const r of this.parts.local()) own.add(r.recordId);
    for (const [id, f] of this.remote) {
      const record = wanted.get(id);
      if (record !== undefined && JSON.stringify(record.value) === f.json && record.stored === f.stored) continue;
      this.forget(id, f);
      // Records left, none of a live node: its holders died, and no one told its Push Servers.
      if (record === undefined && held.has(id)) this.parts.lapsed?.(f.registration);
    }
    for (const [id, record] of wanted) if (!this.remote.has(id)) this.follow(id, record.value, record.stored);
    for (const [id, f] of this.remote) {
      if (own.has(id) && f.routed) this.unroute(f);
      else if (!own.has(id) && !f.routed) this.route(f);
    }
    // While this node's own liveness has lapsed, the others collect what it writes at their next
    // read, and its Push Servers would hear its CPI again at each: it writes once it is live.
    if (live.has(me) && !this.reasserting && [...own].some((id) => !mine.has(id))) this.reassert();
    if (this.parts.collect) for (const id of dead) await store.registrations.delete(id);
  }

  /**
   * recordApplication of a record, made again only when the record changed: an unnamed one's
   * is its request validated and bound, not worth redoing for every record at every read.
   */
  private applicationOf(record: StoredRecord): string | undefined {
    const json = JSON.stringify(record.value);
    const application = this.knownApplication(record, json);
    if (application === undefined) {
      // Not a registration (its value is no object): no registrar wrote it. Skipped, and said once.
      if (!this.skipped.has(record.id)) {
        this.skipped.add(record.id);
        const error = new StoreError(
          StoreErrorCode.STORE_CORRUPT,
          `record ${record.id} is not a registration: skipped`,
        );
        this.events.emit('store-error', error);
      }
      return undefined;
    }
    this.reading.set(record.id, { json, application });
    return application;
  }

  /** recordApplication of `record`, from the last read when it has not changed since. */
  private knownApplication(record: StoredRecord, json = JSON.stringify(record.value)): string | undefined {
    const known = this.applications.get(record.id);
    return known?.json === json ? known.application : recordApplication(record);
  }

  /**
   * The application of a record read now (StoreQueues' readBy asks for each record of the
   * table): from the follower's last read when the record has not changed since.
   */
  applicationOfRecord(record: StoredRecord): string | undefined {
    return this.knownApplication(record);
  }

  private reassert(): void {
    const { reassert } = this.parts;
    if (!reassert) return;
    this.reasserting = Promise.resolve(reassert())
      .catch((error: unknown) => void this.events.emit('store-error', error))
      .finally(() => (this.reasserting = undefined));
  }

  private follow(id: string, value: JsonValue, stored: string): void {
    // Records are JSON a registrar wrote: the shape of a stored registration request.
    const record = JSON.parse(JSON.stringify(value)) as RegistrationRecord;
    const request = requestOf(record) as RegistrationRequest;
    const checked = validateRequest(request, EVERYWHERE);
    if ('status' in checked) return;
    // Bound through its Push Server's answer: routed by the binding that answer gave.
    const bound =
      record.boundProfiles === undefined
        ? checked
        : validateProfiles(record.boundProfiles, EVERYWHERE, 'boundProfiles');
    if ('status' in bound) return;
    const r = new Registration(--this.nextId, request, bound.profiles);
    r.remote = true;
    r.state = 'active';
    // Its pushes go to the queue its holder reads: the one its record is stored under, which a
    // node of an older version names by an older form of the id (docs/pushcai.md, upgrading).
    r.queueId = stored;
    r.queue = this.parts.makeQueue(r);
    // Its hostname contact points resolved here, as its node resolved them there: until then a
    // route naming one takes no push here, and the duplicate check by address (registrar.ts
    // bind) does not see it. One that does not resolve here stays so.
    void r.resolveContactPoints().catch(() => {});
    this.remote.set(id, { json: JSON.stringify(value), stored, registration: r, routed: false });
  }

  private forget(id: string, f: Remote): void {
    this.remote.delete(id);
    if (f.routed) this.unroute(f);
    f.registration.state = 'deregistered';
  }

  private route(f: Remote): void {
    const r = f.registration;
    f.routed = true;
    this.parts.routes.add(r);
    this.parts.whitelist.add(r.id, r.whitelist);
    this.parts.cpi.add(r);
    this.events.emit('registration-followed', { change: 'added', registration: r });
  }

  private unroute(f: Remote): void {
    const r = f.registration;
    f.routed = false;
    this.parts.routes.remove(r);
    this.parts.whitelist.remove(r.id);
    this.parts.cpi.remove(r);
    this.events.emit('registration-followed', { change: 'removed', registration: r });
  }
}
