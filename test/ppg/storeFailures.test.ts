// The PPG with a store that refuses writes (src/ppg/pushWrites.ts, ppg.ts): a settled push whose
// last write failed leaves memory as that write fails, a failed write is reported once, and a
// push refused 3000 at accept is never written after. A real redis-server made to refuse writes
// (`min-replicas-to-write 1` with no replica: NOREPLICAS); a put may be held to open a window.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { StoreError, StoreErrorCode } from '../../src/store/errors.js';
import { Ppg } from '../../src/ppg/ppg.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openStore } from '../../src/store/open.js';
import type { JsonValue, Store } from '../../src/store/types.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { RedisServer } from '../helpers/redisServer.js';
import { attr, post, until } from './harness.js';
import { scopePerTest } from './testScope.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';
import { stateIn, statesOf } from './storedRecords.js';

const scope = scopePerTest();
const cleanups = scope.cleanups;

const TO = 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com';
const TO2 = 'WAPPUSH=+15551234568/TYPE=PLMN@ppg.example.com';
const LONG = 60_000;

/**
 * A Redis store whose server refuses writes while `refuse(true)` holds; `stateNow` reads a push
 * record's first state from the server itself (the store refuses reads too while unavailable).
 */
async function refusingRedis(): Promise<{
  store: Store;
  refuse(on: boolean): Promise<void>;
  stateNow(id: string): Promise<string | undefined>;
}> {
  const redis = new RedisServer();
  cleanups.push(() => redis.close());
  await redis.start();
  const store = await openStore(redis.url, { probeIntervalMs: 50 });
  cleanups.push(() => store.close());
  const admin = new Redis(redis.port, '127.0.0.1');
  cleanups.push(() => void admin.disconnect());
  return {
    store,
    async refuse(on) {
      await admin.call('CONFIG', 'SET', 'min-replicas-to-write', on ? '1' : '0');
    },
    async stateNow(id) {
      // The push table's hash under the store's default prefix (src/store/redis/redisStore.ts).
      const json = await admin.hget('wappush:ppg:reg', id);
      return statesOf(json === null ? undefined : (JSON.parse(json) as JsonValue))[0];
    },
  };
}

/**
 * A memory store whose push-table puts of the ids `refused` holds are refused (a plain Error,
 * or what `error` makes) after their first (the accept); counts each id's puts.
 */
function refusingPuts(error: (id: string) => unknown = (id) => new Error(`refused ${id}`)) {
  const store = new MemoryStore();
  cleanups.push(() => store.close());
  const refused = new Set<string>();
  const puts = new Map<string, number>();
  let failures = 0;
  const put = store.pushes.put.bind(store.pushes);
  store.pushes.put = async (key: string, value: JsonValue) => {
    const n = (puts.get(key) ?? 0) + 1;
    puts.set(key, n);
    if (n > 1 && refused.has(key)) {
      failures++;
      throw error(key);
    }
    return put(key, value);
  };
  return { store, refused, puts: (id: string) => puts.get(id) ?? 0, failures: () => failures };
}

/** Holds the puts of push-table id `id` numbered (1-based) in `nths` until each is opened. */
function holdPuts(store: Store, id: string, nths: number[]) {
  const gates = new Map<number, { held: boolean; open: () => void; opened: Promise<void> }>();
  for (const n of nths) {
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
      setTimeout(resolve, 5_000).unref();
    });
    gates.set(n, { held: false, open: () => open(), opened });
  }
  let seen = 0;
  const put = store.pushes.put.bind(store.pushes);
  store.pushes.put = async (key: string, value: JsonValue) => {
    const gate = key === id ? gates.get(++seen) : undefined;
    if (gate === undefined) return put(key, value);
    // Taken as it is now, as the store takes it (the PPG goes on changing the record).
    const taken = JSON.parse(JSON.stringify(value)) as JsonValue;
    gate.held = true;
    await gate.opened;
    return put(key, taken);
  };
  return (n: number) => gates.get(n)!;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PPG with a store that refuses writes', () => {
  it('lets a settled push leave memory as its last write fails, not at the next write', async () => {
    const { store, refuse } = await refusingRedis();
    // No retry timer within the test: m1 waits for a next write, or the store's return.
    const h = await scope.harness({ store, statusWriteMs: 200, storeRetryMs: LONG }, { receiptDelayMs: 100 });
    const ppg = h.ppg;
    const errors: unknown[] = [];
    ppg.on('store-error', (e) => errors.push(e));
    const outcomes: string[] = [];
    ppg.on('outcome', (o) => outcomes.push(o.pushId));
    const a = await post(h.url, pushBody({ pushId: 'm1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await refuse(true);
    await until(() => outcomes.includes('m1'), 'm1 delivered');
    await until(() => errors.length > 0, 'the failed write');
    // Nothing else is written: the old code held m1 till a next write came, for ever here.
    await until(() => ppg.inProgress === 0, 'm1 out of memory', 2_000);
    expect(errors).toHaveLength(1);
    errors.length = 0;

    // Out of memory, it is still told only once stored: 3000 while the store refuses.
    const q = await post(h.url, queryXml('statusquery-message', 'm1'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'code')).toBe('3000');

    // The store back, m1's outcome is written (at its return, or with m2's accept at the latest).
    await refuse(false);
    await until(() => store.available, 'the store back');
    const b = await post(h.url, pushBody({ pushId: 'm2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('1001');
    expect(await stateIn(store, 'pi:m1')).toBe('delivered');
    const q2 = await post(h.url, queryXml('statusquery-message', 'm1'), 'application/xml');
    expect(attr(q2.text, 'statusquery-result', 'message-state')).toBe('delivered');
  });

  it('writes a record whose write failed again by itself once the store is back, with no new traffic', async () => {
    const { store, refuse, stateNow } = await refusingRedis();
    const h = await scope.harness({ store, statusWriteMs: 50, storeRetryMs: 200 }, { receiptDelayMs: 100 });
    const ppg = h.ppg;
    const errors: unknown[] = [];
    ppg.on('store-error', (e) => errors.push(e));
    const outcomes: string[] = [];
    ppg.on('outcome', (o) => outcomes.push(o.pushId));
    const a = await post(h.url, pushBody({ pushId: 'r1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await refuse(true);
    await until(() => outcomes.includes('r1'), 'r1 delivered');
    await until(() => errors.length > 0 && ppg.inProgress === 0, 'the failed write, r1 out of memory');

    // The write really failed: the store still holds r1 as accepted.
    expect(await stateNow('pi:r1')).toBe('pending');
    // The store back and nothing more asked of the PPG: the retry timer alone writes r1. The
    // first retry is due 200 ms after the failure, later ones (if the store was still seen
    // down) 400, 800, 1600 ms apart: 3 s bounds it. The old code waited for a next write.
    await refuse(false);
    await until(() => store.available, 'the store back');
    await until(async () => (await stateIn(store, 'pi:r1')) === 'delivered', 'r1 written by the retry', 3_000);
    const q = await post(h.url, queryXml('statusquery-message', 'r1'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
  });

  it('stops retrying failed writes at close()', async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    let puts = 0;
    const put = store.pushes.put.bind(store.pushes);
    store.pushes.put = async (key: string, value: JsonValue) => {
      // The accept goes in; every later write fails, so the retry timer is armed and re-armed.
      if (++puts > 1) throw new Error('this record cannot be written');
      return put(key, value);
    };
    const h = await scope.harness({ store, statusWriteMs: 20, storeRetryMs: 50 }, { receiptDelayMs: 20 });
    h.ppg.on('store-error', () => undefined);
    const a = await post(h.url, pushBody({ pushId: 'c1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => puts >= 3, 'a retry of the failed write');
    await scope.closeHarness();
    const atClose = puts;
    // Waits for something that must NOT happen: a retry after close() (several retry waits).
    await pause(400);
    expect(puts).toBe(atClose);
  });

  it('reports a failed write once, though two notifications wait on it', async () => {
    const { store, refuse } = await refusingRedis();
    // The accept goes in; both recipients' outcomes are held (puts 2 and 3).
    const gate = holdPuts(store, 'pi:d1', [2, 3]);
    // No retry timer within the test: only the two notifications could write d1 again.
    const h = await scope.harness({ store, statusWriteMs: LONG, storeRetryMs: LONG });
    const ppg = h.ppg;
    const errors: unknown[] = [];
    ppg.on('store-error', (e) => errors.push(e));
    const a = await post(
      h.url,
      pushBody({ pushId: 'd1', addresses: [TO, TO2], attributes: ` ppg-notify-requested-to="${h.notifyUrl}"` }),
      MULTIPART,
    );
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => gate(2).held && gate(3).held, "both outcomes' writes");
    // The first outcome's write is stored; its notification then waits for the second's.
    gate(2).open();
    const final = async () => statesOf(await store.pushes.get('pi:d1')).filter((x) => x !== 'pending').length;
    await until(async () => (await final()) === 1, "the first outcome's write stored");
    await refuse(true);
    gate(3).open();
    await until(() => errors.length > 0, 'the failed write');
    // Waits for something that must NOT happen: a second store-error, or a notification.
    await pause(300);
    expect(errors).toHaveLength(1);
    expect(h.notifications).toEqual([]);
    await until(() => ppg.inProgress === 0, 'd1 out of memory', 2_000);
  });

  it('never writes a push refused 3000, though a query and a cancel waited on its accept', async () => {
    const { store, refuse } = await refusingRedis();
    const gate = holdPuts(store, 'pi:x1', [1]);
    const h = await scope.harness({ store, statusWriteMs: 20 });
    const errors: unknown[] = [];
    h.ppg.on('store-error', (e) => errors.push(e));
    const accepting = post(h.url, pushBody({ pushId: 'x1', addresses: [TO] }), MULTIPART);
    await until(() => gate(1).held, 'the accept write');
    const asking = post(h.url, queryXml('statusquery-message', 'x1'), 'application/xml');
    const cancelling = post(h.url, queryXml('cancel-message', 'x1'), 'application/xml');
    // Lets the query and the cancel reach the PPG and wait on the held accept; no event tells
    // that they are waiting (they are answered only after it).
    await pause(100);
    await refuse(true);
    gate(1).open();
    const [a, q, c] = await Promise.all([accepting, asking, cancelling]);
    expect(attr(a.text, 'response-result', 'code')).toBe('3000');
    expect(attr(q.text, 'statusquery-result', 'code')).toBe('3000');
    expect(attr(c.text, 'cancel-result', 'code')).toBe('3000');

    // The store back: other writes go on, and the PPG closes (writing all that waits).
    await refuse(false);
    await until(() => store.available, 'the store back');
    const b = await post(h.url, pushBody({ pushId: 'x2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('1001');
    await until(() => h.ppg.inProgress === 0, 'x2 settled');
    const submitted = h.smsc.stats.submitted;
    await scope.closeHarness();
    expect(await store.pushes.get('pi:x1')).toBeUndefined();
    expect(submitted).toBe(1);
  });

  it('counts a record waiting for the store toward maxRecords, so such records stay bounded', async () => {
    const { store } = await refusingRedis();
    // m1's accept is stored; every later write of m1 is refused, so its record waits out of
    // memory for a write that never takes. (Which writes fail is chosen here; Redis refuses all.)
    const put = store.pushes.put.bind(store.pushes);
    let m1Puts = 0;
    let refuseM1 = true;
    store.pushes.put = async (key: string, value: JsonValue) => {
      if (key === 'pi:m1' && ++m1Puts > 1 && refuseM1) throw new Error('this record cannot be written');
      return put(key, value);
    };
    // No retry timer within the test: only the refusal's retry writes m1 again.
    const h = await scope.harness(
      { store, maxRecords: 1, statusWriteMs: 200, storeRetryMs: LONG },
      { receiptDelayMs: 100 },
    );
    const ppg = h.ppg;
    const outcomes: string[] = [];
    ppg.on('outcome', (o) => outcomes.push(o.pushId));
    ppg.on('store-error', () => undefined);
    const a = await post(h.url, pushBody({ pushId: 'm1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => outcomes.includes('m1'), 'm1 delivered');
    await until(() => ppg.inProgress === 0, 'm1 out of memory', 2_000);
    // Nothing in progress, but m1's record is still held: the one record maxRecords allows.
    const b = await post(h.url, pushBody({ pushId: 'm2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('4001');
    expect(attr(b.text, 'response-result', 'desc')).toMatch(/1 wait for the store/);

    // The store takes m1 again: the refusal tried its write, so m1 is stored without any other
    // write, and retention counts it (it makes room for the next push by removing it).
    refuseM1 = false;
    const c = await post(h.url, pushBody({ pushId: 'm3', addresses: [TO] }), MULTIPART);
    expect(attr(c.text, 'response-result', 'code')).toBe('4001');
    await until(async () => (await stateIn(store, 'pi:m1')) === 'delivered', 'm1 written', 3_000);
    const d = await post(h.url, pushBody({ pushId: 'm4', addresses: [TO] }), MULTIPART);
    expect(attr(d.text, 'response-result', 'code')).toBe('1001');
    expect(ppg.removedRecords.count).toBe(1);
    expect(await store.pushes.get('pi:m1')).toBeUndefined();
  });

  it('writes nothing and reports nothing while the store is unavailable, however many records wait', async () => {
    const { store, refuse, stateNow } = await refusingRedis();
    let puts = 0;
    const put = store.pushes.put.bind(store.pushes);
    store.pushes.put = (key: string, value: JsonValue) => {
      puts++;
      return put(key, value);
    };
    const h = await scope.harness({ store, statusWriteMs: 50, storeRetryMs: 100 }, { receiptDelayMs: 100 });
    const ppg = h.ppg;
    const errors: unknown[] = [];
    ppg.on('store-error', (e) => errors.push(e));
    const outcomes: string[] = [];
    ppg.on('outcome', (o) => outcomes.push(o.pushId));
    for (const id of ['u1', 'u2', 'u3']) {
      const a = await post(h.url, pushBody({ pushId: id, addresses: [TO] }), MULTIPART);
      expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    }
    await refuse(true);
    await until(() => outcomes.length === 3 && ppg.inProgress === 0, 'u1-u3 settled, out of memory');
    expect(store.available).toBe(false);
    // Waits for something that must NOT happen: a write or a store-error while the store is
    // known down (the old code retried all three every 100, 200, 400 ms, an error each).
    const [putsThen, errorsThen] = [puts, errors.length];
    await pause(1_000);
    expect(puts).toBe(putsThen);
    expect(errors).toHaveLength(errorsThen);
    await refuse(false);
    for (const id of ['pi:u1', 'pi:u2', 'pi:u3'])
      await until(async () => (await stateNow(id)) === 'delivered', `${id} written once the store is back`);
    expect(errors).toHaveLength(errorsThen);
  });

  it('writes the waiting records as soon as the store is back, not at the next retry', async () => {
    const { store, refuse, stateNow } = await refusingRedis();
    // The retry timer's first wait is a minute: only the store's return can write r1 in time.
    const h = await scope.harness({ store, statusWriteMs: 50, storeRetryMs: LONG }, { receiptDelayMs: 100 });
    const ppg = h.ppg;
    ppg.on('store-error', () => undefined);
    const outcomes: string[] = [];
    ppg.on('outcome', (o) => outcomes.push(o.pushId));
    const a = await post(h.url, pushBody({ pushId: 'r1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await refuse(true);
    await until(() => outcomes.includes('r1') && ppg.inProgress === 0, 'r1 settled, out of memory');
    expect(await stateNow('pi:r1')).toBe('pending');
    await refuse(false);
    await until(async () => (await stateNow('pi:r1')) === 'delivered', 'r1 written at the return', 3_000);
  });

  it('reports a failed retry of many records once, not once a record', async () => {
    const { store, refused, failures } = refusingPuts();
    const ids = ['pi:f1', 'pi:f2', 'pi:f3'];
    for (const id of ids) refused.add(id);
    const h = await scope.harness({ store, statusWriteMs: 20, storeRetryMs: 100 }, { receiptDelayMs: 20 });
    const ppg = h.ppg;
    let errors = 0;
    ppg.on('store-error', () => errors++);
    for (const id of ids) {
      const a = await post(h.url, pushBody({ pushId: id.slice(3), addresses: [TO] }), MULTIPART);
      expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    }
    // All three settled and out of memory, their writes failed: from now on only retries write.
    await until(() => ppg.inProgress === 0, 'f1-f3 out of memory');
    const [failedThen, errorsThen] = [failures(), errors];
    await until(() => failures() - failedThen >= 6, 'two retries of the three records');
    refused.clear();
    await until(
      async () => (await Promise.all(ids.map((id) => stateIn(store, id)))).every((x) => x === 'delivered'),
      'all three written',
    );
    // One store-error a failed round (the three are retried together; a round on its way as
    // they left memory may hold fewer), not one a record as the old code told.
    const failedRetries = failures() - failedThen;
    expect(errors - errorsThen).toBeGreaterThan(0);
    expect(errors - errorsThen).toBeLessThanOrEqual(failedRetries / 3 + 1);
  });

  it('retries a record refused alone less and less often while other pushes write fine', async () => {
    const { store, refused, puts } = refusingPuts();
    refused.add('pi:b1');
    const h = await scope.harness({ store, statusWriteMs: 20, storeRetryMs: 100 }, { receiptDelayMs: 20 });
    const ppg = h.ppg;
    let errors = 0;
    ppg.on('store-error', () => errors++);
    const a = await post(h.url, pushBody({ pushId: 'b1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.inProgress === 0, 'b1 out of memory');
    // Other pushes for 1.5 s, each written fine: they neither start b1's retry wait again nor
    // take b1 along each time (the old code did both: a retry and an error for every write).
    const [putsThen, errorsThen] = [puts('pi:b1'), errors];
    const start = Date.now();
    for (let i = 0; Date.now() - start < 1_500; i++) {
      const b = await post(h.url, pushBody({ pushId: `o${i}`, addresses: [TO] }), MULTIPART);
      expect(attr(b.text, 'response-result', 'code')).toBe('1001');
      await pause(50);
    }
    // Retries 100, 200, 400, 800 ms apart (after at most one taken along with another write):
    // at most 6 within 1.5 s, a machine's delays only making fewer.
    expect(puts('pi:b1') - putsThen).toBeLessThanOrEqual(6);
    expect(errors - errorsThen).toBeLessThanOrEqual(6);
  });

  it('does not retry a record the store will never take: reported once, and not held', async () => {
    const { store, refused, puts } = refusingPuts((id) => new StoreError(StoreErrorCode.BAD_INPUT, `${id} too big`));
    refused.add('pi:g1');
    const h = await scope.harness(
      { store, maxRecords: 1, statusWriteMs: 20, storeRetryMs: 50 },
      { receiptDelayMs: 20 },
    );
    const ppg = h.ppg;
    const errors: unknown[] = [];
    ppg.on('store-error', (e) => errors.push(e));
    const a = await post(h.url, pushBody({ pushId: 'g1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.inProgress === 0 && errors.length > 0, 'g1 refused, out of memory');
    const [putsThen, errorsThen] = [puts('pi:g1'), errors.length];
    // Waits for something that must NOT happen: a retry of g1 (the old code: every 50-400 ms).
    await pause(500);
    expect(puts('pi:g1')).toBe(putsThen);
    expect(errors).toHaveLength(errorsThen);
    expect(errors.every((e) => e instanceof StoreError && e.code === StoreErrorCode.BAD_INPUT)).toBe(true);
    // Not held, so not counted toward maxRecords (1): the next push is taken. The store keeps
    // g1's last stored copy (its accept).
    const b = await post(h.url, pushBody({ pushId: 'g2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('1001');
    expect(await stateIn(store, 'pi:g1')).toBe('pending');
  });

  it('takes a failed record along with the next write of another push', async () => {
    const { store, refused } = refusingPuts();
    refused.add('pi:w1');
    // No retry timer within the test, and a memory store never unavailable: only w2's write.
    const h = await scope.harness({ store, statusWriteMs: 20, storeRetryMs: LONG }, { receiptDelayMs: 20 });
    const ppg = h.ppg;
    ppg.on('store-error', () => undefined);
    const a = await post(h.url, pushBody({ pushId: 'w1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.inProgress === 0, 'w1 out of memory');
    expect(await stateIn(store, 'pi:w1')).toBe('pending');
    refused.clear();
    const b = await post(h.url, pushBody({ pushId: 'w2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('1001');
    expect(await stateIn(store, 'pi:w1')).toBe('delivered');
  });

  it('leaves no listener on a shared store when the PPG cannot be made, nor while no write failed', async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    const before = store.listenerCount('available');
    const smsc = 'smpp://ppg:secret@127.0.0.1:1';
    for (const bad of [{ retentionMs: -1 }, { maxRecords: 0 }, { smscSession: { enquireLinkMs: -1 } }])
      expect(() => new Ppg({ smsc, store, ...bad })).toThrow();
    expect(store.listenerCount('available')).toBe(before);
    // A PPG made and closed, with nothing failed, holds none either.
    const h = await scope.harness({ store });
    expect(store.listenerCount('available')).toBe(before);
    const a = await post(h.url, pushBody({ pushId: 'l1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await scope.closeHarness();
    expect(store.listenerCount('available')).toBe(before);
  });

  it('lets 20 PPGs on one store wait for its return on one listener: no warning, each retries, none left', async () => {
    const { store, refuse, stateNow } = await refusingRedis();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanups.push(() => void process.off('warning', onWarning));
    const noListenerWarning = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
    const before = store.listenerCount('available');
    // An account each (a receipt goes to a bind of its submitter's system_id), and receipts a
    // second after each submit: every push is accepted before the store refuses.
    const smsc = new SmscSimulator({
      accounts: [
        ...Array.from({ length: 20 }, (_, i) => ({ systemId: `ppg${i}`, password: 'secret' })),
        { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
      ],
      faults: { receiptDelayMs: 1_000 },
    });
    const smscPort = await smsc.listen();
    cleanups.push(() => smsc.close());
    const phone = new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${smscPort}`, onDatagram: () => {} });
    cleanups.push(() => phone.close());
    await phone.start();
    const ppgs: Ppg[] = [];
    const failedWrites = new Set<Ppg>();
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      // The retry timer's first wait is a minute: only the store's return writes in time.
      const ppg = new Ppg({
        smsc: `smpp://ppg${i}:secret@127.0.0.1:${smscPort}`,
        initiators: [{ name: 'pi', password: 'pi-secret' }],
        store,
        statusWriteMs: 50,
        storeRetryMs: LONG,
      });
      cleanups.push(() => ppg.close());
      ppg.on('store-error', () => failedWrites.add(ppg));
      ppg.on('outcome', (o) => outcomes.push(o.pushId));
      await ppg.start();
      ppgs.push(ppg);
    }
    /** Each PPG accepts a push `${prefix}${i}`, settles it while the store refuses, and fails to write it. */
    const failEach = async (prefix: string) => {
      const n = outcomes.length;
      failedWrites.clear();
      const answers = await Promise.all(
        ppgs.map((ppg, i) =>
          post(
            `http://127.0.0.1:${ppg.port}/wappush`,
            pushBody({ pushId: `${prefix}${i}`, addresses: [TO] }),
            MULTIPART,
          ),
        ),
      );
      expect(answers.map((a) => attr(a.text, 'response-result', 'code'))).toEqual(Array(20).fill('1001'));
      await refuse(true);
      await until(
        () => outcomes.length === n + 20 && failedWrites.size === 20 && ppgs.every((p) => p.inProgress === 0),
        `each PPG settled ${prefix} and failed to write it`,
        10_000,
      );
    };
    await failEach('s');
    // Twenty wait for the store's return, on one listener (the old code had one each).
    expect(store.listenerCount('available')).toBe(before + 1);
    await refuse(false);
    for (let i = 0; i < 20; i++)
      await until(async () => (await stateNow(`pi:s${i}`)) === 'delivered', `s${i} written at the return`);
    expect(store.listenerCount('available')).toBe(before);
    expect(noListenerWarning()).toEqual([]);

    // Waiting again, then closed: no listener is left behind.
    await until(() => store.available, 'the store back');
    await failEach('t');
    expect(store.listenerCount('available')).toBe(before + 1);
    for (const ppg of ppgs) await ppg.close();
    expect(store.listenerCount('available')).toBe(before);
    await refuse(false);
    expect(noListenerWarning()).toEqual([]);
  });

  it('keeps retrying a failed write, and goes on, when a store-error listener throws', async () => {
    const { store, refused, puts } = refusingPuts();
    refused.add('pi:t1');
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanups.push(() => void process.off('warning', onWarning));
    const h = await scope.harness({ store, statusWriteMs: 20, storeRetryMs: 50 }, { receiptDelayMs: 20 });
    let thrown = 0;
    h.ppg.on('store-error', () => {
      thrown++;
      throw new Error('listener bug');
    });
    const a = await post(h.url, pushBody({ pushId: 't1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    // The first failure told (and thrown at), then the timer's retries: the record was kept, the timer armed.
    await until(() => puts('pi:t1') >= 4 && thrown >= 2, 'the failed write retried after the listener threw');
    refused.clear();
    await until(async () => (await stateIn(store, 'pi:t1')) === 'delivered', 't1 written by a retry');
    expect(
      warnings.some(
        (w) =>
          /listener bug/.test(w.message) && (w as Error & { code?: string }).code === 'WAPPUSH_STORE_ERROR_LISTENER',
      ),
    ).toBe(true);
    // The PPG still takes pushes.
    const b = await post(h.url, pushBody({ pushId: 't2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('1001');
  });
});
