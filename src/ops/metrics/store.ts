/**
 * Metrics of a state store: each operation of its tables (segments, duplicates, registrations,
 * queues) counted by result and timed. The store is wrapped, not changed: the wrapper hands out
 * the same tables with each method timed, so a process without metrics pays nothing.
 */
import type { Registry } from 'prom-client';
import type { ForgottenEarly, Store } from '../../store/types.js';
import { eventCounter, HANDLER_BUCKETS, histogram, statsCounter, statsGauge, type Row } from './define.js';

/** The store's tables whose methods are timed. */
const TABLES = Object.freeze(['segments', 'duplicates', 'registrations', 'queues'] as const);
type Table = (typeof TABLES)[number];

/** SegmentTaker's calls, named as the table calls they stand for. */
const TAKER_OPERATIONS = Object.freeze([
  ['addSegment', 'segments.add'],
  ['finishMessage', 'segments.finish'],
] as const);

const isTable = (p: string | symbol): p is Table => typeof p === 'string' && (TABLES as readonly string[]).includes(p);

export class StoreMetrics {
  private readonly stores: Store[] = [];
  private readonly operations;
  private readonly seconds;

  constructor(registry: Registry) {
    this.operations = eventCounter(registry, 'wappush_store_operations_total', 'Store operations, by result', [
      'backend',
      'operation',
      'result',
    ]);
    this.seconds = histogram(
      registry,
      'wappush_store_operation_seconds',
      'How long store operations took',
      HANDLER_BUCKETS,
      ['backend', 'operation'],
    );
    statsGauge(registry, 'wappush_store_available', '1 while the store writes, else 0', ['backend'], () =>
      this.stores.map((s) => [{ backend: s.backend }, s.available ? 1 : 0] as const),
    );
    statsCounter(
      registry,
      'wappush_store_forgotten_early_total',
      'Duplicate-memory entries forgotten for a count bound before their window passed (memory, lmdb)',
      ['backend', 'memory'],
      () => {
        // Stores attached to one state (MemoryStore.attach) hand out one object: counted once.
        const counted = new Set<ForgottenEarly>();
        return this.stores.flatMap((s): Row[] => {
          const f = s.forgottenEarly;
          if (f === undefined || counted.has(f)) return [];
          counted.add(f);
          return [
            [{ backend: s.backend, memory: 'duplicates' }, f.duplicates],
            [{ backend: s.backend, memory: 'recent_messages' }, f.recentMessages],
          ];
        });
      },
    );
  }

  /** The store, its table methods timed; give this one to the layers. */
  observe(store: Store): Store {
    if (!this.stores.includes(store)) this.stores.push(store);
    const tables = new Map<Table, object>();
    for (const t of TABLES) tables.set(t, this.timed(store.backend, t, store[t]));
    const takers = this.timedTaker(store);
    return new Proxy(store, {
      get: (target, p) => {
        if (isTable(p)) return tables.get(p);
        const taker = takers.get(p);
        if (taker !== undefined) return taker;
        const v: unknown = Reflect.get(target, p, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  /**
   * The link's callback path (SegmentTaker in store/base.ts) skips the tables, so its two calls
   * are counted and timed here under the names of the table calls they stand for.
   */
  private timedTaker(store: Store): Map<string | symbol, unknown> {
    const out = new Map<string | symbol, unknown>();
    for (const [method, operation] of TAKER_OPERATIONS) {
      const v: unknown = Reflect.get(store, method, store);
      if (typeof v !== 'function') continue;
      out.set(method, (arg: unknown, settle: (error: unknown, value?: unknown) => void) => {
        const started = performance.now();
        Reflect.apply(v, store, [
          arg,
          (error: unknown, value?: unknown) => {
            this.count(store.backend, operation, error === undefined ? 'ok' : 'error', started);
            settle(error, value);
          },
        ]);
      });
    }
    return out;
  }

  /** One operation done: counted by its result and timed from `started`. */
  private count(backend: string, operation: string, result: 'ok' | 'error', started: number): void {
    this.operations.inc({ backend, operation, result });
    this.seconds.record((performance.now() - started) / 1000, { backend, operation });
  }

  private timed<T extends object>(backend: string, table: string, object: T): T {
    return new Proxy(object, {
      get: (target, p) => {
        const v: unknown = Reflect.get(target, p, target);
        if (typeof v !== 'function') return v;
        const operation = `${table}.${String(p)}`;
        return (...args: unknown[]) => {
          const started = performance.now();
          const result: unknown = Reflect.apply(v, target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (value) => (this.count(backend, operation, 'ok', started), value),
            (error: unknown) => {
              this.count(backend, operation, 'error', started);
              throw error;
            },
          );
        };
      },
    });
  }
}
