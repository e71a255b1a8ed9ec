import { describe, expect, it } from 'vitest';
import type { SmscEvents, SmscSimulator } from '../../src/smsc/simulator.js';
import { CommandId } from '../../src/wdp/smpp/shortMessage.js';
import {
  BIND_RECEIVER,
  bindPdu,
  command,
  header,
  rawPeer,
  receiver,
  sequenceOf,
  smsc,
  status,
  transmitter,
  until,
} from './peers.js';

/** Compile-time only: `npm run typecheck` fails if any of these names is accepted. */
export function misspelledEventsDoNotCompile(s: SmscSimulator): void {
  // @ts-expect-error: no such event ('delivered' is)
  s.on('deliverd', () => {});
  // @ts-expect-error: no such event ('bind' is)
  s.once('binded', () => {});
  // @ts-expect-error: a 'delivered' listener gets { id, attempts }, not a string
  s.on('delivered', (id: string) => id);
  // @ts-expect-error: 'dropped' carries a reason, not a status
  s.on('dropped', (d) => d.status);
}

describe('SmscSimulator events (real SMPP on 127.0.0.1)', () => {
  it('bind, bindRefused, delivered, failed and dropped reach their listeners with the documented fields', async () => {
    const { s, port } = await smsc({ unroutedTimeoutMs: 50 });
    const seen: { [K in keyof SmscEvents]: SmscEvents[K][0][] } = {
      bind: [],
      bindRefused: [],
      delivered: [],
      failed: [],
      dropped: [],
      receipt: [],
      throttled: [],
      connectionRefused: [],
      sessionTimeout: [],
    };
    s.on('bind', (e) => seen.bind.push(e));
    s.on('bindRefused', (e) => seen.bindRefused.push(e));
    s.on('delivered', (e) => seen.delivered.push(e));
    s.on('failed', (e) => seen.failed.push(e));
    s.on('dropped', (e) => seen.dropped.push(e));

    const bad = rawPeer(port);
    bad.socket.write(bindPdu(BIND_RECEIVER, 'bad', 'pw', 1, '(1'));
    expect(status(await bad.next())).toBe(0x0d);

    const ok = await receiver(port, 'good', 'pw', '^1');
    // A receiver that answers every deliver_sm with ESME_RX_P_APPN (0x65), a permanent error.
    const refuser = rawPeer(port);
    refuser.socket.write(bindPdu(BIND_RECEIVER, 'refuser', 'pw', 1, '^2'));
    expect(status(await refuser.next())).toBe(0);
    refuser.socket.on('data', () => {
      for (let pdu = refuser.take(); pdu; pdu = refuser.take())
        if (command(pdu) === CommandId.deliver_sm)
          refuser.socket.write(header(0x80000005, 0x65, sequenceOf(pdu), Buffer.from([0])));
    });
    const tx = await transmitter(port, 'ppg', 'pw');
    expect(await tx.submit('100', 'delivered')).toBe(0);
    expect(await tx.submit('200', 'refused')).toBe(0);
    expect(await tx.submit('300', 'nobody')).toBe(0);
    await until(
      () => seen.delivered.length + seen.failed.length + seen.dropped.length === 3,
      'an outcome for all three',
    );
    expect(ok.got.map((d) => d.text)).toEqual(['delivered']);
    expect(seen.bind).toEqual([
      { systemId: 'good', mode: 'receiver' },
      { systemId: 'refuser', mode: 'receiver' },
      { systemId: 'ppg', mode: 'transmitter' },
    ]);
    expect(seen.bindRefused).toEqual([
      {
        systemId: 'bad',
        mode: 'receiver',
        status: 0x0d,
        reason: expect.stringMatching(/not closed/),
        address: '127.0.0.1',
      },
    ]);
    expect(seen.delivered).toEqual([{ id: '00000001', attempts: 1 }]);
    expect(seen.failed.map((f) => [f.id, f.status, f.pdu.destinationAddr])).toEqual([['00000002', 0x65, '200']]);
    expect(seen.dropped.map((d) => [d.id, d.reason, d.pdu.destinationAddr])).toEqual([
      ['00000003', 'no-receiver', '300'],
    ]);
  });
});
