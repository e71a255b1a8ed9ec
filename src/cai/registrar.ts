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
import type { HttpReceiverPool } from './httpPool.js';
import { sendCpi } from './otaHttp.js';
import { PROTOCOLS } from './protocols.js';
import { Registration, type RegistrationResponse } from './registration.js';
import type { RoutingTable } from './routingTable.js';
import type { SmppBearer } from './smppBearer.js';
import type { RegistrationStore } from './store.js';
import type {
  BoundProfile,
  DeregistrationResponse,
  RegistrationCompletion,
  RegistrationPolicy,
  RegistrationRejected,
  RegistrationRequest,
  RegistrationView,
} from './types.js';
import { validateRequest, type Availability } from './validate.js';
import { normalizeAddress, type Whitelist } from './whitelist.js';

export interface RegistrarOptions {
  policy: RegistrationPolicy | undefined;
  store: RegistrationStore | undefined;
  terminalId: string | undefined;
  bindTimeoutMs: number;
  serverTimeoutMs: number;
  bearer: SmppBearer;
  /** OTA-HTTP receivers; undefined when OTA-HTTP is turned off. */
  http: HttpReceiverPool | undefined;
  routes: RoutingTable<Registration>;
  whitelist: Whitelist;
  makeQueue: (r: Registration) => DeliveryQueue;
}

export class Registrar {
  private readonly registry = new Map<number, Registration>();
  private readonly cpiSet = new CpiSet();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly events: EventEmitter<PushClientEvents>,
    private readonly options: RegistrarOptions,
  ) {}

  close(): void {
    this.closed = true;
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
    r.queue = this.options.makeQueue(r);
    this.registry.set(r.id, r);
    this.options.whitelist.add(r.id, r.whitelist);
    this.cpiSet.add(r);
    const completed = this.bind(r).then(async (result): Promise<RegistrationCompletion> => {
      if (r.state === 'deregistered') {
        // Deregistered while binding: give back what the binding took.
        this.releaseHttp(r);
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
        this.options.routes.add(r);
        await this.persist();
      }
      this.events.emit('registration', { registration: r, result });
      return result;
    });
    return { status: 'accepted', registration: r, completed };
  }

  /**
   * PushCAI 5.2 Application Deregistration, by the registration object or by Push Application
   * ID (with the application's name when several applications share the App ID).
   */
  async deregister(
    target: RegistrationView | string | number,
    applicationId?: string,
  ): Promise<DeregistrationResponse> {
    let r: Registration | undefined;
    if (typeof target === 'object') {
      const known = this.registry.get(target.id);
      r = known === target ? known : undefined;
    } else {
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
        message: `${typeof target === 'object' ? `registration ${target.id}` : String(target)} is not registered`,
      };
    }
    // Tell the Push Servers first: if that fails nothing changes here and the application may retry.
    const after = this.cpiSet.without(r);
    if (after.headers['X-Wap-CPITag'] !== this.cpiSet.snapshot().headers['X-Wap-CPITag']) {
      for (const point of serverContactPoints(r)) {
        const sent = await sendCpi(point, after, {
          terminalId: this.options.terminalId,
          timeoutMs: this.options.serverTimeoutMs,
        });
        if (!sent.ok) return { status: 'failure', reason: sent.reason, message: sent.message };
      }
    }
    if (this.registry.get(r.id) !== r)
      return { status: 'rejected', reason: 'not-registered', message: `registration ${r.id} is not registered` };
    this.drop(r);
    await this.persist();
    this.events.emit('deregistration', { registration: r });
    return { status: 'success' };
  }

  /** Registers each stored registration again; they deliver as 'push' events until their applications re-register. */
  async restore(): Promise<void> {
    if (!this.options.store) return;
    for (const request of await this.options.store.load()) {
      const r = await this.register(request);
      if (r.status === 'rejected') {
        this.events.emit('restore-failed', { request, response: r });
        continue;
      }
      r.registration.restored = true;
      const done = await r.completed;
      if (done.status === 'failure') this.events.emit('restore-failed', { request, response: done });
    }
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
    const link = this.options.bearer.link;
    if (link) protocols.add('OTA-WSP');
    if (this.options.http) protocols.add('OTA-HTTP');
    const defaultProfile: BoundProfile | undefined = link
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
    const fail = (reason: string, message: string): RegistrationCompletion => {
      this.releaseHttp(r);
      return { status: 'failure', reason, message };
    };
    if (r.profiles.some((p) => p.protocol === 'OTA-WSP')) {
      const bound = await this.options.bearer.bound(this.options.bindTimeoutMs);
      if (!bound)
        return fail('bearer-unavailable', `the SMPP link is not bound (waited ${this.options.bindTimeoutMs} ms)`);
    }
    for (const p of r.profiles) {
      if (p.protocol !== 'OTA-HTTP' || r.httpPorts.includes(p.port)) continue;
      try {
        await this.options.http!.acquire(p.port);
        r.httpPorts.push(p.port);
      } catch (e) {
        return fail('bind-failed', `OTA-HTTP receiver on port ${p.port}: ${(e as Error).message}`);
      }
    }
    for (const point of serverContactPoints(r)) {
      const sent = await sendCpi(point, this.cpiSet.snapshot(), {
        terminalId: this.options.terminalId,
        timeoutMs: this.options.serverTimeoutMs,
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

  private releaseHttp(r: Registration): void {
    for (const port of r.httpPorts) this.options.http?.release(port);
    r.httpPorts = [];
  }

  /** Takes a registration out everywhere: routes, whitelist entries it alone owned, CPI, bearers. */
  private drop(r: Registration): void {
    this.options.routes.remove(r);
    this.undo(r);
    r.state = 'deregistered';
  }

  private undo(r: Registration): void {
    if (this.registry.get(r.id) !== r) return;
    this.registry.delete(r.id);
    this.options.whitelist.remove(r.id);
    this.cpiSet.remove(r);
    this.releaseHttp(r);
  }

  private async persist(): Promise<void> {
    if (!this.options.store) return;
    const active = [...this.registry.values()].filter((r) => r.state === 'active').map((r) => r.request);
    try {
      await this.options.store.save(active);
    } catch (error) {
      this.events.emit('store-error', error);
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
