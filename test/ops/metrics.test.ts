// /metrics scraped over HTTP as Prometheus would, and read with a strict parser of the text
// format: the families are there with their types, and their values move with real traffic
// (SMPP on loopback through the simulator, the PushClient, a PPG taking PAP requests).
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { OpsServer } from '../../src/ops/health.js';
import { Metrics } from '../../src/ops/metrics.js';
import { Ppg } from '../../src/ppg/ppg.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { segmentTakerOf } from '../../src/store/base.js';
import { openStore } from '../../src/store/open.js';
import type { SegmentOutcome, StoredSegment } from '../../src/store/types.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { siPush } from '../cai/helpers.js';
import { until } from '../helpers.js';
import { MULTIPART, pushBody } from '../ppg/papFixtures.js';
import { basic } from '../ppg/harness.js';
import { parseExposition, sampleValue } from './exposition.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
function later<T extends { close(): Promise<void> }>(x: T): T {
  open.push(x);
  return x;
}

async function scrape(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function serve(metrics: Metrics): Promise<number> {
  return later(new OpsServer({ port: 0, metrics, ready: () => ({}) })).listen();
}

describe('metrics of the receiving side (listen)', () => {
  it('counts PDUs, pushes, unrouted reasons, per-application deliveries and handler latency', async () => {
    const metrics = new Metrics({ process: false });
    const smsc = later(new SmscSimulator({ metrics }));
    const smscPort = await smsc.listen();
    const store = metrics.observeStore(await openStore('memory'));
    later(store);
    const client = later(
      new PushClient({
        smsc: `smpp://client:secret@127.0.0.1:${smscPort}`,
        store,
        linkOptions: { enquireLinkMs: 0 },
        otaHttp: false,
        metrics,
      }),
    );
    await client.start();
    const handled: string[] = [];
    const r = await client.register({
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:test:inbox',
      handler: (e) => void handled.push(e.contentType),
    });
    expect(r.status).not.toBe('rejected');
    const port = await serve(metrics);

    const before = await scrape(port);
    expect(before.get('wappush_pushes_received_total')?.type).toBe('counter');
    expect(sampleValue(before, 'wappush_pushes_received_total')).toBe(0);
    expect(before.get('wappush_smpp_bound')?.type).toBe('gauge');
    expect(before.get('wappush_segment_to_handler_seconds')?.type).toBe('histogram');

    const submitter = later(new SmppSubmitter(`smpp://ppg:x@127.0.0.1:${smscPort}`));
    await submitter.start();
    // Three pushes to the registered application, two to one nobody registered.
    for (let i = 0; i < 3; i++) await submitter.submit(siPush({ text: `m${i}` }), { to: '+447700900001' });
    for (let i = 0; i < 2; i++)
      await submitter.submit(siPush({ text: `u${i}`, applicationId: 'urn:test:nobody' }), { to: '+447700900001' });
    await until(() => smsc.stats.delivered === 5 && handled.length === 3, 10_000, 'five deliveries');

    const after = await scrape(port);
    const bind = { system_id: 'client', direction: 'in', command: 'deliver_sm', status: '0x00000000' };
    expect(sampleValue(after, 'wappush_smpp_pdus_total', bind)).toBe(5);
    expect(
      sampleValue(after, 'wappush_smpp_pdus_total', {
        direction: 'out',
        command: 'deliver_sm_resp',
        status: '0x00000000',
      }),
    ).toBe(5);
    expect(sampleValue(after, 'wappush_smpp_bound', { system_id: 'client' })).toBe(1);
    expect(sampleValue(after, 'wappush_smpp_binds_total', { system_id: 'client' })).toBe(1);
    expect(sampleValue(after, 'wappush_pushes_received_total')).toBe(5);
    expect(sampleValue(after, 'wappush_pushes_routed_total')).toBe(3);
    expect(sampleValue(after, 'wappush_pushes_unrouted_total', { reason: 'no-registration' })).toBe(2);
    expect(sampleValue(after, 'wappush_pushes_delivered_total', { application: 'urn:test:inbox' })).toBe(3);
    expect(sampleValue(after, 'wappush_queue_depth', { application: 'urn:test:inbox' })).toBe(0);
    expect(sampleValue(after, 'wappush_reassembly_completed_total')).toBe(5);
    expect(sampleValue(after, 'wappush_segment_to_handler_seconds_count')).toBe(5);
    expect(sampleValue(after, 'wappush_segment_to_handler_seconds_bucket', { le: '+Inf' })).toBe(5);
    // The simulator's own families, from the same registry.
    expect(sampleValue(after, 'wappush_smsc_submitted_total')).toBe(5);
    expect(sampleValue(after, 'wappush_smsc_delivered_total')).toBe(5);
    expect(sampleValue(after, 'wappush_smsc_bound_sessions')).toBe(2);
    // No password in any label.
    for (const f of after.values())
      for (const s of f.samples) expect(Object.values(s.labels).join(' ')).not.toContain('secret');
  }, 30_000);

  it('times store operations by backend and operation, and counts each result', async () => {
    const metrics = new Metrics({ process: false });
    const store = later(metrics.observeStore(await openStore('memory')));
    await store.registrations.put('a', { x: 1 });
    await store.registrations.put('b', { x: 2 });
    await store.registrations.delete('a');
    const port = await serve(metrics);
    const m = await scrape(port);
    const ok = { backend: 'memory', operation: 'registrations.put', result: 'ok' };
    expect(sampleValue(m, 'wappush_store_operations_total', ok)).toBe(2);
    expect(sampleValue(m, 'wappush_store_operation_seconds_count', { operation: 'registrations.put' })).toBe(2);
    expect(sampleValue(m, 'wappush_store_operations_total', { operation: 'registrations.delete' })).toBe(1);
    expect(sampleValue(m, 'wappush_store_available', { backend: 'memory' })).toBe(1);
  });

  it("counts and times the link's callback path to the store like the table calls", async () => {
    // The link reaches memory and lmdb through SegmentTaker, not the segments table: an
    // observed store must still count those adds and finishes.
    const metrics = new Metrics({ process: false });
    const store = later(metrics.observeStore(await openStore('memory')));
    const taker = segmentTakerOf(store);
    const part = (sequence: number): StoredSegment => ({
      originator: '+15550001',
      recipient: '1234',
      destinationPort: 2948,
      reference: 9,
      referenceBits: 8,
      total: 2,
      sequence,
      data: Uint8Array.of(sequence),
    });
    const add = (sequence: number) =>
      new Promise<SegmentOutcome | undefined>((resolve, reject) =>
        taker.addSegment(part(sequence), (error, outcome) => (error === undefined ? resolve(outcome) : reject(error))),
      );
    expect((await add(1))?.status).toBe('held');
    const completed = await add(2);
    if (completed?.status !== 'complete') throw new Error(`expected the message to complete, got ${completed?.status}`);
    await new Promise<void>((resolve, reject) =>
      taker.finishMessage(completed.message, (error) => (error === undefined ? resolve() : reject(error))),
    );
    const m = await scrape(await serve(metrics));
    const labels = (operation: string) => ({ backend: 'memory', operation, result: 'ok' });
    expect(sampleValue(m, 'wappush_store_operations_total', labels('segments.add'))).toBe(2);
    expect(sampleValue(m, 'wappush_store_operations_total', labels('segments.finish'))).toBe(1);
    expect(sampleValue(m, 'wappush_store_operation_seconds_count', { operation: 'segments.add' })).toBe(2);
  });

  it('a link reconnecting and refused binds show in their counters', async () => {
    const metrics = new Metrics({ process: false });
    const smsc = later(new SmscSimulator({ accounts: [{ systemId: 'good', password: 'pw' }] }));
    const smscPort = await smsc.listen();
    const link = later(new EsmeLink({ smsc: `smpp://bad:nope@127.0.0.1:${smscPort}`, enquireLinkMs: 0 }));
    metrics.observe(link);
    await expect(link.start()).rejects.toThrow(/bind refused/);
    const m = await scrape(await serve(metrics));
    expect(sampleValue(m, 'wappush_smpp_binds_refused_total', { system_id: 'bad' })).toBe(1);
    expect(sampleValue(m, 'wappush_smpp_bound', { system_id: 'bad' })).toBe(0);
  });
});

describe('metrics of the PPG', () => {
  it('counts PAP answers by status and code, outcomes, and times accept-to-receipt', async () => {
    const metrics = new Metrics({ process: false });
    const smsc = later(
      new SmscSimulator({
        accounts: [
          { systemId: 'ppg', password: 'secret' },
          { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
        ],
      }),
    );
    const smscPort = await smsc.listen();
    const phone = later(new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${smscPort}`, enquireLinkMs: 0 }));
    await phone.start();
    const ppg = later(
      new Ppg({
        smsc: `smpp://ppg:secret@127.0.0.1:${smscPort}`,
        initiators: [{ name: 'pi', password: 'pi-secret' }],
        metrics,
      }),
    );
    const url = `http://127.0.0.1:${await ppg.start()}/wappush`;
    const outcomes: string[] = [];
    ppg.on('outcome', (o) => outcomes.push(o.state));
    const post = (body: Buffer, auth: string) =>
      fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': MULTIPART, authorization: auth },
        signal: AbortSignal.timeout(5_000),
      }).then((r) => r.status);
    expect(await post(pushBody({ pushId: 'p1@example.com' }), basic('pi', 'pi-secret'))).toBe(202);
    expect(await post(pushBody({ pushId: 'p2@example.com' }), basic('pi', 'pi-secret'))).toBe(202);
    expect(await post(pushBody({ pushId: 'p3@example.com' }), basic('pi', 'wrong'))).toBe(401);
    await until(() => outcomes.length === 2, 10_000, 'two outcomes');
    const m = await scrape(await serve(metrics));
    expect(sampleValue(m, 'wappush_ppg_requests_total', { status: '202', code: '1001' })).toBe(2);
    expect(sampleValue(m, 'wappush_ppg_requests_total', { status: '401' })).toBe(1);
    expect(sampleValue(m, 'wappush_ppg_outcomes_total', { state: 'delivered' })).toBe(2);
    expect(sampleValue(m, 'wappush_pap_accept_to_receipt_seconds_count', { state: 'delivered' })).toBe(2);
    expect(sampleValue(m, 'wappush_ppg_bound')).toBe(1);
  }, 30_000);
});
