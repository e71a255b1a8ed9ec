/**
 * The forwarding of a queue of the version before (StoreQueues.forward; docs/pushcai.md
 * "Application ids in the store"): that version named every unnamed application of an App ID
 * by one id, and its nodes put their pushes for such an application in that queue (`app:` and
 * the old id), which no registration of this version reads. While no live node of that version
 * holds a record stored under the old id, this node takes each push there and routes it again,
 * as one arriving now, into this version's queues.
 *
 * Its states: asking whether the queue is held (one read of the record table); forwarding (a
 * consumer of the queue, asking again for each push); waiting (no consumer), to ask again
 * `recheckMs` later while a holder reads the queue, or after `retry`'s backoff when the read
 * failed or a push could not be stored again (so a store away or a full queue costs one push
 * taken per wait, not the whole queue taken and left in flight). It ends only when the Push
 * Client closes.
 */
import { StoreError, StoreErrorCode } from '../store/errors.js';
import type { QueueConsumer, QueueItem, Store } from '../store/types.js';
import { backoffDelay, type Backoff } from '../wdp/smpp/backoff.js';
import { PushDeferred } from './deferred.js';
import type { PushEvent } from './pushEvent.js';

/** What the forwarder needs of the Push Client (StoreQueues' QueueHost, and its reading of items). */
export interface ForwarderHost {
  /**
   * Whether a node of the version before reads the queue stored under `old`: a record stored
   * under it of a live node other than this one, as read now, or one this node follows still.
   */
  storedUnder(old: string): Promise<boolean>;
  /**
   * Routes a push again, as one arriving now; resolves once it is in each queue that takes it.
   * `took`: the queues (by id) that have it from an earlier time round, left out; each that
   * takes it now is added, also when another does not.
   */
  redispatch(event: PushEvent, took: Set<string>): Promise<void>;
  /** The push an item holds; throws when it is not one. */
  read(item: QueueItem): PushEvent;
  /** Reports a push as unrouted (`error`: why it could not be kept). */
  report(item: QueueItem, error?: unknown): void;
  storeError(error: unknown): void;
}

export interface ForwarderOptions {
  /**
   * How long one forward may run before its consumer lets the push go (FORWARD_TIMEOUT_MS): not
   * the application's handlerTimeoutMs, as a forward is a few store calls the store bounds.
   */
  timeoutMs: number;
  /** How soon the queue is asked about again while a holder reads it (the store's registrationPollMs). */
  recheckMs: number;
  /** The waits after a failed read of the record table, or a push not stored again (the Push Client's `storeRetry`). */
  retry: Backoff;
}

/**
 * The forwarder's consumer's handlerTimeoutMs. Past it the consumer acknowledges the push in
 * hand: should the forward then fail to store it again, it is reported `unrouted`, never left.
 * Under the default `queueReclaimMs` (60 s), so a slow forward is let go here before another
 * node's forwarder could reclaim it and forward it a second time; over what its few store
 * calls may take (each bounded by the store: Redis `commandTimeoutMs`, 5 s).
 */
export const FORWARD_TIMEOUT_MS = 45_000;

/**
 * Most pushes left to come round whose queues that took them already this node remembers
 * (Forwarder.took); beyond it the oldest is forgotten, and its next time round copies it again.
 */
export const FORWARD_TOOK_MEMORY = 1_000;

/**
 * A handler's rejection that leaves its item unacknowledged: in its queue still, in flight, to
 * come round again once reclaimed (ConsumeOptions.unacknowledged). The forwarder's, and the
 * give-back of StoreQueues' consumers.
 */
export class ComesRoundAgain extends Error {
  override readonly name = 'ComesRoundAgain';
}

/** ConsumeOptions.unacknowledged of a consumer whose handler may reject with ComesRoundAgain. */
export const leftInHand = (error: unknown): boolean => error instanceof ComesRoundAgain;

/**
 * Whether a push that could not be stored again is to come round again rather than be
 * reported: a deferral (`overflow: 'redeliver'`, counted `deferred` already), or a store that
 * is away. A push the store refuses as such (BAD_INPUT) would be refused again each time.
 */
function comesRoundAgain(error: unknown): boolean {
  return error instanceof PushDeferred || (error instanceof StoreError && error.code !== StoreErrorCode.BAD_INPUT);
}

export class Forwarder {
  private consumer: QueueConsumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Failed reads of the table in a row: the backoff's attempt. */
  private failures = 0;
  /** Pushes in a row that could not be stored again (left to come round): the backoff's attempt. */
  private refusals = 0;
  /**
   * For each push left to come round (by item id, as reclaim hands it out again): the queues
   * that took it already, so that a push for two applications one of which cannot take it yet
   * is not copied into the other's queue each time round (on this node; at least once).
   */
  private readonly took = new Map<string, Set<string>>();
  /** Pushes whose consumer let them go (acknowledged) past timeoutMs while their forward ran. */
  private readonly timedOut = new WeakSet<QueueItem>();
  private asking = false;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly host: ForwarderHost,
    /** The old id: the queue is `app:` and it. */
    private readonly old: string,
    private readonly options: ForwarderOptions,
  ) {
    void this.ask();
  }

  get queue(): string {
    return `app:${this.old}`;
  }

  /** Asks again now when waiting (another unnamed application of the App ID started here). */
  nudge(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.ask();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }

  /** Whether the queue has a holder now; undefined when the read failed (then reported, and waited on). */
  private async held(): Promise<boolean | undefined> {
    try {
      const held = await this.host.storedUnder(this.old);
      this.failures = 0;
      return held;
    } catch (error) {
      this.host.storeError(error);
      return undefined;
    }
  }

  private async ask(): Promise<void> {
    if (this.closed || this.asking || this.consumer !== undefined) return;
    this.asking = true;
    const held = await this.held();
    this.asking = false;
    if (this.closed || this.consumer !== undefined || this.timer !== undefined) return;
    if (held === false) this.consume();
    else this.wait(held ? 'held' : 'unread');
  }

  /**
   * Stops taking (the consumer stops once the push in hand settled), and asks again later: after
   * `recheckMs` while a holder reads the queue, else after the backoff of the failure's kind.
   */
  private wait(why: 'held' | 'unread' | 'refused'): void {
    const consumer = this.consumer;
    this.consumer = undefined;
    // Not awaited: called from the consumer's own handler, whose settling its stop awaits.
    void consumer?.stop();
    if (this.closed) return;
    const { retry, recheckMs } = this.options;
    const ms =
      why === 'held'
        ? recheckMs
        : why === 'unread'
          ? backoffDelay(retry, this.failures++)
          : backoffDelay(retry, this.refusals++);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.ask();
    }, ms);
    this.timer.unref();
  }

  private consume(): void {
    const consumer = this.store.queues.consume(this.queue, (item) => this.forward(item, consumer), {
      handlerTimeoutMs: this.options.timeoutMs,
      unacknowledged: leftInHand,
    });
    consumer.on('store-error', (e) => this.host.storeError(e));
    // Acknowledged now: the forward still running decides whether it must be reported.
    consumer.on('timeout', (item) => this.timedOut.add(item));
    this.consumer = consumer;
  }

  private async forward(item: QueueItem, consumer: QueueConsumer): Promise<void> {
    try {
      await this.step(item, consumer);
    } catch (error) {
      // Its consumer let it go past timeoutMs (acknowledged): not left in the old queue any more,
      // so what would have come round again is reported, not lost unseen.
      if (error instanceof ComesRoundAgain && this.timedOut.has(item))
        return this.host.report(item, error.cause ?? error);
      throw error;
    }
  }

  private async step(item: QueueItem, consumer: QueueConsumer): Promise<void> {
    // One turn of the event loop per push: should routing it again ever put it back in this
    // queue, this is a loop of store calls that, on a store that answers at once (memory),
    // would never let a timer (the follower's next read) run.
    await new Promise((resolve) => setImmediate(resolve));
    const held = this.consumer === consumer ? await this.held() : true;
    // Closing: left in hand, in its place and with its deliveries, for the store's close (or
    // reclaim) to hand out again.
    if (this.closed) throw new ComesRoundAgain('the forwarding closes');
    if (held === undefined) {
      // Not known whether a holder reads it: it stays in hand, and comes round again.
      if (this.consumer === consumer) this.wait('unread');
      throw new ComesRoundAgain('the record table could not be read');
    }
    if (held || this.consumer !== consumer) {
      if (this.consumer === consumer) this.wait('held');
      return this.back(item);
    }
    let event: PushEvent;
    try {
      event = this.host.read(item);
    } catch {
      return this.host.report(item);
    }
    const took = this.took.get(item.id) ?? new Set<string>();
    this.took.delete(item.id);
    try {
      await this.host.redispatch(event, took);
      this.refusals = 0;
    } catch (error) {
      // The bearer answered long ago: reported, not lost.
      if (!comesRoundAgain(error)) return this.host.report(item, error);
      if (took.size > 0) this.remember(item.id, took);
      // Left to come round again; the next pushes would most likely fare as this one (the
      // store away, the queue full): none is taken until the backoff's wait is over.
      if (this.consumer === consumer) this.wait('refused');
      throw new ComesRoundAgain('not stored again', { cause: error });
    }
  }

  private remember(id: string, took: Set<string>): void {
    this.took.set(id, took);
    for (const oldest of this.took.keys()) {
      if (this.took.size <= FORWARD_TOOK_MEMORY) break;
      this.took.delete(oldest);
    }
  }

  /**
   * The push in hand goes back in the queue, for its holder (at its end). A full queue (the
   * item in hand counting) cannot take it: it is reported. Any other failure (the store away)
   * leaves it in hand, to come round again.
   */
  private async back(item: QueueItem): Promise<void> {
    try {
      await this.store.queues.enqueue(this.queue, { data: item.data, attributes: item.attributes });
    } catch (error) {
      if (error instanceof StoreError && error.code === StoreErrorCode.QUEUE_FULL) return this.host.report(item, error);
      this.host.storeError(error);
      throw new ComesRoundAgain('not given back', { cause: error });
    }
  }
}
