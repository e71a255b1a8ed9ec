// A restart loses no accepted push: the embedded store keeps it, the next PPG sends it and
// still answers status queries about it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ppg } from '../../src/ppg/ppg.js';
import { openStore } from '../../src/store/open.js';
import { attr, harness, post, until, type Harness } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('PPG restart', () => {
  it('a push accepted before a restart is sent after it; its status survives', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wappush-ppg-'));
    const first = await openStore(join(dir, 'state'));
    h = await harness({ store: first });
    const soon = new Date(Date.now() + 1_500).toISOString().slice(0, 19) + 'Z';
    const r = await post(
      h.url,
      pushBody({
        pushId: 'kept',
        addresses: ['WAPPUSH=+15551112222/TYPE=PLMN@x'],
        attributes: ` deliver-after-timestamp="${soon}"`,
      }),
      MULTIPART,
    );
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await h.ppg.close();
    await first.close();
    expect(h.phone).toHaveLength(0);

    const second = await openStore(join(dir, 'state'));
    const smscUrl = `smpp://ppg:secret@127.0.0.1:${h.smsc.port}`;
    const again = new Ppg({ smsc: smscUrl, store: second, initiators: [{ name: 'pi', password: 'pi-secret' }] });
    const port = await again.start();
    try {
      await until(() => h!.phone.length === 1, 'the push sent by the second PPG', 5_000);
      expect(h.phone[0].recipient).toBe('+15551112222');
      const state = async () =>
        attr(
          (await post(`http://127.0.0.1:${port}/wappush`, queryXml('statusquery-message', 'kept'), 'application/xml'))
            .text,
          'statusquery-result',
          'message-state',
        );
      await until(async () => (await state()) === 'delivered', 'kept delivered');
    } finally {
      await again.close();
      await second.close();
    }
  });
});
