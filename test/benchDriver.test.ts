// The PPG benchmark's driver parts (bench/papClient.ts, bench/phone.ts) against real servers on
// loopback: node:http and a hand-written HTTP server for the client, the SMSC simulator for
// the phone. A driver that miscounted or lost answers would make the benchmark's figures lie.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PapConnection } from '../bench/papClient.js';
import { bindPhone } from '../bench/phone.js';
import { smsc, transmitter, until } from './smsc/peers.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function listen(server: net.Server): Promise<number> {
  closers.push(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

const request = (port: number) => ({
  host: '127.0.0.1',
  port,
  path: '/wappush',
  contentType: 'text/plain',
  body: 'push-id="b{id}"',
});

describe('PapConnection (bench/papClient.ts)', () => {
  it('posts each push-id on one keep-alive connection and reads each answer', async () => {
    const seen: Array<{ body: string; length: string | undefined; socket: net.Socket }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ body, length: req.headers['content-length'], socket: req.socket });
        const answer = `<pap code="1001" n="${seen.length}"/>`;
        res.writeHead(202, { 'content-type': 'application/xml', 'content-length': answer.length });
        res.end(answer);
      });
    });
    closers.push(() => server.closeAllConnections());
    const c = new PapConnection(request(await listen(server)));
    closers.push(() => c.close());
    const answers = [await c.post(7), await c.post(1234567890), await c.post(42)];
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.map((a) => a.body)).toEqual([1, 2, 3].map((n) => `<pap code="1001" n="${n}"/>`));
    expect(seen.map((s) => s.body)).toEqual([
      'push-id="b0000000007"',
      'push-id="b1234567890"',
      'push-id="b0000000042"',
    ]);
    expect(seen.map((s) => s.length)).toEqual(['21', '21', '21']);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('reads an answer that comes in pieces, and connects again after Connection: close', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.once('data', () => {
        // The head split inside its CRLFCRLF, the body in two, then the connection closed.
        socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 11\r\nConnection: close\r\n\r');
        setTimeout(() => socket.write('\n<pap '), 20);
        setTimeout(() => socket.end('code/>'), 40);
      });
    });
    closers.push(() => server.close());
    const c = new PapConnection(request(await listen(server)));
    closers.push(() => c.close());
    expect(await c.post(1)).toEqual({ status: 202, body: '<pap code/>' });
    expect(await c.post(2)).toEqual({ status: 202, body: '<pap code/>' });
    expect(connections).toBe(2);
  });

  it('refuses a push-id counter that does not fit its ten digits, sending nothing', async () => {
    let connections = 0;
    const server = net.createServer(() => connections++);
    const c = new PapConnection(request(await listen(server)));
    closers.push(() => c.close());
    await expect(c.post(10_000_000_000)).rejects.toThrow(/outside 0..9999999999/);
    await expect(c.post(-1)).rejects.toThrow(RangeError);
    expect(connections).toBe(0);
  });

  it('refuses an answer without Content-Length, by name', async () => {
    const server = net.createServer((socket) =>
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')),
    );
    const c = new PapConnection(request(await listen(server)));
    closers.push(() => c.close());
    await expect(c.post(1)).rejects.toThrow(/without Content-Length/);
  });

  it('rejects a request in flight when the server closes without answering', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.destroy()));
    const c = new PapConnection(request(await listen(server)));
    closers.push(() => c.close());
    await expect(c.post(1)).rejects.toThrow(/closed the connection before answering/);
  });
});

describe('the benchmark phone (bench/phone.ts)', () => {
  it('binds as a receiver and answers every deliver_sm, so the simulator counts each delivered', async () => {
    const { s, port } = await smsc({
      accounts: [
        { systemId: 'ppg', password: 'secret' },
        { systemId: 'phone', password: 'pw', addressRange: '^\\+?1555' },
      ],
    });
    const phone = await bindPhone(port, 'phone', 'pw', '^\\+?1555');
    closers.push(() => phone.close());
    const t = await transmitter(port, 'ppg', 'secret');
    for (let i = 0; i < 25; i++) expect(await t.submit('+15550000001', `push ${i}`)).toBe(0);
    await until(() => s.stats.delivered === 25, '25 deliveries');
    expect(phone.delivered).toBe(25);
    expect(s.backlog).toBe(0);
    expect(s.stats.retries).toBe(0);
  });

  it('fails by name when its bind is refused', async () => {
    const { port } = await smsc({ accounts: [{ systemId: 'phone', password: 'pw' }] });
    await expect(bindPhone(port, 'phone', 'wrong', '')).rejects.toThrow(/bind was refused: command_status 14/);
  });
});
