// When the PPG writes a push record (src/ppg/pushWrites.ts): an accepted push is one write,
// answered once stored; its later changes wait for the next write (or statusWriteMs), and
// whatever an initiator is told (a status query's answer, a result notification) is written
// before it is told. A real MemoryStore and a real lmdb store, the writes counted as they go in.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { openStore } from '../../src/store/open.js';
import type { JsonValue, Store } from '../../src/store/types.js';
import { attr, post, until } from './harness.js';
import { scopePerTest } from './testScope.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';
import { stateIn, statesOf } from './storedRecords.js';

const scope = scopePerTest();
const cleanups = scope.cleanups;

const TO = 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com';
/** Long enough that nothing is written for want of another write during a test. */
const LONG = 60_000;

/** Each write to the push table, as it went in: record id and the states it held. */
function countWrites(store: Store): Array<{ id: string; states: string[] }> {
  const writes: Array<{ id: string; states: string[] }> = [];
  const put = store.pushes.put.bind(store.pushes);
  store.pushes.put = (id: string, value: JsonValue) => {
    writes.push({ id, states: statesOf(value) });
    return put(id, value);
  };
  return writes;
}

describe('PPG push writes', () => {
  it('writes an accepted push once; its submit and receipt ride in the next push write', async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    const writes = countWrites(store);
    const h = await scope.harness({ store, statusWriteMs: LONG });
    const delivered: string[] = [];
    h.ppg.on('outcome', (o) => delivered.push(o.pushId));

    const first = await post(h.url, pushBody({ pushId: 'w1', addresses: [TO] }), MULTIPART);
    expect(attr(first.text, 'response-result', 'code')).toBe('1001');
    expect(writes).toEqual([{ id: 'pi:w1', states: ['pending'] }]);
    await until(() => delivered.includes('w1'), 'w1 delivered');
    // Submitted and delivered: nothing written for it yet (the old code wrote twice more here).
    expect(writes).toHaveLength(1);

    const second = await post(h.url, pushBody({ pushId: 'w2', addresses: [TO] }), MULTIPART);
    expect(attr(second.text, 'response-result', 'code')).toBe('1001');
    // w2's accept write carried w1's outcome.
    expect(writes.slice(1).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'pi:w1', states: ['delivered'] },
      { id: 'pi:w2', states: ['pending'] },
    ]);
  });

  it('writes what a status query tells before answering it', async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    const writes = countWrites(store);
    const h = await scope.harness({ store, statusWriteMs: LONG });
    const delivered: string[] = [];
    h.ppg.on('outcome', (o) => delivered.push(o.pushId));
    await post(h.url, pushBody({ pushId: 'q1', addresses: [TO] }), MULTIPART);
    await until(() => delivered.includes('q1'), 'q1 delivered');
    expect(await stateIn(store, 'pi:q1')).toBe('pending');

    const q = await post(h.url, queryXml('statusquery-message', 'q1'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
    expect(writes.map((w) => w.states[0])).toEqual(['pending', 'delivered']);
    expect(await stateIn(store, 'pi:q1')).toBe('delivered');
  });

  it('posts a result notification only once the outcome it tells is stored', async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    countWrites(store);
    const seen: Array<string | undefined> = [];
    const notify = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        void stateIn(store, 'pi:n1').then((state) => {
          seen.push(state);
          res.writeHead(204).end();
        });
      });
    });
    await new Promise<void>((resolve) => notify.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => notify.close(() => resolve())));
    const notifyTo = `http://127.0.0.1:${(notify.address() as AddressInfo).port}/n`;
    const h = await scope.harness({ store, statusWriteMs: LONG });
    const r = await post(
      h.url,
      pushBody({ pushId: 'n1', addresses: [TO], attributes: ` ppg-notify-requested-to="${notifyTo}"` }),
      MULTIPART,
    );
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => seen.length === 1, 'the notification');
    expect(seen).toEqual(['delivered']);
  });

  it('writes the changes still waiting when it closes (lmdb, read back after)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-ppg-writes-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(join(dir, 'state'));
    const h = await scope.harness({ store, statusWriteMs: LONG });
    const delivered: string[] = [];
    h.ppg.on('outcome', (o) => delivered.push(o.pushId));
    await post(h.url, pushBody({ pushId: 'c1', addresses: [TO] }), MULTIPART);
    await until(() => delivered.includes('c1'), 'c1 delivered');
    await scope.closeHarness();
    await store.close();

    const again = await openStore(join(dir, 'state'));
    try {
      expect(await stateIn(again, 'pi:c1')).toBe('delivered');
    } finally {
      await again.close();
    }
  });
});
