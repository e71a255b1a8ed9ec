// The link's memory of recent single SMS (src/wdp/recentSingles.ts): a datagram equal to one seen
// within the window is a repeat; anything else is a new push.
import { describe, expect, it } from 'vitest';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { RecentSingles } from '../../src/wdp/recentSingles.js';

const sms = (originator: string, octets: number[], destinationPort?: number): WdpDatagram => ({
  originator,
  recipient: '+447700900123',
  destinationPort,
  segments: 1,
  payload: Uint8Array.from(octets),
});

describe('RecentSingles', () => {
  it('knows a repeat within the window only, by addresses, ports and every octet', () => {
    const r = new RecentSingles(1_000, 100);
    expect(r.repeated(sms('9200', [1, 2, 3]), 0)).toBe(false);
    expect(r.repeated(sms('9200', [1, 2, 3]), 999)).toBe(true);
    expect(r.repeated(sms('9200', [1, 2, 4]), 999)).toBe(false); // other octets
    expect(r.repeated(sms('9201', [1, 2, 3]), 999)).toBe(false); // another sender
    expect(r.repeated(sms('9200', [1, 2, 3], 2948), 999)).toBe(false); // another port
    expect(r.repeated(sms('9200', [1, 2, 3]), 1_000)).toBe(false); // the first is 1,000 ms old: gone
    expect(r.repeated(sms('9200', [1, 2, 3]), 1_001)).toBe(true); // remembered again at 1,000
  });

  it('forgets a datagram whose handler failed, and keeps at most `max`', () => {
    const r = new RecentSingles(60_000, 3);
    for (let i = 0; i < 5; i++) expect(r.repeated(sms('1', [i]), i)).toBe(false);
    // Over the bound the oldest go as new ones come: 5 were added, one over the bound is tolerated until the next look.
    expect(r.size).toBeLessThanOrEqual(4);
    expect(r.repeated(sms('1', [4]), 10)).toBe(true);
    r.forget(sms('1', [4]));
    expect(r.repeated(sms('1', [4]), 11)).toBe(false);
    expect(r.repeated(sms('1', [0]), 12)).toBe(false); // the oldest was pushed out
  });
});
