// `wappush ppg` as a service: its metrics port answers /readyz once bound and /metrics with the
// PPG's families, its logs are JSON with the SMSC password masked, and SIGTERM exits 0.
import { afterEach, describe, expect, it } from 'vitest';
import { ppgBehindSimulator } from '../ppg/behindSimulator.js';
import { parseExposition, sampleValue } from './exposition.js';
import { get } from './service.js';

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('ppg as a service', () => {
  it('ready once bound, its metrics scraped, stopped by SIGTERM with exit 0', async () => {
    const behind = await ppgBehindSimulator(['--metrics-port', '0'], {
      password: 'sEcr3t',
      phone: false,
      listeningMs: 15_000,
    });
    cleanup.push(() => behind.close());
    const { ppg } = behind;
    const smscPort = behind.sim.port;
    const port = await ppg.metricsPort();
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
