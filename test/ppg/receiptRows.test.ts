// `@receipt:` rows in a Redis push table (receipts a PPG got for SMS it does not know, passed to
// the other PPGs on the store): a non-final receipt is never written, and the rows stay under
// MAX_RECEIPT_ROWS. Receipts are handed to the PPG as its transceiver does on a deliver_sm.
import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECEIPT_ROWS, Ppg } from '../../src/ppg/ppg.js';
import { PushRecords } from '../../src/ppg/pushRecord.js';
import { SmppMessageState } from '../../src/ppg/receipt.js';
import type { SmscFaults } from '../../src/smsc/simulator.js';
import { parseSmscUrl } from '../../src/wdp/smpp/link.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { redisServer, useRedis } from '../store/backends.js';
import { simulatorWithPhone, type SimulatorWithPhone } from './behindSimulator.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody } from './papFixtures.js';

useRedis();

let sim: SimulatorWithPhone | undefined;
const open: Array<{ close(): Promise<void> }> = [];
let prefixes = 0;

afterEach(async () => {
  while (open.length) await open.pop()!.close();
  await sim?.close();
  sim = undefined;
});

async function setup(faults?: SmscFaults): Promise<{
  store: Store;
  ppg: Ppg;
  url: string;
  receipt(messageId: string, state: number): void;
}> {
  sim = await simulatorWithPhone({ faults });
  const store = await openStore(redisServer().url, { prefix: `receiptRows${++prefixes}:` });
  open.unshift(store);
  const ppg = new Ppg({
    smsc: sim.smscUrl,
    store,
    takeoverMs: 200,
    initiators: [{ name: 'pi', password: 'pi-secret' }],
  });
  const url = `http://127.0.0.1:${await ppg.start()}/wappush`;
  open.unshift(ppg);
  const transceiver = (ppg as unknown as { transceiver: EventEmitter }).transceiver;
  return { store, ppg, url, receipt: (messageId, state) => transceiver.emit('receipt', { messageId, state }) };
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

  it("a row from another SMSC account's bind does not settle a push with the same message_id", async () => {
    // The simulator's own receipt comes too late to matter.
    const { store, url } = await setup({ receiptDelayMs: 60_000 });
    const r = await post(url, pushBody({ pushId: 'mine', addresses: ['WAPPUSH=+15551112222/TYPE=PLMN@x'] }), MULTIPART);
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    const records = new PushRecords(store.pushes);
    const sent = async () => (await records.get('pi', 'mine'))?.recipients[0];
    await until(async () => ((await sent())?.messageIds.length ?? 0) > 0, 'submitted and written', 5_000);
    const messageId = (await sent())!.messageIds[0];
    const delivered = { messageId, state: SmppMessageState.DELIVERED };
    await records.putReceipt({ receipt: delivered, at: Date.now(), account: 'another-smsc' });
    await pause(1_000);
    expect((await sent())!.state).toBe('pending');
    await records.putReceipt({ receipt: delivered, at: Date.now(), account: parseSmscUrl(sim!.smscUrl).systemId });
    await until(async () => (await sent())!.state === 'delivered', "settled by its own account's receipt", 3_000);
  });
});
