// A crash (SIGKILL of `wappush ppg`, the built dist/cli.js, on an lmdb store) takes back
// nothing an initiator was told: a push answered 1001 is in the store, and an outcome a status
// query answered is in the store as answered (docs/ppg.md, State: what survives a crash).
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { JsonValue } from '../../src/store/types.js';
import { ppgBehindSimulator } from './behindSimulator.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';
import { isObject, statesOf } from './storedRecords.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** push-id -> the message-state of its one recipient, as stored. */
function statesById(records: Array<{ value: JsonValue }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { value } of records) {
    if (!isObject(value) || typeof value.pushId !== 'string' || !Array.isArray(value.recipients)) continue;
    out[value.pushId] = statesOf(value)[0] ?? '?';
  }
  return out;
}

describe('wappush ppg killed', () => {
  it('keeps every push it answered 1001 and every outcome a status query told', async () => {
    const behind = await ppgBehindSimulator([], { store: 'lmdb' });
    open.push(behind);
    const { ppg, url } = behind;
    const state = behind.storePath!;

    // Accepted and waiting for its deliver-after time.
    const later = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19) + 'Z';
    const waiting = await post(
      url,
      pushBody({ pushId: 'waiting', attributes: ` deliver-after-timestamp="${later}"` }),
      MULTIPART,
      '',
    );
    expect(attr(waiting.text, 'response-result', 'code')).toBe('1001');
    // Sent and delivered; its outcome told by a status query, then the kill at once (well
    // within the 100 ms an outcome may wait to be written when no other write carries it).
    const told = await post(url, pushBody({ pushId: 'told' }), MULTIPART, '');
    expect(attr(told.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.stdout.some((l) => JSON.stringify(l).includes('"pushId":"told"')), 'the outcome of told');
    const q = await post(url, queryXml('statusquery-message', 'told'), 'application/xml', '');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
    await ppg.stop('SIGKILL');

    const store = await openStore(state);
    try {
      expect(statesById(await store.pushes.list())).toEqual({ told: 'delivered', waiting: 'pending' });
    } finally {
      await store.close();
    }
  });
});
