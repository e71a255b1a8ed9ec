/**
 * The registration lifecycle of PushCAI 5.1 and 5.2: a request is validated and checked by the
 * policy (6), accepted or rejected at once; then bound - the bearer, then the Push Servers -
 * and reported as success or failure; deregistration tells the Push Servers first and changes
 * nothing here if that fails. The registry, the whitelist entries and the CPI follow each
 * registration in and out; the store keeps the active ones across a restart.
 */
import type { EventEmitter } from 'node:events';
import { applicationKey, type ApplicationKey } from './applicationId.js';
import { CpiSet, type Cpi } from './cpi.js';
import type { DeliveryQueue } from './delivery.js';
import type { PushClientEvents } from './events.js';
import { HeldRegistrations, retriesRestore, type HeldRegistration } from './held.js';
import { REGISTRATION_FAILURE, type RegistrationFailureReason } from './failures.js';
import type { HttpReceiverPool } from './httpPool.js';
import { BufferBudgetError } from './otaHttpReceiver.js';
import { PROTOCOLS } from './protocols.js';
import { PushServers, serverContactPoints } from './pushServers.js';
import { Registration, type RegistrationResponse } from './registration.js';
import type { RoutingTable } from './routingTable.js';
import type { SmppBearer } from './smppBearer.js';
import {
  registrationRecordId,
  type RegistrationPersistence,
  type RegistrationRecord,
  type StoredRegistration,
} from './store.js';
import type {
  BoundProfile,
  DeregistrationResponse,
  RegistrationCompletion,
  RegistrationFailure,
  RegistrationPolicy,
  RegistrationRejected,
  RegistrationRequest,
  RegistrationView,
  DeregistrationOptions,
} from './types.js';
import { MAX_SERVICE_REGISTRATION_ANSWER_OCTETS, readServiceRegistrationAnswer } from './serviceRegistration.js';
import { validateProfiles, validateRequest, type Availability } from './validate.js';
import { backoffDelay, type Backoff } from '../wdp/smpp/backoff.js';
import type { Whitelist } from './whitelist.js';

export interface RegistrarOptions {
  policy: RegistrationPolicy | undefined;
  store: RegistrationPersistence | undefined;
  terminalId: string | undefined;
  /** How long a registration waits for the SMPP link to bind; undefined: until it binds or will not. */
  bindTimeoutMs: number | undefined;
  serverTimeoutMs: number;
  bearer: SmppBearer;
  /** OTA-HTTP receivers; undefined when OTA-HTTP is turned off. */
  http: HttpReceiverPool | undefined;
  routes: RoutingTable<Registration>;
  whitelist: Whitelist;
  makeQueue: (r: Registration) => DeliveryQueue;
  /** Backoff between restores of a stored registration that failed for a passing reason. */
  restoreRetry: Backoff;
  /** Backoff between sends of a CPI change a Push Server did not take. */
  pushServerRetry: Backoff;
  /** Backoff between writes of the store that undo a change it holds already, after one failed (rewrite). */
  storeRetry: Backoff;
  /** How long a registration that sorts first waits for a racing duplicate on another node to withdraw (settleDuplicate). */
  duplicateSettleMs: number;
  /** Whether restore() takes the stored registrations in as this node's (false on a shared store: they are followed). */
  restoreStored: boolean;
  /** A registration of this node started (or stopped) taking pushes: its store queue is consumed here (or no longer). */
  onRouted?: (r: Registration) => void;
  onUnrouted?: (r: Registration) => void;
  /**
   * A stored registration withdrew (settleDuplicate) and the store no longer holds it: a write
   * made after its withdrawal succeeded. What other nodes queued for it meanwhile may be drained.
   */
  onWithdrawn?: (r: Registration) => void;
  /** Registrations other nodes sharing the store hold (follower.ts): their Push Servers' CPIs count them too. */
  remote?: () => Iterable<Registration>;
  /**
   * The registrations other nodes hold, as the shared store lists them once this node's last
   * write is in it (follower.ts sync, then holders): what a new registration, once stored, is
   * checked against again, for a node that accepted a duplicate at the same moment.
   */
  remoteAfterWrite?: () => Promise<Iterable<Registration>>;
}

/** What a save of the store is to change: the registration it adds, the ones it takes out. */
interface StoreChange {
  add?: Registration;
  remove?: Registration;
  release?: readonly HeldRegistration[];
  /** Another save written while this one was in flight carried this change too. */
  carried?: boolean;
}

export class Registrar {
  private readonly registry = new Map<number, Registration>();
  /** The terminal's CPI: this node's registrations and those followed from the shared store. */
  readonly cpiSet = new CpiSet();
  private readonly held: HeldRegistrations;
  private readonly servers: PushServers;
  /** The held (stored) entry each registration being restored came from. */
  private readonly restoringFrom = new WeakMap<Registration, HeldRegistration>();
  /** Held entries whose restore is under way (from admission until its outcome). */
  private readonly inFlight = new Set<HeldRegistration>();
  /**
   * The registration each held entry's last restore lost its binding to (it expected an address
   * that one expects too): when that one leaves the registry, the held entry is tried again.
   */
  private readonly lostTo = new WeakMap<HeldRegistration, Registration>();
  private nextId = 0;
  private closed = false;
  /** Registrations being deregistered: out of the store from the first save, whatever saves come meanwhile. */
  private readonly leaving = new Set<Registration>();
  /**
   * Activations whose save is in flight. Each save writes the whole store and saves queue, so
   * one made meanwhile carries their changes too: else, written after theirs, it would undo them.
   */
  private readonly adding = new Set<StoreChange>();
  /** Registrations withdrawn after they were stored, their record not yet written out (onWithdrawn). */
  private readonly withdrawnStored = new Set<Registration>();
  /** The next write of the store as it is, after one failed (rewrite): one at a time, with backoff. */
  private rewriting: { timer: NodeJS.Timeout; attempts: number } | undefined;

  constructor(
    private readonly events: EventEmitter<PushClientEvents>,
    private readonly options: RegistrarOptions,
  ) {
    this.held = new HeldRegistrations(options.restoreRetry, (h) => void this.restoreOne(h));
    this.servers = new PushServers(events, {
      terminalId: options.terminalId,
      timeoutMs: options.serverTimeoutMs,
      retry: options.pushServerRetry,
      // The whole cluster's registrations: a Push Server hears the same CPI from every node.
      members: () => [...this.registry.values(), ...(this.options.remote?.() ?? [])],
    });
  }

  close(): void {
    this.closed = true;
    this.withdrawnStored.clear();
    if (this.rewriting) clearTimeout(this.rewriting.timer);
    this.rewriting = undefined;
    this.held.close();
    this.servers.close();
  }

  /** Push Servers with a change of their CPI not yet delivered (retried in the background). */
  pendingPushServers(): string[] {
    return this.servers.pending();
  }

  /** The CPI an OTA-HTTP receiver answers OPTIONS with: the registrations bound to that receiver. */
  cpiForHttpPort(requestedPort: number): Cpi {
    const set = new CpiSet();
    for (const r of this.registry.values())
      if (r.profiles.some((p) => p.protocol === 'OTA-HTTP' && p.port === requestedPort)) set.add(r);
    return set.snapshot();
  }

  /** PushCAI 5.1 Application Registration. */
  register(request: RegistrationRequest): Promise<RegistrationResponse> {
    return this.admit(request, undefined);
  }

  /**
   * A registration request from an application, or (`restoring`) one from the store. A restored
   * one is routed as soon as it is accepted, before its binding completes, so pushes that waited
   * at the SMSC find it when the link binds; a new one is routed once its binding succeeded and
   * it is stored.
   */
  private async admit(
    given: RegistrationRequest,
    restoring: HeldRegistration | undefined,
  ): Promise<RegistrationResponse> {
    // Validated, shown to the policy and registered is one copy, taken before anything else:
    // what the application changes in its arrays meanwhile (during the policy's await, say)
    // reaches none of them, so no unchecked entry is ever registered.
    const request = detached(given);
    if (request === undefined) {
      const invalid = validateRequest(given, this.availability());
      return this.rejected(
        given,
        'status' in invalid
          ? invalid
          : {
              status: 'rejected',
              reason: 'invalid-request',
              message: 'a registration request holds data only, besides its handler',
            },
      );
    }
    const checked = validateRequest(request, this.availability());
    if ('status' in checked) return this.rejected(given, checked);
    if (this.options.policy) {
      let verdict: boolean | string | void;
      try {
        verdict = await this.options.policy(request);
      } catch (e) {
        verdict = `policy failed: ${(e as Error).message}`;
      }
      if (verdict === false || typeof verdict === 'string') {
        return this.rejected(given, {
          status: 'rejected',
          reason: 'policy',
          message: typeof verdict === 'string' ? verdict : 'refused by the registration policy',
        });
      }
    }
    // The policy's await let everything else run: the stored entry being restored may have
    // been let go meanwhile (its application registered again, or deregistered by App ID).
    // Restored now, it would stand beside the new registration, or undo the deregistration.
    if (restoring && !this.held.has(restoring)) return RELEASED_DURING_RESTORE;
    const r = new Registration(++this.nextId, request, checked.profiles);
    let replaces: Registration | undefined;
    for (const other of this.registry.values()) {
      if (other.key !== r.key) continue;
      if (other.sameApplicationAs(r)) replaces = other;
      else if (!uniqueBinding(other, r)) {
        if (restoring) this.lostTo.set(restoring, other);
        return this.rejected(given, duplicateOf(r, other));
      }
    }
    // On a shared store the Push Client is the cluster: an application another node holds is
    // registered here too (5.1 "an already-registered Push Application ID"). As far as this
    // node has followed the store; one stored meanwhile is caught after the write (activate).
    const remote = this.remoteDuplicateOf(r, this.options.remote?.() ?? []);
    if (remote !== undefined) return this.rejected(given, duplicateOf(r, remote));
    // Its application registered again during the policy's await and is still binding: the held
    // entry is let go once that one is stored (activate), so it stops here, as when already let
    // go. Should the new one fail instead, its leaving (wakeHeldBy) tries the held entry again.
    if (restoring && replaces) {
      this.lostTo.set(restoring, replaces);
      return RELEASED_DURING_RESTORE;
    }
    // A restored registration is routed before it binds: one expecting an address (an IP or SMS
    // contact point) that another application of its App ID expects too is refused here, so no
    // push from that address reaches both. Hostnames are checked once resolved, in bind().
    const clash = restoring ? this.sharedSourceWith(r) : undefined;
    if (clash !== undefined) {
      this.lostTo.set(restoring!, clash.other);
      return this.rejected(given, { status: 'rejected', reason: 'duplicate-application-id', message: clash.message });
    }
    // Whatever can throw comes before the registry takes it in: a failing admission leaves nothing listed.
    r.queue = this.options.makeQueue(r);
    this.options.whitelist.add(r.id, r.whitelist);
    this.registry.set(r.id, r);
    this.cpiSet.add(r);
    if (restoring) {
      r.restored = true;
      this.restoringFrom.set(r, restoring);
      this.route(r);
    }
    // With a Push Service Registration URI the binding comes from the Push Server's answer. A
    // restored registration waits for it here, so it is routed before the link binds at start.
    const answered = r.pushServiceRegistrationUri ? this.registerService(r, restoring !== undefined) : undefined;
    if (restoring && answered) await answered;
    const bound = (answered ?? Promise.resolve<{ replaces?: Registration }>({})).then(
      (got): Promise<RegistrationCompletion> | RegistrationFailure => {
        if ('status' in got) return got;
        replaces ??= got.replaces;
        return this.bind(r, restoring !== undefined);
      },
    );
    const completed = bound.then(async (result): Promise<RegistrationCompletion> => {
      if (r.state === 'deregistered') {
        // Deregistered while binding: give back what the binding took.
        this.releaseHttp(r);
        result = {
          status: 'failure',
          reason: REGISTRATION_FAILURE.DEREGISTERED,
          message: 'the application deregistered before binding completed',
        };
      } else if (result.status === 'failure') {
        this.undo(r);
        r.state = 'failed';
      } else if (restoring) {
        // Already in the store, as the held entry it replaces.
        this.held.release(restoring);
        r.state = 'active';
      } else {
        result = await this.activate(r, replaces);
      }
      this.events.emit('registration', { registration: r, result });
      return result;
    });
    return { status: 'accepted', registration: r, completed };
  }

  /** A bound registration becomes active once it is stored: one that cannot be stored is a failure. */
  private async activate(r: Registration, replaces: Registration | undefined): Promise<RegistrationCompletion> {
    const superseded = this.held.all().filter((h) => sameStoredApplication(h.request, r));
    const change: StoreChange = { add: r, remove: replaces, release: superseded };
    this.adding.add(change);
    const saved = await this.persist(change);
    if (saved !== undefined) {
      this.adding.delete(change);
      this.undo(r);
      r.state = 'failed';
      // A save made meanwhile wrote it: the store is written again without it.
      if (change.carried) void this.rewrite();
      // The Push Servers were told of it: they are told again without it.
      for (const point of serverContactPoints(r)) this.servers.later(point);
      return {
        status: 'failure',
        reason: REGISTRATION_FAILURE.STORE_FAILED,
        message: `the registration could not be stored: ${errorMessage(saved)}`,
      };
    }
    // Stored, not active yet: until the check after the write settles, every save this node
    // makes meanwhile (another registration, a deregistration, a held release) still writes its
    // record. Left out, the save would delete it, and other nodes would stop seeing it.
    const settled = await this.settleDuplicate(r);
    this.adding.delete(change);
    // Deregistered while the check read the store: it stays out (deregister took it out there too).
    if (this.registry.get(r.id) !== r)
      return {
        status: 'failure',
        reason: REGISTRATION_FAILURE.DEREGISTERED,
        message: 'the application deregistered before its registration completed',
      };
    if (settled === 'closed')
      return this.withdraw(
        r,
        REGISTRATION_FAILURE.CLOSED,
        'the client was closed while a duplicate on another node settled',
      );
    if (settled !== undefined)
      return this.withdraw(r, REGISTRATION_FAILURE.DUPLICATE_APPLICATION_ID, duplicateOf(r, settled).message);
    if (replaces && this.registry.has(replaces.id)) {
      this.drop(replaces);
      // A Push Server only the replaced registration was bound to hears that it is gone.
      const kept = serverContactPoints(r);
      for (const point of serverContactPoints(replaces)) if (!kept.includes(point)) this.servers.later(point);
    }
    for (const h of superseded) this.held.release(h);
    r.state = 'active';
    this.route(r);
    return { status: 'success' };
  }

  /**
   * A registration just stored is checked once more against what other nodes hold, read after
   * the write. Of two nodes that each admitted one of two duplicates before either was stored,
   * at least one reads the other's record (each reads after its own write, and one Redis orders
   * them all). The one whose application id (Registration.recordId) sorts after the
   * other's withdraws at once; the one that sorts first waits, at most `duplicateSettleMs` from
   * its first read, for the other's record to go: gone, it stays (the other withdrew); still
   * there, it withdraws (the other stayed, having read before this write). So never both stay,
   * and in a tie one does unless the other was slower than that bound. Gives the duplicate `r`
   * withdraws for ('closed' when the client closed while it waited); undefined when it stays
   * (or was deregistered meanwhile: the caller sees it left the registry).
   */
  private async settleDuplicate(r: Registration): Promise<Registration | 'closed' | undefined> {
    const read = this.options.remoteAfterWrite;
    if (!read) return undefined;
    let other = this.remoteDuplicateOf(r, await read());
    // From the first read: a slow read here is no time the other node had to withdraw in.
    const deadline = Date.now() + this.options.duplicateSettleMs;
    while (other !== undefined && sortsFirst(r, other) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, DUPLICATE_SETTLE_POLL_MS));
      if (this.closed) return 'closed';
      if (this.registry.get(r.id) !== r) return undefined;
      other = this.remoteDuplicateOf(r, await read());
    }
    return other;
  }

  /**
   * Takes a stored registration out again (settleDuplicate): out of everything here, then out of
   * the store (rewrite: retried until written, so its record does not outlive it), then out of
   * its Push Servers' CPIs. Gives its failure.
   */
  private async withdraw(
    r: Registration,
    reason: RegistrationFailureReason,
    message: string,
  ): Promise<RegistrationFailure> {
    this.undo(r);
    r.state = 'failed';
    if (!this.closed) this.withdrawnStored.add(r);
    await this.rewrite();
    for (const point of serverContactPoints(r)) this.servers.later(point);
    return { status: 'failure', reason, message };
  }

  /**
   * Writes the store as it is, where a change was undone after a save wrote it (a withdrawal, a
   * failed deregistration): until written, its record stays and other nodes still route to it.
   * A failure is a 'store-error', and the write is tried again with `storeRetry`'s backoff until
   * one succeeds (any successful save of this node ends that: each writes the store as it is).
   * Resolves after the first try.
   */
  private async rewrite(): Promise<void> {
    const failed = await this.persist();
    if (failed === undefined) return;
    this.events.emit('store-error', failed);
    if (this.closed || this.rewriting) return;
    this.rewriteLater(0);
  }

  private rewriteLater(attempts: number): void {
    const timer = setTimeout(
      () => {
        void this.persist().then((failed) => {
          if (failed === undefined || this.closed || this.rewriting?.timer !== timer) return;
          this.events.emit('store-error', failed);
          this.rewriteLater(attempts + 1);
        });
      },
      backoffDelay(this.options.storeRetry, attempts),
    );
    timer.unref();
    this.rewriting = { timer, attempts };
  }

  /** A registration another node holds that `r` cannot be told apart from (another application of its App ID on its binding). */
  private remoteDuplicateOf(r: Registration, remote: Iterable<Registration>): Registration | undefined {
    for (const other of remote)
      if (other.key === r.key && !other.sameApplicationAs(r) && !uniqueBinding(other, r)) return other;
    return undefined;
  }

  /**
   * PushCAI 5.2 Application Deregistration, by the registration object or by Push Application
   * ID (with the application's name when several applications share the App ID).
   */
  async deregister(
    target: RegistrationView | string | number,
    options: DeregistrationOptions = {},
  ): Promise<DeregistrationResponse> {
    const { applicationId, force = false } = options;
    let r: Registration | undefined;
    if (typeof target === 'object') {
      const known = this.registry.get(target.id);
      r = known === target ? known : undefined;
    } else {
      const key = applicationKeyOf(target);
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
    if (!r && typeof target !== 'object') {
      // Not in effect, but stored: a held registration leaves the store.
      const key = applicationKeyOf(target);
      const held = this.held
        .all()
        .filter(
          (h) =>
            applicationKeyOf(h.request.pushApplicationId) === key &&
            (applicationId === undefined || h.request.applicationId === applicationId),
        );
      if (held.length > 0) {
        const failed = await this.persist({ release: held });
        if (failed !== undefined) return storeFailure(failed);
        for (const h of held) this.held.release(h);
        return { status: 'success' };
      }
    }
    if (!r || r.state === 'deregistered' || r.state === 'failed') {
      return {
        status: 'rejected',
        reason: 'not-registered',
        message: `${typeof target === 'object' ? `registration ${target.id}` : String(target)} is not registered`,
      };
    }
    // The store first: if it cannot be written, nothing changes here or at the Push Servers.
    const from = this.restoringFrom.get(r);
    this.leaving.add(r);
    const unstored = await this.persist({ remove: r, release: from ? [from] : [] });
    if (unstored !== undefined) {
      this.leaving.delete(r);
      return storeFailure(unstored);
    }
    // Then the Push Servers, each with its own CPI, where it changes (5.2: not when another
    // registration there still has the App ID or MIME types). If one fails, the store is put
    // back, those already told hear the registration again, and the application may retry.
    const told: string[] = [];
    const pending: string[] = [];
    for (const point of serverContactPoints(r)) {
      const after = this.servers.cpiFor(point, { remove: r });
      if (after.headers['X-Wap-CPITag'] === this.servers.cpiFor(point).headers['X-Wap-CPITag']) continue;
      const sent = await this.servers.tell(point, { remove: r });
      if (sent.ok) {
        told.push(point);
        continue;
      }
      if (force) {
        // 5.2 asks for a failure response, and gets it without `force`; with it the
        // application leaves anyway, and the Push Server is told once it can be.
        pending.push(point);
        continue;
      }
      for (const p of told) this.servers.later(p);
      this.leaving.delete(r);
      await this.rewrite();
      return { status: 'failure', reason: sent.reason, message: sent.message };
    }
    this.leaving.delete(r);
    if (this.registry.get(r.id) !== r)
      return { status: 'rejected', reason: 'not-registered', message: `registration ${r.id} is not registered` };
    this.drop(r);
    if (from) this.held.release(from);
    // Sent once r is gone, so the CPI each server is sent is the one without it.
    for (const point of pending) this.servers.later(point);
    this.events.emit('deregistration', { registration: r });
    return pending.length ? { status: 'success', pushServersPending: pending } : { status: 'success' };
  }

  /**
   * Accepts every stored registration again and routes it at once; `settled` resolves when
   * each one's binding has completed. One that fails for a passing reason is retried with
   * backoff; one refused is kept; one that lost its binding to another registration of its App
   * ID is kept until that one leaves (held.ts). All stay stored, and each failure is reported
   * as 'restore-failed'.
   */
  async restore(): Promise<{ settled: Promise<void> }> {
    if (!this.options.store || !this.options.restoreStored) return { settled: Promise.resolve() };
    const stored = await this.options.store.load();
    const holds = stored.map((request) => this.held.add(request));
    const attempts = await Promise.all(holds.map((h) => this.restoreOne(h)));
    return { settled: Promise.all(attempts.map((a) => a.settled)).then(() => undefined) };
  }

  /** One restore attempt of a held registration: resolves once it is accepted or refused, with its outcome to come. */
  private async restoreOne(h: HeldRegistration): Promise<{ settled: Promise<void> }> {
    const request = h.request as RegistrationRequest;
    this.inFlight.add(h);
    this.lostTo.delete(h);
    const r = await this.admit(request, h);
    if (r.status === 'rejected') {
      this.inFlight.delete(h);
      // Let go while the policy was asked: nothing is held, so nothing failed.
      if (this.held.has(h)) this.holdAfter(h, r, false);
      return { settled: Promise.resolve() };
    }
    const settled = r.completed.then((done) => {
      this.inFlight.delete(h);
      if (done.status === 'success' || !this.held.has(h)) return;
      this.holdAfter(h, done, retriesRestore(h.request, done.reason));
    });
    return { settled };
  }

  /**
   * A restore of `h` failed: it is held, retried with backoff when `passing`. One that lost its
   * binding to another registration waits for that one to leave (wakeHeldBy), and is tried
   * again at once when it left already, while this restore was on its way (its leaving found
   * this one in flight and passed it by).
   */
  private holdAfter(h: HeldRegistration, response: RegistrationRejected | RegistrationFailure, passing: boolean): void {
    const lostTo =
      passing || response.reason !== REGISTRATION_FAILURE.DUPLICATE_APPLICATION_ID ? undefined : this.lostTo.get(h);
    this.held.failed(h, response.reason, passing);
    this.events.emit('restore-failed', { request: h.request, response });
    if (lostTo !== undefined && this.registry.get(lostTo.id) !== lostTo) this.held.retryNow(h);
  }

  /** `gone` left the registry: held entries that lost their binding to it are tried again. */
  private wakeHeldBy(gone: Registration): void {
    for (const h of this.held.all())
      if (this.lostTo.get(h) === gone && !h.retrying && !this.inFlight.has(h)) this.held.retryNow(h);
  }

  /**
   * Writes the store again as it is (this node's records were found missing: another node took
   * it for dead). That node told the Push Servers the CPI without them, and no other node will
   * tell them otherwise: once the records are back, each active registration's Push Servers
   * hear the CPI with it again. Resolves once written (and the Push Servers' sends scheduled).
   */
  resave(tellServers = true): Promise<void> {
    return this.persist().then((failed) => {
      if (failed !== undefined) {
        this.events.emit('store-error', failed);
        return;
      }
      if (!tellServers) return;
      for (const r of this.registry.values())
        if (r.state === 'active' && !this.leaving.has(r))
          for (const point of serverContactPoints(r)) this.servers.later(point);
    });
  }

  /**
   * A registration held on other nodes only is gone because they all died: no node told its
   * Push Servers, so this one does (every node following it does the same, with the same CPI).
   */
  remoteLapsed(r: Registration): void {
    for (const point of serverContactPoints(r)) this.servers.later(point);
  }

  /**
   * Whether a registration of this node is of application `recordId` (Registration.recordId):
   * one registered or still being added (from admission on), or a held one.
   */
  holds(recordId: string): boolean {
    for (const r of this.registry.values()) if (r.recordId === recordId) return true;
    return this.held.all().some((h) => registrationRecordId(h.request) === recordId);
  }

  /** Stored registrations not in effect now, with why (see held.ts). */
  heldRegistrations(): Array<{ request: StoredRegistration; reason: string; attempts: number; retrying: boolean }> {
    return this.held.all().map(({ request, reason, attempts, retrying }) => ({ request, reason, attempts, retrying }));
  }

  cpi(): Cpi {
    return this.cpiSet.snapshot();
  }

  registrations(): Registration[] {
    return [...this.registry.values()];
  }

  private rejected(request: RegistrationRequest, response: RegistrationRejected): RegistrationRejected {
    this.events.emit('registration-rejected', { request, response });
    return response;
  }

  private availability(): Availability {
    const protocols = new Set<string>();
    const smsUnavailable = this.options.bearer.unavailable;
    if (smsUnavailable === undefined) protocols.add('OTA-WSP');
    if (this.options.http) protocols.add('OTA-HTTP');
    const reasons = smsUnavailable === undefined ? {} : { 'OTA-WSP': smsUnavailable };
    const defaultProfile: BoundProfile | undefined =
      smsUnavailable === undefined
        ? {
            protocol: 'OTA-WSP',
            bearerType: PROTOCOLS['OTA-WSP'].defaultBearer!,
            port: PROTOCOLS['OTA-WSP'].defaultPort!,
          }
        : undefined;
    return { protocols, defaultProfile, reasons };
  }

  /**
   * The Push Service Registration procedure (PushCAI 5.1, serviceRegistration.ts): the CPI goes
   * to the URI, and the answer's connection profiles become the registration's binding, checked
   * as a request's would be and for unique delivery against the other registrations of its App
   * ID. Gives the registration it replaces, if any, or the failure; after a failure the Push
   * Server, which was told of it, is told again without it.
   */
  private async registerService(
    r: Registration,
    restoring: boolean,
  ): Promise<RegistrationFailure | { replaces?: Registration }> {
    const point = r.pushServiceRegistrationUri!;
    const sent = await this.servers.tell(point, {}, MAX_SERVICE_REGISTRATION_ANSWER_OCTETS);
    if (!sent.ok)
      return {
        status: 'failure',
        reason: REGISTRATION_FAILURE.PUSH_SERVICE_REGISTRATION_FAILED,
        message: sent.message,
      };
    const failed = (reason: RegistrationFailureReason, message: string): RegistrationFailure => {
      this.servers.later(point);
      return { status: 'failure', reason, message };
    };
    if (this.registry.get(r.id) !== r) return failed(REGISTRATION_FAILURE.DEREGISTERED, 'the application deregistered');
    const answer = readServiceRegistrationAnswer(sent.answer?.contentType, sent.answer?.body ?? new Uint8Array(0));
    if ('error' in answer)
      return failed(REGISTRATION_FAILURE.PUSH_SERVICE_REGISTRATION_FAILED, `${point}: ${answer.error}`);
    const available = this.availability();
    let profiles: BoundProfile[];
    if (answer.profiles.length === 0) {
      if (!available.defaultProfile)
        return failed(
          REGISTRATION_FAILURE.PUSH_SERVICE_REGISTRATION_FAILED,
          `${point} gave no connection profile, and the default one (OTA-WSP) is not available: ${available.reasons?.['OTA-WSP'] ?? 'no SMPP link'}`,
        );
      profiles = [{ ...available.defaultProfile }];
    } else {
      const checked = validateProfiles(answer.profiles, available, 'connectionProfiles');
      if ('status' in checked)
        return failed(
          REGISTRATION_FAILURE.PUSH_SERVICE_REGISTRATION_FAILED,
          `${point} gave a connection profile this client cannot bind (${checked.option ?? checked.reason}): ${checked.message}`,
        );
      profiles = checked.profiles;
    }
    if (restoring) this.options.routes.remove(r);
    r.useServiceProfiles(profiles);
    let replaces: Registration | undefined;
    for (const other of this.registry.values()) {
      if (other === r || other.key !== r.key) continue;
      if (other.sameApplicationAs(r)) replaces ??= other;
      else if (!uniqueBinding(other, r))
        return failed(
          REGISTRATION_FAILURE.DUPLICATE_APPLICATION_ID,
          `${point} gave the binding of registration ${other.id}${other.applicationId ? ` (${other.applicationId})` : ''}, which cannot tell their pushes apart`,
        );
    }
    if (restoring) this.options.routes.add(r);
    return { replaces };
  }

  /** Binding after acceptance (PushCAI 5.1): the bearer, then the Push Server where there is one. */
  private async bind(r: Registration, restoring: boolean): Promise<RegistrationCompletion> {
    const fail = (reason: RegistrationFailureReason, message: string): RegistrationCompletion => {
      this.releaseHttp(r);
      return { status: 'failure', reason, message };
    };
    // A new registration waits for the link to bind (5.1: "bind to the requested bearer"); a
    // restored one is routed already and the link binds right after restore, at start.
    if (!restoring && r.profiles.some((p) => p.protocol === 'OTA-WSP')) {
      const bound = await this.options.bearer.bound(this.options.bindTimeoutMs);
      if (bound !== true)
        return fail(this.closed ? REGISTRATION_FAILURE.CLOSED : REGISTRATION_FAILURE.BEARER_UNAVAILABLE, bound);
    }
    try {
      await r.resolveContactPoints();
    } catch (e) {
      return fail(
        REGISTRATION_FAILURE.CONTACT_POINT_UNRESOLVED,
        `a contact point's host does not resolve: ${(e as Error).message}`,
      );
    }
    // Admitted by the names of its contact points; two names may share an address, and a push
    // from it would reach both applications: unique delivery fails that binding here. Checked in
    // the same turn the addresses took effect (no await between): a route with a hostname takes
    // no push until resolved (Registration.acceptsContactPoint), so none reaches both meanwhile.
    // Against the registrations other nodes hold too, as far as this node followed them and
    // resolved their hostnames (follower.ts): a push from a shared address arriving here would
    // reach both.
    const clash = this.sharedSourceWith(r, true);
    if (clash !== undefined) {
      const from = this.restoringFrom.get(r);
      // Held until that one leaves this node's registry: one of another node never does.
      if (from && !clash.other.remote) this.lostTo.set(from, clash.other);
      return fail(REGISTRATION_FAILURE.DUPLICATE_APPLICATION_ID, clash.message);
    }
    for (const p of r.profiles) {
      if (p.protocol !== 'OTA-HTTP' || r.httpPorts.includes(p.port)) continue;
      try {
        await this.options.http!.acquire(p.port);
        r.holdPort(p.port);
      } catch (e) {
        // A busy port may free itself; a budget below one push stays so until reconfigured.
        const reason =
          e instanceof BufferBudgetError
            ? REGISTRATION_FAILURE.BUFFER_BUDGET_TOO_SMALL
            : REGISTRATION_FAILURE.BIND_FAILED;
        return fail(reason, `OTA-HTTP receiver on port ${p.port}: ${(e as Error).message}`);
      }
    }
    const told: string[] = [];
    for (const point of serverContactPoints(r)) {
      if (point === r.pushServiceRegistrationUri) {
        // Told already, by the Push Service Registration procedure.
        told.push(point);
        continue;
      }
      const sent = await this.servers.tell(point);
      if (!sent.ok) {
        // Those already told of it hear it is gone: later() sends what is current once it is undone.
        for (const p of told) this.servers.later(p);
        return fail(sent.reason, sent.message);
      }
      told.push(point);
    }
    if (this.closed) return fail(REGISTRATION_FAILURE.CLOSED, 'the client was closed');
    return { status: 'success' };
  }

  /**
   * The registration of another application of its App ID that `r` cannot be told apart from by
   * the addresses their contact points expect (known ones: IP and SMS addresses, resolved
   * hostnames), with why; undefined when none.
   */
  private sharedSourceWith(r: Registration, remote = false): { other: Registration; message: string } | undefined {
    const others = remote ? [...this.registry.values(), ...(this.options.remote?.() ?? [])] : this.registry.values();
    for (const other of others) {
      if (other === r || other.key !== r.key || other.sameApplicationAs(r)) continue;
      const shared = sharedSource(other, r);
      if (shared !== undefined)
        return {
          other,
          message: `${shared} is an expected source of ${other.remote ? 'a registration on another node' : `registration ${other.id}`}${other.applicationId ? ` (${other.applicationId})` : ''} too, which has the same Push Application ID: their pushes could not be told apart`,
        };
    }
    return undefined;
  }

  private route(r: Registration): void {
    this.options.routes.add(r);
    this.options.onRouted?.(r);
  }

  private releaseHttp(r: Registration): void {
    for (const port of r.releasePorts()) this.options.http?.release(port);
  }

  /** Takes a registration out everywhere: routes, whitelist entries it alone owned, CPI, bearers. */
  private drop(r: Registration): void {
    this.undo(r);
    r.state = 'deregistered';
  }

  private undo(r: Registration): void {
    if (this.registry.get(r.id) !== r) return;
    this.options.routes.remove(r);
    this.options.onUnrouted?.(r);
    this.registry.delete(r.id);
    this.options.whitelist.remove(r.id);
    this.cpiSet.remove(r);
    this.releaseHttp(r);
    this.wakeHeldBy(r);
  }

  /**
   * Saves the store as it is to be after `change`: the active registrations and the held
   * ones. Returns the error when it could not be written (nothing here changed), else undefined.
   */
  private async persist(change: StoreChange = {}): Promise<unknown> {
    const store = this.options.store;
    if (!store) return undefined;
    const others = [...this.adding].filter((c) => c !== change);
    for (const c of others) c.carried = true;
    const added = new Set<Registration>();
    const removed = new Set<Registration>();
    const released = new Set<HeldRegistration>(change.release);
    for (const c of others) {
      if (c.add && c.add !== change.remove && !this.leaving.has(c.add)) added.add(c.add);
      if (c.remove) removed.add(c.remove);
      for (const h of c.release ?? []) released.add(h);
    }
    if (change.add) added.add(change.add);
    if (change.remove) removed.add(change.remove);
    const requests: RegistrationRecord[] = [];
    for (const r of this.registry.values())
      if ((r.state === 'active' && !removed.has(r) && !this.leaving.has(r)) || added.has(r))
        requests.push(r.pushServiceRegistrationUri ? { ...r.request, boundProfiles: r.profiles } : r.request);
    for (const h of this.held.all()) if (!released.has(h)) requests.push(h.request);
    // Out of `requests` (withdrawn before this save was made): out of the store once it is written.
    const withdrawn = [...this.withdrawnStored];
    try {
      await store.save(requests);
      for (const r of withdrawn) {
        if (!this.withdrawnStored.delete(r) || this.closed) continue;
        this.options.onWithdrawn?.(r);
      }
      // Written as it is (with `change`): a rewrite waiting for its next try has nothing left to do.
      if (this.rewriting) {
        clearTimeout(this.rewriting.timer);
        this.rewriting = undefined;
      }
      return undefined;
    } catch (error) {
      return error ?? new Error('store write failed');
    }
  }
}

/**
 * The request's details as a deep copy, frozen (a policy cannot change what was validated
 * either), with the caller's handler; undefined when they hold what cannot be copied (a
 * function or a symbol). Not an object: given back as it is, for validateRequest to reject.
 */
function detached(request: RegistrationRequest): RegistrationRequest | undefined {
  if (request === null || typeof request !== 'object') return request;
  const { handler, ...details } = request;
  let copy: Omit<RegistrationRequest, 'handler'>;
  try {
    copy = structuredClone(details);
  } catch {
    return undefined;
  }
  deepFreeze(copy);
  return Object.freeze(handler === undefined ? copy : { ...copy, handler });
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/**
 * The default of `duplicateSettleMs`: how long a registration that found a duplicate stored by
 * another node at the same moment waits, from its first read after its write, for that node to
 * withdraw it (settleDuplicate). Bounds a registration's completion only in that race; the
 * withdrawal it waits for is one read of the table and one save of that node's records away.
 */
export const DUPLICATE_SETTLE_MS = 1_000;
/**
 * How often that registration reads the table again while it waits: each read is one read of
 * the whole record table (on Redis an HGETALL) and of the liveness of the nodes it names.
 */
export const DUPLICATE_SETTLE_POLL_MS = 50;

/** Whether `r` is the one of two racing duplicates that may stay: its application id sorts first. */
function sortsFirst(r: Registration, other: Registration): boolean {
  return r.recordId < other.recordId;
}

/** The rejection of `r`: `other`, another application of its App ID, is registered on the same binding (5.1). */
function duplicateOf(r: Registration, other: Registration): RegistrationRejected {
  const where = other.remote ? 'on another node' : `registration ${other.id}`;
  return {
    status: 'rejected',
    reason: 'duplicate-application-id',
    option: 'pushApplicationId',
    message: `${String(r.pushApplicationId)} is already registered (${where}${other.applicationId ? `, ${other.applicationId}` : ''}) on the same binding`,
  };
}

/**
 * What admit() gives a restore whose stored entry was let go during the policy's await (reported
 * nowhere), or whose application registered again meanwhile and is still binding (reported as
 * a 'restore-failed' while the entry is held).
 */
const RELEASED_DURING_RESTORE: RegistrationRejected = Object.freeze({
  status: 'rejected',
  reason: 'duplicate-application-id',
  message: 'the stored registration was replaced or deregistered while it was being restored',
});

function storeFailure(error: unknown): DeregistrationResponse {
  return {
    status: 'failure',
    reason: 'store-failed',
    message: `the store could not be written: ${errorMessage(error)}`,
  };
}

/** The routing key of an App ID as an application may give it; a malformed one keys as its text. */
function applicationKeyOf(id: string | number): ApplicationKey {
  try {
    return applicationKey(id);
  } catch {
    return String(id);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether a held (stored) request is the application `r` registering again: same App ID and name, or same binding when unnamed. */
function sameStoredApplication(stored: StoredRegistration, r: Registration): boolean {
  if (applicationKey(stored.pushApplicationId) !== r.key) return false;
  if (stored.applicationId !== undefined || r.applicationId !== undefined)
    return stored.applicationId === r.applicationId;
  return (
    JSON.stringify(stored.connectionProfiles ?? null) === JSON.stringify(r.request.connectionProfiles ?? null) &&
    stored.pushServiceRegistrationUri === r.request.pushServiceRegistrationUri
  );
}

/**
 * PushCAI 5.1: a second registration of an App ID is allowed only where its binding keeps the
 * two apart ("unless unique: a specific bearer binding"), so each push reaches the application
 * it is meant for: on every route (port) they share, both name expected sources (contact
 * points) and none in common. Compared as named (Registration.namedSources), so the answer is
 * the same before and after binding: different hostnames are different bindings, though their
 * addresses might overlap (docs/pushcai.md). A distinct Push Service Registration address
 * alone does not: the pushes still arrive on the same port from anyone.
 */
function uniqueBinding(a: Registration, b: Registration): boolean {
  for (const route of a.routes) {
    if (!b.routes.includes(route)) continue;
    const sa = a.namedSources(route);
    const sb = b.namedSources(route);
    if (!sa || !sb) return false;
    for (const source of sa) if (sb.has(source)) return false;
  }
  return true;
}

/** An address both registrations expect pushes from on a route they share, once resolved; undefined when none. */
function sharedSource(a: Registration, b: Registration): string | undefined {
  for (const route of a.routes) {
    if (!b.routes.includes(route)) continue;
    const sa = a.sources(route);
    const sb = b.sources(route);
    if (!sa || !sb) continue;
    for (const source of sa) if (sb.has(source)) return source;
  }
  return undefined;
}
