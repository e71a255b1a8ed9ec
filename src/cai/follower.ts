/**
 * Registrations made on other nodes, followed through the shared store's record table: each
 * one stored there that this node does not hold itself is routed here as a remote registration
 * (its pushes go to its queue on the store, which the node holding its handler consumes) and
 * counts in this node's CPI. The table is read again on each change another node announces
 * (Redis pub/sub, at once) and at the latest every `registrationPollMs` (the store's watch),
 * and after each change of this node's own registrations.
 */
import type { EventEmitter } from 'node:events';
import type { JsonValue, RecordTable } from '../store/types.js';
import type { CpiSet } from './cpi.js';
import type { DeliveryQueue } from './delivery.js';
import type { PushClientEvents } from './events.js';
import { PROTOCOLS } from './protocols.js';
import { Registration } from './registration.js';
import type { RoutingTable } from './routingTable.js';
import { registrationRecordId, type StoredRegistration } from './store.js';
import type { RegistrationRequest } from './types.js';
import { validateRequest, type Availability } from './validate.js';
import type { Whitelist } from './whitelist.js';

export interface FollowerParts {
  table: RecordTable;
  routes: RoutingTable<Registration>;
  cpi: CpiSet;
  whitelist: Whitelist;
  /** This node's own registrations taking pushes now (they shadow a record of the same application). */
  local: () => Iterable<Registration>;
  makeQueue: (r: Registration) => DeliveryQueue;
}

/** A remote registration is taken as its node accepted it: every protocol counts as served. */
const EVERYWHERE: Availability = {
  protocols: new Set(Object.keys(PROTOCOLS)),
  defaultProfile: {
    protocol: 'OTA-WSP',
    bearerType: PROTOCOLS['OTA-WSP'].defaultBearer!,
    port: PROTOCOLS['OTA-WSP'].defaultPort!,
  },
};

interface Followed {
  json: string;
  registration: Registration;
}

export class RegistrationFollower {
  private readonly followed = new Map<string, Followed>();
  /** Remote registrations are numbered down from -1, apart from this node's own. */
  private nextId = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly events: EventEmitter<PushClientEvents>,
    private readonly parts: FollowerParts,
  ) {}

  /** Reads the table now and follows it from then on. */
  async start(): Promise<void> {
    this.stopWatch ??= this.parts.table.watch(() => void this.sync());
    await this.sync();
  }

  close(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  /** The remote registrations followed now. */
  registrations(): Registration[] {
    return [...this.followed.values()].map((f) => f.registration);
  }

  /**
   * A registration of this node starts taking pushes: a remote one of the same application
   * leaves the routes now (not at the next read), so no push goes to both.
   */
  shadow(r: Registration): void {
    const id = registrationRecordId(r.request);
    const f = this.followed.get(id);
    if (f !== undefined) this.unfollow(id, f);
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
    const records = await this.parts.table.list();
    const own = new Set<string>();
    for (const r of this.parts.local()) own.add(registrationRecordId(r.request));
    const wanted = new Map<string, JsonValue>();
    for (const { id, value } of records) if (!own.has(id)) wanted.set(id, value);
    for (const [id, f] of this.followed) {
      const value = wanted.get(id);
      if (value === undefined || JSON.stringify(value) !== f.json) this.unfollow(id, f);
    }
    for (const [id, value] of wanted) if (!this.followed.has(id)) this.follow(id, value);
  }

  private follow(id: string, value: JsonValue): void {
    // Records are JSON a registrar wrote: the shape of a stored registration request.
    const request = JSON.parse(JSON.stringify(value)) as StoredRegistration;
    const checked = validateRequest(request as RegistrationRequest, EVERYWHERE);
    if ('status' in checked) return;
    const r = new Registration(--this.nextId, request as RegistrationRequest, checked.profiles);
    r.remote = true;
    r.state = 'active';
    r.queue = this.parts.makeQueue(r);
    this.followed.set(id, { json: JSON.stringify(value), registration: r });
    this.parts.routes.add(r);
    this.parts.whitelist.add(r.id, r.whitelist);
    this.parts.cpi.add(r);
    this.events.emit('registration-followed', { change: 'added', registration: r });
  }

  private unfollow(id: string, f: Followed): void {
    this.followed.delete(id);
    const r = f.registration;
    this.parts.routes.remove(r);
    this.parts.whitelist.remove(r.id);
    this.parts.cpi.remove(r);
    r.state = 'deregistered';
    this.events.emit('registration-followed', { change: 'removed', registration: r });
  }
}
