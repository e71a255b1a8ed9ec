/**
 * The Push Servers registrations register with (PushCAI 5.1, 5.2): each one's OTA-HTTP contact
 * points and its Push Service Registration URI. Each Push Server is told exactly the
 * registrations bound to it - its own CPI, never another server's applications - and hears
 * every change: a registration, a deregistration, a replacement, one undone. A change made
 * while a server cannot be reached is sent again later with bounded backoff, computed afresh
 * at each attempt, until the server has it.
 */
import type { EventEmitter } from 'node:events';
import { backoffDelay, type Backoff } from '../wdp/smpp/backoff.js';
import { CpiSet, type Cpi } from './cpi.js';
import type { PushClientEvents } from './events.js';
import { sendCpi, type CpiDelivery } from './otaHttp.js';
import type { Registration } from './registration.js';

export interface PushServersOptions {
  terminalId: string | undefined;
  timeoutMs: number;
  retry: Backoff;
  /** The registrations in effect or being bound now. */
  members: () => Iterable<Registration>;
}

/** A change not yet in effect that a CPI is to show: a registration added, or one taken out. */
export interface CpiChange {
  add?: Registration;
  remove?: Registration;
}

/**
 * Push Servers a registration registers with: the OTA-HTTP contact points that are the PPG's
 * URL, and its Push Service Registration URI. (An IP address or hostname is only an expected source.)
 */
export function serverContactPoints(r: Registration): string[] {
  const points = r.profiles
    .filter((p) => p.protocol === 'OTA-HTTP' && p.contactPoint && /^https?:/i.test(p.contactPoint))
    .map((p) => p.contactPoint!);
  if (r.pushServiceRegistrationUri) points.push(r.pushServiceRegistrationUri);
  return [...new Set(points)];
}

export class PushServers {
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; attempts: number }>();
  private closed = false;

  constructor(
    private readonly events: EventEmitter<PushClientEvents>,
    private readonly options: PushServersOptions,
  ) {}

  /** The CPI `point` should have: the App IDs and MIME types of the registrations bound to it. */
  cpiFor(point: string, change: CpiChange = {}): Cpi {
    const set = new CpiSet();
    const seen = new Set<Registration>();
    for (const r of this.options.members()) {
      if (r === change.remove || seen.has(r)) continue;
      seen.add(r);
      if (serverContactPoints(r).includes(point)) set.add(r);
    }
    if (change.add && !seen.has(change.add) && serverContactPoints(change.add).includes(point)) set.add(change.add);
    return set.snapshot();
  }

  /**
   * Sends `point` its CPI as it is with `change`; a success also ends any retry pending for it.
   * With `answerLimit`, the answer's body (at most that many octets) comes back too.
   */
  async tell(point: string, change: CpiChange = {}, answerLimit?: number): Promise<CpiDelivery> {
    const sent = await sendCpi(point, this.cpiFor(point, change), {
      terminalId: this.options.terminalId,
      timeoutMs: this.options.timeoutMs,
      answerLimit,
    });
    if (sent.ok) this.clear(point);
    return sent;
  }

  /** Sends `point` its CPI in the background, again and again with backoff until it takes it. */
  later(point: string): void {
    if (this.closed || this.retries.has(point)) return;
    this.schedule(point, 0, 0);
  }

  /** Push Servers with a change not yet delivered. */
  pending(): string[] {
    return [...this.retries.keys()];
  }

  close(): void {
    this.closed = true;
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private schedule(point: string, attempts: number, delayMs: number): void {
    const timer = setTimeout(() => void this.attempt(point, attempts), delayMs);
    timer.unref();
    this.retries.set(point, { timer, attempts });
  }

  private async attempt(point: string, attempts: number): Promise<void> {
    if (this.closed) return;
    const sent = await this.tell(point);
    if (sent.ok || this.closed) return;
    const delay = backoffDelay(this.options.retry, attempts);
    this.events.emit('push-server-pending', {
      contactPoint: point,
      reason: sent.reason,
      message: sent.message,
      retryInMs: delay,
    });
    this.schedule(point, attempts + 1, delay);
  }

  private clear(point: string): void {
    const pending = this.retries.get(point);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.retries.delete(point);
  }
}
