/**
 * The store's return (its `available` event) as a PPG waits for it. A PPG's writes wait for it
 * only while some of them failed; every PPG of a process on one store shares one listener there
 * (src/store/watch.ts), so a store shared by more than ten PPGs stays below Node's listener
 * limit, whose MaxListenersExceededWarning is left to tell of a real leak.
 */
import { watchReturn, type StoreAvailability } from '../store/watch.js';

export type { StoreAvailability } from '../store/watch.js';

/**
 * Calls `back` each time `store` comes back, until the function returned is called (calling it
 * again does nothing). Every waiter is called, even when one throws; its error becomes a
 * process warning (code `WAPPUSH_STORE_RETURN_WAITER`), and the store stays available.
 */
export function waitForReturn(store: StoreAvailability, back: () => void): () => void {
  return watchReturn(store, back, { code: 'WAPPUSH_STORE_RETURN_WAITER', what: "a wait for the store's return" });
}
