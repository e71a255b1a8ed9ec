// The whole path on loopback: SmppSubmitter -> SMSC simulator -> EsmeLink -> PushClient -> applications.
import { describe, expect, it } from 'vitest';
import { PushClient, type UnroutedPush } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { closeLater, inbox, siPush, slPush, until } from './helpers.js';

async function stack(faults: ConstructorParameters<typeof SmscSimulator>[0] = {}) {
  const smsc = closeLater(new SmscSimulator(faults));
  const port = await smsc.listen();
  const client = closeLater(
    new PushClient({
      smsc: `smpp://client:pw@127.0.0.1:${port}`,
      linkOptions: { enquireLinkMs: 0, reconnect: { initialMs: 10, maxMs: 50 } },
    }),
  );
  await client.start();
  const ppg = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
  await ppg.start();
  closeLater(ppg);
  return { smsc, client, ppg };
}

describe('end to end over SMPP on loopback', () => {
  it('delivers single and multi-segment pushes to their applications and reports the rest', async () => {
    const { client, ppg } = await stack();
    const si = inbox();
    const sl = inbox();
    const unrouted: UnroutedPush[] = [];
    client.on('unrouted', (u) => unrouted.push(u));
    for (const req of [
      {
        pushApplicationId: 'x-wap-application:wml.ua',
        applicationId: 'urn:demo:inbox',
        accept: ['application/vnd.wap.sic'],
        whitelist: [{ address: '+15550001' }],
        handler: si.handler,
      },
      {
        pushApplicationId: 0x02,
        applicationId: 'urn:demo:loader',
        accept: ['application/vnd.wap.slc'],
        connectionProfiles: [{ port: 2948 }],
        handler: sl.handler,
      },
    ]) {
      const r = await client.register(req);
      // Same App ID, same port: the loader is a duplicate of the inbox.
      if (r.status === 'rejected') expect(r.reason).toBe('duplicate-application-id');
      else expect(await r.completed).toEqual({ status: 'success' });
    }
    const loader = await client.register({
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:demo:loader',
      accept: ['application/vnd.wap.slc'],
      connectionProfiles: [{ port: 49_200 }],
      handler: sl.handler,
    });
    expect(loader.status).toBe('accepted');
    if (loader.status === 'accepted') await loader.completed;

    await ppg.submit(siPush({ text: 'single' }), { to: '+15559999', from: '+15550001' });
    await ppg.submit(siPush({ text: 'long '.repeat(80) }), { to: '+15559999', from: '+15550001' });
    await ppg.submit(slPush(`http://example.com/${'x'.repeat(300)}`), {
      to: '+15559999',
      from: '+15550001',
      destinationPort: 49_200,
    });
    await ppg.submit(siPush({ text: 'spam' }), { to: '+15559999', from: '+19990000' });
    await ppg.submit(siPush({ applicationId: 0x9999 }), { to: '+15559999', from: '+15550001' });
    await until(() => si.got.length + sl.got.length + unrouted.length >= 5);
    expect(si.got.map((e) => (e.body as { text: string }).text.slice(0, 10))).toEqual(['single', 'long long ']);
    expect(si.got[1].datagram?.segments).toBeGreaterThan(1);
    expect(sl.got).toHaveLength(1);
    expect(sl.got[0].datagram?.segments).toBeGreaterThan(1);
    expect(sl.got[0].port).toBe(49_200);
    expect(unrouted.map((u) => u.reason)).toEqual(['whitelist', 'no-registration']);
  });

  it('delivers 2,000 pushes exactly once to each application while the SMSC drops, duplicates and reorders', async () => {
    const { smsc, client, ppg } = await stack({
      faults: { dropProbability: 0.01, duplicateProbability: 0.03, reorderProbability: 0.05 },
    });
    const counts = new Map<string, number>();
    const count = (e: PushEvent) => {
      const id = (e.body as { siId: string }).siId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    };
    let slowCalls = 0;
    for (const [app, handler] of [
      [0x02, count],
      [
        0x04,
        async (e: PushEvent) => {
          slowCalls++;
          await new Promise((r) => setTimeout(r, 0));
          count(e);
        },
      ],
    ] as const) {
      const r = await client.register({ pushApplicationId: app, handler });
      if (r.status !== 'accepted') throw new Error(r.message);
      await r.completed;
    }
    const n = 2_000;
    for (let i = 0; i < n; i++) {
      const text = i % 5 === 0 ? `long ${'y'.repeat(200)}` : 'short';
      await ppg.submit(siPush({ siId: `id-${i}`, text, applicationId: i % 2 ? 0x04 : 0x02 }), {
        to: '+15559999',
        from: '+15550001',
      });
    }
    await until(() => counts.size === n, 20_000);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(slowCalls).toBe(n / 2);
    expect(smsc.stats.duplicatesInjected).toBeGreaterThan(0);
    expect(client.stats.unrouted).toBe(0);
  }, 30_000);
});

describe('overload: overflow "redeliver" hands full-queue pushes back to the SMSC', () => {
  it('every push reaches a stalled application exactly once, after the SMSC retries', async () => {
    const smsc = closeLater(new SmscSimulator({ retry: { initialMs: 20, maxMs: 50 } }));
    const port = await smsc.listen();
    const client = closeLater(
      new PushClient({
        smsc: `smpp://client:pw@127.0.0.1:${port}`,
        overflow: 'redeliver',
        maxQueuedPerApplication: 1,
        linkOptions: { enquireLinkMs: 0 },
      }),
    );
    await client.start();
    const seen: string[] = [];
    let open = () => {};
    const gate = new Promise<void>((res) => (open = res));
    const r = await client.register({
      pushApplicationId: 0x02,
      // Stalls until the gate opens: the queue (one push) fills and the rest must be deferred.
      handler: async (e) => {
        await gate;
        seen.push((e.body as { siId: string }).siId);
      },
    });
    if (r.status !== 'accepted') throw new Error('refused');
    await r.completed;
    const ppg = closeLater(new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`));
    await ppg.start();
    for (let i = 0; i < 8; i++)
      await ppg.submit(siPush({ siId: `p${i}`, text: i === 3 ? 'long '.repeat(60) : 'short' }), { to: '+15559999' });
    await until(() => client.stats.deferred > 0, 3_000);
    open();
    await until(() => seen.length === 8, 10_000);
    // Waits for something that must NOT happen: a push redelivered after it was taken.
    await new Promise((res) => setTimeout(res, 200));
    expect([...seen].sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(client.stats.overflowed).toBe(0);
  }, 20_000);
});
