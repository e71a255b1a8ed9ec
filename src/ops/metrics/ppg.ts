/**
 * Metrics of a Push Proxy Gateway: PAP answers by HTTP status and PAP code, outcomes by state
 * and code, pushes in progress, and how long a recipient took from acceptance to its final state
 * (the delivery receipt, mostly).
 */
import type { Registry } from 'prom-client';
import type { Ppg } from '../../ppg/ppg.js';
import { eventCounter, histogram, RECEIPT_BUCKETS, statsGauge } from './define.js';

export class PpgMetrics {
  private readonly gateways: Ppg[] = [];
  private readonly responses;
  private readonly outcomes;
  private readonly latency;

  constructor(registry: Registry) {
    this.responses = eventCounter(
      registry,
      'wappush_ppg_requests_total',
      'PAP requests answered, by HTTP status and the PAP code of the answer',
      ['status', 'code'],
    );
    this.outcomes = eventCounter(registry, 'wappush_ppg_outcomes_total', 'Recipients that reached a final state', [
      'state',
      'code',
    ]);
    this.latency = histogram(
      registry,
      'wappush_pap_accept_to_receipt_seconds',
      'From a push accepted (PAP 1001) to a recipient final state',
      RECEIPT_BUCKETS,
      ['state'],
    );
    const sum = (read: (g: Ppg) => number) => () => [[{}, this.gateways.reduce((n, g) => n + read(g), 0)] as const];
    statsGauge(
      registry,
      'wappush_ppg_pushes_in_progress',
      'Pushes not yet final or not yet notified',
      [],
      sum((g) => g.inProgress),
    );
    statsGauge(
      registry,
      'wappush_ppg_bound',
      'Transceivers bound to the SMSC',
      [],
      sum((g) => (g.bound ? 1 : 0)),
    );
  }

  observe(gateway: Ppg): void {
    if (this.gateways.includes(gateway)) return;
    this.gateways.push(gateway);
    gateway.on('pap-response', ({ status, code }) =>
      this.responses.inc({ status: String(status), code: code === undefined ? '' : String(code) }),
    );
    gateway.on('outcome', ({ state, code }) => this.outcomes.inc({ state, code: String(code) }));
    gateway.on('settled', ({ state, seconds }) => this.latency.record(seconds, { state }));
  }
}
