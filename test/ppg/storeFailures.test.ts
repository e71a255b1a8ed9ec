// The PPG with a store that refuses writes (src/ppg/pushWrites.ts, ppg.ts): a settled push whose
// last write failed leaves memory as that write fails, a failed write is reported once, and a
// push refused 3000 at accept is never written after. A real redis-server made to refuse writes
// (`min-replicas-to-write 1` with no replica: NOREPLICAS); a put may be held to open a window.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { openStore } from '../../src/store/open.js';
import type { JsonValue, Store } from '../../src/store/types.js';
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

/** A Redis store whose server refuses writes while `refuse(true)` holds. */
async function refusingRedis(): Promise<{ store: Store; refuse(on: boolean): Promise<void> }> {
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
  };
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
    const h = await scope.harness({ store, statusWriteMs: 200 }, { receiptDelayMs: 100 });
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

    // The store back, the next write (m2's accept, or the retry timer's) carries m1's outcome.
    await refuse(false);
    await until(() => store.available, 'the store back');
    const b = await post(h.url, pushBody({ pushId: 'm2', addresses: [TO] }), MULTIPART);
    expect(attr(b.text, 'response-result', 'code')).toBe('1001');
    expect(await stateIn(store, 'pi:m1')).toBe('delivered');
    const q2 = await post(h.url, queryXml('statusquery-message', 'm1'), 'application/xml');
    expect(attr(q2.text, 'statusquery-result', 'message-state')).toBe('delivered');
  });

  it('writes a record whose write failed again by itself once the store is back, with no new traffic', async () => {
    const { store, refuse } = await refusingRedis();
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
    const h = await scope.harness({ store, statusWriteMs: LONG });
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
    const h = await scope.harness({ store, maxRecords: 1, statusWriteMs: 200 }, { receiptDelayMs: 100 });
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
});
