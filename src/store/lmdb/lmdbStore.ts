/**
 * The embedded durable backend, on lmdb (a B+tree in one memory-mapped file, prebuilt binary
 * in its npm package). The working copy in this process decides; every change is a put or a
 * remove, and the changes of one event-loop turn are committed together at the start of the
 * next (LmdbSink: group commit). When a call resolves depends on `sync` (docs/state.md):
 * - 'always' (the default): its batch is committed and synced (the commit includes the
 *   fsync), so it survives a crash of the process or of the machine;
 * - 'everysec': its batch is committed with its data pages synced but not its meta page
 *   (LMDB's MDB_NOMETASYNC), which keeps it through a crash of the process; the meta page is
 *   synced by the next commit or at most `SYNC_INTERVAL_MS` after, so a crash of the machine
 *   loses at most the last commit of the last second, and the file stays whole (see
 *   syncOptions below);
 * - 'no': its batch is committed to the operating system without any sync (MDB_NOSYNC), and
 *   synced only when the operating system writes it out, and on close: a crash of the machine
 *   may lose more than that and may leave the file damaged (for tests and disposable machines).
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
 * LMDB's flags for each sync mode. LMDB's own documentation (lmdb.h, mdb_env_open, as shipped in
 * lmdb-js 3.5.6) is what decides them:
 * - MDB_NOSYNC: "a system crash can corrupt the database or lose the last transactions if
 *   buffers are not yet flushed to disk"; integrity holds only "if the filesystem preserves
 *   write order", which ext4 and most others do not promise for overwritten blocks. So only
 *   'no' uses it, and the docs say a machine crash may damage the file.
 * - MDB_NOMETASYNC: "Flush system buffers to disk only once per transaction, omit the metadata
 *   flush ... This optimization maintains database integrity, but a system crash may undo the
 *   last committed transaction." 'everysec' uses it: one flush a commit instead of two, the
 *   file whole through a machine crash, and the meta page made durable by the next commit's
 *   flush or by syncNow() within SYNC_INTERVAL_MS.
 * - neither: 'always', each commit flushes its data pages, then its meta page, before it returns.
 */
export function syncOptions(sync: StoreSync): { noSync: boolean; noMetaSync: boolean } {
  return { noSync: sync === 'no', noMetaSync: sync === 'everysec' };
}

/** Everything the store opens lmdb with, as given to open(): kept apart so a test reads what is passed. */
export function openOptions(path: string, sync: StoreSync, readOnly: boolean) {
  return {
    path,
    compression: false,
    readOnly,
    overlappingSync: false,
    // A reader does not sync; how the writer syncs is the writer's.
    ...(readOnly ? {} : syncOptions(sync)),
    // lmdb's event-turn batching leaves one of its own promises unhandled when a commit
    // fails, which would end the process; without it, a batch is everything written
    // before the next turn (setImmediate), which is the same group commit.
    eventTurnBatching: false,
    txnStartThreshold: 1_000_000,
  };
}

/** One change of a batch: a put, or a delete when `del`. */
interface Change {
  key: StateKey;
  value: unknown;
  del: boolean;
  /** The key is in neither the store nor an earlier batch (Sink.create): a delete just drops it. */
  fresh: boolean;
}

/**
 * The store's changes, committed in batches: everything changed in one event-loop turn goes
 * into one lmdb transaction, committed synchronously at the start of the next turn
 * (setImmediate). A synchronous commit costs the main thread far less than handing the batch
 * to lmdb's writer thread (which makes a libuv work item and a thread-safe function for every
 * batch), and with 'always' it waits for the same two device flushes the writer thread would.
 * A key changed twice in a batch is written once, with its last value; a key created in a batch
 * and deleted in the same one is not written at all (a message whose segments all come in one
 * turn is put and finished before its batch is committed), and a batch left with nothing to
 * write settles without a transaction.
 */
class LmdbSink implements Sink {
  /** The settlement of the batch being gathered or just committed, whether it went through; never rejects. */
  last: Promise<boolean> | undefined;
  /** Commits that went through, and the changes (distinct keys) they carried. */
  commits = 0;
  changes = 0;
  failures = 0;
  lastError: unknown;
  private batch: Map<string, Change> | undefined;
  private done: (ok: boolean) => void = noop;

  constructor(
    private readonly db: Db,
    private readonly onFailure: (e: unknown) => void,
    /** After each batch that went through ('everysec': the sync is due). */
    private readonly onCommit: () => void = noop,
  ) {}

  put(key: StateKey, value: unknown): void {
    this.add(key, value, false, false);
  }

  create(key: StateKey, value: unknown): void {
    this.add(key, value, false, true);
  }

  del(key: StateKey): void {
    this.add(key, undefined, true, false);
  }

  private add(key: StateKey, value: unknown, del: boolean, fresh: boolean): void {
    let batch = this.batch;
    if (batch === undefined) {
      batch = this.batch = new Map();
      this.last = new Promise((resolve) => (this.done = resolve));
      setImmediate(() => this.commit());
    }
    const id = JSON.stringify(key);
    const before = batch.get(id);
    // What the store holds of this key is what it held before the batch's first change to it.
    if (before !== undefined) fresh = before.fresh;
    if (del && fresh) batch.delete(id);
    else batch.set(id, { key, value, del, fresh });
  }

  /** Commits the batch now (a failure is counted and told, and fails every change in it). */
  commit(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    const done = this.done;
    const mine = this.last;
    this.batch = undefined;
    let ok = true;
    if (batch.size === 0) {
      // Everything in it cancelled out: nothing for the disk, so nothing to wait for.
      if (this.last === mine) this.last = undefined;
      done(ok);
      return;
    }
    try {
      this.db.transactionSync(() => {
        for (const c of batch.values()) {
          if (c.del) this.db.removeSync(c.key);
          else this.db.putSync(c.key, c.value);
        }
      });
    } catch (error) {
      ok = false;
      this.failures++;
      this.lastError = error;
      // Its listeners may throw: the batch's waiters are settled all the same (finally).
      try {
        this.onFailure(error);
      } finally {
        if (this.last === mine) this.last = undefined;
        done(false);
      }
      return;
    }
    this.commits++;
    this.changes += batch.size;
    if (this.last === mine) this.last = undefined;
    done(ok);
    if (ok) this.onCommit();
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
  /** settled()'s promise for the batch whose promise is `settledOf`. */
  private settledOf: Promise<boolean> | undefined;
  private settledAs: Promise<void> | undefined;
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
    return open<unknown, StateKey>(openOptions(this.path, this.sync, this.readOnly));
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
    // The same promise for every change of one batch (a failed commit ends its batch, so the
    // failure count is the same for all of them): callers can wait on a batch once.
    if (this.settledOf === last) return this.settledAs;
    const failures = sink.failures;
    this.settledOf = last;
    return (this.settledAs = last.then(() => {
      if (sink.failures === failures && sink === this.sink) return;
      throw this.fail(sink.lastError ?? new Error('a commit failed'), 'lmdb commit');
    }));
  }

  protected async tryWrite(): Promise<void> {
    if (this.readOnly) {
      this.db.resetReadTxn();
      this.db.get(['rv']);
      return;
    }
    this.db.transactionSync(() => this.db.putSync(['probe'], Date.now()));
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

  /**
   * Commits this instance made since it opened (or last came back from an outage, which reads
   * the store anew), and the changes (distinct keys) they carried: how well writes group
   * (bench/smppStore.ts reads it). Zero for a read-only instance.
   */
  get commitStats(): { commits: number; changes: number } {
    return { commits: this.sink?.commits ?? 0, changes: this.sink?.changes ?? 0 };
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
