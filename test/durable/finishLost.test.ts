// On Redis the segment that completes a message is answered once the handler settled, its
// finish() written in the background (docs/state.md, "The bearer on the store"). This is what
// makes that safe: `listen` on a real redis-server, the finish() held back by a loopback relay
// (it never reaches Redis) and the process SIGKILLed after the answer went out. The message,
// stored whole and claimed by the dead node, is handed over by the next node's sweep once the
// dead node's liveness lapses (a duplicate, never a loss); nothing is reported lost, and a later
// push reusing the reference completes. Needs dist/.
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { acceptBound, pdu, rawSmsc, type RawPeer, type RawSmsc } from '../wdp/rawSmsc.js';
import { redisServer, type Cleanup } from './nodes.js';
import { Listener, pushPdu, sleep, tally, until } from './pushes.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const DELIVER_SM_RESP = 0x80000005;
const ENQUIRE_LINK = 0x00000015;
const ESME_ROK = 0;
const REFERENCE = 77;

/**
 * A relay to Redis that passes both ways until a reply carrying `needle` has gone to the client;
 * from then on it holds everything the client sends (its next calls never reach Redis).
 */
async function holdAfterReply(redisPort: number, needle: Buffer) {
  const sockets = new Set<Socket>();
  const state = { holding: false, held: 0 };
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let tail = Buffer.alloc(0);
    client.on('data', (d) => {
      if (state.holding) state.held += d.length;
      else upstream.write(d);
    });
    upstream.on('data', (d) => {
      const seen = Buffer.concat([tail, d]);
      tail = seen.subarray(Math.max(0, seen.length - needle.length));
      // Held before the reply is passed on: the client's next write (its finish) is already held.
      if (seen.includes(needle)) state.holding = true;
      if (!client.destroyed) client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('close', end);
      s.on('error', end);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  cleanup.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { port: address.port, state };
}

/** The next bind of a `listen` process, answered (a process takes a while to start). */
async function bound(raw: RawSmsc): Promise<RawPeer> {
  return (await acceptBound({ ...raw, accept: () => raw.accept(15_000) })).peer;
}

/** The SMSC's side of one bind: answers enquire_link, records each deliver_sm_resp's status by sequence. */
function smscSide(peer: RawPeer) {
  const answers = new Map<number, number>();
  let open = true;
  cleanup.push(() => {
    open = false;
  });
  void (async () => {
    while (open) {
      const p = await peer.next(60_000).catch(() => undefined);
      if (p === undefined) return;
      const id = p.readUInt32BE(4);
      if (id === DELIVER_SM_RESP) answers.set(p.readUInt32BE(12), p.readUInt32BE(8));
      else if (id === ENQUIRE_LINK) peer.write(pdu(0x80000015, 0, p.readUInt32BE(12)));
    }
  })();
  let sequence = 1;
  /** Sends segment `index` of push `push` and waits for its answer (undefined when none came). */
  const send = async (push: number, index: number, timeoutMs = 3_000): Promise<number | undefined> => {
    const s = sequence++;
    const part = smppShortMessages(pushPdu(push), { reference: REFERENCE })[index];
    peer.write(
      Buffer.from(
        encodeShortMessagePdu({
          ...part,
          commandId: CommandId.deliver_sm,
          sequenceNumber: s,
          sourceAddr: '9200',
          destinationAddr: '+447700900123',
        }),
      ),
    );
    await until(
      () => answers.has(s),
      timeoutMs,
      () => `no answer to segment ${index + 1} of push ${push}`,
    ).catch(() => undefined);
    return answers.get(s);
  };
  /** As an SMSC does: sends the segment again while it is answered with a temporary error. */
  const deliver = async (push: number, index: number): Promise<number | undefined> => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const status = await send(push, index);
      if (status === ESME_ROK) return status;
      await sleep(200);
    }
    return undefined;
  };
  return { send, deliver };
}

describe('the completing segment answered before its finish() is stored (Redis)', () => {
  it('a SIGKILL between the answer and the finish costs a duplicate, never a loss', async () => {
    const redis = await redisServer(cleanup);
    const parts = smppShortMessages(pushPdu(1), { reference: REFERENCE });
    expect(parts).toHaveLength(3);
    // The last octets of push 1's third segment come back in the reply that completes it.
    const last = parts[2].shortMessage!;
    const relay = await holdAfterReply(redis.port, Buffer.from(last.subarray(last.length - 24)));
    const raw = await rawSmsc();
    cleanup.push(() => raw.close());
    const lines: unknown[] = [];
    const url = `smpp://client:pw@127.0.0.1:${raw.port}`;
    const first = new Listener(['--smsc', url, '--store', `redis://127.0.0.1:${relay.port}`], lines);
    cleanup.push(() => first.stop());
    first.start();
    const a = smscSide(await bound(raw));

    expect(await a.send(1, 0, 10_000)).toBe(ESME_ROK);
    expect(await a.send(1, 1)).toBe(ESME_ROK);
    // Answered once the handler settled, while its finish() is held in the relay.
    expect(await a.send(1, 2)).toBe(ESME_ROK);
    await until(
      () => tally(lines).seen.get(1) === 1,
      5_000,
      () => first.stderr,
    );
    expect(relay.state.holding).toBe(true);
    await sleep(100);
    expect(relay.state.held).toBeGreaterThan(0);
    await first.kill();

    // A node of its own (a new node id), straight on Redis: once the dead node's liveness
    // lapses (nodeTtlMs, 10 s), its sweep hands the claimed message over.
    const second = new Listener(['--smsc', url, '--store', redis.url], lines);
    cleanup.push(() => second.stop());
    second.start();
    const b = smscSide(await bound(raw));
    await until(
      () => tally(lines).seen.get(1) === 2,
      30_000,
      () => second.stderr,
    );

    // A later push under the same reference (the same message key, other octets) completes.
    for (let i = 0; i < 3; i++) expect(await b.deliver(2, i)).toBe(ESME_ROK);
    await until(
      () => tally(lines).seen.get(2) === 1,
      5_000,
      () => second.stderr,
    );
    await sleep(300);

    const { seen, wrong } = tally(lines);
    expect(wrong).toEqual([]);
    expect([...seen]).toEqual([
      [1, 2],
      [2, 1],
    ]);
    for (const l of [first, second]) expect(l.stderr).not.toContain('"event":"lost"');
  }, 60_000);
});
