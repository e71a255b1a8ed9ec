/**
 * The loop behind queues.consume(): take one item, run the handler, acknowledge once it has
 * settled, look for lapsed items now and then (and for more at once while it finds them). One
 * item at a time per consumer, so a slow application holds up only itself; several nodes
 * consuming one queue share its items.
 */
import { EventEmitter } from 'node:events';
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';
import { unavailable, type StoreError } from './errors.js';
import type { ConsumeOptions, QueueConsumer, QueueItem } from './types.js';

export interface ConsumerSource {
  /** Up to one ready item, waiting at most `blockMs` for one. */
  next(blockMs: number): Promise<QueueItem[]>;
  /** Lapsed items taken over by this consumer. */
  reclaim(): Promise<QueueItem[]>;
  ack(id: string): Promise<void>;
  /** Ends a waiting next() early. */
  interrupt(): void;
  /** Releases what the source holds (a connection). */
  close(): void;
}

export const DEFAULT_CONSUME_OPTIONS = Object.freeze({ handlerTimeoutMs: 30_000, blockMs: 1_000 });

export class Consumer
  extends EventEmitter<{
    'handler-error': [QueueItem, unknown];
    timeout: [QueueItem];
    delivered: [QueueItem];
    'store-error': [StoreError];
  }>
  implements QueueConsumer
{
  private stopping = false;
  private readonly done: Promise<void>;
  private readonly handlerTimeoutMs: number;
  private readonly blockMs: number;
  private lastReclaim = 0;
  private readonly unacknowledged: ((error: unknown) => boolean) | undefined;

  constructor(
    readonly queue: string,
    private readonly handler: (item: QueueItem) => void | Promise<void>,
    private readonly source: ConsumerSource,
    private readonly reclaimEveryMs: number,
    options: ConsumeOptions = {},
  ) {
    super();
    this.handlerTimeoutMs = positiveBound(
      options.handlerTimeoutMs ?? DEFAULT_CONSUME_OPTIONS.handlerTimeoutMs,
      'handlerTimeoutMs',
      MAX_TIMER_MS,
    );
    this.blockMs = positiveBound(options.blockMs ?? DEFAULT_CONSUME_OPTIONS.blockMs, 'blockMs', MAX_TIMER_MS);
    this.unacknowledged = options.unacknowledged;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.source.interrupt();
    await this.done;
  }

  private async run(): Promise<void> {
    // Let the caller attach its listeners before the first item can be reported.
    await Promise.resolve();
    while (!this.stopping) {
      try {
        let items: QueueItem[] = [];
        if (Date.now() - this.lastReclaim >= this.reclaimEveryMs) {
          // Asked again at once: a turn of the event loop first. On memory every step is a
          // microtask, so a long backlog would otherwise starve timers and sockets until done.
          if (this.lastReclaim === 0) {
            await new Promise<void>((r) => setImmediate(r));
            if (this.stopping) break;
          }
          this.lastReclaim = Date.now();
          items = await this.source.reclaim();
          // reclaim() takes one item: while it finds one, it is asked again at once (after the
          // handler), so a backlog left in flight (ConsumeOptions.unacknowledged) comes back
          // together, not one item per reclaimEveryMs. A reclaimed item is in flight afresh.
          if (items.length > 0) this.lastReclaim = 0;
        }
        if (items.length === 0) items = await this.source.next(this.blockMs);
        // Items already taken are handled even when stopping: they are this consumer's now.
        for (const item of items) await this.handle(item);
      } catch (error) {
        if (this.stopping) break;
        this.emit('store-error', unavailable(error, `queue ${this.queue}`));
        await new Promise((r) => setTimeout(r, this.blockMs).unref());
      }
    }
    this.source.close();
  }

  private async handle(item: QueueItem): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<'delivered' | 'timeout' | { error: unknown }>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.handlerTimeoutMs);
      try {
        Promise.resolve(this.handler(item)).then(
          () => resolve('delivered'),
          (error: unknown) => resolve({ error }),
        );
      } catch (error) {
        resolve({ error });
      }
    });
    clearTimeout(timer);
    // Left in flight, to come round again (ConsumeOptions.unacknowledged).
    if (typeof outcome === 'object' && this.unacknowledged?.(outcome.error)) return;
    if (outcome === 'delivered') this.emit('delivered', item);
    else if (outcome === 'timeout') this.emit('timeout', item);
    else this.emit('handler-error', item, outcome.error);
    await this.source.ack(item.id);
  }
}
