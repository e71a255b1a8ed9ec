// A `wappush ppg` on a Redis store killed (SIGKILL) with a push accepted and not yet sent: a PPG
// live on the same store takes it up once the killed one's node liveness lapses (nodeTtlMs,
// 10 s by default) and its next look (takeoverMs) comes. Needs the build (dist/cli.js).
import { afterEach, describe, expect, it } from 'vitest';
import { Ppg } from '../../src/ppg/ppg.js';
import { openStore } from '../../src/store/open.js';
import { redisServer, useRedis } from '../store/backends.js';
import { PpgProcess, simulatorWithPhone } from './behindSimulator.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

useRedis();

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('a PPG on Redis killed beside a live one', () => {
  it('its accepted, unsent push is sent by the live PPG after its liveness lapses', async () => {
    const sim = await simulatorWithPhone();
    cleanups.push(() => sim.close());
    const store = await openStore(redisServer().url);
    cleanups.push(() => store.close());
    const live = new Ppg({
      smsc: sim.smscUrl,
      store,
      takeoverMs: 200,
      initiators: [{ name: 'pi', password: 'pi-secret' }],
    });
    const livePort = await live.start();
    cleanups.push(() => live.close());
    const killed = new PpgProcess([
      '--smsc',
      sim.smscUrl,
      '--port',
      '0',
      '--store',
      redisServer().url,
      '--user',
      'pi:pi-secret',
    ]);
    cleanups.push(() => killed.close());
    const { url } = await killed.listening();
    const after = new Date(Date.now() + 3_000).toISOString().slice(0, 19) + 'Z';
    const r = await post(
      url,
      pushBody({
        pushId: 'orphan',
        addresses: ['WAPPUSH=+15551112222/TYPE=PLMN@x'],
        attributes: ` deliver-after-timestamp="${after}"`,
      }),
      MULTIPART,
    );
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    const killedAt = Date.now();
    await killed.stop('SIGKILL');
    // Not before its liveness lapsed: the live PPG does not take a live node's push.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(live.inProgress).toBe(0);
    expect(sim.phone).toHaveLength(0);
    await until(() => sim.phone.length === 1, 'the orphan sent by the live PPG', 15_000);
    const tookMs = Date.now() - killedAt;
    // Liveness is renewed every nodeTtlMs / 3: it lapses 6.7-10 s after the kill.
    expect(tookMs).toBeGreaterThanOrEqual(6_000);
    const liveUrl = `http://127.0.0.1:${livePort}/wappush`;
    const state = async () =>
      attr(
        (await post(liveUrl, queryXml('statusquery-message', 'orphan'), 'application/xml')).text,
        'statusquery-result',
        'message-state',
      );
    await until(async () => (await state()) === 'delivered', 'orphan delivered');
    expect(sim.smsc.stats.submitted).toBe(1);
  }, 30_000);
});
