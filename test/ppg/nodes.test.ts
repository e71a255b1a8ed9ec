// Two PPGs on one Redis store, one SMSC account (each its own transceiver bind): each push is
// sent by one PPG, a dead PPG's pushes are taken up by the live one, a receipt that comes over
// the other PPG's bind settles the right push, and a cancel at the PPG that does not hold the
// push changes nothing there. A real redis-server and the SMSC simulator on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { Ppg } from '../../src/ppg/ppg.js';
import { PushRecords } from '../../src/ppg/pushRecord.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { redisServer, useRedis } from '../store/backends.js';
import { simulatorWithPhone, type SimulatorWithPhone } from './behindSimulator.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

useRedis();

const NODE_TTL_MS = 1_000;
const TAKEOVER_MS = 200;

let sim: SimulatorWithPhone | undefined;
const open: Array<{ close(): Promise<void> }> = [];
let prefixes = 0;
let prefix = '';

afterEach(async () => {
  while (open.length) await open.pop()!.close();
  await sim?.close();
  sim = undefined;
});

async function node(): Promise<Store> {
  const s = await openStore(redisServer().url, { prefix, nodeTtlMs: NODE_TTL_MS });
  open.unshift(s);
  return s;
}

/** A PPG on `store` bound to the simulator's PPG account; closed before the stores. */
async function ppgOn(
  store: Store,
  takeoverMs = TAKEOVER_MS,
  statusWriteMs?: number,
  retentionMs?: number,
): Promise<{ ppg: Ppg; url: string }> {
  const ppg = new Ppg({
    smsc: sim!.smscUrl,
    store,
    takeoverMs,
    statusWriteMs,
    retentionMs,
    initiators: [{ name: 'pi', password: 'pi-secret' }],
  });
  const port = await ppg.start();
  open.unshift(ppg);
  return { ppg, url: `http://127.0.0.1:${port}/wappush` };
}

async function setup() {
  prefix = `nodes${++prefixes}:`;
  sim = await simulatorWithPhone();
  const storeA = await node();
  const storeB = await node();
  // A binds first: the simulator gives every receipt of the account to the first bind.
  const a = await ppgOn(storeA);
  return { storeA, storeB, a };
}

/** deliver-after `ms` from now, to the second below: between ms - 1,000 and ms ahead. */
const at = (ms: number) => ` deliver-after-timestamp="${new Date(Date.now() + ms).toISOString().slice(0, 19)}Z"`;

async function push(
  url: string,
  pushId: string,
  attributes = '',
  addresses = ['WAPPUSH=+15551112222/TYPE=PLMN@x'],
): Promise<void> {
  const r = await post(url, pushBody({ pushId, addresses, attributes }), MULTIPART);
  expect(attr(r.text, 'response-result', 'code')).toBe('1001');
}

const state = async (url: string, pushId: string) =>
  attr(
    (await post(url, queryXml('statusquery-message', pushId), 'application/xml')).text,
    'statusquery-result',
    'message-state',
  );

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two PPGs on one Redis store', () => {
  it('a PPG starting beside a live one leaves its pushes alone: each is sent once', async () => {
    const { storeB, a } = await setup();
    // Sent 2.5-3.5 s from now: B's start and first looks come well before A sends it.
    await push(a.url, 'deferred', at(3_500));
    const b = await ppgOn(storeB);
    await until(() => sim!.phone.length >= 1, 'the deferred push sent', 6_000);
    await pause(1_000);
    expect(sim!.smsc.stats.submitted).toBe(1);
    expect(sim!.phone).toHaveLength(1);
    expect(b.ppg.inProgress).toBe(0);
    // The other PPG answers from the shared record.
    await until(async () => (await state(b.url, 'deferred')) === 'delivered', 'delivered, asked of B');
  });

  it("a dead PPG's unsent push is taken up by the live one; an earlier version's only at a start", async () => {
    const { storeA, storeB, a } = await setup();
    const b = await ppgOn(storeB);
    const taken: unknown[] = [];
    b.ppg.on('taken-up', (t) => taken.push(t));
    await push(a.url, 'orphan', at(2_000));
    // A record as an earlier version writes it (no owner), of a PPG that may still run.
    const records = new PushRecords(storeB.pushes);
    const { owner, ...legacy } = (await records.get('pi', 'orphan'))!;
    expect(owner).toBe(storeA.nodeId);
    await records.put({ ...legacy, pushId: 'legacy' });
    // A dies: its node's liveness gone (a crash: nodeTtlMs later), nothing let go.
    await storeA.close();
    a.ppg.on('store-error', () => {});
    await a.ppg.close();
    expect(sim!.phone).toHaveLength(0);
    await until(() => sim!.phone.length === 1, 'the orphan sent by B', 5_000);
    expect(taken).toEqual([{ pushes: 1, from: { [storeA.nodeId]: 1 }, atStart: false }]);
    await until(async () => (await state(b.url, 'orphan')) === 'delivered', 'orphan delivered');
    await pause(4 * TAKEOVER_MS);
    // Counted at the SMSC: the phone drops the legacy push's SMS as a repeat of the orphan's.
    expect(sim!.smsc.stats.submitted).toBe(1);
    expect(await state(b.url, 'legacy')).toBe('pending');
    // A PPG that starts takes it up, as that version's restart did.
    const c = await ppgOn(await node());
    await until(() => sim!.smsc.stats.submitted === 2, 'the legacy push sent by C', 5_000);
    await until(async () => (await state(c.url, 'legacy')) === 'delivered', 'legacy delivered');
    expect(sim!.smsc.stats.submitted).toBe(2);
  });

  it('a PPG that closes lets its unsent pushes go to a live one at once', async () => {
    const { storeB, a } = await setup();
    const b = await ppgOn(storeB);
    await push(a.url, 'handed', at(60_000));
    // Its store stays open (the node still live): only letting go makes B take it.
    await a.ppg.close();
    await until(() => b.ppg.inProgress === 1, 'B holds the push A let go', 3_000);
  });

  it("a receipt over the other PPG's bind settles the right push", async () => {
    const { storeB } = await setup();
    const b = await ppgOn(storeB);
    await push(b.url, 'via-b');
    await until(() => sim!.phone.length === 1, 'sent', 5_000);
    await until(async () => (await state(b.url, 'via-b')) === 'delivered', 'settled by A-bound receipt', 5_000);
    await until(() => b.ppg.inProgress === 0, 'B let the push go');
  });

  it('a cancel at the PPG not holding the push changes nothing: 4001, and it is still sent', async () => {
    const { storeB, a } = await setup();
    const b = await ppgOn(storeB);
    await push(a.url, 'held', at(3_000));
    const r = await post(b.url, queryXml('cancel-message', 'held'), 'application/xml');
    expect(attr(r.text, 'cancel-result', 'code')).toBe('4001');
    expect(await state(b.url, 'held')).toBe('pending');
    await until(() => sim!.phone.length === 1, 'the push sent by A all the same', 5_000);
    await until(async () => (await state(a.url, 'held')) === 'delivered', 'held delivered');
    // At the PPG holding it, a cancel works as ever.
    await push(a.url, 'mine', at(5_000));
    const c = await post(a.url, queryXml('cancel-message', 'mine'), 'application/xml');
    expect(attr(c.text, 'cancel-result', 'code')).toBe('1000');
  });

  it('a cancel that takes up a let-go push past its time: nothing is sent of what it cancelled', async () => {
    const { a } = await setup();
    // B looks only at start: the cancel alone takes the push up.
    const b = await ppgOn(await node(), 60_000);
    const three = ['+15551110001', '+15551110002', '+15551110003'].map((n) => `WAPPUSH=${n}/TYPE=PLMN@x`);
    await push(a.url, 'three', at(1_500), three);
    await a.ppg.close();
    await pause(1_600);
    const r = await post(b.url, queryXml('cancel-message', 'three'), 'application/xml');
    const codes = [...r.text.matchAll(/<cancel-result\b[^>]*code="(\d+)"/g)].map((x) => x[1]);
    expect(codes, r.text).toEqual(['1000', '1000', '1000']);
    await pause(1_000);
    expect(sim!.smsc.stats.submitted).toBe(0);
    expect(sim!.phone).toHaveLength(0);
  });

  it("a PPG with takeoverMs 0 on Redis still leaves a live PPG's pushes alone at start", async () => {
    const { storeB, a } = await setup();
    await push(a.url, 'kept', at(3_000));
    const b = await ppgOn(storeB, 0);
    expect(b.ppg.inProgress).toBe(0);
    await until(() => sim!.phone.length >= 1, 'the deferred push sent', 5_000);
    await pause(1_000);
    expect(sim!.smsc.stats.submitted).toBe(1);
    expect(b.ppg.inProgress).toBe(0);
  });

  it("a cancel does not take up an earlier version's record: 4001, as at the periodic look", async () => {
    const { storeA, storeB, a } = await setup();
    const b = await ppgOn(storeB);
    await push(a.url, 'source', at(60_000));
    const records = new PushRecords(storeA.pushes);
    const { owner: _owner, ...legacy } = (await records.get('pi', 'source'))!;
    await records.put({ ...legacy, pushId: 'legacy' });
    const r = await post(b.url, queryXml('cancel-message', 'legacy'), 'application/xml');
    expect(attr(r.text, 'cancel-result', 'code')).toBe('4001');
    expect(b.ppg.inProgress).toBe(0);
    expect(await state(b.url, 'legacy')).toBe('pending');
  });

  it("two live PPGs take a dead one's push up once: the lease decides", async () => {
    const { storeA, a } = await setup();
    // The takers write themselves the owner late: till then only the lease keeps the other off.
    const b = await ppgOn(await node(), TAKEOVER_MS, 3_000);
    const c = await ppgOn(await node(), TAKEOVER_MS, 3_000);
    const taken: unknown[] = [];
    for (const p of [b, c]) p.ppg.on('taken-up', (t) => taken.push(t));
    await push(a.url, 'orphan', at(1_500));
    await storeA.close();
    a.ppg.on('store-error', () => {});
    await a.ppg.close();
    await until(() => taken.length > 0, 'taken up', 5_000);
    await until(() => sim!.phone.length === 1, 'the orphan sent', 5_000);
    await pause(1_500);
    expect(taken).toEqual([{ pushes: 1, from: { [storeA.nodeId]: 1 }, atStart: false }]);
    expect(sim!.smsc.stats.submitted).toBe(1);
    expect(b.ppg.inProgress + c.ppg.inProgress).toBeLessThanOrEqual(1);
  });

  it('retention leaves alone a push-id removed elsewhere and accepted again', async () => {
    const { storeA, a } = await setup();
    const b = await ppgOn(await node(), TAKEOVER_MS, undefined, 3_000);
    await push(a.url, 'again');
    await until(async () => (await state(b.url, 'again')) === 'delivered', 'delivered', 5_000);
    await pause(4 * TAKEOVER_MS);
    // Removed by another PPG's retention, then the push-id accepted again (deferred).
    const records = new PushRecords(storeA.pushes);
    await records.delete('pi', 'again');
    await push(a.url, 'again', at(60_000));
    await pause(4_000);
    expect(await state(b.url, 'again')).toBe('pending');
    expect(a.ppg.inProgress).toBe(1);
  });

  it("a PPG whose store reuses a live node's nodeId refuses to start: nothing sent twice", async () => {
    const { storeA, a } = await setup();
    await push(a.url, 'once', at(1_500));
    const twin = await openStore(redisServer().url, { prefix, nodeTtlMs: NODE_TTL_MS, nodeId: storeA.nodeId });
    open.unshift(twin);
    expect(twin.nodeWasLive).toBe(true);
    await expect(ppgOn(twin)).rejects.toThrow(/live in the store already/);
    await until(() => sim!.phone.length === 1, 'sent by A', 5_000);
    await pause(1_000);
    expect(sim!.smsc.stats.submitted).toBe(1);
  });
});
