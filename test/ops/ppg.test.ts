// `wappush ppg` as a service: its metrics port answers /readyz once bound and /metrics with the
// PPG's families, its logs are JSON with the SMSC password masked, and SIGTERM exits 0.
import { afterEach, describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { until } from '../helpers.js';
import { parseExposition, sampleValue } from './exposition.js';
import { get, Service } from './service.js';

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('ppg as a service', () => {
  it('ready once bound, its metrics scraped, stopped by SIGTERM with exit 0', async () => {
    const smsc = new SmscSimulator({ accounts: [{ systemId: 'ppg', password: 'sEcr3t' }] });
    const smscPort = await smsc.listen();
    cleanup.push(() => smsc.close());
    const ppg = new Service([
      'ppg',
      '--smsc',
      `smpp://ppg:sEcr3t@127.0.0.1:${smscPort}`,
      '--port',
      '0',
      '--store',
      'memory',
      '--metrics-port',
      '0',
    ]);
    cleanup.push(() => ppg.stop('SIGKILL'));
    const port = await ppg.metricsPort();
    await until(() => ppg.stdout.length > 0, 15_000, 'listening');
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, checks: { bound: true, store: true } });
    const m = parseExposition((await get(port, '/metrics')).body);
    expect(m.get('wappush_ppg_requests_total')?.type).toBe('counter');
    expect(m.get('wappush_pap_accept_to_receipt_seconds')?.type).toBe('histogram');
    expect(sampleValue(m, 'wappush_ppg_bound')).toBe(1);
    expect(sampleValue(m, 'wappush_store_available', { backend: 'memory' })).toBe(1);
    expect(m.get('wappush_process_resident_memory_bytes')?.type).toBe('gauge');
    expect(await ppg.stop()).toEqual({ code: 0, signal: null });
    expect(ppg.stderr).not.toContain('sEcr3t');
    expect((await ppg.log('config')).smsc).toBe(`smpp://ppg:***@127.0.0.1:${smscPort}`);
    expect((await ppg.log('stopped')).signal).toBe('SIGTERM');
  }, 30_000);
});
