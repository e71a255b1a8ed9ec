/**
 * The embedded durable backend, on lmdb (a B+tree in one memory-mapped file, prebuilt binary
 * in its npm package). The working copy in this process decides; every change is a put or a
 * remove that lmdb commits in batches on its own thread (group commit: everything written
 * while one commit runs goes into the next). When a call resolves depends on `sync`
 * (docs/state.md):
 * - 'always' (the default): its batch is committed and synced (the commit includes the
 *   fsync), so it survives a crash of the process or of the machine;
 * - 'everysec': its batch is committed to the operating system (lmdb's noSync: the file's
 *   pages are written, not synced), which keeps it through a crash of the process; the file
 *   is synced at most `SYNC_INTERVAL_MS` after, so a crash of the machine loses at most that;
 * - 'no': likewise, but synced only when the operating system writes it out, and on close.
 *
 * A commit that fails (disk full, file too large, I/O error) turns the store unavailable:
 * every call fails fast, the probe tries a write every `probeIntervalMs`, and when one goes
 * through the working copy is read back from disk before calls go through again. A sync that
 * fails does the same.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { StoreError, StoreErrorCode, unavailable } from '../errors.js';
import { InProcessStore, Space } from '../inProcess.js';
import { SYNC_INTERVAL_MS, type StoreOptions, type StoreSync } from '../options.js';
import type { Sink, StateKey } from '../state/sink.js';
import type { Store, StoreReport } from '../types.js';
import { loadSpace } from './load.js';
import { takeLock } from './lock.js';

/** Written once into a new store; a store with another value was written by something else. */
export const LMDB_FORMAT = 1;

type Db = RootDatabase<unknown, StateKey>;

/** process.umask, or undefined where it cannot be set (a worker thread). */
function umask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
}

const noop = () => {};

/** lmdb's sync of the whole file (mdb_env_sync, forced, on a worker thread), which its typings leave out. */
interface EnvSync {
  sync(done: (error?: unknown) => void): void;
}

function canSync(db: object): db is EnvSync {
  return typeof (db as Partial<EnvSync>).sync === 'function';
}

/** Syncs the store's file; rejects with lmdb's error. */
function syncFile(db: Db): Promise<void> {
  if (!canSync(db)) return Promise.reject(new Error('this lmdb has no sync()'));
  return new Promise((resolve, reject) => db.sync((error) => (error ? reject(error) : resolve())));
}

/**
 * Waits for a write; resolves whether it went through. On failure `failed` runs at once (so a later commit that succeeds cannot
 * be seen before it), and `cause` with the reason: lmdb rejects a failed commit's writes with
 * "Commit failed" and a second promise (commitError) that rejects with the reason, usually at
 * once; it is handled here (left alone it would be an unhandled rejection).
 */
function settle(p: Promise<unknown>, failed: () => void, cause: (e: unknown) => void): Promise<boolean> {
  return p.then(
    () => true,
    (e: unknown) => {
      failed();
      const commitError = (e as { commitError?: Promise<unknown> } | undefined)?.commitError;
      if (commitError && typeof commitError.then === 'function') {
        void Promise.race([
          commitError.then(
            () => e,
            (c: unknown) => c,
          ),
          new Promise((r) => setImmediate(() => r(e))),
        ]).then(cause);
      } else cause(e);
      return false;
    },
  );
}

/** A change waiting for the end of the current task: a put, or a removal (value unused). */
interface Change {
  key: StateKey;
  value: unknown;
  remove: boolean;
}

/**
 * Hands lmdb the changes of each task (the synchronous run that made them) as one batch: one
 * commit promise to follow instead of one per change, and a block lmdb's writer thread sees
 * whole (its start is written last), so it does not commit half of it and the rest in a
 * second commit with a second fsync. The batch goes out in a microtask, before the event loop
 * goes on, so lmdb starts its commit in the same loop turn as it would for single writes.
 */
class LmdbSink implements Sink {
  /** The last batch's settlement, whether it went through; never rejects (failures are counted instead). */
  last: Promise<boolean> | undefined;
  failures = 0;
  lastError: unknown;
  private changes: Change[] = [];
  /** Hands the pending batch's commit promise to its settlement. */
  private handOver: ((p: Promise<unknown>) => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly onFailure: (e: unknown) => void,
    /** After each batch that went through ('everysec': the sync is due). */
    private readonly onCommit: () => void = noop,
  ) {}

  put(key: StateKey, value: unknown): void {
    this.queue({ key, value, remove: false });
  }

  del(key: StateKey): void {
    this.queue({ key, value: undefined, remove: true });
  }

  private queue(change: Change): void {
    this.changes.push(change);
    if (this.handOver !== undefined) return;
    this.track(new Promise<unknown>((resolve) => (this.handOver = resolve)));
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const changes = this.changes;
    const handOver = this.handOver!;
    this.changes = [];
    this.handOver = undefined;
    handOver(this.write(changes));
  }

  private write(changes: Change[]): Promise<unknown> {
    try {
      return this.db.batch(() => {
        for (const c of changes) {
          if (c.remove) void this.db.remove(c.key);
          else void this.db.put(c.key, c.value);
        }
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private track(p: Promise<unknown>): void {
    const mine = settle(
      p,
      () => this.failures++,
      (e) => {
        this.lastError = e;
        this.onFailure(e);
      },
    );
    this.last = mine;
    // Each batch by its own outcome: one that went through after an earlier one failed is due its sync too.
    void mine.then((ok) => {
      if (this.last === mine) this.last = undefined;
      if (ok) this.onCommit();
    });
  }
}

export class LmdbStore extends InProcessStore implements Store {
  readonly backend = 'lmdb' as const;
  protected readonly location: string;
  readonly readOnly: boolean;
  /** When a stored change is on the disk itself (see the top of this file). */
  readonly sync: StoreSync;
  private db!: Db;
  private sink: LmdbSink | undefined;
  private unlock: (() => void) | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private seenVersion = 0;
  /** 'everysec': the sync due for what was committed since the last one. */
  private syncTimer: NodeJS.Timeout | undefined;
  /** Commits not yet synced ('everysec' and 'no'). */
  private unsynced = false;
  /** The sync running now, if any: close() waits for it before closing the environment. */
  private syncing: Promise<void> | undefined;

  /** Opens (creating it owner-only when missing) the store in directory `path`. */
  constructor(
    readonly path: string,
    options: StoreOptions = {},
  ) {
    super(options);
    this.location = path;
    this.readOnly = this.o.readOnly;
    this.sync = this.o.sync ?? 'always';
    if (existsSync(path) && !statSync(path).isDirectory())
      throw new StoreError(
        StoreErrorCode.BAD_SPEC,
        `${path} is a file, not a store directory (an old registrations file is imported by the CLI, not opened)`,
      );
    if (this.readOnly && !existsSync(path)) throw new StoreError(StoreErrorCode.BAD_SPEC, `no store at ${path}`);
    // Files are created owner-only: umask around the (synchronous) creation, and chmod after it
    // for a worker thread (where umask cannot be set) or files an older run left readable.
    const mask = umask(0o077);
    try {
      if (!this.readOnly) mkdirSync(path, { recursive: true, mode: 0o700 });
      this.unlock = this.readOnly ? undefined : takeLock(path);
      this.db = this.openDb();
      if (!this.readOnly) for (const f of ['data.mdb', 'lock.mdb']) chmodSync(join(path, f), 0o600);
    } catch (error) {
      this.unlock?.();
      if (error instanceof StoreError) throw error;
      throw unavailable(error, `cannot open the store at ${path}`);
    } finally {
      if (mask !== undefined) umask(mask);
    }
    try {
      this.space = this.load();
      if (!this.readOnly) this.checkFormat();
    } catch (error) {
      this.unlock?.();
      void this.db.close();
      throw error instanceof StoreError ? error : unavailable(error, `cannot read the store at ${path}`);
    }
    this.space.nodes.add(this.nodeId);
    this.seenVersion = this.space.records.version;
  }

  private openDb(): Db {
    const options = {
      path: this.path,
      compression: false,
      readOnly: this.readOnly,
      // 'always': durable when the promise resolves, the commit includes the fsync. Otherwise the
      // commit writes the file's pages without syncing them (they are the kernel's, so they
      // survive the process), and the sync comes from syncNow().
      overlappingSync: false,
      noSync: !this.readOnly && this.sync !== 'always',
      // lmdb's event-turn batching leaves one of its own promises unhandled when a commit
      // fails, which would end the process; without it, a batch is everything written
      // before the next turn (setImmediate), which is the same group commit.
      eventTurnBatching: false,
      txnStartThreshold: 1_000_000,
    };
    return open<unknown, StateKey>(options);
  }

  /** Reads the whole store into a new working copy. */
  private load(): Space {
    const space = new Space(this.o);
    const orphans = loadSpace(this.db, space);
    if (!this.readOnly) {
      const sink = new LmdbSink(
        this.db,
        (e) => this.fail(e, 'lmdb commit'),
        () => this.committed(),
      );
      space.setSink(sink);
      // The older layout's records written anew before their old keys go (see load.ts).
      space.reassembly.migrate();
      for (const key of orphans) sink.del(key);
      this.sink = sink;
    }
    return space;
  }

  private checkFormat(): void {
    const format = this.db.get(['format']);
    if (format === undefined) this.sink!.put(['format'], LMDB_FORMAT);
    else if (format !== LMDB_FORMAT)
      throw new StoreError(
        StoreErrorCode.STORE_CORRUPT,
        `${this.path} holds format ${String(format)}, not ${LMDB_FORMAT}`,
      );
  }

  protected override change<T>(fn: () => T, durable?: (value: T) => boolean): Promise<T> {
    if (this.readOnly && !this.closed)
      return Promise.reject(new StoreError(StoreErrorCode.STORE_READ_ONLY, `${this.path} is open read-only`));
    return super.change(fn, durable);
  }

  protected override read<T>(fn: () => T): Promise<T> {
    if (this.readOnly && !this.closed) {
      try {
        this.refresh();
      } catch (error) {
        return Promise.reject(this.fail(error, 'read'));
      }
    }
    return super.read(fn);
  }

  /** Read-only: the working copy re-read, so it shows what the writer has committed since. */
  private refresh(): void {
    this.db.resetReadTxn();
    this.replaceSpace(this.load());
  }

  /** A new working copy, keeping who is live and who watches. */
  private replaceSpace(space: Space): void {
    for (const n of this.space.nodes) space.nodes.add(n);
    for (const [n, w] of this.space.watchers) space.watchers.set(n, w);
    this.space = space;
  }

  protected settled(): Promise<void> | undefined {
    const sink = this.sink!;
    const last = sink.last;
    if (last === undefined) return undefined;
    const failures = sink.failures;
    return last.then(async () => {
      if (sink.failures === failures && sink === this.sink) return;
      // The reason comes a turn after the failure (see settle).
      await new Promise((r) => setImmediate(r));
      throw this.fail(sink.lastError ?? new Error('a commit failed'), 'lmdb commit');
    });
  }

  protected async tryWrite(): Promise<void> {
    if (this.readOnly) {
      this.db.resetReadTxn();
      this.db.get(['rv']);
      return;
    }
    let failed = false;
    await settle(
      this.db.put(['probe'], Date.now()),
      () => (failed = true),
      () => {},
    );
    if (failed) throw new Error('the probe write was not committed');
  }

  protected override async reload(): Promise<void> {
    if (this.readOnly) return;
    await this.sink?.last;
    this.replaceSpace(this.load());
  }

  protected override watch(listener: (version: number) => void): () => void {
    const stop = super.watch(listener);
    if (this.pollTimer === undefined && this.readOnly) {
      this.pollTimer = setInterval(() => this.poll(), this.o.registrationPollMs);
      this.pollTimer.unref();
    }
    return stop;
  }

  /** Read-only instances follow the writer's record changes. */
  private poll(): void {
    if (this.closed) return;
    try {
      this.db.resetReadTxn();
      const version = this.db.get(['rv']);
      if (typeof version !== 'number' || version === this.seenVersion) return;
      this.seenVersion = version;
      this.refresh();
      for (const set of this.space.watchers.values()) for (const l of set) l(version);
    } catch (error) {
      this.fail(error, 'poll');
    }
  }

  /** A read-only instance does not know how its writer syncs, so only the writer reports it. */
  override async inspect(limit?: number): Promise<StoreReport> {
    const report = await super.inspect(limit);
    return this.readOnly ? report : { ...report, sync: this.sync };
  }

  /** A write went through: with 'everysec' its sync is due within SYNC_INTERVAL_MS. */
  private committed(): void {
    if (this.sync === 'always') return;
    this.unsynced = true;
    if (this.sync !== 'everysec' || this.syncTimer !== undefined || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncNow().catch((e: unknown) => this.fail(e, 'lmdb sync'));
    }, SYNC_INTERVAL_MS);
    // A process that ends without close() leaves the unsynced pages to the kernel, which keeps them.
    this.syncTimer.unref();
  }

  /**
   * Syncs what was committed so far (none to do with 'always', or when nothing was written
   * since). One at a time: a sync asked for while another runs waits for it, then syncs what
   * that one did not cover (or, if it failed, tries again).
   */
  private syncNow(): Promise<void> {
    const before = this.syncing;
    const run = async (): Promise<void> => {
      // Its failure was reported to whoever started it.
      if (before) await before.catch(noop);
      if (!this.unsynced) return;
      this.unsynced = false;
      try {
        await syncFile(this.db);
      } catch (error) {
        this.unsynced = true;
        throw error;
      }
    };
    const mine = run();
    this.syncing = mine;
    mine
      .finally(() => {
        if (this.syncing === mine) this.syncing = undefined;
      })
      .catch(noop);
    return mine;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopProbing();
    clearInterval(this.pollTimer);
    clearTimeout(this.syncTimer);
    this.releaseHeld();
    let unsynced: unknown;
    try {
      await this.sink?.last;
      // A clean stop leaves everything on disk, whatever the mode; the environment is closed
      // only once no sync runs on it.
      await this.syncNow().catch((e: unknown) => (unsynced = e ?? new Error('sync failed')));
      await this.db.close();
    } finally {
      this.unlock?.();
    }
    // As a failed commit rejects the call that waits for it: what was answered for may not be on disk.
    if (unsynced !== undefined) throw unavailable(unsynced, 'lmdb sync at close');
  }
}
