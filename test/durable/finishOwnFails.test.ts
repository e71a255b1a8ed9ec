// On Redis a finish that could not be stored is sent again by the node's next sweep
// (FINISH_OWN). When Redis keeps refusing that too, the sweeps go on (the store stays available,
// lapsed claims and expiries are still handled), each failure is a store-error, and after a few
// the finish is given up and said so: its claim then lapses and the message is handed out again,
// a duplicate. An EsmeLink on a real redis-server whose user may not write the fingerprint keys.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { acceptBound, rawSmsc, type RawPeer } from '../wdp/rawSmsc.js';
import { redisServer, type Cleanup } from './nodes.js';
import { pushPdu, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;
const ESME_ROK = 0;

async function send(peer: RawPeer, sequence: number, index: number): Promise<number> {
  const part = smppShortMessages(pushPdu(1), { reference: 92 })[index];
  peer.write(
    encodeShortMessagePdu({
      ...part,
      commandId: CommandId.deliver_sm,
      sequenceNumber: sequence,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
    }),
  );
  for (;;) {
    const p = await peer.next(5_000);
    if (p.readUInt32BE(4) === DELIVER_SM_RESP && p.readUInt32BE(12) === sequence) return p.readUInt32BE(8);
  }
}

describe('a finish Redis keeps refusing (EsmeLink on Redis)', () => {
  it('does not stop the sweeps; each failure is a store-error, then it is given up and handed out again', async () => {
    const redis = await redisServer(cleanup);
    const admin = new Redis({ host: '127.0.0.1', port: redis.port, protocol: 2 });
    cleanup.push(() => admin.disconnect());
    const store = await openStore(redis.url, { probeIntervalMs: 100, reassembly: { claimTimeoutMs: 8_000 } });
    cleanup.push(() => store.close());
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const got: WdpDatagram[] = [];
    const errors: string[] = [];
    let unavailable = 0;
    store.on('unavailable', () => unavailable++);
    const link = new EsmeLink({
      smsc: `smpp://a:pw@127.0.0.1:${raw.port}`,
      store,
      enquireLinkMs: 0,
      onDatagram: async (d) => {
        got.push(d);
        // From now on the fingerprint keys (wappush:f:KEY), which a finish writes, are read-only.
        if (got.length === 1)
          await admin.call('ACL', 'SETUSER', 'default', 'resetkeys', '~wappush:[^f]*', '%R~wappush:f:*');
      },
    });
    cleanup.push(() => link.close(100));
    link.on('store-error', (e) => errors.push(e instanceof Error ? e.message : String(e)));
    const started = link.start();
    const { peer } = await acceptBound(raw);
    await started;

    expect(smppShortMessages(pushPdu(1), { reference: 92 })).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(await send(peer, i + 1, i)).toBe(ESME_ROK);
    expect(got).toHaveLength(1);
    await until(
      () => errors.some((e) => /given up/.test(e)),
      15_000,
      () => `store errors: ${JSON.stringify(errors)}`,
    );
    // Only the finish itself turned the store unavailable; the sweeps went on after it.
    expect(unavailable).toBe(1);
    expect(errors.filter((e) => /finish again/.test(e)).length).toBeGreaterThanOrEqual(2);

    // Given up (the sweeps come every second, well within claimTimeoutMs): its claim lapses
    // after claimTimeoutMs and the sweep hands it out again.
    await admin.call('ACL', 'SETUSER', 'default', 'allkeys');
    expect(got).toHaveLength(1);
    await until(
      () => got.length === 2,
      12_000,
      () => `deliveries: ${got.length}`,
    );
    expect(Buffer.from(got[1].payload).equals(Buffer.from(got[0].payload))).toBe(true);
  }, 40_000);
});
