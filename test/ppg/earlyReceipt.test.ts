// A receipt the SMSC kept while no PPG was bound comes the moment the restarted PPG binds,
// before it has read its pushes back from the store: it still settles the push.
import { afterEach, describe, expect, it } from 'vitest';
import { Ppg } from '../../src/ppg/ppg.js';
import { MemoryStore } from '../../src/store/memory.js';
import { simulatorWithPhone, type SimulatorWithPhone } from './behindSimulator.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

let sim: SimulatorWithPhone | undefined;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  await sim?.close();
  sim = undefined;
});

describe('a receipt that comes before the restarted PPG took its push up', () => {
  it('settles the push', async () => {
    sim = await simulatorWithPhone({ faults: { receiptDelayMs: 2_000 } });
    const store = new MemoryStore();
    open.push(store);
    const initiators = [{ name: 'pi', password: 'pi-secret' }];
    const first = new Ppg({ smsc: sim.smscUrl, store, initiators });
    const url = `http://127.0.0.1:${await first.start()}/wappush`;
    const r = await post(
      url,
      pushBody({ pushId: 'early', addresses: ['WAPPUSH=+15551112222/TYPE=PLMN@x'] }),
      MULTIPART,
    );
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => sim!.phone.length === 1, 'delivered to the phone');
    await first.close();
    // The receipt is made while no PPG is bound: the simulator keeps it for the next bind.
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect(sim.smsc.stats.receipts).toBe(0);
    const second = new Ppg({ smsc: sim.smscUrl, store, initiators });
    const again = `http://127.0.0.1:${await second.start()}/wappush`;
    open.push(second);
    const state = async () =>
      attr(
        (await post(again, queryXml('statusquery-message', 'early'), 'application/xml')).text,
        'statusquery-result',
        'message-state',
      );
    await until(async () => (await state()) === 'delivered', 'settled by the kept receipt', 3_000);
    expect(sim.smsc.stats.submitted).toBe(1);
  });
});
