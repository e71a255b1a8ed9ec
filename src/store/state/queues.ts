/**
 * Durable queues in this process: items by sequence number, each ready or in flight (taken by
 * a consumer, not yet acknowledged). An item handed back (its consumer closed) goes first again.
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import { List, type Link } from '../list.js';
import type { ResolvedOptions } from '../options.js';
import type { QueueCounts, QueueEntry, QueueItem } from '../types.js';
import type { Liveness } from './reassembly.js';
import type { Sink } from './sink.js';

class Item implements Link<Item> {
  prev: Item | undefined = undefined;
  next: Item | undefined = undefined;
  list: List<Item> | undefined = undefined;
  takenBy = '';
  takenAt = 0;
  constructor(
    readonly seq: number,
    readonly data: Uint8Array,
    readonly attributes: Record<string, string>,
    readonly enqueuedAt: number,
    public deliveries: number,
  ) {}
}

class Queue {
  readonly items = new Map<number, Item>();
  readonly ready = new List<Item>();
  readonly inFlight = new List<Item>();
}

export class QueueState {
  private readonly queues = new Map<string, Queue>();
  private seq = 0;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly o: ResolvedOptions,
    private sink: Sink,
  ) {}

  setSink(sink: Sink): void {
    this.sink = sink;
  }

  enqueue(name: string, entry: QueueEntry): string {
    const q = this.queue(name);
    if (q.items.size >= this.o.maxQueued)
      throw new StoreError(StoreErrorCode.QUEUE_FULL, `queue ${name} holds its most, ${this.o.maxQueued} items`);
    const item = new Item(++this.seq, entry.data, { ...entry.attributes }, this.o.now(), 0);
    q.items.set(item.seq, item);
    q.ready.push(item);
    this.sink.put(['q', name, item.seq], { d: item.data, a: item.attributes, t: item.enqueuedAt });
    this.wake(name);
    return String(item.seq);
  }

  take(name: string, me: string, count: number): QueueItem[] {
    const q = this.queues.get(name);
    const out: QueueItem[] = [];
    if (q === undefined) return out;
    for (let item = q.ready.head; item !== undefined && out.length < count; item = q.ready.head) {
      q.ready.remove(item);
      out.push(this.handOut(name, q, item, me));
    }
    return out;
  }

  ack(name: string, id: string): void {
    const q = this.queues.get(name);
    const seq = Number(id);
    const item = q?.items.get(seq);
    if (q === undefined || item === undefined) return;
    q.items.delete(seq);
    q.ready.remove(item);
    q.inFlight.remove(item);
    this.sink.del(['q', name, seq]);
    this.sink.del(['qn', name, seq]);
    if (q.items.size === 0) this.queues.delete(name);
  }

  /** Items in flight past queueReclaimMs, or whose consumer is no longer live, taken over by `me`. */
  reclaim(name: string, me: string, live: Liveness, count: number): QueueItem[] {
    const q = this.queues.get(name);
    const out: QueueItem[] = [];
    if (q === undefined) return out;
    const stale = this.o.now() - this.o.queueReclaimMs;
    const lapsed: Item[] = [];
    for (const item of q.inFlight) {
      if (lapsed.length >= count) break;
      if (item.takenAt <= stale || !live(item.takenBy)) lapsed.push(item);
    }
    for (const item of lapsed) {
      q.inFlight.remove(item);
      out.push(this.handOut(name, q, item, me));
    }
    return out;
  }

  /** Hands back everything `nodeId` holds in flight (it is closing). */
  releaseAll(nodeId: string): void {
    for (const [name, q] of this.queues) {
      const back = [...q.inFlight].filter((i) => i.takenBy === nodeId).reverse();
      for (const item of back) {
        q.inFlight.remove(item);
        item.takenBy = '';
        q.ready.unshift(item);
      }
      if (back.length > 0) this.wake(name);
    }
  }

  counts(name: string): QueueCounts {
    const q = this.queues.get(name);
    return { queue: name, ready: q?.ready.size ?? 0, inFlight: q?.inFlight.size ?? 0 };
  }

  names(): string[] {
    return [...this.queues.keys()].sort();
  }

  restore(name: string, seq: number, data: Uint8Array, attributes: Record<string, string>, at: number): void {
    const q = this.queue(name);
    const item = new Item(seq, data, attributes, at, 0);
    q.items.set(seq, item);
    if (seq > this.seq) this.seq = seq;
  }

  restoreDeliveries(name: string, seq: number, deliveries: number): void {
    const item = this.queues.get(name)?.items.get(seq);
    if (item !== undefined) item.deliveries = deliveries;
  }

  /** After a load: every item ready, in order (nothing is in flight in a process just started). */
  sortRestored(): void {
    for (const q of this.queues.values()) {
      for (const item of [...q.items.values()].sort((a, b) => a.seq - b.seq)) q.ready.push(item);
    }
  }

  /** Resolves when `name` gets an item, or after `ms`. */
  wait(name: string, ms: number): { promise: Promise<void>; cancel: () => void } {
    let set = this.waiters.get(name);
    if (set === undefined) this.waiters.set(name, (set = new Set()));
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    const done = () => {
      clearTimeout(timer);
      set.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
    return { promise, cancel: done };
  }

  private wake(name: string): void {
    const set = this.waiters.get(name);
    if (set !== undefined) for (const w of [...set]) w();
  }

  private handOut(name: string, q: Queue, item: Item, me: string): QueueItem {
    item.takenBy = me;
    item.takenAt = this.o.now();
    item.deliveries++;
    q.inFlight.push(item);
    this.sink.put(['qn', name, item.seq], item.deliveries);
    return {
      id: String(item.seq),
      data: item.data,
      attributes: item.attributes,
      enqueuedAt: item.enqueuedAt,
      deliveries: item.deliveries,
    };
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (q === undefined) this.queues.set(name, (q = new Queue()));
    return q;
  }
}
