/**
 * The store's return (its `available` event), heard once per store for every PPG on it. A
 * PPG's writes wait for it only while some of them failed; with a listener each, a store shared
 * by more than ten PPGs passed Node's listener limit (MaxListenersExceededWarning), and raising
 * the limit would hide a real leak as well. So a store has one listener here while anyone
 * waits for its return, and none once the last one stops waiting.
 */
import type { Store } from '../store/types.js';

/** The store as a PPG watches it: whether it takes calls now, and when it takes them again. */
export type StoreAvailability = Pick<Store, 'available' | 'on' | 'off'>;

/** One store's listener and who waits on it, each wait its own entry (the same function may wait twice). */
interface Waiting {
  readonly waits: Set<{ readonly back: () => void }>;
  readonly heard: () => void;
}

const byStore = new WeakMap<StoreAvailability, Waiting>();

/** The process warning a waiter that throws becomes. */
const STORE_RETURN_WARNING = 'WAPPUSH_STORE_RETURN_WAITER';

/**
 * Calls `back` each time `store` comes back, until the function returned is called (calling it
 * again does nothing). Every waiter is called, even when one throws; a waiter's error becomes a
 * process warning (code `WAPPUSH_STORE_RETURN_WAITER`), never thrown into the store's `available`
 * emit: that runs inside the store's probe, which would take the error for the store's and mark
 * it unavailable again.
 */
export function waitForReturn(store: StoreAvailability, back: () => void): () => void {
  let waiting = byStore.get(store);
  if (!waiting) {
    const waits = new Set<{ readonly back: () => void }>();
    const heard = () => {
      for (const w of [...waits]) {
        try {
          w.back();
        } catch (error) {
          // A string, not the Error: Node drops the code and detail of an Error warning.
          process.emitWarning(
            `a wait for the store's return threw: ${error instanceof Error ? error.message : String(error)}`,
            { code: STORE_RETURN_WARNING, detail: 'the other waiters were called; the store stays available' },
          );
        }
      }
    };
    waiting = { waits, heard };
    byStore.set(store, waiting);
    store.on('available', heard);
  }
  const shared = waiting;
  const wait = { back };
  shared.waits.add(wait);
  return () => {
    if (!shared.waits.delete(wait) || shared.waits.size > 0) return;
    store.off('available', shared.heard);
    if (byStore.get(store) === shared) byStore.delete(store);
  };
}
