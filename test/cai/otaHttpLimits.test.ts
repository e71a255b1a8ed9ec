// The OTA-HTTP receiver under abuse (issue 18 item 5), over real HTTP on loopback: connections
// capped in total and per client address, body octets held at once capped over all requests,
// slow headers and bodies timed out; and what a push refused by the whitelist is answered.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PushClient, type PushClientOptions } from '../../src/cai/client.js';
import { DEFAULT_OTA_HTTP_LIMITS } from '../../src/cai/otaHttpBudget.js';
import { REGISTRATION_FAILURE } from '../../src/cai/failures.js';
import { closeLater, inbox, postPush, until } from './helpers.js';

const MB = 1024 * 1024;
/** One body shared by every client: writing it to many sockets costs the test process no copies. */
const BODY = Buffer.alloc(MB, 0x41);

async function receiver(otaHttp: PushClientOptions['otaHttp'], whitelist?: string[]) {
  const client = closeLater(new PushClient({ otaHttp }));
  const box = inbox();
  const r = await client.register({
    pushApplicationId: 'x-wap-application:wml.ua',
    handler: box.handler,
    connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    ...(whitelist ? { whitelist: whitelist.map((address) => ({ address })) } : {}),
  });
  if (r.status !== 'accepted') throw new Error(r.message);
  expect(await r.completed).toEqual({ status: 'success' });
  return { client, port: client.httpPort(0)!, box };
}

interface Peer {
  socket: Socket;
  status: number | undefined;
  closed: boolean;
}

/** A raw client that sends headers for a 1 MB body, then all of it but its last octet, and waits. */
function holdingPeer(port: number, localAddress = '127.0.0.1'): Peer {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  const peer: Peer = { socket, status: undefined, closed: false };
  socket.on('error', () => {});
  socket.on('data', (d) => {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'));
    if (m && peer.status === undefined) peer.status = Number(m[1]);
  });
  socket.on('close', () => (peer.closed = true));
  socket.on('connect', () => {
    socket.write(`POST /wappush HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: ${MB}\r\n\r\n`);
    socket.write(BODY.subarray(0, MB - 1));
  });
  return peer;
}

/** Samples the process's RSS every 20 ms until stopped; returns the highest seen. */
function rssPeak() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

describe('OTA-HTTP receiver limits', () => {
  it('300 connections from one address each holding a 1 MB body: 16 are taken, the rest closed, memory bounded', async () => {
    const { client, port, box } = await receiver({ bodyTimeoutMs: 1_500 });
    const before = process.memoryUsage.rss();
    const stop = rssPeak();
    const peers = Array.from({ length: 300 }, () => holdingPeer(port));
    await until(
      () => peers.every((p) => p.closed) && client.otaHttpStats()!.connections === 0,
      10_000,
      'every connection to be closed, at both ends',
    );
    const peak = stop();
    const stats = client.otaHttpStats()!;
    const perAddress = DEFAULT_OTA_HTTP_LIMITS.maxConnectionsPerAddress;
    expect(stats.peakConnections).toBe(perAddress);
    // Those taken never finished their bodies: each was told 408 after bodyTimeoutMs. (On a slow
    // machine a slot freed by a timeout may take one more of the 300 before they have all come.)
    expect(stats.bodyTimeouts).toBeGreaterThanOrEqual(perAddress);
    expect(stats.refusedConnections + stats.bodyTimeouts).toBe(300);
    expect(peers.filter((p) => p.status === 408)).toHaveLength(stats.bodyTimeouts);
    expect(stats.peakBufferedOctets).toBe(16 * MB);
    expect(stats).toMatchObject({ connections: 0, bufferedOctets: 0 });
    expect(box.got).toHaveLength(0);
    // Unbounded, the 300 bodies took about 300 MiB more; bounded they hold 16 MiB.
    expect((peak - before) / MB).toBeLessThan(120);
  }, 20_000);

  it('caps connections in total, over client addresses', async () => {
    const { client, port } = await receiver({
      maxConnections: 40,
      maxConnectionsPerAddress: 100,
      headersTimeoutMs: 3_000,
    });
    // Ten loopback addresses, ten idle connections each: the total bound, not the per-address one, refuses.
    const peers = Array.from({ length: 100 }, (_, i) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 10)}` });
      const peer = { closed: false };
      socket.resume();
      socket.on('error', () => {});
      socket.on('close', () => (peer.closed = true));
      return peer;
    });
    await until(
      () => peers.every((p) => p.closed) && client.otaHttpStats()!.connections === 0,
      10_000,
      'every connection to be closed, at both ends',
    );
    const stats = client.otaHttpStats()!;
    expect(stats).toMatchObject({ peakConnections: 40, connections: 0 });
    expect(stats.headerTimeouts).toBeGreaterThanOrEqual(40);
    expect(stats.refusedConnections + stats.headerTimeouts).toBe(100);
  }, 20_000);

  it('caps the body octets held at once over all requests: what does not fit is answered 503', async () => {
    const { client, port } = await receiver({
      maxConnectionsPerAddress: 100,
      maxBufferedOctets: 8 * MB,
      bodyTimeoutMs: 2_000,
    });
    const peers = Array.from({ length: 20 }, () => holdingPeer(port));
    await until(
      () => peers.every((p) => p.closed) && client.otaHttpStats()!.connections === 0,
      10_000,
      'every connection to be closed, at both ends',
    );
    const stats = client.otaHttpStats()!;
    // Eight 1 MB bodies fit in 8 MiB and are held until they time out; the other twelve are refused at once.
    expect(stats.peakBufferedOctets).toBe(8 * MB);
    expect(stats.bodyTimeouts).toBeGreaterThanOrEqual(8);
    expect(stats.refusedForMemory + stats.bodyTimeouts).toBe(20);
    expect(peers.filter((p) => p.status === 503)).toHaveLength(stats.refusedForMemory);
    expect(peers.filter((p) => p.status === 408)).toHaveLength(stats.bodyTimeouts);
    expect(stats.bufferedOctets).toBe(0);
  }, 20_000);

  it('times out a slow body and slow headers, each well under Node’s 300 s', async () => {
    const { client, port } = await receiver({ headersTimeoutMs: 300, bodyTimeoutMs: 400 });
    const started = Date.now();
    const slowBody = connect({ port, host: '127.0.0.1' });
    const slowHeaders = connect({ port, host: '127.0.0.1' });
    const answers: Record<string, string> = {};
    const closedAt: Record<string, number> = {};
    for (const [name, s] of [
      ['body', slowBody],
      ['headers', slowHeaders],
    ] as const) {
      s.on('error', () => {});
      s.on('data', (d) => (answers[name] = (answers[name] ?? '') + d.toString('latin1')));
      s.on('close', () => (closedAt[name] = Date.now() - started));
    }
    slowBody.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc');
    const trickle = setInterval(() => slowBody.writable && slowBody.write('x'), 50);
    slowHeaders.write('POST / HTTP/1.1\r\nHost: t\r\n');
    await until(
      () => closedAt.body !== undefined && closedAt.headers !== undefined && client.otaHttpStats()!.connections === 0,
      5_000,
      'both to be closed, at both ends',
    );
    clearInterval(trickle);
    expect(answers.body).toMatch(/^HTTP\/1\.1 408 /);
    expect(answers.headers).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAt.body).toBeLessThan(3_000);
    expect(client.otaHttpStats()).toMatchObject({ bodyTimeouts: 1, headerTimeouts: 1, connections: 0 });
  });

  it('answers a push larger than a push may be 413 from its Content-Length, before reading it', async () => {
    const { client, port } = await receiver({});
    const peer = holdingPeer(port);
    // 1 MB of content is a whole document; a declared length beyond it plus the header allowance is refused.
    peer.socket.removeAllListeners('connect');
    peer.socket.on('connect', () =>
      peer.socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: ${4 * MB}\r\n\r\n`),
    );
    await until(() => peer.closed && client.otaHttpStats()!.connections === 0, 3_000, 'the connection to be closed');
    expect(peer.status).toBe(413);
    expect(client.otaHttpStats()).toMatchObject({ tooLarge: 1, bufferedOctets: 0 });
  });

  it('refuses out-of-range limits by name when the client is made', () => {
    expect(() => new PushClient({ otaHttp: { maxConnections: 0 } })).toThrow(/maxConnections/);
    expect(() => new PushClient({ otaHttp: { maxConnectionsPerAddress: Number.NaN } })).toThrow(
      /maxConnectionsPerAddress/,
    );
    expect(() => new PushClient({ otaHttp: { bodyTimeoutMs: 2 ** 31 } })).toThrow(/bodyTimeoutMs/);
    expect(() => new PushClient({ otaHttp: { headersTimeoutMs: -1 } })).toThrow(RangeError);
    expect(() => new PushClient({ otaHttp: { maxBufferedOctets: '8M' as unknown as number } })).toThrow(
      /maxBufferedOctets/,
    );
  });

  it('refuses a buffer budget smaller than one push when the first receiver opens, with its own reason', async () => {
    const client = closeLater(new PushClient({ otaHttp: { maxBufferedOctets: 1_000 } }));
    const r = await client.register({ pushApplicationId: 2, connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }] });
    if (r.status !== 'accepted') throw new Error(r.message);
    // Not 'bind-failed' (a busy port, which may free itself): only another configuration helps.
    expect(await r.completed).toMatchObject({
      status: 'failure',
      reason: 'buffer-budget-too-small',
      message: expect.stringMatching(/maxBufferedOctets \(1000\)/),
    });
    expect(REGISTRATION_FAILURE.BUFFER_BUDGET_TOO_SMALL).toBe('buffer-budget-too-small');
    expect(Object.isFrozen(REGISTRATION_FAILURE)).toBe(true);
  });
});

describe('OTA-HTTP: a push the whitelist refuses (PushCAI 5.1 Whitelist)', () => {
  it('is answered 403 Forbidden and reaches no application; one from a listed address is answered 204', async () => {
    const { client, port, box } = await receiver({}, ['192.0.2.1']);
    const refused: string[] = [];
    client.on('refused', ({ reason }) => refused.push(reason));
    expect(await postPush(port, 'hello', { 'Content-Type': 'text/plain' })).toBe(403);
    expect(refused).toEqual(['whitelist']);
    expect(box.got).toHaveLength(0);

    const open = await receiver({}, ['127.0.0.1']);
    expect(await postPush(open.port, 'hello', { 'Content-Type': 'text/plain' })).toBe(204);
    await until(() => open.box.got.length === 1);
  });
});
