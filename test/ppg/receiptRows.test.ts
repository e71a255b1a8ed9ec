// `@receipt:` rows in a Redis push table (receipts a PPG got for SMS it does not know, passed to
// the other PPGs on the store): a non-final receipt is never written, and the rows stay under
// MAX_RECEIPT_ROWS. Receipts are handed to the PPG as its transceiver does on a deliver_sm.
import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECEIPT_ROWS, Ppg } from '../../src/ppg/ppg.js';
import { PushRecords } from '../../src/ppg/pushRecord.js';
import { SmppMessageState } from '../../src/ppg/receipt.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { redisServer, useRedis } from '../store/backends.js';
import { simulatorWithPhone, type SimulatorWithPhone } from './behindSimulator.js';
import { until } from './harness.js';

useRedis();

let sim: SimulatorWithPhone | undefined;
const open: Array<{ close(): Promise<void> }> = [];
let prefixes = 0;

afterEach(async () => {
  while (open.length) await open.pop()!.close();
  await sim?.close();
  sim = undefined;
});

async function setup(): Promise<{ store: Store; ppg: Ppg; receipt(messageId: string, state: number): void }> {
  sim = await simulatorWithPhone();
  const store = await openStore(redisServer().url, { prefix: `receiptRows${++prefixes}:` });
  open.unshift(store);
  const ppg = new Ppg({
    smsc: sim.smscUrl,
    store,
    takeoverMs: 200,
    initiators: [{ name: 'pi', password: 'pi-secret' }],
  });
  await ppg.start();
  open.unshift(ppg);
  const transceiver = (ppg as unknown as { transceiver: EventEmitter }).transceiver;
  return { store, ppg, receipt: (messageId, state) => transceiver.emit('receipt', { messageId, state }) };
}

const rows = async (store: Store) => (await new PushRecords(store.pushes).scan()).receipts.map((r) => r.key);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('receipt rows in the push table', () => {
  it('a non-final receipt for an unknown SMS is not written; a final one is', async () => {
    const { store, receipt } = await setup();
    receipt('enroute-1', SmppMessageState.ENROUTE);
    receipt('accepted-1', SmppMessageState.ACCEPTED);
    receipt('delivered-1', SmppMessageState.DELIVERED);
    await until(async () => (await rows(store)).length > 0, 'the final receipt passed on', 5_000);
    await pause(600);
    expect(await rows(store)).toEqual(['@receipt:delivered-1']);
  });

  it('no row is written once the table holds MAX_RECEIPT_ROWS of them', async () => {
    const { store, receipt } = await setup();
    const records = new PushRecords(store.pushes);
    const at = Date.now();
    for (let i = 0; i < MAX_RECEIPT_ROWS; i += 500)
      await Promise.all(
        Array.from({ length: 500 }, (_, j) =>
          records.putReceipt({ receipt: { messageId: `filler-${i + j}`, state: SmppMessageState.DELIVERED }, at }),
        ),
      );
    receipt('one-more', SmppMessageState.DELIVERED);
    await pause(3_000);
    const now = await rows(store);
    expect(now).toHaveLength(MAX_RECEIPT_ROWS);
    expect(now).not.toContain('@receipt:one-more');
  }, 20_000);
});
