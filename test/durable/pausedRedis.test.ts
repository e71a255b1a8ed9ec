// The link on Redis while Redis is down (a real redis-server stopped and started again on its
// port): intake is paused, and the SMSC's enquire_link is still answered at once; each
// deliver_sm is answered ESME_RX_T_APPN unread, never ESME_ROK; once Redis is back the SMSC's
// resends complete the push, each answered once. Real SMPP on 127.0.0.1 against a raw SMSC.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { SmppCommand } from '../../src/wdp/smpp/commands.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { CommandStatus } from '../../src/wdp/smpp/status.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { startRedis } from '../helpers/redisServer.js';
import { acceptBound, header, pdu, rawSmsc, type RawPeer } from '../wdp/rawSmsc.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;
const ENQUIRE_LINK_RESP = 0x80000015;

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** deliver_sm of SMS `i` of `payload` (reference `ref`), sequence `sequence`. */
function deliverSm(payload: Uint8Array, ref: number, i: number, sequence: number): Uint8Array {
  return encodeShortMessagePdu({
    ...smppShortMessages(payload, { reference: ref })[i],
    commandId: CommandId.deliver_sm,
    sequenceNumber: sequence,
    sourceAddr: '9200',
    destinationAddr: '+447700900123',
  });
}

async function nextHeaders(peer: RawPeer, n: number, ms = 1_000): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(header(await peer.next(ms)).slice(0, 3));
  return out;
}

describe('EsmeLink on Redis while Redis is down', () => {
  it('answers enquire_link at once and each deliver_sm ESME_RX_T_APPN; the resends complete once Redis is back', async () => {
    const redis = await startRedis();
    cleanup.push(() => redis.close());
    const store = await openStore(redis.url, { prefix: 'paused:', probeIntervalMs: 50, commandTimeoutMs: 2_000 });
    cleanup.push(() => store.close());
    const smsc = await rawSmsc();
    cleanup.push(() => smsc.close());
    const got: WdpDatagram[] = [];
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${smsc.port}`,
      store,
      enquireLinkMs: 0,
      onDatagram: (d) => void got.push(d),
    });
    cleanup.push(() => link.close(100));
    const started = link.start();
    const { peer } = await acceptBound(smsc);
    await started;
    const payload = Uint8Array.from({ length: 250 }, (_, i) => (i * 13 + 5) & 0xff);
    expect(smppShortMessages(payload, { reference: 61 })).toHaveLength(2);

    await redis.stop();
    await until(() => !store.available, 'the store turning unavailable');
    const sent = Date.now();
    peer.write(
      Buffer.concat([deliverSm(payload, 61, 0, 1), deliverSm(payload, 61, 1, 2), pdu(SmppCommand.enquire_link, 0, 3)]),
    );
    const down = await nextHeaders(peer, 3);
    expect(Date.now() - sent).toBeLessThan(1_000);
    expect(down).toEqual([
      [DELIVER_SM_RESP, CommandStatus.ESME_RX_T_APPN, 1],
      [DELIVER_SM_RESP, CommandStatus.ESME_RX_T_APPN, 2],
      [ENQUIRE_LINK_RESP, CommandStatus.ESME_ROK, 3],
    ]);
    expect(link.stats).toMatchObject({ pausedRefusedStore: 2, enquireLinksAnswered: 1 });
    expect(link.bound).toBe(true);

    await redis.start();
    await until(() => store.available, 'the store back');
    peer.write(Buffer.concat([deliverSm(payload, 61, 0, 4), deliverSm(payload, 61, 1, 5)]));
    const up = await nextHeaders(peer, 2, 3_000);
    expect(up.map(([id, status, seq]) => [id, status, seq]).sort((a, b) => a[2] - b[2])).toEqual([
      [DELIVER_SM_RESP, CommandStatus.ESME_ROK, 4],
      [DELIVER_SM_RESP, CommandStatus.ESME_ROK, 5],
    ]);
    await until(() => got.length === 1, 'the completed push');
    expect(Buffer.from(got[0].payload).equals(Buffer.from(payload))).toBe(true);
    // Nothing more: no answer twice.
    await expect(peer.next(200)).rejects.toThrow(/no PDU/);
  }, 30_000);
});
