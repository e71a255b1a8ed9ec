/**
 * Oldest-first queue with removal from the middle, O(1) amortised. Why not a Map's insertion
 * order: V8 leaves a hole for each deleted Map entry until it rehashes, and walking from the
 * head skips them one by one, so "look at the oldest" after many deletions costs O(deleted).
 * Here removed items are flagged, skipped once at the head, and compacted away when they
 * outnumber the live ones, so memory stays proportional to what is live.
 */
export interface QueueItem {
  removed: boolean;
}

export class Fifo<T extends QueueItem> {
  private items: T[] = [];
  private head = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  push(item: T): void {
    item.removed = false;
    this.items.push(item);
    this.live++;
  }

  /** Flags an item as gone; it must be in the queue. */
  remove(item: T): void {
    if (item.removed) return;
    item.removed = true;
    this.live--;
    const dead = this.items.length - this.head - this.live;
    if (dead > 64 && dead > 2 * this.live) this.compact();
  }

  /** The oldest live item. */
  peek(): T | undefined {
    const items = this.items;
    while (this.head < items.length && items[this.head].removed) this.head++;
    if (this.head > 1024 && this.head * 2 > items.length) this.compact();
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The oldest live item other than `skip`. */
  peekOther(skip: T): T | undefined {
    const first = this.peek();
    if (first !== skip) return first;
    for (let i = this.head + 1; i < this.items.length; i++) if (!this.items[i].removed) return this.items[i];
    return undefined;
  }

  private compact(): void {
    const next: T[] = [];
    for (let i = this.head; i < this.items.length; i++) if (!this.items[i].removed) next.push(this.items[i]);
    this.items = next;
    this.head = 0;
  }

  /** The live items, oldest first, for reading: the queue must not change while this runs. */
  *values(): IterableIterator<T> {
    const items = this.items;
    for (let i = this.head; i < items.length; i++) if (!items[i].removed) yield items[i];
  }

  /** Takes the oldest live item out of the queue (a plain first-in first-out queue's pop). */
  shift(): T | undefined {
    const item = this.peek();
    if (item !== undefined) this.remove(item);
    return item;
  }
}
