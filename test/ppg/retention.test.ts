// Push records live in the store's push table (not among the registrations) and are kept only
// as long as the retention bounds say: age (retentionMs) and count (maxRecords).
import { afterEach, describe, expect, it } from 'vitest';
import { Retention } from '../../src/ppg/retention.js';
import { MemoryStore } from '../../src/store/memory.js';
import { attr, harness, post, until, type Harness } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TO = 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com';
const code = async (pushId: string, attributes = '') =>
  attr(
    (await post(h!.url, pushBody({ pushId, addresses: [TO], attributes }), MULTIPART)).text,
    'response-result',
    'code',
  );
const state = async (pushId: string) =>
  attr(
    (await post(h!.url, queryXml('statusquery-message', pushId), 'application/xml')).text,
    'statusquery-result',
    'code',
  );

describe('Retention', () => {
  it('removes finished pushes past their age first, then the oldest while over the count', () => {
    const r = new Retention({ retentionMs: 1_000, maxRecords: 4 });
    r.finish('a', 100);
    r.finish('b', 200);
    r.finish('c', 1_500);
    r.finish('d', 1_600);
    // At 1,250 ms: a (1,150 ms old) and b (1,050 ms) are past 1,000 ms.
    expect(r.due(1_250, 0)).toEqual([
      { key: 'a', reason: 'age' },
      { key: 'b', reason: 'age' },
    ]);
    // c and d finished, 3 in progress, 1 coming: 6 > 4, so c and d go by count.
    expect(r.due(1_700, 3, 1)).toEqual([
      { key: 'c', reason: 'count' },
      { key: 'd', reason: 'count' },
    ]);
    expect(r.size).toBe(0);
    expect(r.full(3)).toBe(false);
    expect(r.full(4)).toBe(true);
  });

  it('restores finished pushes in the order they finished', () => {
    const r = new Retention({ retentionMs: 10_000, maxRecords: 2 });
    r.restore([
      ['late', 300],
      ['early', 100],
      ['middle', 200],
    ]);
    expect(r.due(400, 0).map((d) => d.key)).toEqual(['early']);
  });

  it('refuses bounds out of range by name', () => {
    expect(() => new Retention({ maxRecords: 0 })).toThrow(/maxRecords/);
    expect(() => new Retention({ maxRecords: 100_001 })).toThrow(/maxRecords/);
    expect(() => new Retention({ retentionMs: -1 })).toThrow(/retentionMs/);
  });
});

describe('PPG push records', () => {
  it('live in the push table, not among the registrations', async () => {
    const store = new MemoryStore();
    h = await harness({ store });
    expect(await code('t1')).toBe('1001');
    await until(() => h!.ppg.inProgress === 0, 't1 settled');
    expect(await store.registrations.list()).toEqual([]);
    expect(await store.registrations.version()).toBe(0);
    const pushes = await store.pushes.list();
    expect(pushes.map((p) => p.id)).toEqual(['pi:t1']);
    expect(pushes[0].value).toMatchObject({ initiator: 'pi', pushId: 't1' });
    await store.close();
  });

  it('takes over records an earlier version kept in the registrations table', async () => {
    const store = new MemoryStore();
    const now = Date.now();
    const recipient = {
      address: TO,
      number: '+15551234567',
      state: 'delivered',
      code: 1000,
      desc: 'every SMS delivered (1)',
      eventTime: now,
      messageIds: ['00000001'],
      receipts: { '00000001': true },
      notified: false,
    };
    await store.registrations.put('ppg:push:pi:old', {
      initiator: 'pi',
      pushId: 'old',
      receivedTime: now,
      deliveryMethod: 'unconfirmed',
      pdu: '00',
      recipients: [recipient],
    });
    await store.registrations.put('ppg:sms:00000001', { initiator: 'pi', pushId: 'old', recipient: 0 });
    await store.registrations.put('app-1', { pushApplicationId: 2 });
    h = await harness({ store });
    expect((await store.registrations.list()).map((r) => r.id)).toEqual(['app-1']);
    expect(await state('old')).toBe('1000');
    await store.close();
  });

  it('keeps at most maxRecords: the oldest finished go, counted; their status is then unknown', async () => {
    const store = new MemoryStore();
    h = await harness({ store, maxRecords: 3 });
    const removed: string[] = [];
    h.ppg.on('removed', (r) => removed.push(`${r.pushId}:${r.reason}`));
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) {
      expect(await code(id)).toBe('1001');
      await until(() => h!.ppg.inProgress === 0, `${id} settled`);
    }
    await until(() => removed.length === 2, 'two removals');
    expect(removed).toEqual(['m1:count', 'm2:count']);
    expect(h.ppg.removedRecords).toEqual({ age: 0, count: 2 });
    expect((await store.pushes.list()).map((p) => p.id).sort()).toEqual(['pi:m3', 'pi:m4', 'pi:m5']);
    expect(await state('m1')).toBe('2004');
    expect(await state('m5')).toBe('1000');
    await store.close();
  });

  it('removes finished pushes older than retentionMs', async () => {
    const store = new MemoryStore();
    h = await harness({ store, retentionMs: 150 });
    expect(await code('a1')).toBe('1001');
    await until(() => h!.ppg.inProgress === 0, 'a1 settled');
    await until(() => h!.ppg.removedRecords.age === 1, 'a1 removed by age', 3_000);
    expect(await store.pushes.list()).toEqual([]);
    expect(await state('a1')).toBe('2004');
    await store.close();
  });

  it('refuses a push with 4001 when pushes in progress alone fill maxRecords', async () => {
    h = await harness({ maxRecords: 2 });
    const later = ` deliver-after-timestamp="${new Date(Date.now() + 60_000).toISOString().slice(0, 19)}Z"`;
    expect(await code('w1', later)).toBe('1001');
    expect(await code('w2', later)).toBe('1001');
    expect(await code('w3', later)).toBe('4001');
    expect(h.ppg.inProgress).toBe(2);
  });
});
