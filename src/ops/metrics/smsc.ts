/** Metrics of the SMSC simulator, read from its stats at scrape time. */
import type { Registry } from 'prom-client';
import type { SmscSimulator, SmscStats } from '../../smsc/simulator.js';
import { statsCounter, statsGauge } from './define.js';

/** Each stat the simulator keeps, as the counter that shows it. */
const COUNTERS: ReadonlyArray<readonly [keyof SmscStats, string, string]> = Object.freeze([
  ['binds', 'wappush_smsc_binds_total', 'Successful binds'],
  ['bindFailures', 'wappush_smsc_binds_refused_total', 'Binds refused'],
  ['submitted', 'wappush_smsc_submitted_total', 'submit_sm accepted'],
  ['rejected', 'wappush_smsc_rejected_total', 'submit_sm refused'],
  ['delivered', 'wappush_smsc_delivered_total', 'Messages a receiver acknowledged'],
  ['deliverAttempts', 'wappush_smsc_deliver_attempts_total', 'deliver_sm sent, retries included'],
  ['retries', 'wappush_smsc_retries_total', 'Deliveries sent again (no, late or temporary-error response)'],
  ['failed', 'wappush_smsc_failed_total', 'Messages a receiver refused permanently'],
  ['genericNacks', 'wappush_smsc_generic_nacks_total', 'generic_nack sent'],
  ['droppedNoReceiver', 'wappush_smsc_dropped_total', 'Messages dropped with no receiver to take them'],
  ['receipts', 'wappush_smsc_receipts_total', 'Delivery receipts written'],
  ['receiptsDropped', 'wappush_smsc_receipts_dropped_total', 'Receipts dropped while their submitter was unbound'],
  ['dropsInjected', 'wappush_smsc_fault_drops_total', 'Connections dropped by fault injection'],
  ['duplicatesInjected', 'wappush_smsc_fault_duplicates_total', 'deliver_sm duplicated by fault injection'],
  [
    'receiptFailuresInjected',
    'wappush_smsc_fault_receipt_failures_total',
    'Receipts turned UNDELIV by fault injection',
  ],
]);

export class SmscMetrics {
  private readonly simulators: SmscSimulator[] = [];

  constructor(registry: Registry) {
    const sum = (read: (s: SmscSimulator) => number) => () => [
      [{}, this.simulators.reduce((n, s) => n + read(s), 0)] as const,
    ];
    for (const [key, name, help] of COUNTERS)
      statsCounter(
        registry,
        name,
        help,
        [],
        sum((s) => s.stats[key]),
      );
    statsGauge(
      registry,
      'wappush_smsc_backlog',
      'Messages accepted and not yet delivered',
      [],
      sum((s) => s.backlog),
    );
    statsGauge(
      registry,
      'wappush_smsc_unrouted',
      'Messages queued that no bound receiver may take',
      [],
      sum((s) => s.unrouted),
    );
    statsGauge(
      registry,
      'wappush_smsc_bound_sessions',
      'Sessions bound now',
      [],
      sum((s) => s.boundSessions),
    );
  }

  observe(simulator: SmscSimulator): void {
    if (!this.simulators.includes(simulator)) this.simulators.push(simulator);
  }
}
