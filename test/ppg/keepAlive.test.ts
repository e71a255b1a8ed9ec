// The PPG's SMPP session keeps itself alive with enquire_link (SMPP v3.4 4.11): an idle PPG
// stays bound through the SMSC's inactivity timer, a silent SMSC is found and left, and the
// SMSC's own enquire_link is answered. Real TCP on loopback: the simulator, or a raw SMSC
// written by hand (test/wdp/rawSmsc.ts) where the peer must misbehave.
import { afterEach, describe, expect, it } from 'vitest';
import { PpgTransceiver } from '../../src/ppg/transceiver.js';
import type { SessionTimeout } from '../../src/smsc/sessionGuard.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { acceptBound, header, pdu, rawSmsc } from '../wdp/rawSmsc.js';
import { until } from './harness.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

const ENQUIRE_LINK = 0x00000015;
const ENQUIRE_LINK_RESP = 0x80000015;

describe('PPG transceiver keep-alive', () => {
  it('stays bound across several periods of the SMSC inactivity timer while idle', async () => {
    const INACTIVITY_MS = 300;
    const smsc = new SmscSimulator({
      accounts: [{ systemId: 'ppg', password: 'secret' }],
      sessions: { inactivityTimeoutMs: INACTIVITY_MS },
    });
    const timeouts: SessionTimeout[] = [];
    smsc.on('sessionTimeout', (t) => timeouts.push(t));
    const port = await smsc.listen();
    open.push(smsc);
    const t = new PpgTransceiver(`smpp://ppg:secret@127.0.0.1:${port}`, { enquireLinkMs: INACTIVITY_MS / 3 });
    let disconnects = 0;
    t.on('disconnected', () => disconnects++);
    await t.start();
    open.push(t);
    const since = Date.now();
    // Four inactivity periods with nothing to send but enquire_link.
    await until(() => Date.now() - since >= 4 * INACTIVITY_MS, 'four inactivity periods', 5_000);
    expect(timeouts).toEqual([]);
    expect(disconnects).toBe(0);
    expect(t.bound).toBe(true);
  });

  it('without enquire_link (period 0) the same SMSC closes the idle session', async () => {
    // The control for the test above: the inactivity timer does close a silent session.
    const smsc = new SmscSimulator({
      accounts: [{ systemId: 'ppg', password: 'secret' }],
      sessions: { inactivityTimeoutMs: 200 },
    });
    const timeouts: SessionTimeout[] = [];
    smsc.on('sessionTimeout', (t) => timeouts.push(t));
    const port = await smsc.listen();
    open.push(smsc);
    const t = new PpgTransceiver(`smpp://ppg:secret@127.0.0.1:${port}`, { enquireLinkMs: 0 });
    await t.start();
    open.push(t);
    await until(() => timeouts.length > 0, 'the inactivity timer', 3_000);
    expect(timeouts[0].timer).toBe('inactivity');
  });

  it('finds a silent SMSC: drops the link, reports it, and binds again', async () => {
    const smsc = await rawSmsc();
    open.push(smsc);
    // Timers wide enough that a loaded machine answers the first enquire_link within them.
    const t = new PpgTransceiver(`smpp://ppg:secret@127.0.0.1:${smsc.port}`, {
      enquireLinkMs: 100,
      enquireLinkTimeoutMs: 500,
      reconnect: { initialMs: 10, maxMs: 10 },
    });
    const dead: number[] = [];
    t.on('dead-link', ({ unansweredMs }) => dead.push(unansweredMs));
    const started = t.start();
    const { peer, bind } = await acceptBound(smsc);
    expect(header(bind)[0]).toBe(0x00000009); // bind_transceiver
    await started;
    open.push(t);
    const first = await peer.next();
    expect(header(first)).toEqual([ENQUIRE_LINK, 0, first.readUInt32BE(12), 16]);
    peer.write(pdu(ENQUIRE_LINK_RESP, 0, first.readUInt32BE(12)));
    const second = await peer.next();
    expect(header(second)[0]).toBe(ENQUIRE_LINK);
    // From here on the peer says nothing.
    expect(await peer.closed(3_000)).toBe(true);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toBeGreaterThanOrEqual(500 - 2); // loop clock, see test/wdp/link.test.ts
    expect(t.bound).toBe(false);
    const again = await acceptBound(smsc);
    expect(header(again.bind)[0]).toBe(0x00000009);
    await until(() => t.bound, 'bound again');
  });

  it("answers the SMSC's own enquire_link with enquire_link_resp of the same sequence", async () => {
    const smsc = await rawSmsc();
    open.push(smsc);
    const t = new PpgTransceiver(`smpp://ppg:secret@127.0.0.1:${smsc.port}`, { enquireLinkMs: 0 });
    const started = t.start();
    const { peer } = await acceptBound(smsc);
    await started;
    open.push(t);
    peer.write(pdu(ENQUIRE_LINK, 0, 0x1234));
    const resp = await peer.next();
    expect(header(resp)).toEqual([ENQUIRE_LINK_RESP, 0, 0x1234, 16]);
    expect(t.bound).toBe(true);
  });

  it('refuses an enquire_link period out of range by name', () => {
    expect(() => new PpgTransceiver('smpp://ppg:secret@127.0.0.1:1', { enquireLinkMs: -1 })).toThrow(/enquireLinkMs/);
  });
});
