/**
 * One accepted Application Registration, with the request's details retained for
 * deregistration (PushCAI 5.1: "MUST retain the details of the registration request").
 */
import { isIP } from 'node:net';
import { canonicalApplicationId, applicationKey, type ApplicationKey } from './applicationId.js';
import type { DeliveryQueue } from './delivery.js';
import { applicationRecordId } from './recordId.js';
import { normalizeIp, parseContactPoint, resolveSources, type ContactPoint } from './contactPoint.js';
import { routeOf } from './routingTable.js';
import { normalizeAddress } from './whitelist.js';
import type {
  BoundProfile,
  PushHandler,
  RegistrationCompletion,
  RegistrationRejected,
  RegistrationRequest,
  RegistrationState,
  RegistrationStats,
  RegistrationView,
  WhitelistEntry,
} from './types.js';

export type { BoundProfile, RegistrationState, RegistrationStats } from './types.js';

export interface RegistrationAccepted {
  status: 'accepted';
  registration: Registration;
  /** Settles once binding (and registration with the Push Server where there is one) is done. */
  completed: Promise<RegistrationCompletion>;
}

export type RegistrationResponse = RegistrationAccepted | RegistrationRejected;

/** Shared by every registration without a whitelist, or without OTA-HTTP ports: most have neither. */
const NONE: readonly never[] = Object.freeze([]);

export class Registration implements RegistrationView {
  readonly id: number;
  /** Canonical: the URN for a registered code, else the code or URI. */
  readonly pushApplicationId: string | number;
  readonly key: ApplicationKey;
  readonly applicationId: string | undefined;
  /** Lower-cased MIME types, or undefined for any. */
  readonly accept: readonly string[] | undefined;
  readonly whitelist: readonly WhitelistEntry[];
  /** What it is bound to; for a Push Service Registration, empty until the Push Server answers. */
  profiles: readonly BoundProfile[] = [];
  readonly pushServiceRegistrationUri: string | undefined;
  /** The request as given, without its handler: what a store keeps and a restart replays. */
  readonly request: Readonly<Omit<RegistrationRequest, 'handler'>>;
  routes: readonly number[] = [];
  readonly registeredAt: Date;
  state: RegistrationState = 'pending';
  handler: PushHandler | undefined;
  /** Restored from a store and not yet claimed by its application re-registering. */
  restored = false;
  /**
   * Followed from the shared store: registered on another node, whose handler lives there.
   * Routed here (its pushes go to its queue on the store) and part of the CPI; never bound here.
   */
  remote = false;
  /**
   * Followed: the application part of its record's id, which names the queue its holder reads
   * (storeQueues.ts queueName); an older version's holder stores, and reads, an older form.
   */
  queueId: string | undefined = undefined;
  queue!: DeliveryQueue;
  /** OTA-HTTP receiver ports this registration holds (by requested port). */
  private heldPorts: readonly number[] = NONE;
  readonly stats: RegistrationStats = { delivered: 0, refused: 0, overflowed: 0, handlerErrors: 0, handlerTimeouts: 0 };
  private readonly acceptExact: Set<string> | undefined;
  private readonly acceptPrefixes: string[] | undefined;
  /**
   * Per route, the expected sources its profiles name (contact points, normalized); a route
   * that is not in it (or every route, while it is undefined) takes pushes from any source.
   * This and the two below are made only for a registration whose profiles name a contact
   * point: most name none, and an empty Map or Set held by every registration for its whole
   * life is memory paid for nothing.
   */
  private sourcesByRoute: Map<number, Set<string>> | undefined = undefined;
  /** Hostnames (and URL hosts) still to resolve into sources, by route; undefined when none. */
  private unresolved: Array<{ route: number; contactPoint: Extract<ContactPoint, { kind: 'host' }> }> | undefined =
    undefined;
  /** The routes `unresolved` names: they take no push until it is resolved. */
  private unresolvedRoutes: Set<number> | undefined = undefined;
  /** recordId, once made. */
  private madeRecordId: string | undefined = undefined;

  constructor(id: number, request: RegistrationRequest, profiles: BoundProfile[]) {
    this.id = id;
    // `request` is a copy its caller does not keep (the registrar's, validated; the
    // follower's, parsed from the store): the registration reads from it, not from the
    // application's arrays, so changing them after registering changes nothing (an emptied
    // whitelist would take pushes from anyone), and each array is held once.
    const { handler, ...retained } = request;
    this.request = Object.freeze(retained);
    this.handler = handler;
    this.pushApplicationId = canonicalApplicationId(request.pushApplicationId);
    this.key = applicationKey(request.pushApplicationId);
    this.applicationId = request.applicationId;
    this.whitelist = retained.whitelist ?? NONE;
    this.pushServiceRegistrationUri = request.pushServiceRegistrationUri;
    this.registeredAt = new Date();
    if (retained.accept) {
      const given = retained.accept;
      // Usually given in lower case already: then the retained copy serves as it is.
      this.accept = given.every((t) => t === t.toLowerCase()) ? given : given.map((t) => t.toLowerCase());
      this.acceptExact = new Set(this.accept.filter((t) => !t.endsWith('/*')));
      this.acceptPrefixes = this.accept.filter((t) => t.endsWith('/*')).map((t) => (t === '*/*' ? '' : t.slice(0, -1)));
    }
    this.bindProfiles(profiles);
  }

  /**
   * The connection profiles a Push Server's answer to the Push Service Registration procedure
   * gave: set once, while the registration has none (take it out of the routing table first).
   */
  useServiceProfiles(profiles: BoundProfile[]): void {
    if (this.profiles.length > 0) throw new Error(`registration ${this.id} is bound already`);
    this.bindProfiles(profiles);
  }

  /**
   * Expected sources per route, the same whatever the order of the profiles. PushCAI 5.1 gives
   * a Connection Profile as "one or more set of options for Push event delivery", and its
   * Contact Point as "the expected source address of Push messages": each profile is one way
   * pushes may arrive, so a route takes a push that any of its profiles would. A profile naming
   * no contact point expects no particular source, so its route takes pushes from any source,
   * and the sources other profiles of that route name are not checked there. Each profile's
   * hostname is still resolved when binding ("MUST initiate binding to the requested bearer":
   * every requested profile, its contact point with it), and one that does not resolve fails
   * the registration ("If the local binding ... fails for any reason") on any route.
   */
  private bindProfiles(profiles: BoundProfile[]): void {
    this.profiles = profiles;
    this.routes = [...new Set(profiles.map((p) => routeOf(p.protocol, p.port)))];
    if (!profiles.some((p) => p.contactPoint !== undefined)) return;
    const anySource = new Set<number>();
    const named: Array<{ route: number; contactPoint: ContactPoint }> = [];
    for (const p of profiles) {
      const route = routeOf(p.protocol, p.port);
      const cp = p.contactPoint === undefined ? undefined : parseContactPoint(p.protocol, p.contactPoint);
      if (cp === undefined || typeof cp === 'string') anySource.add(route);
      else named.push({ route, contactPoint: cp });
    }
    for (const { route, contactPoint: cp } of named) {
      if (cp.kind === 'host') (this.unresolved ??= []).push({ route, contactPoint: cp });
      if (anySource.has(route)) continue;
      const byRoute = (this.sourcesByRoute ??= new Map());
      let known = byRoute.get(route);
      if (!known) byRoute.set(route, (known = new Set()));
      if (cp.kind === 'host') (this.unresolvedRoutes ??= new Set()).add(route);
      else known.add(cp.source);
    }
  }

  /**
   * Resolves the hostnames its OTA-HTTP contact points name into the addresses pushes may come
   * from (done when binding; until then those routes take no push, unless a profile there names
   * no contact point). Rejects when one does not resolve, on whatever route.
   */
  async resolveContactPoints(): Promise<void> {
    if (!this.unresolved) return;
    for (const { route, contactPoint } of this.unresolved) {
      const addresses = await resolveSources(contactPoint);
      const known = this.sourcesByRoute?.get(route);
      for (const a of addresses) known?.add(a);
    }
    this.unresolved = undefined;
    this.unresolvedRoutes = undefined;
  }

  /** OTA-HTTP receiver ports this registration holds (by requested port). */
  get httpPorts(): readonly number[] {
    return this.heldPorts;
  }

  /** Records that it holds the OTA-HTTP receiver on `port`. */
  holdPort(port: number): void {
    this.heldPorts = [...this.heldPorts, port];
  }

  /** Gives up every OTA-HTTP port it holds; returns them, for their receivers to be released. */
  releasePorts(): readonly number[] {
    const ports = this.heldPorts;
    this.heldPorts = NONE;
    return ports;
  }

  /** PushCAI 5.1 Accept: whether this application subscribed to `contentType` (any, without a list). */
  acceptsType(contentType: string): boolean {
    if (!this.acceptExact) return true;
    // Well-known content types arrive in canonical lower case: try them as they are first.
    if (this.acceptExact.has(contentType)) return true;
    const t = contentType.toLowerCase();
    if (this.acceptExact.has(t)) return true;
    for (const p of this.acceptPrefixes!) if (t.startsWith(p)) return true;
    return false;
  }

  /**
   * Connection Profile contact point: whether `originator` (an SMS originator, or an HTTP
   * peer's address) is an expected source on `route`; any is, when its profile names none.
   */
  acceptsContactPoint(originator: string, route: number): boolean {
    if (!this.sourcesByRoute) return true;
    if (this.unresolvedRoutes?.has(route)) return false;
    const sources = this.sourcesByRoute.get(route);
    if (!sources) return true;
    return sources.has(route > 0xffff ? normalizeIp(originator) : normalizeAddress(originator));
  }

  /** The sources `route` expects, or undefined for any source (also while a hostname there is not resolved yet). */
  sources(route: number): ReadonlySet<string> | undefined {
    return this.unresolvedRoutes?.has(route) ? undefined : this.sourcesByRoute?.get(route);
  }

  get hasWhitelist(): boolean {
    return this.whitelist.length > 0;
  }

  /**
   * Same application (PushCAI 5.1: "received from the same Push application", which may
   * register again): the same App ID and the same application name; without a name on either
   * side, the same binding - there is nothing else to tell two unnamed applications apart by,
   * and on the same binding the new registration replacing the old keeps delivery unique.
   */
  sameApplicationAs(other: Registration): boolean {
    if (other.key !== this.key) return false;
    if (this.applicationId !== undefined || other.applicationId !== undefined)
      return this.applicationId === other.applicationId;
    return this.sameBindingAs(other);
  }

  /**
   * The contact points `route` names as expected sources, as written (normalized: SMS addresses
   * and IP addresses as compared, hostnames in lower case without a final dot), or undefined
   * when a profile of the route names none (any source). Bindings compare by these, not by the
   * addresses a hostname resolves to: a registration's are known only once it is bound, so a
   * new one would never match an old one bound to the same hostname (PushCAI 5.1 lets "the
   * same Push application" register again). Made on demand: only registering compares them.
   */
  namedSources(route: number): ReadonlySet<string> | undefined {
    const named = new Set<string>();
    for (const p of this.profiles) {
      if (routeOf(p.protocol, p.port) !== route) continue;
      const cp = p.contactPoint === undefined ? undefined : parseContactPoint(p.protocol, p.contactPoint);
      if (cp === undefined || typeof cp === 'string') return undefined;
      named.add(cp.kind === 'host' ? hostName(cp.host) : cp.source);
    }
    return named;
  }

  /**
   * The application's id in the shared store (recordId.ts): its name, or unnamed its binding,
   * so that two registrations have the same id exactly when sameApplicationAs says they are
   * the same application. Made once, when first asked (after a Push Service Registration
   * answer too: the address alone names that binding).
   */
  get recordId(): string {
    this.madeRecordId ??= applicationRecordId(
      this.request.pushApplicationId,
      this.applicationId,
      this.applicationId === undefined ? this.bindingKey() : undefined,
    );
    return this.madeRecordId;
  }

  /**
   * The binding as sameBindingAs compares it, as text: the Push Service Registration address
   * when there is one (its answer's profiles are not known before it binds, and the same
   * address is asked the same way), else each route with the contact points it names, sorted,
   * or null for any source.
   */
  private bindingKey(): string {
    if (this.pushServiceRegistrationUri !== undefined) return JSON.stringify({ psr: this.pushServiceRegistrationUri });
    const routes = [...this.routes].sort((a, b) => a - b);
    return JSON.stringify(
      routes.map((route) => {
        const named = this.namedSources(route);
        return [route, named === undefined ? null : [...named].sort()];
      }),
    );
  }

  /** The same routes, with the same contact points named on each, and the same Push Service Registration address. */
  sameBindingAs(other: Registration): boolean {
    if (this.pushServiceRegistrationUri !== other.pushServiceRegistrationUri) return false;
    if (this.routes.length !== other.routes.length || !this.routes.every((r) => other.routes.includes(r))) return false;
    for (const route of this.routes) {
      const a = this.namedSources(route);
      const b = other.namedSources(route);
      if (a === undefined || b === undefined) {
        if (a !== b) return false;
      } else if (a.size !== b.size || [...a].some((x) => !b.has(x))) return false;
    }
    return true;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { id: this.id, pushApplicationId: this.pushApplicationId };
    if (this.applicationId !== undefined) out.applicationId = this.applicationId;
    out.state = this.state;
    out.profiles = this.profiles;
    if (this.pushServiceRegistrationUri) out.pushServiceRegistrationUri = this.pushServiceRegistrationUri;
    if (this.accept) out.accept = this.accept;
    if (this.whitelist.length) out.whitelist = this.whitelist;
    return out;
  }
}

/** A hostname as bindings compare it: DNS names are case-insensitive, and a final dot names the same host. */
function hostName(host: string): string {
  const h = host.toLowerCase();
  return isIP(h) ? normalizeIp(h) : h.endsWith('.') ? h.slice(0, -1) : h;
}
