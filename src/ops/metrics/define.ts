/**
 * Small makers for the metric families: counters and gauges whose values are read from the
 * layers' `stats` objects when Prometheus scrapes (collect), so the hot path pays nothing for them.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Labels = Record<string, string>;
/** One sample: its labels and value. */
export type Row = readonly [Labels, number];

/** A counter whose samples are read from stats at each scrape. */
export function statsCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  rows: () => Iterable<Row>,
): Counter {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of rows()) this.inc(labels, value);
    },
  });
}

/** A gauge whose samples are read at each scrape. */
export function statsGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  rows: () => Iterable<Row>,
): Gauge {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of rows()) this.set(labels, value);
    },
  });
}

/** A counter that events increment. */
export function eventCounter(registry: Registry, name: string, help: string, labelNames: readonly string[]): Counter {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Latency buckets, seconds: from half a millisecond (in-process hand-over) to ten seconds. */
export const HANDLER_BUCKETS = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Latency buckets, seconds: delivery receipts come in seconds to hours. */
export const RECEIPT_BUCKETS = Object.freeze([0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400]);

export function histogram(
  registry: Registry,
  name: string,
  help: string,
  buckets: readonly number[],
  labelNames: readonly string[] = [],
): Histogram {
  return new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [registry] });
}
