// On Redis the segment that completes a message is answered ESME_ROK once its handler settled
// well, its finish() going with the next call (docs/state.md, "The bearer on the store"). When
// the node dies before that finish reaches Redis, another node's sweep hands the message over;
// should that handler fail, no SMSC resend will come (the segment was answered). The sweep hands
// it out again until a handler takes it: two EsmeLinks on a real redis-server, the first one's
// store behind a relay that holds its finish and then refuses it for good.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink, type LostPush } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { relay } from '../store/relay.js';
import { acceptBound, rawSmsc, type RawPeer } from '../wdp/rawSmsc.js';
import { redisServer, type Cleanup } from './nodes.js';
import { pushPdu, sleep, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;
const ESME_ROK = 0;
const TIMEOUT_MS = 6_000;
// A node not heard from for 1 s is dead; a message not delivered 6 s after its first segment expires.
const OPTIONS: StoreOptions = { nodeTtlMs: 1_000, probeIntervalMs: 100, reassembly: { timeoutMs: TIMEOUT_MS } };

/** Sends segment `index` of push `push` over `peer` and returns its deliver_sm_resp's status. */
async function send(peer: RawPeer, sequence: number, push: number, index: number): Promise<number> {
  const part = smppShortMessages(pushPdu(push), { reference: 91 })[index];
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

describe('a message answered, then handed over by a sweep, whose handler fails (Redis)', () => {
  it('is handed out again by the sweep until a handler takes it, and is not reported lost', async () => {
    const redis = await redisServer(cleanup);
    const toRedis = await relay(redis.port);
    cleanup.push(() => toRedis.close());
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const lost: LostPush[] = [];

    // Node A: its handler succeeds and holds back what the store sends next (the finish).
    const storeA = await openStore(`redis://127.0.0.1:${toRedis.port}`, OPTIONS);
    cleanup.push(() => storeA.close());
    const gotA: WdpDatagram[] = [];
    const linkA = new EsmeLink({
      smsc: `smpp://a:pw@127.0.0.1:${raw.port}`,
      store: storeA,
      enquireLinkMs: 0,
      onDatagram: (d) => {
        gotA.push(d);
        toRedis.mode = 'hold';
      },
    });
    cleanup.push(() => linkA.close(100));
    linkA.on('lost', (l) => lost.push(l));
    const startedA = linkA.start();
    const { peer: a } = await acceptBound(raw);
    await startedA;
    expect(smppShortMessages(pushPdu(1), { reference: 91 })).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(await send(a, i + 1, 1, i)).toBe(ESME_ROK);
    expect(gotA).toHaveLength(1);
    // A dies to Redis: its connection cut, no new one taken; its liveness lapses within 1 s.
    await sleep(100);
    toRedis.mode = 'refuse';
    toRedis.cut();

    // Node B: its handler fails the first time, then succeeds.
    const storeB = await openStore(redis.url, OPTIONS);
    cleanup.push(() => storeB.close());
    const triesB: Array<{ at: number; payload: Buffer }> = [];
    const linkB = new EsmeLink({
      smsc: `smpp://b:pw@127.0.0.1:${raw.port}`,
      store: storeB,
      enquireLinkMs: 0,
      onDatagram: (d) => {
        triesB.push({ at: Date.now(), payload: Buffer.from(d.payload) });
        if (triesB.length === 1) throw new Error('the application is down');
      },
    });
    cleanup.push(() => linkB.close(100));
    linkB.on('lost', (l) => lost.push(l));
    const startedB = linkB.start();
    await acceptBound(raw);
    await startedB;

    await until(
      () => triesB.length >= 2,
      TIMEOUT_MS,
      () => `handler tries on B: ${triesB.length}`,
    );
    // Handed out again no sooner than 1 s after the failed try began.
    expect(triesB[1].at - triesB[0].at).toBeGreaterThanOrEqual(900);
    for (const t of triesB) expect(t.payload.equals(Buffer.from(gotA[0].payload))).toBe(true);
    // Past the message's timeout: finished, so neither handed out again nor reported lost.
    await sleep(TIMEOUT_MS + 1_500 - (Date.now() - triesB[0].at));
    expect(triesB).toHaveLength(2);
    expect(lost).toEqual([]);
    expect((await storeB.segments.list()).length).toBe(0);
  }, 30_000);
});
