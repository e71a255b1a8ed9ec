/**
 * The memory backend: today's behaviour, nothing survives the process. Calls resolve at once.
 * `attach()` makes a second store on the same state, another "node" in this process (its own
 * claims and queue consumer): what several Redis nodes do, without a server, for tests.
 */
import { InProcessStore, Space } from './inProcess.js';
import type { StoreOptions } from './options.js';
import type { Store } from './types.js';

export class MemoryStore extends InProcessStore implements Store {
  readonly backend = 'memory' as const;
  protected readonly location = 'memory';

  constructor(
    private readonly options: StoreOptions = {},
    space?: Space,
  ) {
    super(options);
    this.space = space ?? new Space(this.o);
    this.space.nodes.add(this.nodeId);
  }

  /** Another node on this store's state (same options unless given). */
  attach(options: StoreOptions = this.options): MemoryStore {
    return new MemoryStore({ ...options, nodeId: undefined }, this.space);
  }

  protected settled(): undefined {
    return undefined;
  }

  protected async tryWrite(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.releaseHeld();
    this.closed = true;
    this.stopProbing();
  }
}
