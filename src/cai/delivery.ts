/**
 * One application's delivery queue. Handlers run one push at a time per application, so a
 * slow or failing application never holds up another: each has its own bounded queue, a
 * handler that throws is reported and the next push goes on, and one that does not settle
 * within the timeout is reported and left behind. A push the full queue cannot take is
 * reported as overflow, never dropped silently.
 */
import { Fifo } from '../wdp/fifo.js';
import type { PushEvent } from './pushEvent.js';

export interface DeliveryReports {
  error(event: PushEvent, error: unknown): void;
  timeout(event: PushEvent): void;
  delivered(event: PushEvent): void;
}

/** One push waiting in one application's queue (a push going to several applications has one each). */
interface Queued {
  event: PushEvent;
  removed: boolean;
}

export class DeliveryQueue {
  /**
   * Made on the first push that has to wait, then kept: a queue whose handler keeps up never
   * needs one, and every registration holds its queue for its whole life.
   */
  private items: Fifo<Queued> | undefined = undefined;
  private running = false;
  /** Made when someone waits for idle(), dropped once they are called. */
  private idleWaiters: Array<() => void> | undefined = undefined;

  constructor(
    private deliverTo: (event: PushEvent) => void | Promise<void>,
    private readonly limit: number,
    private readonly timeoutMs: number,
    private readonly reports: DeliveryReports,
  ) {}

  get size(): number {
    return this.items === undefined ? 0 : this.items.size;
  }

  /** Points future deliveries at a new handler (an application re-registering). */
  retarget(deliverTo: (event: PushEvent) => void | Promise<void>): void {
    this.deliverTo = deliverTo;
  }

  /** Whether push() would refuse an event now. */
  get full(): boolean {
    return (this.running || this.size > 0) && this.size >= this.limit;
  }

  /** False when the queue is full: the caller reports the overflow. */
  push(event: PushEvent): boolean {
    if (!this.running && this.size === 0) {
      // Fast path: nothing queued, so a synchronous handler runs now, with no allocation.
      const pending = this.invoke(event);
      if (pending) this.run(pending);
      return true;
    }
    if (this.size >= this.limit) return false;
    (this.items ??= new Fifo()).push({ event, removed: false });
    return true;
  }

  /** Resolves once everything queued so far has been handed to the handler and settled. */
  idle(): Promise<void> {
    if (!this.running && this.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  /** Calls the handler; returns a promise only when it is asynchronous. */
  private invoke(event: PushEvent): Promise<void> | undefined {
    let result: void | Promise<void>;
    try {
      result = this.deliverTo(event);
    } catch (error) {
      this.reports.error(event, error);
      return undefined;
    }
    if (!result || typeof (result as Promise<void>).then !== 'function') {
      this.reports.delivered(event);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.reports.timeout(event);
        resolve();
      }, this.timeoutMs);
      timer.unref();
      (result as Promise<void>).then(
        () => {
          clearTimeout(timer);
          this.reports.delivered(event);
          resolve();
        },
        (error) => {
          clearTimeout(timer);
          this.reports.error(event, error);
          resolve();
        },
      );
    });
  }

  private run(first: Promise<void>): void {
    this.running = true;
    const next = (): void => {
      let queued: Queued | undefined;
      while ((queued = this.items?.shift()) !== undefined) {
        const pending = this.invoke(queued.event);
        if (pending) {
          void pending.then(next);
          return;
        }
      }
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = undefined;
      if (waiters) for (const w of waiters) w();
    };
    void first.then(next);
  }
}
