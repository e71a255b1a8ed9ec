// The PPG's SMPP link comes back by itself after the connection is cut, and a push accepted
// while it was down waits for it instead of failing. A TCP relay between PPG and simulator
// does the cutting.
import { afterEach, describe, expect, it } from 'vitest';
import { relay } from '../../bench/ppgFaults.js';
import { Ppg } from '../../src/ppg/ppg.js';
import { freePort } from '../ops/service.js';
import { simulatorWithPhone } from './behindSimulator.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

describe('PPG SMPP link', () => {
  it('reconnects after a cut; a push accepted meanwhile is sent once it is back', async () => {
    const sim = await simulatorWithPhone();
    open.push(sim);
    const { port: smscPort, phone } = sim;
    const r = await relay(smscPort);
    open.push(r);
    const ppg = new Ppg({ smsc: `smpp://ppg:secret@127.0.0.1:${r.port}` });
    const url = `http://127.0.0.1:${await ppg.start()}/wappush`;
    open.push(ppg);

    await post(url, pushBody({ pushId: 'before', addresses: ['WAPPUSH=+15550000001/TYPE=PLMN@x'] }), MULTIPART);
    await until(() => phone.length === 1, 'the first push');
    await until(() => ppg.inProgress === 0, 'the first push settled and out of memory');

    r.cut();
    const during = await post(
      url,
      pushBody({ pushId: 'during', addresses: ['WAPPUSH=+15550000002/TYPE=PLMN@x'] }),
      MULTIPART,
    );
    expect(attr(during.text, 'response-result', 'code')).toBe('1001');
    // Waits for something that must NOT happen: the push reaching the phone while the link is cut.
    await new Promise((res) => setTimeout(res, 300));
    expect(phone).toHaveLength(1);
    r.heal();
    await until(() => phone.length === 2, 'the push sent after the reconnect', 8_000);
    expect(phone[1].recipient).toBe('+15550000002');
    await until(() => ppg.inProgress === 0, 'the second push settled');
    // Settled pushes are answered from the store.
    const q = await post(url, queryXml('statusquery-message', 'before'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
  });
});

describe('PPG start with the SMSC away', () => {
  it('fails fast by default; with connectRetry it listens unbound and binds when the SMSC comes', async () => {
    const smscPort = await freePort();
    const strict = new Ppg({ smsc: `smpp://ppg:secret@127.0.0.1:${smscPort}` });
    await expect(strict.start()).rejects.toThrow(/ECONNREFUSED/);
    await strict.close();

    const ppg = new Ppg({
      smsc: `smpp://ppg:secret@127.0.0.1:${smscPort}`,
      connectRetry: true,
      smscSession: { reconnect: { initialMs: 20, maxMs: 200 } },
    });
    const errors: Error[] = [];
    ppg.on('smsc-error', (e) => errors.push(e));
    await ppg.start();
    open.push(ppg);
    expect(ppg.bound).toBe(false);
    await until(() => errors.length >= 2, 'retries while the SMSC is away');
    open.push(await simulatorWithPhone({ port: smscPort, phone: false }));
    await until(() => ppg.bound, 'bound once the SMSC listens');
  });

  it('with connectRetry a refused bind still fails the start', async () => {
    const sim = await simulatorWithPhone({ phone: false });
    open.push(sim);
    const ppg = new Ppg({ smsc: `smpp://ppg:wrong@127.0.0.1:${sim.port}`, connectRetry: true });
    await expect(ppg.start()).rejects.toThrow(/bind_transceiver refused/);
    await ppg.close();
  });
});
