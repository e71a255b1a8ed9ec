// What a registration keeps for its whole life: structures for contact points and for pushes
// waiting in its queue are made only when a registration has them, since most have neither
// and a Push Client holds thousands. Counted on the real heap with node:v8 queryObjects (Node
// 20.13 and later): the live objects whose prototype chain holds the constructor's prototype,
// counted after a full collection.
import { queryObjects } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../src/cai/delivery.js';
import { Registration } from '../../src/cai/registration.js';
import { Whitelist } from '../../src/cai/whitelist.js';
import type { BoundProfile } from '../../src/cai/types.js';
import { Fifo } from '../../src/wdp/fifo.js';
import { pushEvent } from './helpers.js';

const COUNT = 1_000;

/** How many live objects of `ctor` each thing `make` returns adds, to the nearest whole one. */
function perObject(ctors: Array<abstract new (...args: never[]) => unknown>, make: () => unknown): number[] {
  const held: unknown[] = new Array(COUNT);
  const before = ctors.map((c) => queryObjects(c, { format: 'count' }));
  for (let i = 0; i < COUNT; i++) held[i] = make();
  const after = ctors.map((c) => queryObjects(c, { format: 'count' }));
  // Keeps what was made alive through the second count.
  expect(held.length).toBe(COUNT);
  return after.map((n, i) => Math.round((n - before[i]) / COUNT));
}

let nextId = 0;
function registration(profiles: BoundProfile[]): Registration {
  return new Registration(++nextId, { pushApplicationId: `x-mem:app-${nextId}.ua`, handler: () => {} }, profiles);
}

const wsp = (contactPoint?: string): BoundProfile => ({
  protocol: 'OTA-WSP',
  bearerType: 'GSM/SMS',
  port: 2948,
  ...(contactPoint === undefined ? {} : { contactPoint }),
});
const http = (port: number, contactPoint?: string): BoundProfile => ({
  protocol: 'OTA-HTTP',
  bearerType: 'HTTP',
  port,
  ...(contactPoint === undefined ? {} : { contactPoint }),
});

describe('Registration: contact point structures only where a profile names a contact point', () => {
  it('holds no Map or Set for a registration whose profiles name no contact point', () => {
    expect(perObject([Map, Set], () => registration([wsp(), http(9200)]))).toEqual([0, 0]);
  });

  it('holds a Map and Sets for a route whose profile names a host, and drops the unresolved routes once resolved', async () => {
    // The counting itself: a Map of routes, a Set of sources, a Set of routes not resolved yet.
    const made: Registration[] = [];
    const make = (): Registration => {
      const r = registration([http(9201, 'http://127.0.0.1:9000/ppg')]);
      made.push(r);
      return r;
    };
    expect(perObject([Map, Set], make)).toEqual([1, 2]);
    const before = queryObjects(Set, { format: 'count' });
    // A host given as an IP literal resolves without DNS.
    for (const r of made) await r.resolveContactPoints();
    const after = queryObjects(Set, { format: 'count' });
    expect(Math.round((before - after) / COUNT)).toBe(1);
    expect(made.every((r) => r.acceptsContactPoint('::ffff:127.0.0.1', 0x1_0000 + 9201))).toBe(true);
    expect(made.some((r) => r.acceptsContactPoint('127.0.0.2', 0x1_0000 + 9201))).toBe(false);
  });
});

describe('Registration: sources per route, whatever the order of its profiles', () => {
  const route = 0x1_0000 + 9202;
  for (const order of ['named first', 'unnamed first'] as const) {
    it(`takes pushes from any source on a route where one profile names no contact point (${order})`, async () => {
      const named = http(9202, '192.0.2.1');
      const r = registration(order === 'named first' ? [named, http(9202)] : [http(9202), named]);
      await r.resolveContactPoints();
      expect(r.sources(route)).toBeUndefined();
      expect(r.acceptsContactPoint('198.51.100.7', route)).toBe(true);
    });
  }

  it('checks the source on a route whose profiles all name one, and takes any on its other routes', () => {
    const r = registration([wsp('+1 555 0001'), wsp('tel:+15550002'), http(9203)]);
    expect([...(r.sources(2948) ?? [])]).toEqual(['15550001', '15550002']);
    expect(r.acceptsContactPoint('15550002', 2948)).toBe(true);
    expect(r.acceptsContactPoint('+15550003', 2948)).toBe(false);
    expect(r.acceptsContactPoint('198.51.100.7', 0x1_0000 + 9203)).toBe(true);
  });

  it('takes no push on a route whose host is not resolved yet, then takes its addresses only', async () => {
    const r = registration([http(9204, 'http://192.0.2.9:8080/')]);
    const httpRoute = 0x1_0000 + 9204;
    expect(r.acceptsContactPoint('192.0.2.9', httpRoute)).toBe(false);
    expect(r.sources(httpRoute)).toBeUndefined();
    await r.resolveContactPoints();
    expect(r.acceptsContactPoint('::ffff:192.0.2.9', httpRoute)).toBe(true);
    expect(r.acceptsContactPoint('192.0.2.10', httpRoute)).toBe(false);
    expect([...(r.sources(httpRoute) ?? [])]).toEqual(['192.0.2.9']);
  });
});

describe('Registration: its whitelist, Accept and OTA-HTTP ports held once, or not at all', () => {
  it('holds no array of its own for a missing whitelist or for OTA-HTTP ports it does not hold', () => {
    // The profiles given, and the routes made of them: nothing else.
    expect(perObject([Array], () => registration([wsp()]))).toEqual([2]);
  });

  it('reads its whitelist and Accept from the retained request, not from a second array', () => {
    const r = new Registration(
      ++nextId,
      { pushApplicationId: 'x-mem:lists.ua', whitelist: [{ address: '+15550001' }], accept: ['text/plain'] },
      [wsp()],
    );
    expect(r.whitelist).toBe(r.request.whitelist);
    expect(r.accept).toBe(r.request.accept);
    // Lower-cased for matching: then it is a copy, and the request keeps what was given.
    const mixed = new Registration(++nextId, { pushApplicationId: 'x-mem:mixed.ua', accept: ['Text/Plain'] }, [wsp()]);
    expect(mixed.accept).toEqual(['text/plain']);
    expect(mixed.request.accept).toEqual(['Text/Plain']);
  });
});

describe('Whitelist: no Set for an address one registration owns', () => {
  it('holds no Set per address while each has one owner, and keeps every owner once shared', () => {
    const w = new Whitelist();
    let owner = 0;
    expect(perObject([Set], () => w.add(++owner, [{ address: `+1555${owner}` }]))).toEqual([0]);
    const shared = new Whitelist();
    shared.add(1, [{ address: '+447000' }]);
    shared.add(2, [{ address: '+447000' }]);
    shared.add(3, [{ address: '+447000' }]);
    expect(shared.entries().find((e) => e.address === '+447000')?.owners).toEqual([1, 2, 3]);
    expect(shared.allows(2, true, '447000')).toBe(true);
    expect(shared.remove(2)).toEqual([]);
    expect(shared.remove(1)).toEqual([]);
    expect(shared.allows(1, true, '447000')).toBe(false);
    expect(shared.allows(3, true, '447000')).toBe(true);
    expect(shared.remove(3)).toEqual(['+447000']);
    expect(shared.allows(3, true, '447000')).toBe(false);
  });
});

describe('DeliveryQueue: no queue storage until a push has to wait', () => {
  const reports = { delivered: () => {}, error: () => {}, timeout: () => {} };

  it('holds no Fifo and no array while nothing waits', () => {
    expect(perObject([Fifo, Array], () => new DeliveryQueue(() => {}, 10, 1_000, reports))).toEqual([0, 0]);
  });

  it('queues behind a slow handler in order once one push has to wait, and is idle after', async () => {
    const seen: Array<number | undefined> = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const q = new DeliveryQueue(
      (e) => {
        seen.push(e.transactionId);
        return e.transactionId === 0 ? first : undefined;
      },
      2,
      5_000,
      reports,
    );
    expect(q.push(pushEvent(0))).toBe(true);
    expect(q.push(pushEvent(1))).toBe(true);
    expect(q.push(pushEvent(2))).toBe(true);
    expect(q.full).toBe(true);
    expect(q.push(pushEvent(3))).toBe(false);
    const idle = q.idle();
    release();
    await idle;
    expect(seen).toEqual([0, 1, 2]);
    expect(q.size).toBe(0);
    expect(q.push(pushEvent(4))).toBe(true);
    expect(seen).toEqual([0, 1, 2, 4]);
  });
});
