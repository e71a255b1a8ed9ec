/**
 * The store's `available` and `unavailable` events, heard once per store and event for every
 * part of a process that watches them. Many parts may watch one store: a PPG per gateway, an
 * SMPP link per session (`listen --binds N`). With a listener each, more than ten of them pass
 * Node's listener limit (MaxListenersExceededWarning), and raising the limit would hide a real
 * leak as well. So a store has one listener per event here while anyone watches it, and none
 * once the last one stops.
 */
import type { StoreError } from './errors.js';
import type { Store, StoreEvents } from './types.js';

/** The store as its watchers see it: whether it takes calls now, and when that changes. */
export type StoreAvailability = Pick<Store, 'available' | 'on' | 'off'>;

export type AvailabilityEvent = keyof StoreEvents;

/** The process warning a watcher's error becomes: its code, and who threw, for its message. */
export interface WatcherWarning {
  readonly code: string;
  readonly what: string;
}

/** One store event's listener and who watches it, each watch its own entry (the same function may watch twice). */
interface Watching<A extends unknown[]> {
  readonly watches: Set<{ readonly watcher: (...args: A) => void; readonly warning: WatcherWarning }>;
  readonly heard: (...args: A) => void;
}

const returns = new WeakMap<StoreAvailability, Watching<[]>>();
const losses = new WeakMap<StoreAvailability, Watching<[StoreError]>>();

/**
 * Calls `watcher` each time `store` comes back (its `available`), until the function returned
 * is called (calling it again does nothing). See watch().
 */
export function watchReturn(store: StoreAvailability, watcher: () => void, warning: WatcherWarning): () => void {
  return watch(returns, 'available', watcher, warning, {
    on: (heard) => store.on('available', heard),
    off: (heard) => store.off('available', heard),
    store,
  });
}

/** Calls `watcher` with the error each time `store` becomes unavailable, until the function returned is called. See watch(). */
export function watchLoss(
  store: StoreAvailability,
  watcher: (error: StoreError) => void,
  warning: WatcherWarning,
): () => void {
  return watch(losses, 'unavailable', watcher, warning, {
    on: (heard) => store.on('unavailable', heard),
    off: (heard) => store.off('unavailable', heard),
    store,
  });
}

/**
 * Adds `watcher` to the store's one listener of `event`, adding that listener for the first
 * watcher and removing it after the last. Every watcher is called, even when one throws; a
 * watcher's error becomes a process warning (`warning.code`), never thrown into the store's
 * emit: that runs inside the store's own call or probe, which would take the error for the
 * store's (a probe, for one, would mark the store unavailable again).
 */
function watch<A extends unknown[]>(
  byStore: WeakMap<StoreAvailability, Watching<A>>,
  event: AvailabilityEvent,
  watcher: (...args: A) => void,
  warning: WatcherWarning,
  at: { store: StoreAvailability; on(heard: (...args: A) => void): void; off(heard: (...args: A) => void): void },
): () => void {
  let watching = byStore.get(at.store);
  if (!watching) {
    const watches: Watching<A>['watches'] = new Set();
    const heard = (...args: A) => {
      for (const w of [...watches]) {
        try {
          w.watcher(...args);
        } catch (thrown) {
          // A string, not the Error: Node drops the code and detail of an Error warning.
          process.emitWarning(`${w.warning.what} threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`, {
            code: w.warning.code,
            detail: `the other watchers of the store's ${event} were called; the store went on`,
          });
        }
      }
    };
    watching = { watches, heard };
    byStore.set(at.store, watching);
    at.on(heard);
  }
  const shared = watching;
  const entry = { watcher, warning };
  shared.watches.add(entry);
  return () => {
    if (!shared.watches.delete(entry) || shared.watches.size > 0) return;
    at.off(shared.heard);
    if (byStore.get(at.store) === shared) byStore.delete(at.store);
  };
}
