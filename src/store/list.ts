/**
 * A doubly linked list of nodes that carry their own links: oldest first, O(1) to append,
 * to remove from anywhere and to find the oldest. The in-process state keeps its age orders
 * (pending messages, an originator's messages, memories to expire) in these.
 */
export interface Link<T> {
  prev: T | undefined;
  next: T | undefined;
  /** Which list holds it; undefined when none. */
  list: object | undefined;
}

export class List<T extends Link<T>> {
  head: T | undefined;
  tail: T | undefined;
  size = 0;

  push(node: T): void {
    node.list = this;
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }

  /** Puts it first (an item handed back goes before those that never left). */
  unshift(node: T): void {
    node.list = this;
    node.next = this.head;
    node.prev = undefined;
    if (this.head) this.head.prev = node;
    else this.tail = node;
    this.head = node;
    this.size++;
  }

  remove(node: T): void {
    if (node.list !== this) return;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = node.list = undefined;
    this.size--;
  }

  shift(): T | undefined {
    const node = this.head;
    if (node) this.remove(node);
    return node;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let n = this.head; n !== undefined;) {
      const next = n.next;
      yield n;
      n = next;
    }
  }
}

/** A list node that points at something (the same thing can sit in several lists). */
export class Entry<V> implements Link<Entry<V>> {
  prev: Entry<V> | undefined = undefined;
  next: Entry<V> | undefined = undefined;
  list: List<Entry<V>> | undefined = undefined;
  constructor(readonly value: V) {}
}
