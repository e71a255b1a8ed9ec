/**
 * Metrics of a PushClient: pushes received, routed, deferred, unrouted by reason, withdrawn
 * duplicates' copies, and per application
 * (its applicationId, else its push application id) delivered, refused, overflowed, handler
 * errors and timeouts, and queue depth, read from each registration's stats at scrape time.
 */
import type { Registry } from 'prom-client';
import type { PushClient } from '../../cai/client.js';
import type { Registration } from '../../cai/registration.js';
import { eventCounter, statsCounter, statsGauge, type Row } from './define.js';

const application = (r: Registration): string => r.applicationId ?? String(r.pushApplicationId);

/** Per-application stats, by metric. */
const PER_APPLICATION = Object.freeze([
  ['wappush_pushes_delivered_total', 'Pushes whose handler completed', 'delivered'],
  ['wappush_pushes_refused_total', 'Pushes refused by whitelist or contact point', 'refused'],
  ['wappush_pushes_overflowed_total', 'Pushes refused because the queue was full', 'overflowed'],
  ['wappush_handler_errors_total', 'Handler calls that threw or rejected', 'handlerErrors'],
  ['wappush_handler_timeouts_total', 'Handler calls that did not settle in handlerTimeoutMs', 'handlerTimeouts'],
] as const);

export class ClientMetrics {
  private readonly clients: PushClient[] = [];
  private readonly unrouted;

  constructor(registry: Registry) {
    const total = (name: string, help: string, read: (c: PushClient) => number) =>
      statsCounter(registry, name, help, [], () => [[{}, this.clients.reduce((n, c) => n + read(c), 0)]]);
    total('wappush_pushes_received_total', 'Pushes received from any bearer', (c) => c.stats.received);
    total('wappush_pushes_routed_total', 'Pushes that reached at least one application', (c) => c.stats.routed);
    total('wappush_pushes_deferred_total', 'Pushes handed back to the bearer for redelivery', (c) => c.stats.deferred);
    total(
      'wappush_pushes_withdrawn_duplicates_total',
      "Copies of a push drained from a withdrawn duplicate's queue that another application it was queued for already has",
      (c) => c.stats.withdrawnDuplicates,
    );
    this.unrouted = eventCounter(registry, 'wappush_pushes_unrouted_total', 'Pushes no application took, by reason', [
      'reason',
    ]);
    const registrations = () => this.clients.flatMap((c) => c.registrations());
    for (const [name, help, key] of PER_APPLICATION)
      statsCounter(registry, name, help, ['application'], () =>
        registrations().map((r): Row => [{ application: application(r) }, r.stats[key]]),
      );
    statsGauge(
      registry,
      'wappush_queue_depth',
      'Pushes queued for an application, its running one included',
      ['application'],
      () => registrations().map((r): Row => [{ application: application(r) }, r.queue?.size ?? 0]),
    );
  }

  observe(client: PushClient): void {
    if (this.clients.includes(client)) return;
    this.clients.push(client);
    client.on('unrouted', (u) => this.unrouted.inc({ reason: u.reason }));
  }
}
