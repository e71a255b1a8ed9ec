import { Fifo } from '../wdp/fifo.js';

/** One queued message. A fresh entry per enqueue: a Fifo keeps removed entries in place for a while. */
interface Entry<M> {
  removed: boolean;
  message: M;
  /** When the message last found no receiver (unrouted entries only). */
  since: number;
}

/** Routes kept past their last message; over it the empty ones go (each starts its round-robin again). */
export const MAX_IDLE_ROUTES = 1_024;

/** A reorder fault takes a message among the first this many of its route instead of the oldest. */
export const REORDER_WINDOW = 64;

/**
 * The messages that the same set of receivers may be given, oldest first. Every destination
 * belongs to exactly one route while the receivers stay the same, so a route's order is the
 * order per destination, and a route whose receivers are busy or that has none holds up no other.
 */
export class Route<R, M> {
  readonly queue = new Fifo<Entry<M>>();
  private cursor = 0;

  constructor(readonly receivers: readonly R[]) {}

  /** The next receiver with room, round-robin. */
  pick(hasRoom: (r: R) => boolean): R | undefined {
    const n = this.receivers.length;
    for (let k = 0; k < n; k++) {
      const r = this.receivers[(this.cursor + k) % n];
      if (!hasRoom(r)) continue;
      this.cursor = (this.cursor + k + 1) % n;
      return r;
    }
    return undefined;
  }

  /** Removes and returns the oldest message, or the `skip`-th live one after it (a reorder fault). */
  take(skip = 0): M | undefined {
    let entry = this.queue.peek();
    if (skip > 0) {
      let k = 0;
      for (const e of this.queue.values()) {
        entry = e;
        if (k++ === skip) break;
      }
    }
    if (!entry) return undefined;
    this.queue.remove(entry);
    return entry.message;
  }
}

/**
 * Queues per route, and the messages no receiver may be given, which wait, oldest first, for
 * a receiver to bind or for their time to run out. The routes are worked out again whenever a
 * receiver binds or goes, keeping the order per destination.
 */
export class RouteTable<R extends { readonly id: number }, M> {
  private routes = new Map<string, Route<R, M>>();
  /** Routes holding messages, in the order they are served. */
  private readonly active = new Set<Route<R, M>>();
  private unrouted = new Fifo<Entry<M>>();
  private queued = 0;

  constructor(
    /** The receivers that may be given a message for `destination`, in bind order. */
    private readonly receiversFor: (destination: string) => R[],
    private readonly destinationOf: (m: M) => string,
  ) {}

  /** Messages queued on routes or unrouted. */
  get size(): number {
    return this.queued;
  }

  /** Messages that no receiver may be given. */
  get unroutedCount(): number {
    return this.unrouted.size;
  }

  /** Queues a message behind those for the same receivers. */
  place(m: M, now: number): void {
    this.put(m, now);
    this.queued++;
  }

  private put(m: M, since: number, cache?: Map<string, R[]>): void {
    const destination = this.destinationOf(m);
    let receivers = cache?.get(destination);
    if (!receivers) {
      receivers = this.receiversFor(destination);
      cache?.set(destination, receivers);
    }
    if (!receivers.length) {
      this.unrouted.push({ removed: false, message: m, since });
      return;
    }
    const key = receivers.map((r) => r.id).join(',');
    let route = this.routes.get(key);
    if (!route) {
      route = new Route(receivers);
      this.routes.set(key, route);
    }
    route.queue.push({ removed: false, message: m, since: 0 });
    this.active.add(route);
  }

  /**
   * Works every route out again after the receivers changed. `returned` (messages that were
   * in flight to a receiver that went) go first; each destination keeps its order. The unrouted
   * stay oldest first: those that still find no receiver keep their wait, then come the newly
   * unrouted, who start theirs now.
   */
  reroute(returned: readonly M[], now: number): void {
    const routes = this.routes;
    const unrouted = this.unrouted;
    this.routes = new Map();
    this.active.clear();
    this.unrouted = new Fifo();
    // Each destination's receivers worked out once, however many messages it has queued.
    const cache = new Map<string, R[]>();
    for (const e of unrouted.values()) this.put(e.message, e.since, cache);
    for (const m of returned) this.put(m, now, cache);
    for (const route of routes.values()) for (const e of route.queue.values()) this.put(e.message, now, cache);
    this.queued += returned.length;
  }

  /**
   * Hands out messages to receivers with room, one per route in turn so that routes sharing
   * a receiver share it fairly, until no route can send. `skip` says how far past the oldest to
   * take (reorder faults); returns how many were handed out.
   */
  dispatch(hasRoom: (r: R) => boolean, send: (r: R, m: M) => void, skip: (queued: number) => number): number {
    let sent = 0;
    for (let progress = true; progress;) {
      progress = false;
      for (const route of this.active) {
        if (!route.queue.size) {
          this.active.delete(route);
          continue;
        }
        const r = route.pick(hasRoom);
        if (!r) continue;
        const m = route.take(skip(Math.min(REORDER_WINDOW, route.queue.size)))!;
        this.queued--;
        sent++;
        progress = true;
        send(r, m);
      }
    }
    // Empty routes stay (with their round-robin place) until the receivers change, unless there are many.
    if (this.routes.size > MAX_IDLE_ROUTES)
      for (const [key, route] of this.routes) if (!route.queue.size) this.routes.delete(key);
    return sent;
  }

  /** Removes and returns the unrouted messages that have waited `limitMs` or more by `now`. */
  expire(now: number, limitMs: number): M[] {
    const out: M[] = [];
    for (let e = this.unrouted.peek(); e && now - e.since >= limitMs; e = this.unrouted.peek()) {
      this.unrouted.remove(e);
      out.push(e.message);
    }
    this.queued -= out.length;
    return out;
  }

  /** When the oldest unrouted message started waiting, if any. */
  get oldestUnrouted(): number | undefined {
    return this.unrouted.peek()?.since;
  }
}
