/**
 * The duplicate memory in this process: hashed keys with the time each lapses, oldest first,
 * at most `maxDuplicates` (the oldest is forgotten first when full).
 */
import { List, type Link } from '../list.js';
import type { ResolvedOptions } from '../options.js';
import type { Sink } from './sink.js';

class Seen implements Link<Seen> {
  prev: Seen | undefined = undefined;
  next: Seen | undefined = undefined;
  list: List<Seen> | undefined = undefined;
  constructor(
    readonly key: string,
    public until: number,
  ) {}
}

export class DuplicateState {
  private readonly seen = new Map<string, Seen>();
  /** In the order remembered; windows differ, so a later entry may lapse first (swept when it reaches the head). */
  private readonly order = new List<Seen>();
  /** Keys forgotten for `maxDuplicates` while their window was still open (see forgottenEarly in types.ts). */
  forgottenEarly = 0;

  constructor(
    private readonly o: ResolvedOptions,
    private sink: Sink,
  ) {}

  setSink(sink: Sink): void {
    this.sink = sink;
  }

  get size(): number {
    return this.seen.size;
  }

  remember(key: string, windowMs: number): boolean {
    const now = this.o.now();
    this.sweep(now);
    const s = this.seen.get(key);
    if (s !== undefined && s.until > now) return false;
    if (s !== undefined) this.delete(s);
    if (windowMs <= 0 || this.o.maxDuplicates === 0) return true;
    while (this.order.size >= this.o.maxDuplicates) this.forgetEarly(this.order.head!, now);
    const entry = new Seen(key, now + windowMs);
    this.seen.set(key, entry);
    this.order.push(entry);
    this.sink.put(['u', key], entry.until);
    return true;
  }

  has(key: string): boolean {
    const s = this.seen.get(key);
    return s !== undefined && s.until > this.o.now();
  }

  forget(key: string): void {
    const s = this.seen.get(key);
    if (s !== undefined) this.delete(s);
  }

  restore(key: string, until: number): void {
    if (until <= this.o.now() || this.seen.has(key)) return;
    const entry = new Seen(key, until);
    this.seen.set(key, entry);
    this.order.push(entry);
  }

  /** After a load: oldest lapse first. */
  sortRestored(): void {
    const all = [...this.order].sort((a, b) => a.until - b.until);
    for (const s of all) {
      this.order.remove(s);
      this.order.push(s);
    }
    // Not counted: the bound trims what an earlier process (or bound) left, at every load.
    while (this.order.size > this.o.maxDuplicates) this.delete(this.order.head!);
  }

  sweep(now: number): void {
    for (let s = this.order.head; s !== undefined && s.until <= now; s = this.order.head) this.delete(s);
  }

  /** Forgets `s` for the bound: counted when its window had not lapsed. */
  private forgetEarly(s: Seen, now: number): void {
    if (s.until > now) this.forgottenEarly++;
    this.delete(s);
  }

  private delete(s: Seen): void {
    this.seen.delete(s.key);
    this.order.remove(s);
    this.sink.del(['u', s.key]);
  }
}
