// The embedded store's own promises: owner-only files, one writer, durable across SIGKILL, and
// a disk that stops taking writes turns into typed errors, never into an acknowledgement of
// something not stored. Needs dist/ (npm run build) for the child process it kills.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { fingerprint } from '../../src/store/keys.js';
import { LmdbStore, openOptions } from '../../src/store/lmdb/lmdbStore.js';
import type { SegmentOutcome, StoredSegment } from '../../src/store/types.js';
import { until } from '../helpers.js';
import { afterTest, tempDir } from './backends.js';

const dist = fileURLToPath(new URL('../../dist/store/lmdb/lmdbStore.js', import.meta.url));

function seg(reference: number, sequence: number, total: number, data: string | Uint8Array): StoredSegment {
  return {
    originator: '+15550001',
    recipient: '+15559999',
    destinationPort: 2948,
    sourcePort: 9200,
    reference,
    total,
    sequence,
    data: typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data,
  };
}

/** Adds the segments in this turn, as the link does; finishes the message they complete, in the same turn. */
function inOneTurn(store: LmdbStore, segments: StoredSegment[]): Promise<unknown[]> {
  return Promise.all(
    segments.map(
      (s) =>
        new Promise((resolve, reject) =>
          store.addSegment(s, (error, outcome) => {
            if (error) return reject(error);
            if (outcome?.status !== 'complete') return resolve(outcome);
            store.finishMessage(outcome.message, (e) => (e ? reject(e) : resolve(outcome)));
          }),
        ),
    ),
  );
}

function opened(path: string, options = {}): LmdbStore {
  const store = new LmdbStore(path, options);
  afterTest(() => store.close());
  return store;
}

const mode = (p: string) => statSync(p).mode & 0o777;

/** This process's file-size limit (RLIMIT_FSIZE), soft only: a write past it fails with EFBIG. */
function limitFileSize(octets: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${octets}:unlimited`]);
}

describe('lmdb store', () => {
  it('creates its directory 0700 and its files 0600 whatever the umask', async () => {
    const path = join(tempDir(), 'state');
    const mask = process.umask(0o022);
    try {
      const store = opened(path);
      await store.segments.add(seg(1, 1, 2, 'x'));
    } finally {
      process.umask(mask);
    }
    expect(mode(path)).toBe(0o700);
    for (const f of ['data.mdb', 'lock.mdb', 'owner.lock']) expect([f, mode(join(path, f))]).toEqual([f, 0o600]);
  });

  it('counts its commits and the changes they carried: one commit for the adds of one turn', async () => {
    const store = opened(join(tempDir(), 'state'));
    // Opening writes the format record: let that commit go first.
    await store.segments.add(seg(9, 1, 2, 'z'));
    const before = store.commitStats;
    // First segments of five messages in one turn: five records, one commit.
    await Promise.all([1, 2, 3, 4, 5].map((r) => store.segments.add(seg(r, 1, 3, `m${r}`))));
    const after = store.commitStats;
    expect([after.commits - before.commits, after.changes - before.changes]).toEqual([1, 5]);
    // Two turns, two commits: a second segment rewrites its message's record (one change).
    await store.segments.add(seg(1, 2, 3, 'again'));
    await Promise.all([store.segments.add(seg(6, 1, 2, 'a')), store.segments.add(seg(7, 1, 2, 'b'))]);
    expect(store.commitStats.commits - after.commits).toBe(2);
    expect(store.commitStats.changes - after.changes).toBe(3);
  });

  it('writes nothing for a message held and finished in one batch, and deletes one held over an earlier batch', async () => {
    const path = join(tempDir(), 'state');
    const store = opened(path, { reassembly: { maxRecentMessages: 1 } });
    await store.segments.add(seg(9, 1, 2, 'z'));
    const turn = (segments: StoredSegment[]) => inOneTurn(store, segments);
    // Message 1 whole in one turn: its record is created and deleted before the commit, so the
    // commit carries its done record alone.
    const before = store.commitStats;
    await turn([seg(1, 1, 3, 'a'), seg(1, 2, 3, 'b'), seg(1, 3, 3, 'c')]);
    const one = store.commitStats;
    expect([one.commits - before.commits, one.changes - before.changes]).toEqual([1, 1]);
    // Message 2 over two turns: its record is on disk after the first, so the second deletes it
    // (and its done record takes the place of message 1's: maxRecentMessages 1).
    await turn([seg(2, 1, 3, 'a')]);
    await turn([seg(2, 2, 3, 'b'), seg(2, 3, 3, 'c')]);
    expect([store.commitStats.commits - one.commits, store.commitStats.changes - one.changes]).toEqual([2, 1 + 3]);
    await store.close();

    const raw = open<unknown, (string | number)[]>({ path, compression: false, readOnly: true });
    const kept = [...raw.getRange({})].map(({ key }) => (Array.isArray(key) ? key[0] : key));
    await raw.close();
    // Message 9's pending record, message 2's done record, and the format record.
    expect(kept.sort()).toEqual(['d', 'format', 'm']);
    const again = opened(path, { reassembly: { maxRecentMessages: 1 } });
    expect((await again.inspect()).pending.list.map((m) => m.reference)).toEqual([9]);
    expect(await again.segments.add(seg(2, 1, 3, 'a'))).toMatchObject({ status: 'duplicate', late: true });
  });

  it('deletes the record of a message restored from disk when it is finished in one batch', async () => {
    const path = join(tempDir(), 'state');
    const first = opened(path);
    await first.segments.add(seg(9, 1, 4, 'a'));
    await first.close();
    // Reopened: message 9's record is on disk, not created in this batch; its delete must be
    // written even though the message completes and finishes within one batch, beside a new
    // message whose record is created and deleted in that batch.
    const store = opened(path);
    const finishAll = (segments: StoredSegment[]) => inOneTurn(store, segments);
    const done = await finishAll([
      seg(9, 2, 4, 'b'),
      seg(9, 3, 4, 'c'),
      seg(9, 4, 4, 'd'),
      seg(8, 1, 3, 'x'),
      seg(8, 2, 3, 'y'),
      seg(8, 3, 3, 'z'),
    ]);
    expect(done.filter((o) => (o as { status?: string }).status === 'complete')).toHaveLength(2);
    await store.close();
    const raw = open<unknown, (string | number)[]>({ path, compression: false, readOnly: true });
    const pending = [...raw.getRange({})].filter(({ key }) => Array.isArray(key) && key[0] === 'm');
    await raw.close();
    expect(pending).toEqual([]);
    expect((await opened(path).inspect()).pending.list).toEqual([]);
  });

  it('has one writer per directory, and takes over the lock of a process that is gone', async () => {
    const path = join(tempDir(), 'state');
    const first = opened(path);
    let error: unknown;
    try {
      opened(path);
    } catch (e) {
      error = e;
    }
    expect((error as StoreError).code).toBe('STORE_LOCKED');
    expect((error as StoreError).message).toContain('this process');
    await first.close();
    expect(existsSync(join(path, 'owner.lock'))).toBe(false);
    opened(path);
  });

  it('takes over a lock whose process is dead', async () => {
    const path = join(tempDir(), 'state');
    await opened(path).close();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeFileSync(join(path, 'owner.lock'), JSON.stringify({ pid: gone.pid, host: hostname(), boot }));
    const store = opened(path);
    expect(await store.segments.add(seg(1, 1, 2, 'x'))).toMatchObject({ status: 'held' });
  });

  it('opens read-only beside the writer: it sees what is committed and refuses to write', async () => {
    const path = join(tempDir(), 'state');
    const writer = opened(path);
    await writer.segments.add(seg(5, 1, 2, 'abc'));
    const reader = opened(path, { readOnly: true });
    expect((await reader.inspect()).pending).toMatchObject({ messages: 1, segments: 1, bytes: 3 });
    await writer.segments.add(seg(6, 1, 2, 'de'));
    expect((await reader.inspect()).pending).toMatchObject({ messages: 2, segments: 2, bytes: 5 });
    const e = await reader.segments.add(seg(7, 1, 2, 'x')).catch((x: unknown) => x);
    expect((e as StoreError).code).toBe('STORE_READ_ONLY');
    let missing: unknown;
    try {
      opened(join(tempDir(), 'none'), { readOnly: true });
    } catch (x) {
      missing = x;
    }
    expect((missing as StoreError).code).toBe('BAD_SPEC');
  });

  it('reports its sync mode, refuses an unknown one, and reopens a store in another mode', async () => {
    const path = join(tempDir(), 'state');
    expect(() => new LmdbStore(path, { sync: 'sometimes' as 'no' })).toThrow(
      /sync must be one of always, everysec, no/,
    );
    let previous: LmdbStore | undefined;
    for (const [i, sync] of (['no', 'everysec', 'always', 'no'] as const).entries()) {
      await previous?.close();
      const store = new LmdbStore(path, { sync });
      previous = store;
      // What each earlier mode stored (and closed, which syncs) is there in the next.
      expect((await store.inspect()).pending.messages).toBe(i);
      expect((await store.inspect()).sync).toBe(sync);
      await store.segments.add(seg(i, 1, 2, `m${i}`));
    }
    await previous?.close();
    const reader = opened(path, { readOnly: true });
    const report = await reader.inspect();
    expect(report.pending.messages).toBe(4);
    // A read-only instance cannot know how its writer syncs.
    expect(report.sync).toBeUndefined();
  });

  // LMDB (lmdb.h, mdb_env_open): MDB_NOSYNC "can corrupt the database" in a system crash unless
  // the file system keeps write order; MDB_NOMETASYNC "maintains database integrity, but a
  // system crash may undo the last committed transaction". So 'everysec', which promises a
  // machine crash costs at most the last second, must not open with MDB_NOSYNC.
  it.each([
    ['always', { noSync: false, noMetaSync: false }],
    ['everysec', { noSync: false, noMetaSync: true }],
    ['no', { noSync: true, noMetaSync: false }],
  ] as const)("opens lmdb at sync '%s' with the flags that keep the file whole where promised", (sync, flags) => {
    const given = openOptions('/x', sync, false);
    expect(given).toMatchObject({ ...flags, overlappingSync: false, readOnly: false });
    // A reader opens with no sync flag at all, whatever its writer's mode.
    const reader = openOptions('/x', sync, true);
    expect(reader).not.toHaveProperty('noSync');
    expect(reader).not.toHaveProperty('noMetaSync');
  });

  // Each sync mode keeps, through a SIGKILL, what the process answered for: 'everysec' and 'no'
  // answer once the commit is with the kernel, which outlives the process.
  it.each(['always', 'everysec', 'no'] as const)(
    'keeps what it answered for when its process is killed with SIGKILL (sync %s)',
    async (sync) => {
      const path = join(tempDir(), 'state');
      // A child stores two segments, a duplicate memory and a queue item, says so, and is killed.
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `
        const { LmdbStore } = await import(${JSON.stringify(dist)});
        const store = new LmdbStore(${JSON.stringify(path)}, { sync: ${JSON.stringify(sync)} });
        if (store.sync !== ${JSON.stringify(sync)}) throw new Error('sync ' + store.sync);
        const seg = (n, d) => ({ originator: 'o', recipient: 'r', reference: 9, total: 3, sequence: n, data: Buffer.from(d) });
        await Promise.all([
          store.segments.add(seg(1, 'A')),
          store.segments.add(seg(2, 'B')),
          store.duplicates.remember('single', 600000),
          store.queues.enqueue('app', { data: Buffer.from('queued') }),
        ]);
        process.stdout.write('stored\\n');
        setInterval(() => {}, 1000);
        `,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      afterTest(() => {
        child.kill('SIGKILL');
      });
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      await until(() => out.includes('stored'), 10_000, 'the child to store');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const store = opened(path);
      const done = await store.segments.add({
        originator: 'o',
        recipient: 'r',
        reference: 9,
        total: 3,
        sequence: 3,
        data: new Uint8Array(Buffer.from('C')),
      });
      expect(done.status).toBe('complete');
      expect(Buffer.concat((done as Extract<SegmentOutcome, { status: 'complete' }>).message.parts).toString()).toBe(
        'ABC',
      );
      expect(await store.duplicates.remember('single', 600_000)).toBe(false);
      expect((await store.queues.take('app')).map((i) => Buffer.from(i.data).toString())).toEqual(['queued']);
    },
  );

  it('reads a store in the older layout (a header and a key per segment) and writes it as one record per message', async () => {
    const path = join(tempDir(), 'state');
    // Message keys as docs/state.md spells them: [originator, recipient, sourcePort, destinationPort, referenceBits, reference, total].
    const pending = '["+15550001","+15559999",9200,2948,null,7,3]';
    const done = '["+15550001","+15559999",9200,2948,null,8,2]';
    const firstAt = Date.now() - 1_000;
    const old = open<unknown, (string | number)[]>({ path, compression: false });
    await old.put(['format'], 1);
    await old.put(['m', pending], firstAt);
    await old.put(['s', pending, 1], Buffer.from('A'));
    await old.put(['s', pending, 2], Buffer.from('B'));
    await old.put(['d', done], { p: [fingerprint(Buffer.from('X')), fingerprint(Buffer.from('Y'))], at: Date.now() });
    await old.close();

    const store = new LmdbStore(path);
    expect((await store.inspect()).pending.list.map((m) => [m.reference, m.received])).toEqual([[7, [1, 2]]]);
    await store.close();

    const raw = open<unknown, (string | number)[]>({ path, compression: false, readOnly: true });
    const kept = [...raw.getRange({})].filter(({ key }) => Array.isArray(key) && key.length > 1);
    await raw.close();
    expect(kept.map(({ key }) => [key[0], typeof key[1], key.length])).toEqual([
      ['d', 'number', 2],
      ['m', 'number', 2],
    ]);
    const record = kept[1].value as { k: string; a: number; p: (Uint8Array | null)[] };
    expect([record.k, record.a]).toEqual([pending, firstAt]);
    expect(record.p.map((b) => (b === null ? null : Buffer.from(b).toString()))).toEqual(['A', 'B', null]);
    expect((kept[0].value as { k: string }).k).toBe(done);

    // And it works as before: the pending message completes, the done one is remembered.
    const again = opened(path);
    const late = await again.segments.add(seg(8, 1, 2, 'X'));
    expect(late).toMatchObject({ status: 'duplicate', late: true });
    const last = await again.segments.add(seg(7, 3, 3, 'C'));
    expect(last.status).toBe('complete');
    expect(Buffer.concat((last as Extract<SegmentOutcome, { status: 'complete' }>).message.parts).toString()).toBe(
      'ABC',
    );
  });

  it('refuses to open where it cannot write, with STORE_UNAVAILABLE, and opens once it can', () => {
    const path = join(tempDir(), 'state');
    let error: unknown;
    limitFileSize(0);
    try {
      new LmdbStore(path);
    } catch (e) {
      error = e;
    } finally {
      limitFileSize('unlimited');
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_UNAVAILABLE');
    expect((error as StoreError).message).toContain(`cannot open the store at ${path}`);
    opened(path);
  });

  it('on a full disk answers STORE_UNAVAILABLE for what it did not store, and comes back by itself', async () => {
    const path = join(tempDir(), 'state');
    let store = opened(path, { probeIntervalMs: 50 });
    const events: string[] = [];
    store.on('unavailable', (e) => events.push(`unavailable ${e.code}`));
    store.on('available', () => events.push('available'));
    await store.segments.add(seg(0, 1, 2, 'before'));
    const size = statSync(join(path, 'data.mdb')).size;
    const stored: number[] = [];
    const refused: number[] = [];
    limitFileSize(size);
    try {
      // Distinct messages, 2,000 octets each: the file must grow, and cannot.
      const data = new Uint8Array(2_000).fill(7);
      for (let ref = 1; ref <= 200 && refused.length === 0; ref += 10) {
        const batch = Array.from({ length: 10 }, (_, i) => ref + i);
        const outcomes = await Promise.allSettled(batch.map((r) => store.segments.add(seg(r, 1, 2, data))));
        outcomes.forEach((o, i) => {
          if (o.status === 'fulfilled') stored.push(batch[i]);
          else {
            expect(o.reason).toBeInstanceOf(StoreError);
            expect((o.reason as StoreError).code).toBe('STORE_UNAVAILABLE');
            refused.push(batch[i]);
          }
        });
      }
      expect(refused.length).toBeGreaterThan(0);
      expect(store.available).toBe(false);
      // While unavailable every call fails at once.
      const e = await store.segments.add(seg(999, 1, 2, 'x')).catch((x: unknown) => x);
      expect((e as StoreError).code).toBe('STORE_UNAVAILABLE');
    } finally {
      limitFileSize('unlimited');
    }
    await until(() => store.available, 5_000, 'the store to come back');
    expect(events).toEqual(['unavailable STORE_UNAVAILABLE', 'available']);
    // Nothing answered for was lost, nothing refused was kept.
    const data = new Uint8Array(2_000).fill(7);
    for (const r of stored)
      expect([r, (await store.segments.add(seg(r, 1, 2, data))).status]).toEqual([r, 'duplicate']);
    for (const r of refused) expect([r, (await store.segments.add(seg(r, 1, 2, data))).status]).toEqual([r, 'held']);
    // And after a restart, every one of them is there.
    await store.close();
    store = opened(path);
    for (const r of [0, ...stored, ...refused]) {
      const d = r === 0 ? 'before' : data;
      expect([r, (await store.segments.add(seg(r, 1, 2, d))).status]).toEqual([r, 'duplicate']);
    }
  });
});

/** The environment's sync (mdb_env_sync on a worker), which these tests slow down or make fail. */
interface SyncingDb {
  sync(callback: (error?: unknown) => void): void;
}

/** The store's lmdb environment: its sync is where a disk fault would show, and none can be made to fail here for real. */
function environment(store: LmdbStore): SyncingDb {
  const db: SyncingDb = Reflect.get(store, 'db');
  return db;
}

describe("lmdb store, sync 'everysec', at close", () => {
  it('waits for the sync the timer started before closing the environment', async () => {
    const store = opened(join(tempDir(), 'state'), { sync: 'everysec' });
    const db = environment(store);
    const real = db.sync.bind(db);
    let started = 0;
    let finished = 0;
    // The real sync, its answer held back as a slow disk would.
    db.sync = (callback) => {
      started++;
      real((error) => setTimeout(() => (finished++, callback(error)), 300));
    };
    await store.segments.add(seg(1, 1, 2, 'x'));
    await until(() => started === 1, 5_000, 'the everysec sync to start');
    await store.close();
    expect(finished).toBe(1);
  });

  it('rejects close() when the last sync fails, and still lets the directory go', async () => {
    const path = join(tempDir(), 'state');
    const store = opened(path, { sync: 'everysec' });
    const db = environment(store);
    db.sync = (callback) => callback(new Error('EIO: the disk refused the sync'));
    await store.segments.add(seg(1, 1, 2, 'x'));
    const e = await store.close().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('STORE_UNAVAILABLE');
    expect((e as StoreError).message).toContain('EIO: the disk refused the sync');
    // The lock is released: the next writer opens it and finds what was committed.
    const again = opened(path);
    expect((await again.segments.add(seg(1, 1, 2, 'x'))).status).toBe('duplicate');
  });
});
