// A whole TURN call lost with its connection (issue 17: nothing acknowledged that is not
// stored; Redis away -> temporary errors; intake resumes by itself). The ESME link on a Redis
// store reaches the real redis-server through a TCP relay on loopback that the test can hold
// up or cut: the call either never reaches Redis ('hold'), or runs there and its reply is lost
// ('swallow'); then the connection is cut. A raw SMSC sends the segments and reads every answer.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { acceptBound, rawSmsc, type RawPeer } from '../wdp/rawSmsc.js';
import { redisServer, useRedis } from './backends.js';
import { raw } from './redisNodes.js';
import { relay } from './relay.js';

useRedis();

const ESME_ROK = 0;
const ESME_RX_T_APPN = 0x64;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A push of 3 segments, different for each reference. */
const payloadOf = (ref: number) => Uint8Array.from({ length: 330 }, (_, i) => (i * 13 + ref * 7) & 0xff);

let prefixes = 0;

async function setUp() {
  const proxy = await relay(redisServer().port);
  cleanup.push(() => proxy.close());
  const prefix = `cut${++prefixes}:`;
  const store: Store = await openStore(`redis://127.0.0.1:${proxy.port}`, {
    prefix,
    probeIntervalMs: 50,
    commandTimeoutMs: 2_000,
  });
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
  return { proxy, prefix, store, peer, got };
}

let sequence = 0;

/** The deliver_sm of segment `i` of push `ref`; returns its sequence number. */
function deliver(peer: RawPeer, ref: number, i: number): number {
  const n = ++sequence;
  peer.write(
    encodeShortMessagePdu({
      ...smppShortMessages(payloadOf(ref), { reference: ref })[i],
      commandId: CommandId.deliver_sm,
      sequenceNumber: n,
      sourceAddr: '9200',
      destinationAddr: '+447700900123',
    }),
  );
  return n;
}

/** The next `count` deliver_sm_resp, as sequence number -> status. */
async function answers(peer: RawPeer, count: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  while (out.size < count) {
    const pdu = await peer.next(5_000);
    if (pdu.readUInt32BE(4) !== 0x80000005) continue; // not a deliver_sm_resp
    out.set(pdu.readUInt32BE(12), pdu.readUInt32BE(8));
  }
  return out;
}

describe('EsmeLink on Redis: a TURN call lost with its connection', () => {
  for (const lost of ['hold', 'swallow'] as const) {
    it(`${lost === 'hold' ? 'never reached Redis' : 'ran, its reply lost'}: temporary errors only, then every push completes once`, async () => {
      const { proxy, prefix, store, peer, got } = await setUp();
      const r = raw();
      const refs = [31, 32, 33];
      proxy.mode = lost;
      // Nine segments in one write: one turn of the link, one TURN call.
      const sent = refs.flatMap((ref) => [0, 1, 2].map((i) => deliver(peer, ref, i)));
      if (lost === 'swallow') {
        // Redis has run the call: the three messages are stored, complete and claimed.
        await until(async () => (await r.zcard(`${prefix}claims`)) === 3, 5_000, 'the call run in Redis');
      } else {
        await new Promise((res) => setTimeout(res, 100));
        expect(await r.keys(`${prefix}m:*`)).toEqual([]);
      }
      proxy.mode = 'refuse';
      proxy.cut();
      // Every segment of the lost call is answered, and none ESME_ROK: its reply never came.
      const first = await answers(peer, sent.length);
      expect([...first.keys()].sort((a, b) => a - b)).toEqual(sent);
      expect([...first.values()]).toEqual(sent.map(() => ESME_RX_T_APPN));
      expect(got).toEqual([]);
      await until(() => !store.available, 2_000, 'the store to turn unavailable');

      proxy.mode = 'pass';
      await until(() => store.available, 10_000, 'the store back');
      // The SMSC resends what was refused until it is acknowledged, as a real one does.
      let pending = refs.flatMap((ref) => [0, 1, 2].map((i) => [ref, i] as const));
      for (let round = 0; pending.length > 0; round++) {
        expect(round).toBeLessThan(50);
        const bySeq = new Map(pending.map(([ref, i]) => [deliver(peer, ref, i), [ref, i] as const]));
        const statuses = await answers(peer, bySeq.size);
        for (const s of statuses.values()) expect([ESME_ROK, ESME_RX_T_APPN]).toContain(s);
        pending = [...bySeq].filter(([seq]) => statuses.get(seq) !== ESME_ROK).map(([, seg]) => seg);
        if (pending.length > 0) await new Promise((res) => setTimeout(res, 50));
      }
      // Each push reached the handler exactly once, whole; nothing is left pending.
      expect(got.map((d) => Buffer.from(d.payload).toString('hex')).sort()).toEqual(
        refs.map((ref) => Buffer.from(payloadOf(ref)).toString('hex')).sort(),
      );
      await until(async () => (await store.inspect()).pending.messages === 0, 5_000, 'nothing pending');
    }, 30_000);
  }
});
