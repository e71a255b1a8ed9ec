// PushCAI 5.1 Connection Profile and Contact Point, per route: the sources a registration takes
// pushes from on a route, and whether binding looks its hostnames up, do not depend on the
// order of its connection profiles. Hostnames are loopback names, resolved for real.
import { describe, expect, it } from 'vitest';
import { Registration } from '../../src/cai/registration.js';
import type { BoundProfile } from '../../src/cai/types.js';

let nextId = 0;
function registration(profiles: BoundProfile[]): Registration {
  return new Registration(++nextId, { pushApplicationId: `x-cp:app-${nextId}.ua`, handler: () => {} }, profiles);
}

const http = (contactPoint?: string): BoundProfile => ({
  protocol: 'OTA-HTTP',
  bearerType: 'HTTP',
  port: 9300,
  ...(contactPoint === undefined ? {} : { contactPoint }),
});
const route = 0x1_0000 + 9300;

for (const order of ['hostname first', 'no contact point first'] as const) {
  const both = (contactPoint: string) =>
    order === 'hostname first' ? [http(contactPoint), http()] : [http(), http(contactPoint)];

  describe(`Registration: a hostname and no contact point on one route (${order})`, () => {
    it('takes pushes from any source there, before and after binding resolves the hostname', async () => {
      const r = registration(both('localhost'));
      // A restored registration is routed before it binds: the route must not wait for the lookup.
      expect(r.acceptsContactPoint('198.51.100.7', route)).toBe(true);
      expect(r.sources(route)).toBeUndefined();
      await r.resolveContactPoints();
      expect(r.acceptsContactPoint('198.51.100.7', route)).toBe(true);
      expect(r.acceptsContactPoint('127.0.0.1', route)).toBe(true);
      expect(r.sources(route)).toBeUndefined();
    });

    it('still looks the hostname up when binding, and fails when it does not resolve', async () => {
      const r = registration(both('no-such-ppg.invalid'));
      await expect(r.resolveContactPoints()).rejects.toThrow(/no-such-ppg\.invalid/);
    }, 15_000);

    it('has the same binding as the same profiles in the other order', () => {
      const a = registration(both('localhost'));
      const b = registration([...both('localhost')].reverse());
      expect(a.sameBindingAs(b)).toBe(true);
      expect(b.sameBindingAs(a)).toBe(true);
    });
  });
}

describe('Registration: a hostname alone on its route', () => {
  it('takes no push there until resolved, then only from its addresses', async () => {
    const r = registration([http('localhost')]);
    expect(r.acceptsContactPoint('127.0.0.1', route)).toBe(false);
    await r.resolveContactPoints();
    expect(r.acceptsContactPoint('::ffff:127.0.0.1', route)).toBe(true);
    expect(r.acceptsContactPoint('198.51.100.7', route)).toBe(false);
  });
});
