// Push record writes racing the changes they carry (src/ppg/pushWrites.ts): a write on its
// way while a receipt settles the push, a status query or a notification waiting on a write
// that does not hold what it will tell, a store that fails, and close() with a receipt coming.
// A real lmdb store in a temp dir; its push table's put is held (or failed) to open the window.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { JsonValue, Store } from '../../src/store/types.js';
import { attr, post, until } from './harness.js';
import { scopePerTest } from './testScope.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';
import { isObject, stateIn } from './storedRecords.js';

const scope = scopePerTest();
const cleanups = scope.cleanups;

const TO = 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com';
const LONG = 60_000;

async function lmdb(): Promise<{ store: Store; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-ppg-races-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'state');
  const store = await openStore(path);
  cleanups.push(() => store.close());
  return { store, path };
}

/**
 * Holds the `nth` put (1-based) of a push-table id until `open()` is called, or `ms` passed;
 * every other put goes straight in. `failing` makes each put fail while set.
 */
function holdPut(store: Store, id: string, nth: number, ms = 3_000) {
  let seen = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, ms).unref();
  });
  const control = { open: () => open(), held: false, failing: false };
  const put = store.pushes.put.bind(store.pushes);
  store.pushes.put = async (key: string, value: JsonValue) => {
    if (control.failing) throw new Error('the disk is full');
    if (key === id && ++seen === nth) {
      // Taken as it is now, as the store takes it (the PPG goes on changing the record).
      const taken = JSON.parse(JSON.stringify(value)) as JsonValue;
      control.held = true;
      await opened;
      return put(key, taken);
    }
    return put(key, value);
  };
  return control;
}

describe('PPG push writes racing their changes', () => {
  it('keeps a push in memory till its outcome is stored, though an older write ends first', async () => {
    const { store } = await lmdb();
    // The accept write, then the message_ids write (held) while the receipt settles it.
    const hold = holdPut(store, 'pi:r1', 2);
    const h = await scope.harness({ store, statusWriteMs: 300 }, { receiptDelayMs: 600 });
    const ppg = h.ppg;
    ppg.on('outcome', () => setImmediate(hold.open));
    const a = await post(h.url, pushBody({ pushId: 'r1', addresses: [TO] }), MULTIPART);
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.inProgress === 0, 'r1 out of memory');
    // Out of memory only once delivered is stored: the query reads the store's copy.
    expect(await stateIn(store, 'pi:r1')).toBe('delivered');
    const q = await post(h.url, queryXml('statusquery-message', 'r1'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
  });

  it('answers a status query only once a change made during its wait is stored too', async () => {
    const { store } = await lmdb();
    const hold = holdPut(store, 'pi:s1', 2);
    const h = await scope.harness({ store, statusWriteMs: LONG }, { receiptDelayMs: 500 });
    const outcomes: string[] = [];
    h.ppg.on('outcome', (o) => {
      outcomes.push(o.state);
      setImmediate(hold.open);
    });
    await post(h.url, pushBody({ pushId: 's1', addresses: [TO] }), MULTIPART);
    await until(() => h.smsc.stats.submitted === 1, 's1 submitted');
    // Lets the submit_sm_resp (sent as the SMSC took s1) reach the PPG, so its message_ids wait
    // to be written; no event tells that. Arriving later, the query's write holds them all the same.
    await new Promise((r) => setTimeout(r, 50));
    // The query writes the message_ids (held); the receipt settles s1 during that write.
    const q = await post(h.url, queryXml('statusquery-message', 's1'), 'application/xml');
    expect(outcomes).toEqual(['delivered']);
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
    expect(await stateIn(store, 'pi:s1')).toBe('delivered');
  });

  it('with the store failing, tells no outcome: 3000 to queries and cancels, no notification', async () => {
    const { store } = await lmdb();
    const hold = holdPut(store, 'none', 1);
    const h = await scope.harness({ store, statusWriteMs: LONG });
    const errors: unknown[] = [];
    h.ppg.on('store-error', (e) => errors.push(e));
    const outcomes: string[] = [];
    h.ppg.on('outcome', (o) => outcomes.push(o.pushId));
    const later = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19) + 'Z';
    const waiting = await post(
      h.url,
      pushBody({ pushId: 'f0', addresses: [TO], attributes: ` deliver-after-timestamp="${later}"` }),
      MULTIPART,
    );
    expect(attr(waiting.text, 'response-result', 'code')).toBe('1001');
    const a = await post(
      h.url,
      pushBody({ pushId: 'f1', addresses: [TO], attributes: ` ppg-notify-requested-to="${h.notifyUrl}"` }),
      MULTIPART,
    );
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    hold.failing = true;
    await until(() => outcomes.includes('f1'), 'f1 delivered');

    const q = await post(h.url, queryXml('statusquery-message', 'f1'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'code')).toBe('3000');
    const c = await post(h.url, queryXml('cancel-message', 'f0'), 'application/xml');
    expect(attr(c.text, 'cancel-result', 'code')).toBe('3000');
    await until(() => errors.length > 0, 'a store-error');
    // Waits for something that must NOT happen: f1's notification, its outcome unstored.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.notifications).toEqual([]);
    expect(await stateIn(store, 'pi:f1')).toBe('pending');
    expect(await stateIn(store, 'pi:f0')).toBe('pending');

    // Refused (3000) while the store fails: never written after, though writes go on.
    const refused = await post(h.url, pushBody({ pushId: 'f2', addresses: [TO] }), MULTIPART);
    expect(attr(refused.text, 'response-result', 'code')).toBe('3000');

    // The store back: the next write carries the outcome, and then it is told.
    hold.failing = false;
    const q2 = await post(h.url, queryXml('statusquery-message', 'f1'), 'application/xml');
    expect(attr(q2.text, 'statusquery-result', 'message-state')).toBe('delivered');
    expect(await stateIn(store, 'pi:f1')).toBe('delivered');
    expect(await store.pushes.get('pi:f2')).toBeUndefined();
  });

  it('stores a receipt acknowledged while it closes (lmdb, read back after)', async () => {
    const { store, path } = await lmdb();
    // close() writes the waiting message_ids (held) while the receipt comes.
    const hold = holdPut(store, 'pi:k1', 2, 1_500);
    const h = await scope.harness({ store, statusWriteMs: LONG }, { receiptDelayMs: 300 });
    const outcomes: string[] = [];
    h.ppg.on('outcome', (o) => {
      outcomes.push(o.state);
      setImmediate(hold.open);
    });
    await post(h.url, pushBody({ pushId: 'k1', addresses: [TO] }), MULTIPART);
    await until(() => h.smsc.stats.submitted === 1, 'k1 submitted');
    // Lets the submit_sm_resp reach the PPG, so close() has its message_ids to write (held);
    // no event tells that. The assertion below holds whichever way the race went.
    await new Promise((r) => setTimeout(r, 50));
    await scope.closeHarness();
    await store.close();
    cleanups.pop();
    const again = await openStore(path);
    try {
      // A receipt taken (answered ESME_ROK) while closing is stored; one not taken leaves it pending.
      expect(await stateIn(again, 'pi:k1')).toBe(outcomes.length === 1 ? 'delivered' : 'pending');
    } finally {
      await again.close();
    }
  });

  it('keeps a push in memory while a notification of it is on its way: retention never races it', async () => {
    const { store } = await lmdb();
    const TO2 = 'WAPPUSH=+15551234568/TYPE=PLMN@ppg.example.com';
    // The notification for TO2 is answered 1.5 s late; TO's at once.
    const answered: string[] = [];
    const notify = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const late = Buffer.concat(chunks).toString('utf8').includes('+15551234568');
        setTimeout(
          () => {
            answered.push(late ? 'TO2' : 'TO');
            res.writeHead(204).end();
          },
          late ? 1_500 : 0,
        );
      });
    });
    await new Promise<void>((resolve) => notify.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => notify.close(() => resolve())));
    const notifyTo = `http://127.0.0.1:${(notify.address() as AddressInfo).port}/n`;
    const h = await scope.harness({ store, statusWriteMs: 20, maxRecords: 1 });
    const removed: string[] = [];
    h.ppg.on('removed', (r) => removed.push(r.pushId));
    const notified: string[] = [];
    h.ppg.on('notified', (n) => notified.push(n.address));
    const a = await post(
      h.url,
      pushBody({ pushId: 'm1', addresses: [TO, TO2], attributes: ` ppg-notify-requested-to="${notifyTo}"` }),
      MULTIPART,
    );
    expect(attr(a.text, 'response-result', 'code')).toBe('1001');
    await until(() => notified.length === 1, "TO's notification answered, as the PPG saw it");
    // m1 is not finished (TO2 not yet notified): it is not removed to make room.
    const b = await post(h.url, pushBody({ pushId: 'm2', addresses: [TO] }), MULTIPART);
    await until(() => answered.includes('TO2'), "TO2's notification");
    const storedMarks = async () => {
      const m1 = await store.pushes.get('pi:m1');
      return isObject(m1) && Array.isArray(m1.recipients) ? m1.recipients.map((r) => isObject(r) && r.notified) : [];
    };
    await until(async () => (await storedMarks()).every((n) => n === true), "m1's notified marks stored");
    expect(await storedMarks()).toEqual([true, true]);
    expect(removed).toEqual([]);
    expect(attr(b.text, 'response-result', 'code')).toBe('4001');
  });
});
