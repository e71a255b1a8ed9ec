/**
 * The finishes a Redis node asked for and could not store (the call failed: Redis away, the
 * reply lost, an error of the script). The handler succeeded, so the node's next sweep, or its
 * close(), finishes them again (FINISH_OWN, scripts.ts) rather than let the claim be handed out
 * again or released. Each entry holds what FINISH_OWN checks: the same claim (first-seen time)
 * of the same handover.
 */
import type { CompletedMessage } from '../types.js';

/**
 * How many FINISH_OWN calls in a row may fail (an error Redis keeps answering, such as
 * WRONGTYPE) before a finish is given up: its claim then lapses and the message is handed over
 * again, a duplicate rather than a finish retried for ever; the give-up is reported.
 */
export const FINISH_OWN_TRIES = 5;

export interface Unstored {
  readonly total: number;
  readonly firstAt: number;
  readonly handovers: number;
  /** FINISH_OWN calls that failed with this entry in them. */
  tries: number;
}

/** Whether delivery a came later than delivery b of the same key: a later message, or a later handover. */
function later(a: Unstored | CompletedMessage, b: Unstored): boolean {
  return a.firstAt > b.firstAt || (a.firstAt === b.firstAt && a.handovers > b.handovers);
}

export class Unfinished {
  private readonly byKey = new Map<string, Unstored>();

  get size(): number {
    return this.byKey.size;
  }

  /**
   * A finish failed. Kept unless a later delivery's failed finish of the same key is kept
   * already: FINISH_OWN stores only the newest claim, so an older delivery's entry would only
   * make the newer's success be handed out again.
   */
  keep(m: CompletedMessage): void {
    const kept = this.byKey.get(m.key);
    if (kept !== undefined && !later(m, kept)) return;
    this.byKey.set(m.key, { total: m.total, firstAt: m.firstAt, handovers: m.handovers, tries: 0 });
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }

  /** What to send now. */
  entries(): Array<[string, Unstored]> {
    return [...this.byKey];
  }

  /** FINISH_OWN answered for `u`: settled, unless a later failure replaced it meanwhile. */
  settled(key: string, u: Unstored): void {
    if (this.byKey.get(key) === u) this.byKey.delete(key);
  }

  /** FINISH_OWN failed for `sent`: a try more each; returns the keys given up (FINISH_OWN_TRIES). */
  failed(sent: Array<[string, Unstored]>): string[] {
    const given: string[] = [];
    for (const [key, u] of sent) {
      if (this.byKey.get(key) !== u || ++u.tries < FINISH_OWN_TRIES) continue;
      this.byKey.delete(key);
      given.push(key);
    }
    return given;
  }

  clear(): void {
    this.byKey.clear();
  }
}
