/**
 * The metrics of a wappush process (docs/operations.md): one prom-client Registry, and the
 * collectors of each layer, made the first time something of that layer is observed. Give a
 * Metrics as the `metrics` option of a PushClient, Ppg or SmscSimulator, or call observe().
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { PushClient } from '../cai/client.js';
import { Ppg } from '../ppg/ppg.js';
import { SmscSimulator } from '../smsc/simulator.js';
import type { Store } from '../store/types.js';
import { EsmeLink } from '../wdp/smpp/link.js';
import { ClientMetrics } from './metrics/client.js';
import { LinkMetrics } from './metrics/link.js';
import { PpgMetrics } from './metrics/ppg.js';
import { SmscMetrics } from './metrics/smsc.js';
import { StoreMetrics } from './metrics/store.js';

export interface MetricsOptions {
  /** Where the metrics are registered; default a registry of their own. */
  registry?: Registry;
  /** Also the process metrics prom-client offers (CPU, memory, event loop lag, ...). Default true. */
  process?: boolean;
}

/** What observe() takes. */
export type Observable = PushClient | EsmeLink | Ppg | SmscSimulator;

export class Metrics {
  readonly registry: Registry;
  private links: LinkMetrics | undefined;
  private clients: ClientMetrics | undefined;
  private gateways: PpgMetrics | undefined;
  private simulators: SmscMetrics | undefined;
  private stores: StoreMetrics | undefined;

  constructor(options: MetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    if (options.process ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'wappush_' });
  }

  /** Counts what `target` does from now on (a PushClient's own link with it). */
  observe(target: Observable): void {
    if (target instanceof PushClient) {
      (this.clients ??= new ClientMetrics(this.registry)).observe(target);
      if (target.link) this.observe(target.link);
    } else if (target instanceof EsmeLink) {
      (this.links ??= new LinkMetrics(this.registry)).observe(target);
    } else if (target instanceof Ppg) {
      (this.gateways ??= new PpgMetrics(this.registry)).observe(target);
    } else if (target instanceof SmscSimulator) {
      (this.simulators ??= new SmscMetrics(this.registry)).observe(target);
    }
  }

  /** The store with each of its operations counted and timed: hand this one to the layers. */
  observeStore(store: Store): Store {
    return (this.stores ??= new StoreMetrics(this.registry)).observe(store);
  }

  /** The text exposition format (what /metrics serves). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
