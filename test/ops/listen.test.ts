// `wappush listen` run as a service: its logs are JSON lines on stderr (no password in them),
// /healthz and /readyz on the metrics port in both states, and a SIGTERM in the middle of
// traffic loses nothing. Needs dist/ (npm run build); the SMSC simulator runs in the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { until } from '../helpers.js';
import { pushPdu, tally } from '../durable/pushes.js';
import { freePort, get, Service } from './service.js';

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const PASSWORD = 'pw9f3e7a';

describe('listen: logs and health', () => {
  it('is alive but not ready until bound, ready once bound, not ready when the SMSC goes; logs each as JSON', async () => {
    const smscPort = await freePort();
    const listen = new Service([
      'listen',
      '--smsc',
      `smpp://client:${PASSWORD}@127.0.0.1:${smscPort}`,
      '--store',
      'memory',
      '--metrics-port',
      '0',
      '--log-level',
      'debug',
    ]);
    cleanup.push(() => listen.stop('SIGKILL'));
    const port = await listen.metricsPort();
    // Nothing listens on the SMSC port yet: alive, not ready, and reconnecting with a delay.
    expect(await get(port, '/healthz')).toEqual({ status: 200, body: '{"status":"ok"}\n' });
    const notReady = await get(port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toEqual({ ready: false, checks: { bound: false, store: true } });
    const reconnect = await listen.log('reconnect');
    expect(reconnect.delayMs).toEqual(expect.any(Number));

    const smsc = new SmscSimulator({ port: smscPort, accounts: [{ systemId: 'client', password: PASSWORD }] });
    await smsc.listen();
    cleanup.push(() => smsc.close());
    await listen.log('bind');
    await until(async () => (await get(port, '/readyz')).status === 200, 10_000, 'ready');
    expect(JSON.parse((await get(port, '/readyz')).body)).toEqual({
      ready: true,
      checks: { bound: true, store: true },
    });

    await smsc.close();
    await until(async () => (await get(port, '/readyz')).status === 503, 10_000, 'not ready again');
    expect(await get(port, '/healthz')).toMatchObject({ status: 200 });

    // Every stderr line is a JSON record with a level, a time and an event; no password anywhere.
    expect(listen.logs.length).toBeGreaterThan(3);
    for (const r of listen.logs) {
      expect(r.unparsable).toBeUndefined();
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(r.level);
      expect(new Date(r.time as string).toISOString()).toBe(r.time);
      expect(typeof r.event).toBe('string');
    }
    expect(listen.stderr).not.toContain(PASSWORD);
    expect((await listen.log('config')).smsc).toEqual([`smpp://client:***@127.0.0.1:${smscPort}`]);
    expect(listen.stdout).toEqual([]);
  }, 60_000);

  it('--log-level warn keeps info records off stderr; a level it does not know is the error line', async () => {
    const smsc = new SmscSimulator({});
    const smscPort = await smsc.listen();
    cleanup.push(() => smsc.close());
    const listen = new Service([
      'listen',
      '--smsc',
      `smpp://c:p@127.0.0.1:${smscPort}`,
      '--store',
      'memory',
      '--log-level',
      'warn',
    ]);
    cleanup.push(() => listen.stop('SIGKILL'));
    await until(() => smsc.stats.binds === 1, 15_000, 'the bind');
    expect(await listen.stop()).toEqual({ code: 0, signal: null });
    expect(listen.logs.filter((r) => r.level === 'info')).toEqual([]);

    const bad = new Service(['listen', '--smsc', 'smpp://c:p@127.0.0.1:1', '--log-level', 'chatty']);
    expect((await bad.exited).code).toBe(1);
    expect(bad.logs).toHaveLength(1);
    expect(bad.logs[0]).toMatchObject({ error: { code: 'BAD_INPUT' } });
    expect(JSON.stringify(bad.logs[0])).toContain('--log-level takes trace, debug, info, warn, error, fatal, silent');
  }, 60_000);
});

describe('listen: SIGTERM in the middle of traffic', () => {
  const PUSHES = 60;

  it(`drains, unbinds and exits 0; after a restart each of ${PUSHES} three-segment pushes is out exactly once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-sigterm-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(smppShortMessages(pushPdu(0), { reference: 1 })).toHaveLength(3);
    const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 200 }, responseTimeoutMs: 2_000 });
    const smscPort = await smsc.listen();
    cleanup.push(() => smsc.close());
    const args = ['listen', '--smsc', `smpp://client:pw@127.0.0.1:${smscPort}`, '--store', join(dir, 'state')];
    const first = new Service([...args, '--drain-timeout', '5000']);
    cleanup.push(() => first.stop('SIGKILL'));
    await until(() => smsc.stats.binds === 1, 15_000, 'the first bind');

    const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${smscPort}`);
    await submitter.start();
    cleanup.push(() => submitter.close());
    const sending = (async () => {
      for (let i = 0; i < PUSHES; i += 5) {
        const batch = Array.from({ length: 5 }, (_, k) => i + k);
        await Promise.all(batch.map((n) => submitter.submit(pushPdu(n), { to: '+447700900123', from: '9200' })));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Mid-traffic: some pushes out, more on their way.
    await until(() => tally(first.stdout).seen.size >= 10, 30_000, 'ten pushes out');
    const exit = await first.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await first.log('stopped')).signal).toBe('SIGTERM');
    const before = tally(first.stdout).seen.size;
    expect(before).toBeLessThan(PUSHES);

    const second = new Service(args);
    cleanup.push(() => second.stop('SIGKILL'));
    await sending;
    const all = () => [...first.stdout, ...second.stdout];
    await until(() => tally(all()).seen.size === PUSHES, 60_000, `all ${PUSHES} pushes out`);
    // Waits for something that must NOT happen: a duplicate of a push, which would come now.
    await new Promise((r) => setTimeout(r, 300));
    const { seen, wrong } = tally(all());
    expect(wrong).toEqual([]);
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
