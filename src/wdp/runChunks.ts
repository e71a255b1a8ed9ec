import { copyPrinting } from './fingerprint.js';

/**
 * Where a reassembler holds the runs of its pending messages (see Pending in reassembler.ts):
 * regions cut from chunks of its own, apart from the payload chunks of single SMS. A chunk
 * lives while anything views it, so one run left in a chunk whose other octets went out as
 * payloads keeps the whole chunk alive. A chunk's runs are therefore counted (`live`, the
 * octets of their regions), and each time the reassembler begins a new chunk, every earlier
 * chunk whose runs hold less than half of it has them moved into the new one: a run is the
 * reassembler's own until it completes, and it moves anyway when it cannot grow in place. So
 * the chunks that pending runs keep alive are the chunk being cut plus chunks at least half
 * live: at most RUN_CHUNK_OCTETS + 2 x the octets of the runs' regions (`heldOctets`), counted
 * at each new chunk. What a delivered payload keeps alive is the application's.
 */

/** Octets of a run chunk; a region over a quarter of it gets a buffer of its own. */
export const RUN_CHUNK_OCTETS = 16 * 1024;

/** A chunk whose runs' regions hold less than this is emptied when a new chunk begins. */
const SPARSE_OCTETS = RUN_CHUNK_OCTETS >> 1;

/**
 * The octets a region of `room` takes in its chunk: regions start 8-aligned. Counted so, a
 * chunk cut full of small regions is full, not sparse; counted by `room`, a chunk of 2,048
 * one-octet runs looked sparse, moved into a new chunk that it filled again, for ever.
 */
const taken = (room: number): number => (room + 7) & ~7;

/** A pending message's run as the chunks see it (the record itself, linked per chunk). */
export interface Run {
  store: Uint8Array;
  storeView: DataView;
  base: number;
  room: number;
  fill: number;
  chunk: RunChunk | undefined;
  prevR: Run | undefined;
  nextR: Run | undefined;
}

export interface RunChunk {
  readonly octets: Uint8Array;
  readonly view: DataView;
  readonly size: number;
  /** Octets the regions of the runs in it take (each 8-aligned). */
  live: number;
  /** Its runs. */
  head: Run | undefined;
}

/**
 * A chunk's octets are not zeroed (Buffer.allocUnsafeSlow): every octet handed out is written
 * before anyone can read it. Zeroing them cost about a tenth of reassembly.
 */
function newRunChunk(size: number): RunChunk {
  const b = Buffer.allocUnsafeSlow(size);
  const octets = new Uint8Array(b.buffer, b.byteOffset, size);
  return { octets, view: new DataView(b.buffer, b.byteOffset, size), size, live: 0, head: undefined };
}

export class RunChunks {
  private current = newRunChunk(RUN_CHUNK_OCTETS);
  /** Where the current chunk's last cut ends (the next starts 8-aligned). */
  private used = 0;
  /** Earlier chunks that held runs when last looked at. */
  private pinned: RunChunk[] = [];
  private compacting = false;
  /** Octets of the chunks (and own buffers) that runs are in. */
  heldOctets = 0;

  /**
   * Appends octets `start` to `end` of `from` to the run's region (in place while the region
   * ends the current chunk's last cut, else in a new region) and returns their fingerprint
   * (fingerprint.ts: copied and printed in one pass). `whole` is room for the rest of the message.
   */
  append(run: Run, from: DataView, start: number, end: number, whole: number): number {
    const n = end - start;
    const need = run.fill + n;
    if (need > run.room) {
      const c = run.chunk;
      if (c === this.current && run.base + run.room === this.used && run.base + need <= RUN_CHUNK_OCTETS) {
        c.live += taken(need) - taken(run.room);
        this.used = run.base + need;
        run.room = need;
      } else {
        // A new run takes its first part's room only (most messages from a flood never get a
        // second); a run that moves takes room for the rest of it or twice what it holds, the less.
        this.place(run, run.fill === 0 ? need : Math.max(need, Math.min(whole, 2 * need)));
      }
    }
    const print = copyPrinting(from, start, end, run.storeView, run.base + run.fill);
    run.fill = need;
    return print;
  }

  /** The run no longer in its chunk (it completed, was dropped, or became parts). */
  detach(run: Run): void {
    const c = run.chunk;
    if (c === undefined) return;
    const { prevR: prev, nextR: next } = run;
    if (prev === undefined) c.head = next;
    else prev.nextR = next;
    if (next !== undefined) next.prevR = prev;
    run.prevR = run.nextR = run.chunk = undefined;
    c.live -= taken(run.room);
    if (c.live === 0) this.heldOctets -= c.size;
  }

  /** Gives the run a region of `room` octets, with its `fill` octets copied in. */
  private place(run: Run, room: number): void {
    const old = run.store;
    const from = run.base;
    const fill = run.fill;
    this.detach(run);
    let c: RunChunk;
    let at = 0;
    if (room > RUN_CHUNK_OCTETS >> 2) c = newRunChunk(room);
    else {
      at = this.cut(room);
      c = this.current;
    }
    run.store = c.octets;
    run.storeView = c.view;
    run.base = at;
    run.room = room;
    run.chunk = c;
    run.prevR = undefined;
    run.nextR = c.head;
    if (c.head !== undefined) c.head.prevR = run;
    c.head = run;
    if (c.live === 0) this.heldOctets += c.size;
    c.live += taken(room);
    if (fill > 0) c.octets.set(old.subarray(from, from + fill), at);
  }

  private cut(length: number): number {
    let at = (this.used + 7) & ~7;
    // (Runs moved in by retire() are cut from the new chunk first.)
    while (at + length > RUN_CHUNK_OCTETS) {
      this.retire();
      at = (this.used + 7) & ~7;
    }
    this.used = at + length;
    return at;
  }

  /** A new current chunk; the runs of sparse earlier chunks move into it. */
  private retire(): void {
    const old = this.current;
    this.current = newRunChunk(RUN_CHUNK_OCTETS);
    this.used = 0;
    const pinned = this.pinned;
    if (old.live > 0) pinned.push(old);
    // Moves below cut from the new chunk, and may begin another (it is full of moved runs,
    // so more than half live): that one is only added to the list, which this loop reaches.
    if (this.compacting) return;
    this.compacting = true;
    let kept = 0;
    for (let i = 0; i < pinned.length; i++) {
      const c = pinned[i];
      if (c.live === 0) continue;
      if (c.live >= SPARSE_OCTETS) pinned[kept++] = c;
      else
        for (let run = c.head; run !== undefined;) {
          const next = run.nextR;
          this.place(run, run.room);
          run = next;
        }
    }
    pinned.length = kept;
    this.compacting = false;
  }
}
