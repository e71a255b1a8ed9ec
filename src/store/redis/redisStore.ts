/**
 * The Redis backend (ioredis), for several processes and machines sharing one state. Every
 * change is one command or one Lua script (scripts.ts), atomic on the server; a call resolves
 * once Redis has applied it. How durable that is depends on the server's own persistence
 * (appendonly yes with appendfsync everysec loses at most a second on a host crash; always,
 * none): see docs/state.md.
 *
 * The segment steps (add, finish, release) of one event-loop turn go as one script call
 * (turn.ts), each step still atomic on its own.
 *
 * Commands are not queued while the connection is down: they fail at once with
 * STORE_UNAVAILABLE, so a bearer answers a temporary error rather than waiting. The client
 * reconnects by itself; 'available' follows the first probe that goes through.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { StoreBase } from '../base.js';
import { Consumer, type ConsumerSource } from '../consumer.js';
import { StoreError, StoreErrorCode } from '../errors.js';
import { checkEntry, checkCount } from '../inProcess.js';
import { checkName, checkSegment, duplicateKey, identityOfKey } from '../keys.js';
import {
  DEFAULT_LIST_LIMIT,
  isStoreSync,
  MAX_BATCH,
  MAX_RECORD_OCTETS,
  type StoreOptions,
  type StoreSync,
} from '../options.js';
import { MAX_PUSH_RECORDS, MAX_RECORDS } from '../state/records.js';
import type {
  CompletedMessage,
  DuplicateMemory,
  JsonValue,
  LostMessage,
  MessageIdentity,
  PendingMessage,
  QueueCounts,
  QueueEntry,
  QueueItem,
  QueueStore,
  PlainTable,
  RecordTable,
  SegmentOutcome,
  SegmentStore,
  Store,
  StoredRecord,
  StoredSegment,
  StoreReport,
  SweepResult,
} from '../types.js';
import { Carried } from './carried.js';
import {
  bytes,
  completed,
  int,
  list,
  lostMessages,
  lostMessagesEach,
  queueItem,
  text,
  turnReportsLoss,
} from './replies.js';
import * as scripts from './scripts.js';
import { Turn, type Arg } from './turn.js';
import { FINISH_OWN_TRIES, Unfinished, type Unstored } from './unfinished.js';

/** The Redis version XPENDING's IDLE filter (the queue reclaim) needs. */
const MIN_REDIS_VERSION = [6, 2];
const GROUP = 'wappush';

export interface RedisSpec {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  display: string;
}

interface Script {
  text: string;
  sha: string;
}

function script(lua: string): Script {
  return { text: lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const SCRIPTS = {
  turn: script(scripts.TURN),
  sweep: script(scripts.SWEEP),
  finishOwn: script(scripts.FINISH_OWN),
  recordPut: script(scripts.RECORD_PUT),
  recordDelete: script(scripts.RECORD_DELETE),
  enqueue: script(scripts.ENQUEUE),
  ack: script(scripts.ACK),
  reclaim: script(scripts.RECLAIM),
};

// Each kept copy (scripts.ts, the SET of 'l:' keys) is its call's lost messages as JSON objects
// joined by commas, not a list; wrapped in these it parses as one JSON list.
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

const view = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.length));

export class RedisStore extends StoreBase implements Store {
  readonly backend = 'redis' as const;
  readonly segments: SegmentStore;
  readonly duplicates: DuplicateMemory;
  readonly registrations: RecordTable;
  readonly pushes: PlainTable;
  readonly queues: QueueStore;
  private readonly redis: Redis;
  private readonly P: string;
  /**
   * Claims this node holds, by message, with the handover each was given (a release frees only
   * that one). A claim Redis has for this node and this map lacks came with a lost reply.
   */
  private readonly claims = new Map<string, number>();
  /** Finishes asked for and not stored: finished again by the next sweep, or close() (unfinished.ts). */
  private readonly unfinished = new Unfinished();
  /** Failures the sweeps went past (FINISH_OWN's), reported with the next sweep's result. */
  private sweepErrors: StoreError[] = [];
  /** Adds on their way, by message: while one is, a claim of this node's may be its reply still to come. */
  private readonly adding = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly watchers = new Set<(version: number) => void>();
  private seenVersion = 0;
  /**
   * This node's liveness key was there when the store opened: another live instance with the
   * same nodeId, or one stopped without close() less than nodeTtlMs ago (Store.nodeWasLive).
   */
  nodeWasLive = false;
  /** The first beat is done: till then a probe (on 'ready', during start) only pings. */
  private beaten = false;
  private readonly blocking = new Set<Redis>();
  /** This turn's segment steps, sent as one call when the turn ends. */
  private readonly turn = new Turn(
    (steps) => this.sendTurn(steps),
    (lost) => this.carried.add(lost),
  );
  /** Drops a failed step, call or sweep made before it failed: reported by the next sweep. */
  private readonly carried = new Carried();
  /** Script calls made that may drop messages (their ids: P l:NODE:CALL keeps a call's loss reports for a lost reply). */
  private callCount = 0;
  /**
   * In front of this store's call ids: the count restarts with each store, and two stores may
   * share a node id (StoreOptions.nodeId, or a reopen within LOSS_REPORT_TTL_MS); one store's
   * call must not read or delete the reports another kept.
   */
  private readonly callStem = randomBytes(6).toString('hex');
  /**
   * The server's appendfsync as read when connected ('no' without the append-only file);
   * undefined when the server does not say (CONFIG renamed away or denied to this user).
   * The client does not change it: that is the server operator's choice, for every client.
   */
  sync: StoreSync | undefined;

  /** Connects; rejects STORE_UNAVAILABLE when the server does not answer, BAD_SPEC when it is too old. */
  static async connect(spec: RedisSpec, options: StoreOptions = {}): Promise<RedisStore> {
    const store = new RedisStore(spec, options);
    await store.start();
    return store;
  }

  private constructor(
    private readonly spec: RedisSpec,
    options: StoreOptions,
  ) {
    super(options);
    this.P = this.o.prefix;
    this.redis = new Redis(this.clientOptions(this.o.commandTimeoutMs));
    this.redis.on('error', (e: Error) => this.fail(e, `redis ${spec.display}`));
    this.redis.on('close', () => {
      if (!this.closed) this.fail(new Error('connection closed'), `redis ${spec.display}`);
    });
    this.redis.on('ready', () => void this.probe());

    this.segments = {
      add: (s) => this.call('add segment', () => this.add(s)),
      finish: (m) =>
        this.call('finish', () => this.finish(m)).catch((error: unknown) => {
          // Not stored, or not sent (the store unavailable): finished again by the next sweep or close().
          if (!this.closed) this.unfinished.keep(m);
          throw error;
        }),
      release: (m) => this.call('release', () => this.release(m)),
      sweep: () => this.run('sweep', () => this.sweep()),
      list: (limit = DEFAULT_LIST_LIMIT) => this.run('list', async () => (await this.pending(limit)).list),
    };
    this.duplicates = {
      remember: (key, windowMs) =>
        this.run('remember', async () => {
          if (typeof windowMs !== 'number' || !(windowMs >= 0))
            throw new StoreError(StoreErrorCode.BAD_INPUT, 'windowMs must be a number >= 0');
          const k = this.P + 'u:' + duplicateKey(key);
          if (windowMs === 0) return (await this.redis.callBuffer('EXISTS', k)) === 0;
          const r = await this.redis.callBuffer('SET', k, '1', 'PX', Math.ceil(windowMs), 'NX');
          return r !== null;
        }),
      seen: (key) =>
        this.run('seen', async () => (await this.redis.callBuffer('EXISTS', this.P + 'u:' + duplicateKey(key))) === 1),
      forget: (key) =>
        this.run('forget', async () => {
          await this.redis.callBuffer('DEL', this.P + 'u:' + duplicateKey(key));
        }),
    };
    this.registrations = {
      list: () => this.run('records', () => this.recordList(this.P)),
      get: (id) =>
        this.run('record', async () => {
          const v = await this.redis.callBuffer('HGET', this.P + 'reg', checkName(id, 'record id'));
          return v === null ? undefined : (JSON.parse(text(v)) as JsonValue);
        }),
      put: (id, value) => this.run('put record', async () => this.ownVersion(await this.recordPut(this.P, id, value))),
      delete: (id) =>
        this.run('delete record', async () =>
          this.ownVersion(int(await this.eval(SCRIPTS.recordDelete, [checkName(id, 'record id'), this.nodeId]))),
        ),
      version: () => this.run('record version', () => this.recordVersion()),
      watch: (listener) => this.watch(listener),
    };
    // The push table: the same scripts under the prefix's `ppg:` (hash ppg:reg, version ppg:reg:v).
    const pushes = this.P + 'ppg:';
    this.pushes = {
      list: () => this.run('push records', () => this.recordList(pushes)),
      get: (id) =>
        this.run('push record', async () => {
          const v = await this.redis.callBuffer('HGET', pushes + 'reg', checkName(id, 'record id'));
          return v === null ? undefined : (JSON.parse(text(v)) as JsonValue);
        }),
      put: (id, value) => this.run('put push record', () => this.recordPut(pushes, id, value)),
      delete: (id) =>
        this.run('delete push record', async () =>
          int(await this.evalIn(pushes, SCRIPTS.recordDelete, [checkName(id, 'record id'), this.nodeId])),
        ),
      version: () =>
        this.run('push record version', async () => {
          const v = await this.redis.callBuffer('GET', pushes + 'reg:v');
          return v === null ? 0 : int(v);
        }),
    };
    this.queues = {
      enqueue: (queue, entry) => this.run('enqueue', () => this.enqueue(queue, entry)),
      take: (queue, count = 1) =>
        this.run('take', () => this.read(this.redis, checkName(queue, 'queue'), checkCount(count), 0)),
      ack: (queue, id) =>
        this.run('ack', async () => {
          await this.eval(SCRIPTS.ack, [checkName(queue, 'queue'), String(id)]);
        }),
      reclaim: (queue, count = MAX_BATCH) =>
        this.run('reclaim', () => this.reclaim(checkName(queue, 'queue'), checkCount(count))),
      consume: (queue, handler, options) => this.consume(queue, handler, options),
      counts: (queue) => this.run('queue counts', () => this.counts(checkName(queue, 'queue'))),
      names: () => this.run('queue names', () => this.names()),
    };
  }

  private clientOptions(commandTimeoutMs: number): RedisOptions {
    const s = this.spec;
    const options: RedisOptions = {
      host: s.host,
      port: s.port,
      db: s.db,
      lazyConnect: true,
      // RESP2: the replies this code reads (ioredis 6 speaks RESP3 unless told).
      protocol: 2,
      // Fail at once while disconnected, and never resend a command whose answer was lost:
      // the bearer answers a temporary error and the sender resends, which is idempotent here.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: this.o.commandTimeoutMs,
      // A connection given up is closed within this, not after ioredis's default 2 s.
      disconnectTimeout: Math.min(this.o.commandTimeoutMs, 500),
      retryStrategy: (times: number) => Math.min(times * 100, this.o.probeIntervalMs),
    };
    if (s.tls) options.tls = {};
    if (s.username !== undefined) options.username = s.username;
    if (s.password !== undefined) options.password = s.password;
    return options;
  }

  private async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // ioredis retries a failing first connection by itself; the caller is told within commandTimeoutMs.
      await Promise.race([
        this.redis.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.o.commandTimeoutMs} ms`)),
            this.o.commandTimeoutMs,
          );
        }),
      ]);
      clearTimeout(timer);
      const info = text(await this.redis.callBuffer('INFO', 'server'));
      const version = /redis_version:(\d+)\.(\d+)/.exec(info);
      const [major, minor] = version ? [Number(version[1]), Number(version[2])] : [0, 0];
      if (major < MIN_REDIS_VERSION[0] || (major === MIN_REDIS_VERSION[0] && minor < MIN_REDIS_VERSION[1]))
        throw new StoreError(
          StoreErrorCode.BAD_SPEC,
          `Redis at ${this.spec.display} is ${major}.${minor}; ${MIN_REDIS_VERSION.join('.')} or later is needed`,
        );
      // The first beat says whether the key was there (SET ... GET, Redis 6.2).
      const before = await this.redis.callBuffer(
        'SET',
        this.P + 'node:' + this.nodeId,
        String(this.o.now()),
        'PX',
        this.o.nodeTtlMs,
        'GET',
      );
      this.nodeWasLive = before !== null;
      this.beaten = true;
      this.seenVersion = await this.recordVersion();
      this.sync = await this.serverSync();
    } catch (error) {
      clearTimeout(timer);
      this.closed = true;
      this.redis.disconnect();
      if (error instanceof StoreError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(StoreErrorCode.STORE_UNAVAILABLE, `cannot reach Redis at ${this.spec.display}: ${message}`, {
        cause: error,
      });
    }
    this.heartbeat = setInterval(
      () => {
        this.beat().catch((e: unknown) => this.fail(e, 'heartbeat'));
      },
      Math.max(1, Math.floor(this.o.nodeTtlMs / 3)),
    );
    this.heartbeat.unref();
  }

  /** This node lives for nodeTtlMs more. */
  private async beat(): Promise<void> {
    await this.redis.callBuffer('SET', this.P + 'node:' + this.nodeId, String(this.o.now()), 'PX', this.o.nodeTtlMs);
  }

  protected async tryWrite(): Promise<void> {
    if (this.beaten) await this.beat();
    else await this.redis.callBuffer('PING');
  }

  /** A call: fails fast while unavailable; a Redis failure turns the store unavailable. */
  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.ready();
    try {
      return await fn();
    } catch (error) {
      throw error instanceof StoreError ? error : this.fail(error, `redis ${what}`);
    }
  }

  /** run() for the calls of every segment: the same, without an async function's promises around it. */
  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      this.ready();
      return fn().catch((error: unknown) => {
        throw error instanceof StoreError ? error : this.fail(error, `redis ${what}`);
      });
    } catch (error) {
      return Promise.reject(error instanceof StoreError ? error : this.fail(error, `redis ${what}`));
    }
  }

  private eval(s: Script, args: Arg[]): Promise<unknown> {
    return this.evalIn(this.P, s, args);
  }

  /** A script with another key prefix (the push table's). */
  private async evalIn(prefix: string, s: Script, args: Arg[]): Promise<unknown> {
    const all: Arg[] = [0, prefix, ...args];
    try {
      return await this.redis.callBuffer('EVALSHA', s.sha, ...all);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.callBuffer('EVAL', s.text, ...all);
    }
  }

  private add(s: StoredSegment): Promise<SegmentOutcome> {
    const key = checkSegment(s);
    const own = this.claims.has(key) || this.adding.has(key);
    this.adding.set(key, (this.adding.get(key) ?? 0) + 1);
    return this.turn.add(key, s.originator, s.sequence, s.total, own, s.data).then(
      (r) => {
        this.added(key);
        return this.outcome(key, s, r);
      },
      (error: unknown) => {
        this.added(key);
        throw error;
      },
    );
  }

  /** An add of `key` has its answer. */
  private added(key: string): void {
    const n = this.adding.get(key)! - 1;
    if (n === 0) this.adding.delete(key);
    else this.adding.set(key, n);
  }

  /** An add's reply: a number for held (> 0) or a duplicate (0, -1 late) with nothing lost; else a list. */
  private outcome(key: string, s: StoredSegment, r: number | unknown[]): SegmentOutcome {
    if (typeof r === 'number') {
      if (r > 0) return { status: 'held', received: r, lost: [] };
      return { status: 'duplicate', late: r < 0, lost: [] };
    }
    const status = text(r[0]);
    const lost = lostMessages(r[1]);
    switch (status) {
      case 'held':
        return { status, received: int(r[2]), lost };
      case 'duplicate':
        return { status, late: int(r[2]) === 1, lost };
      case 'complete': {
        const message = completed(key, s as MessageIdentity, r, 2);
        this.claims.set(key, message.handovers);
        return { status, message, lost };
      }
      case 'conflict':
      case 'busy':
      case 'dropped':
        return { status, lost };
      default:
        throw new StoreError(StoreErrorCode.STORE_CORRUPT, `unexpected add status ${status}`);
    }
  }

  private async finish(m: CompletedMessage): Promise<void> {
    await this.turn.finish(m.key, m.total);
    this.unfinished.delete(m.key);
    this.claims.delete(m.key);
  }

  /**
   * Finishes again what failed to finish (FINISH_OWN), while each is still this node's claim of
   * that handover. Each one sent is settled by the reply: finished (1); this node's claim of
   * another handover, which it delivers now (2: still its claim); or no claim of this node's (0:
   * forgotten here too, or a later add of the key would take the claim for its own and answer
   * 'busy' rather than take the message over, until claimTimeoutMs).
   */
  private async finishOwn(sent: Array<[string, Unstored]>): Promise<void> {
    const args: Arg[] = [this.o.timeoutMs, this.nodeId];
    for (const [key, m] of sent) args.push(key, m.total, m.firstAt, m.handovers);
    const r = list(await this.eval(SCRIPTS.finishOwn, args));
    sent.forEach(([key, m], i) => {
      this.unfinished.settled(key, m);
      if (int(r[i]) !== 2) this.claims.delete(key);
    });
  }

  /**
   * finishOwn() for the sweep: a failure does not stop it (an error Redis keeps answering would
   * otherwise turn the node unavailable at every sweep). The entries stay for the next sweep,
   * each given up after FINISH_OWN_TRIES failures; the failures go with the next sweep's result.
   */
  private async finishOwnOrKeep(): Promise<void> {
    if (this.unfinished.size === 0) return;
    const sent = this.unfinished.entries();
    try {
      await this.finishOwn(sent);
    } catch (error) {
      const given = this.unfinished.failed(sent);
      const why = error instanceof Error ? error.message : String(error);
      this.sweepErrors.push(
        given.length === 0
          ? new StoreError(StoreErrorCode.STORE_UNAVAILABLE, `redis finish again: ${why}`, { cause: error })
          : new StoreError(
              StoreErrorCode.STORE_UNAVAILABLE,
              `redis finish again: ${why}; given up after ${FINISH_OWN_TRIES} tries for ${given.length} ` +
                `messages (${given.slice(0, 3).join(', ')}): their claims lapse and they are delivered again`,
              { cause: error },
            ),
      );
    }
  }

  private async release(m: CompletedMessage): Promise<void> {
    await this.turn.release(m.key, m.handovers);
    // A newer claim of this node's (its sweep handed the message to it again) stays its own.
    if ((this.claims.get(m.key) ?? 0) <= m.handovers) this.claims.delete(m.key);
  }

  /** A new id for a script call that may drop messages (their reports are kept under it). */
  private nextCall(): string {
    return `${this.callStem}.${++this.callCount}`;
  }

  /** A call's reply was read with loss reports in it: the copy kept in Redis is not needed. */
  private forgetKept(call: string): void {
    this.redis.callBuffer('DEL', this.P + 'l:' + this.nodeId + ':' + call).catch(() => {
      // It expires by itself (LOSS_REPORT_TTL_MS); no sweep looks for it, its reply was read.
    });
  }

  /** One call of the TURN script for `steps`, with the settings every add reads. */
  private sendTurn(steps: Buffer): Promise<unknown> {
    const o = this.o;
    const call = this.nextCall();
    return this.eval(SCRIPTS.turn, [
      String(o.now()),
      o.timeoutMs,
      this.nodeId,
      o.maxPendingMessages,
      o.maxPendingBytes,
      o.maxPendingPerOriginator,
      o.claimTimeoutMs,
      steps,
      call,
    ]).then(
      (reply) => {
        if (turnReportsLoss(reply)) this.forgetKept(call);
        return reply;
      },
      (error: unknown) => {
        // No reply: the script may have run and dropped messages (or still may); the sweeps look.
        this.carried.unanswered(call, this.o.now());
        throw error;
      },
    );
  }

  private async sweep(): Promise<SweepResult> {
    const o = this.o;
    await this.redis.callBuffer('PEXPIRE', this.P + 'node:' + this.nodeId, o.nodeTtlMs);
    // Before the sweep looks at the claims: one of these past claimTimeoutMs is finished, not handed out.
    await this.finishOwnOrKeep();
    const calls = this.carried.takeCalls();
    const call = this.nextCall();
    let reply: unknown;
    try {
      reply = await this.eval(SCRIPTS.sweep, [
        o.now(),
        o.timeoutMs,
        this.nodeId,
        o.claimTimeoutMs,
        MAX_BATCH,
        call,
        ...calls.map((c) => c.id),
      ]);
    } catch (error) {
      // No reply: what those calls kept is still in Redis, or this one read it and kept it again.
      this.carried.giveBack(calls);
      this.carried.unanswered(call, o.now());
      throw error;
    }
    const r = list(reply);
    if (r.length < 4) throw new StoreError(StoreErrorCode.STORE_CORRUPT, 'unexpected reply from Redis: a short sweep');
    this.carried.looked(calls, text(r[2]), o.now());
    // Carried at once, taken only once the whole reply has been read: a sweep that fails part
    // way (in Redis, or an orphan that does not parse) leaves them for the next that goes through.
    // The copies of other calls first, each entry on its own, then this sweep's own: what does
    // not read is counted (unreported), never thrown, for Redis holds it now only under this
    // sweep's id, which is forgotten below.
    const lost: LostMessage[] = [];
    let unreadable = int(r[3]);
    const copies = list(r[1]);
    for (const copy of copies) {
      const read = lostMessagesEach(Buffer.concat([OPEN, bytes(copy), CLOSE]));
      for (const l of read.lost) lost.push(l);
      unreadable += read.unreadable;
    }
    const own = lostMessagesEach(r[0]);
    for (const l of own.lost) lost.push(l);
    unreadable += own.unreadable;
    this.carried.lose(unreadable);
    if (lost.length > 0 || copies.length > 0 || own.unreadable > 0) this.forgetKept(call);
    this.carried.add(lost);
    if (r.length === 6 && r[4] === -1) throw new Error(text(r[5]));
    const orphans: CompletedMessage[] = [];
    for (let i = 4; i < r.length;) {
      const n = int(r[i]);
      const key = text(r[i + 1]);
      const m = completed(key, identityOfKey(key), r.slice(i + 2, i + 1 + n), 0);
      this.claims.set(m.key, m.handovers);
      // Handed out again (its claim lapsed): this delivery's finish is the one to store now.
      this.unfinished.delete(m.key);
      orphans.push(m);
      i += 1 + n;
    }
    const { reports: expired, dropped } = this.carried.take();
    const result: SweepResult = dropped > 0 ? { expired, orphans, unreported: dropped } : { expired, orphans };
    if (this.sweepErrors.length > 0) {
      result.errors = this.sweepErrors;
      this.sweepErrors = [];
    }
    return result;
  }

  /** Pending messages: open ones oldest first, then complete ones; totals over all of them. */
  private async pending(limit: number): Promise<StoreReport['pending']> {
    const now = this.o.now();
    const keys = [
      ...list(await this.redis.callBuffer('ZRANGE', this.P + 'order', 0, -1)).map(text),
      ...list(await this.redis.callBuffer('ZRANGE', this.P + 'claims', 0, -1)).map(text),
    ];
    const all: PendingMessage[] = [];
    for (let i = 0; i < keys.length; i += 1_000) {
      const batch = keys.slice(i, i + 1_000);
      const pipeline = this.redis.pipeline();
      for (const k of batch) pipeline.hgetall(this.P + 'm:' + k);
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, value], j) => {
        if (error) throw error;
        const h = value as Record<string, string>;
        if (h.st === undefined) return; // gone since the listing
        const received = Object.keys(h)
          .filter((f) => /^\d+$/.test(f))
          .map(Number)
          .sort((a, b) => a - b);
        all.push({
          ...identityOfKey(batch[j]),
          received,
          bytes: Number(h.b),
          firstAt: Number(h.f),
          ageMs: now - Number(h.f),
          state: h.st === 'open' ? 'open' : h.st === 'claimed' ? 'delivering' : 'released',
        });
      });
    }
    all.sort((a, b) => a.firstAt - b.firstAt);
    return {
      messages: all.length,
      segments: all.reduce((n, m) => n + m.received.length, 0),
      bytes: all.reduce((n, m) => n + m.bytes, 0),
      oldestAgeMs: all.length > 0 ? all[0].ageMs : null,
      list: all.slice(0, limit),
      truncated: all.length > limit,
    };
  }

  private async recordList(prefix: string): Promise<StoredRecord[]> {
    const flat = list(await this.redis.callBuffer('HGETALL', prefix + 'reg'));
    const out: StoredRecord[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      out.push({ id: text(flat[i]), value: JSON.parse(text(flat[i + 1])) as JsonValue });
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async recordPut(prefix: string, id: string, value: JsonValue): Promise<number> {
    checkName(id, 'record id');
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new StoreError(StoreErrorCode.BAD_INPUT, `a record must be JSON: ${(error as Error).message}`);
    }
    if (json === undefined) throw new StoreError(StoreErrorCode.BAD_INPUT, 'a record must be a JSON value');
    if (Buffer.byteLength(json) > MAX_RECORD_OCTETS)
      throw new StoreError(StoreErrorCode.BAD_INPUT, `a record's JSON must be at most ${MAX_RECORD_OCTETS} octets`);
    const max = prefix === this.P ? MAX_RECORDS : MAX_PUSH_RECORDS;
    const v = int(await this.evalIn(prefix, SCRIPTS.recordPut, [id, json, this.nodeId, max]));
    if (v < 0) throw new StoreError(StoreErrorCode.BAD_INPUT, `the record table holds its most, ${max} records`);
    return v;
  }

  private async recordVersion(): Promise<number> {
    const v = await this.redis.callBuffer('GET', this.P + 'reg:v');
    return v === null ? 0 : int(v);
  }

  /** A version this node's own change made: watchers hear of it only when others changed the table in between. */
  private ownVersion(v: number): number {
    if (v > this.seenVersion + 1) this.notify(v);
    else if (v > this.seenVersion) this.seenVersion = v;
    return v;
  }

  private notify(v: number): void {
    if (v <= this.seenVersion) return;
    this.seenVersion = v;
    for (const l of this.watchers) l(v);
  }

  /** Follows changes by pub/sub (at once) and by polling the version (within registrationPollMs, also after a lost message). */
  private watch(listener: (version: number) => void): () => void {
    this.watchers.add(listener);
    if (this.subscriber === undefined && !this.closed) {
      const sub = new Redis({
        ...this.clientOptions(this.o.commandTimeoutMs),
        lazyConnect: false,
        enableOfflineQueue: true,
      });
      sub.on('error', () => {}); // the main connection reports outages
      sub.on('message', (_channel: string, message: string) => {
        const [v, origin] = message.split(' ');
        if (origin !== this.nodeId) this.notify(Number(v));
      });
      sub.subscribe(this.P + 'reg:changed').catch(() => {});
      this.subscriber = sub;
      this.pollTimer = setInterval(() => {
        if (!this.available || this.closed) return;
        this.recordVersion().then(
          (v) => this.notify(v),
          () => {},
        );
      }, this.o.registrationPollMs);
      this.pollTimer.unref();
    }
    return () => this.watchers.delete(listener);
  }

  /** The nodes whose liveness key (P node:ID) is still there. */
  liveNodes(nodeIds: readonly string[]): Promise<Set<string>> {
    return this.run('live nodes', async () => {
      const ids = [...new Set(nodeIds)];
      if (ids.length === 0) return new Set<string>();
      const found = list(await this.redis.callBuffer('MGET', ...ids.map((id) => this.P + 'node:' + id)));
      return new Set(ids.filter((_, i) => found[i] !== null));
    });
  }

  private async enqueue(queue: string, entry: QueueEntry): Promise<string> {
    checkName(queue, 'queue');
    checkEntry(entry);
    const id = await this.eval(SCRIPTS.enqueue, [
      queue,
      view(entry.data),
      JSON.stringify(entry.attributes ?? {}),
      this.o.now(),
      this.o.maxQueued,
    ]);
    if (id === null)
      throw new StoreError(StoreErrorCode.QUEUE_FULL, `queue ${queue} holds its most, ${this.o.maxQueued} items`);
    return text(id);
  }

  /** New items for this node (XREADGROUP '>'), waiting up to blockMs when blockMs > 0. */
  private async read(client: Redis, queue: string, count: number, blockMs: number): Promise<QueueItem[]> {
    const k = this.P + 'q:' + queue;
    const args: Arg[] = ['GROUP', GROUP, this.nodeId, 'COUNT', count];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    args.push('STREAMS', k, '>');
    let reply: unknown;
    try {
      reply = await client.callBuffer('XREADGROUP', ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOGROUP')) throw error;
      await this.redis.callBuffer('XGROUP', 'CREATE', k, GROUP, '0', 'MKSTREAM').catch((e: Error) => {
        if (!e.message.startsWith('BUSYGROUP')) throw e;
      });
      reply = await client.callBuffer('XREADGROUP', ...args);
    }
    if (reply === null) return [];
    const [stream] = list(reply);
    const [, entries] = list(stream);
    return list(entries).map((e) => queueItem(e, 1));
  }

  private async reclaim(queue: string, count: number): Promise<QueueItem[]> {
    const r = list(await this.eval(SCRIPTS.reclaim, [queue, this.nodeId, this.o.queueReclaimMs, count]));
    const out: QueueItem[] = [];
    for (let i = 0; i + 2 < r.length; i += 3) out.push(queueItem([r[i], r[i + 1]], int(r[i + 2])));
    return out;
  }

  private async counts(queue: string): Promise<QueueCounts> {
    const k = this.P + 'q:' + queue;
    const length = int(await this.redis.callBuffer('XLEN', k));
    let inFlight = 0;
    if (length > 0) {
      const summary = await this.redis.callBuffer('XPENDING', k, GROUP).catch(() => null);
      if (Array.isArray(summary)) inFlight = int(summary[0]);
    }
    return { queue, ready: length - inFlight, inFlight };
  }

  private async names(): Promise<string[]> {
    const names = list(await this.redis.callBuffer('SMEMBERS', this.P + 'queues'))
      .map(text)
      .sort();
    const out: string[] = [];
    for (const n of names) if (int(await this.redis.callBuffer('XLEN', this.P + 'q:' + n)) > 0) out.push(n);
    return out;
  }

  private consume(
    queue: string,
    handler: (item: QueueItem) => void | Promise<void>,
    options?: { handlerTimeoutMs?: number; blockMs?: number },
  ) {
    checkName(queue, 'queue');
    const blockMs = options?.blockMs ?? 1_000;
    // A blocking read holds its connection: each consumer has its own.
    const client = new Redis({
      ...this.clientOptions(blockMs + this.o.commandTimeoutMs),
      lazyConnect: false,
      enableOfflineQueue: true,
    });
    client.on('error', () => {}); // the main connection reports outages
    this.blocking.add(client);
    let stopped = false;
    const source: ConsumerSource = {
      // The consumer's own connection: its failures (and its closing at stop) are the consumer's, not the store's.
      next: async (ms) => {
        this.ready();
        return this.read(client, queue, 1, ms);
      },
      reclaim: () => this.queues.reclaim(queue, 1),
      ack: (id) => this.queues.ack(queue, id),
      interrupt: () => {
        stopped = true;
        client.disconnect();
      },
      close: () => {
        if (!stopped) client.disconnect();
        this.blocking.delete(client);
      },
    };
    // A dead node's items are taken over within nodeTtlMs of its last heartbeat plus half of it:
    // the consumer looks for them that often, and for hung ones every queueReclaimMs / 2.
    const every = Math.min(this.o.queueReclaimMs, this.o.nodeTtlMs);
    return new Consumer(queue, handler, source, Math.max(1, Math.floor(every / 2)), options);
  }

  /** What the server's persistence gives a write, by CONFIG GET; undefined when it will not say. */
  private async serverSync(): Promise<StoreSync | undefined> {
    const config = async (name: string): Promise<string | undefined> => {
      try {
        const reply = list(await this.redis.callBuffer('CONFIG', 'GET', name));
        return reply.length === 2 ? text(reply[1]).toLowerCase() : undefined;
      } catch {
        return undefined; // CONFIG renamed or denied: a managed server may hide it
      }
    };
    const aof = await config('appendonly');
    if (aof === 'no') return 'no';
    const fsync = await config('appendfsync');
    return aof === 'yes' && isStoreSync(fsync) ? fsync : undefined;
  }

  async inspect(limit = DEFAULT_LIST_LIMIT): Promise<StoreReport> {
    return this.run('inspect', async () => {
      this.sync = await this.serverSync();
      const names = list(await this.redis.callBuffer('SMEMBERS', this.P + 'queues'))
        .map(text)
        .sort();
      const queues: QueueCounts[] = [];
      for (const n of names) {
        const c = await this.counts(n);
        if (c.ready + c.inFlight > 0) queues.push(c);
      }
      return {
        backend: this.backend,
        location: this.spec.display,
        pending: await this.pending(limit),
        queues,
        registrations: int(await this.redis.callBuffer('HLEN', this.P + 'reg')),
        registrationsVersion: await this.recordVersion(),
        ...(this.sync === undefined ? {} : { sync: this.sync }),
      };
    });
  }

  /**
   * Finishes again what failed to finish, gives back this node's other claims, ends its
   * liveness (its queue items go to the others at once), disconnects. A claim whose handler
   * succeeded is never released (a release would wait for an SMSC resend that may never come,
   * its segment answered already): if its finish cannot be stored now either, it stays claimed,
   * lapses with this node's liveness and is handed over again by another node's sweep.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.heartbeat);
    clearInterval(this.pollTimer);
    this.stopProbing();
    // A finish refused a moment ago turned the store unavailable: one probe, so that a Redis
    // already back stores it rather than let its claim lapse into a second delivery.
    if (!this.available && this.unfinished.size > 0) await this.probe();
    if (this.available) {
      try {
        await this.turn.drain();
        // The finishes that drain() saw fail are in `unfinished` once their rejections ran.
        await new Promise<void>((resolve) => setImmediate(resolve));
        // Settles each of them (finished, or not this node's claim any more): none is left to
        // release below, and a failure leaves every claim to lapse (the catch).
        if (this.unfinished.size > 0) await this.finishOwn(this.unfinished.entries());
        // Each release frees only the claim of the handover it names, and writes its time, from
        // which a message a sweep had handed over waits its backoff before another node takes it.
        await Promise.all([...this.claims].map(([key, h]) => this.turn.release(key, h)));
        // A key that was live when this store opened may be another process's with the same
        // nodeId (a PPG refuses to start on it): deleting it would make that one look dead, and
        // its pushes and claims be taken while it runs. It lapses by itself.
        if (!this.nodeWasLive) await this.redis.callBuffer('DEL', this.P + 'node:' + this.nodeId);
      } catch {
        // Redis is away: the claims lapse with this node's liveness.
      }
    }
    this.claims.clear();
    this.unfinished.clear();
    this.closed = true;
    for (const c of this.blocking) c.disconnect();
    this.subscriber?.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
