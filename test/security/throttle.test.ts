/**
 * Guessing bind passwords: 100 wrong passwords from 127.0.0.1 are answered later and later,
 * then refused with ESME_RBINDFAIL (right password or not) for the lockout; a right bind from
 * 127.0.0.2 meanwhile goes through at once.
 */
import { describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { GuessThrottle } from '../../src/security/throttle.js';
import type { ThrottleEvent } from '../../src/security/throttle.js';
import { bindFrom } from './peers.js';

const ESME_ROK = 0x00;
const ESME_RBINDFAIL = 0x0d;
const ESME_RINVPASWD = 0x0e;

describe('failed binds throttled per address', () => {
  it('100 wrong passwords slow down and are refused; a right bind from another address is not affected', async () => {
    const s = new SmscSimulator({
      accounts: [{ systemId: 'ppg', password: 'tx-pw-1' }],
      throttle: { freeFailures: 3, delayMs: 40, maxDelayMs: 200, refuseAfter: 10, lockoutMs: 60_000 },
    });
    const port = await s.listen();
    const events: ThrottleEvent[] = [];
    s.on('throttled', (e) => events.push(e));
    const answers: Array<{ status: number; ms: number }> = [];
    try {
      for (let i = 0; i < 100; i++) {
        const { status, ms, session } = await bindFrom(port, '127.0.0.1', 'ppg', `guess${i}`);
        session.destroy();
        answers.push({ status, ms });
      }
      // The first ten are judged on the password; after that the address is refused unheard.
      expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(ESME_RINVPASWD));
      expect(answers.slice(10).every((a) => a.status === ESME_RBINDFAIL)).toBe(true);
      // Slower: the first three at once, then 40, 80, 160, 200... ms.
      for (const a of answers.slice(0, 3)) expect(a.ms).toBeLessThan(40);
      expect(answers[3].ms).toBeGreaterThanOrEqual(35);
      expect(answers[5].ms).toBeGreaterThanOrEqual(150);
      expect(answers[9].ms).toBeGreaterThanOrEqual(190);
      // The right password from the guessing address is refused too while locked out...
      const locked = await bindFrom(port, '127.0.0.1', 'ppg', 'tx-pw-1');
      locked.session.destroy();
      expect(locked.status).toBe(ESME_RBINDFAIL);
      // ...and from another address it goes through, without delay.
      const other = await bindFrom(port, '127.0.0.2', 'ppg', 'tx-pw-1');
      other.session.destroy();
      expect(other.status).toBe(ESME_ROK);
      expect(other.ms).toBeLessThan(1_000);
      expect(events.filter((e) => e.action === 'delayed').map((e) => e.ms)).toEqual([40, 80, 160, 200, 200, 200]);
      expect(events.filter((e) => e.action === 'refused').length).toBe(1 + 90 + 1);
      expect(new Set(events.map((e) => e.address))).toEqual(new Set(['127.0.0.1']));
    } finally {
      await s.close();
    }
  });

  it('an address that stops failing is forgotten after the window; the lockout ends by itself', () => {
    const t = new GuessThrottle({ freeFailures: 1, delayMs: 10, refuseAfter: 3, lockoutMs: 1_000, windowMs: 5_000 });
    expect(t.failed('a', 0)).toBe(0);
    expect(t.failed('a', 100)).toBe(10);
    t.failed('a', 200);
    expect(t.gate('a', 300)).toEqual({ refused: true, retryAfterMs: 900 });
    expect(t.gate('b', 300)).toEqual({ refused: false });
    expect(t.gate('a', 1_200)).toEqual({ refused: false });
    expect(t.failed('a', 1_300)).toBe(40); // still counted: 4 failures within the window
    expect(t.failed('x', 100_000)).toBe(0);
    expect(t.gate('a', 100_000)).toEqual({ refused: false });
    expect(t.failed('a', 100_000)).toBe(0); // forgotten: the count starts again
  });

  it('remembers at most maxAddresses addresses', () => {
    const t = new GuessThrottle({ maxAddresses: 100 });
    for (let i = 0; i < 1_000; i++) t.failed(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(t.size).toBe(100);
  });
});
