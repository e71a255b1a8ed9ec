// PushCAI 5.1: registration details retained for deregistration, here across a restart.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { RegistrationStoreError } from '../../src/cai/store.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { closeLater, datagram, inbox, siPush } from './helpers.js';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-store-'));
  // Closed last (closeLater closes in reverse order): the clients may still write the store as they close.
  closeLater({ close: async () => rmSync(dir, { recursive: true, force: true }) });
  const smsc = closeLater(new SmscSimulator());
  const port = await smsc.listen();
  const make = () =>
    closeLater(
      new PushClient({
        smsc: `smpp://c:p@127.0.0.1:${port}`,
        store: join(dir, 'registrations.json'),
        linkOptions: { enquireLinkMs: 0 },
      }),
    );
  return { dir, make };
}

describe('registration store', () => {
  it('restores registrations after a restart, which then deliver and deregister', async () => {
    const { dir, make } = await setup();
    const first = make();
    await first.start();
    for (const req of [
      {
        pushApplicationId: 0x02,
        applicationId: 'urn:inbox',
        whitelist: [{ address: '+15550001' }],
        accept: ['application/vnd.wap.sic'],
      },
      { pushApplicationId: 0x04, connectionProfiles: [{ port: 2948 }] },
    ]) {
      const r = await first.register({ ...req, handler: () => {} });
      if (r.status !== 'accepted') throw new Error('refused');
      await r.completed;
    }
    await first.close();
    const saved = JSON.parse(readFileSync(join(dir, 'registrations.json'), 'utf8'));
    expect(saved.version).toBe(1);
    expect(saved.registrations.map((r: { pushApplicationId: number }) => r.pushApplicationId)).toEqual([2, 4]);
    expect(readdirSync(dir)).toEqual(['registrations.json']);

    const second = make();
    await second.start();
    expect(second.registrations().map((r) => [r.pushApplicationId, r.state, r.restored])).toEqual([
      ['x-wap-application:wml.ua', 'active', true],
      ['x-wap-application:mms.ua', 'active', true],
    ]);
    expect(second.whitelist()).toEqual([{ address: '+15550001', owners: [1] }]);
    // The MMS registration names no Accept list: any content type.
    expect(second.cpi().accept).toEqual(['*/*', 'application/vnd.wap.sic']);
    const pushed: PushEvent[] = [];
    second.on('push', (e) => pushed.push(e));
    second.deliverDatagram(datagram(siPush(), { originator: '+15550001' }));
    expect(pushed).toHaveLength(1);
    // The inbox comes back and claims its registration; the unnamed MMS one is claimed by its binding.
    const box = inbox();
    const again = await second.register({
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:inbox',
      handler: box.handler,
    });
    expect(again.status).toBe('accepted');
    if (again.status === 'accepted') await again.completed;
    second.deliverDatagram(datagram(siPush(), { originator: '+15550001' }));
    expect(box.got).toHaveLength(1);
    const mms = await second.register({ pushApplicationId: 4 });
    expect(mms.status).toBe('accepted');
    if (mms.status === 'accepted') expect(await mms.completed).toEqual({ status: 'success' });
    expect(await second.deregister(4)).toEqual({ status: 'success' });
    await second.close();
    const third = make();
    await third.start();
    expect(third.registrations().map((r) => r.applicationId)).toEqual(['urn:inbox']);
  });

  it('refuses a corrupt store instead of starting empty', async () => {
    const { dir, make } = await setup();
    writeFileSync(join(dir, 'registrations.json'), '{"version":1,"registrations":[');
    await expect(make().start()).rejects.toBeInstanceOf(RegistrationStoreError);
  });
});
