/**
 * HTTPS for the PPG (PAP) and the OTA-HTTP receiver, with the test PKI (certs.ts); failed
 * HTTP Basic logins throttled per address, then 429; initiators see only their own pushes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { cli } from '../cli/run.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { attr, basic, harness } from '../ppg/harness.js';
import { MULTIPART, pushBody, queryXml } from '../ppg/papFixtures.js';
import { makeTestPki, type TestPki } from './certs.js';
import { waitFor } from './peers.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** POST over HTTPS (verifying with `ca`) or HTTP, from `localAddress`. */
function send(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  options: { ca?: Buffer; localAddress?: string } = {},
): Promise<Answer> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'POST',
        headers,
        ca: options.ca,
        localAddress: options.localAddress,
        timeout: 5_000,
        // A connection of its own each time: the caps tests count connections.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const pap = (authorization?: string) => ({
  'content-type': MULTIPART,
  ...(authorization ? { authorization } : {}),
});

describe('the PPG over HTTPS', () => {
  it('takes a push over HTTPS verified against the CA, names itself https, and does not speak plain HTTP there', async () => {
    const h = await harness({ tls: { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) } });
    try {
      const url = `https://127.0.0.1:${h.ppg.port}/wappush`;
      const r = await send(url, pushBody({ pushId: 's1' }), pap(basic('pi', 'pi-secret')), {
        ca: pki.read(pki.caCert),
      });
      expect(r.status).toBe(202);
      expect(attr(r.text, 'push-response', 'sender-address')).toBe(`https://127.0.0.1:${h.ppg.port}/wappush`);
      await expect(
        send(url.replace('https:', 'http:'), pushBody({ pushId: 's2' }), pap(basic('pi', 'pi-secret'))),
      ).rejects.toBeInstanceOf(Error);
      await expect(
        send(url, pushBody({ pushId: 's3' }), pap(basic('pi', 'pi-secret')), { ca: pki.read(pki.wrongCaCert) }),
      ).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      await h.close();
    }
  });

  it('wrong passwords from one address are slowed, then answered 429; a right login from another address is not', async () => {
    const h = await harness({
      throttle: { freeFailures: 2, delayMs: 30, maxDelayMs: 60, refuseAfter: 5, lockoutMs: 60_000 },
    });
    try {
      const statuses: number[] = [];
      const times: number[] = [];
      let retryAfter: string | string[] | undefined;
      for (let i = 0; i < 8; i++) {
        const t0 = performance.now();
        const r = await send(h.url, pushBody({ pushId: `g${i}` }), pap(basic('pi', `guess${i}`)), {
          localAddress: '127.0.0.1',
        });
        times.push(performance.now() - t0);
        statuses.push(r.status);
        retryAfter ??= r.status === 429 ? r.headers['retry-after'] : undefined;
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      expect(times[3]).toBeGreaterThanOrEqual(55);
      expect(Number(retryAfter)).toBeGreaterThan(50);
      const locked = await send(h.url, pushBody({ pushId: 'r1' }), pap(basic('pi', 'pi-secret')), {
        localAddress: '127.0.0.1',
      });
      expect(locked.status).toBe(429);
      const other = await send(h.url, pushBody({ pushId: 'r2' }), pap(basic('pi', 'pi-secret')), {
        localAddress: '127.0.0.2',
      });
      expect(other.status).toBe(202);
    } finally {
      await h.close();
    }
  });

  it('a request with no credentials is not counted as a guess', async () => {
    const h = await harness({ throttle: { freeFailures: 0, refuseAfter: 2, lockoutMs: 60_000 } });
    try {
      for (let i = 0; i < 4; i++) expect((await send(h.url, pushBody({ pushId: `n${i}` }), pap())).status).toBe(401);
      expect((await send(h.url, pushBody({ pushId: 'ok' }), pap(basic('pi', 'pi-secret')))).status).toBe(202);
    } finally {
      await h.close();
    }
  });

  it('an initiator sees only its own pushes in status queries', async () => {
    const h = await harness();
    try {
      const r = await send(h.url, pushBody({ pushId: 'mine' }), pap(basic('pi', 'pi-secret')));
      expect(r.status).toBe(202);
      const own = await send(h.url, queryXml('statusquery-message', 'mine'), {
        'content-type': 'application/xml',
        authorization: basic('pi', 'pi-secret'),
      });
      expect(attr(own.text, 'statusquery-result', 'code')).not.toBe('2004');
      expect(attr(own.text, 'statusquery-result', 'message-state')).toMatch(/pending|delivered/);
      const theirs = await send(h.url, queryXml('statusquery-message', 'mine'), {
        'content-type': 'application/xml',
        authorization: basic('other', 'other-secret'),
      });
      expect(attr(theirs.text, 'statusquery-result', 'code')).toBe('2004');
      expect(theirs.text).not.toContain('15551234567');
    } finally {
      await h.close();
    }
  });
});

describe('the OTA-HTTP receiver over HTTPS', () => {
  it('takes a push over HTTPS, refuses plain HTTP on that port, and cuts a stalled handshake', async () => {
    const client = new PushClient({
      otaHttp: { tls: { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) }, headersTimeoutMs: 300 },
    });
    const got: PushEvent[] = [];
    try {
      const r = await client.register({
        pushApplicationId: 'x-wap-application:wml.ua',
        handler: (e) => void got.push(e),
        connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
      });
      if (r.status !== 'accepted') throw new Error(r.message);
      await r.completed;
      const port = client.httpPort(0)!;
      const url = `https://127.0.0.1:${port}/`;
      const headers = { 'content-type': 'text/plain', 'x-wap-application-id': 'x-wap-application:wml.ua' };
      const ok = await send(url, 'hello over tls', headers, { ca: pki.read(pki.caCert) });
      expect(ok.status).toBe(204);
      expect(await waitFor(() => got.length === 1, 3_000)).toBe(true);
      await expect(send(url.replace('https:', 'http:'), 'plain', headers)).rejects.toBeInstanceOf(Error);
      // A TCP connection that never starts its handshake is closed by the header timer.
      const raw = connect({ host: '127.0.0.1', port });
      raw.on('error', () => {});
      let closed = false;
      raw.on('close', () => (closed = true));
      expect(await waitFor(() => closed, 5_000)).toBe(true);
      expect(await waitFor(() => client.otaHttpStats()!.connections === 0, 2_000)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('wappush listen: OTA-HTTP over HTTPS and its connection bounds from flags', () => {
  it('--tls-cert/--tls-key serve HTTPS; --max-connections-per-address and --headers-timeout hold', async () => {
    const smsc = new SmscSimulator({ accounts: [{ systemId: 'client', password: 'pw' }] });
    const smscPort = await smsc.listen();
    const dir = mkdtempSync(join(tmpdir(), 'wappush-listen-https-'));
    // A port nothing listens on: taken and given back, for the registration to ask for.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const apps = join(dir, 'apps.json');
    writeFileSync(
      apps,
      JSON.stringify([
        { pushApplicationId: 'x-wap-application:wml.ua', connectionProfiles: [{ protocol: 'OTA-HTTP', port }] },
      ]),
    );
    const smscFile = join(dir, 'smsc');
    writeFileSync(smscFile, `smpp://client:pw@127.0.0.1:${smscPort}\n`, { mode: 0o600 });
    const child = spawn(process.execPath, [
      cli,
      'listen',
      '--smsc-file',
      smscFile,
      '--store',
      'memory',
      '--register',
      apps,
      '--tls-cert',
      pki.serverCert,
      '--tls-key',
      pki.serverKey,
      '--max-connections-per-address',
      '1',
      '--headers-timeout',
      '400',
    ]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l)));
    try {
      expect(await waitFor(() => lines.some((l) => l.register !== undefined), 10_000)).toBe(true);
      expect(lines[0].register).toMatchObject({ status: 'success' });
      const url = `https://127.0.0.1:${port}/`;
      const headers = { 'content-type': 'text/plain', 'x-wap-application-id': 'x-wap-application:wml.ua' };
      expect((await send(url, 'over tls', headers, { ca: pki.read(pki.caCert) })).status).toBe(204);
      expect(await waitFor(() => lines.length === 2, 5_000)).toBe(true);
      expect(lines[1]).toMatchObject({ registration: { pushApplicationId: 'x-wap-application:wml.ua' } });
      await expect(send(url.replace('https:', 'http:'), 'plain', headers)).rejects.toBeInstanceOf(Error);
      // One idle connection from 127.0.0.1 takes the one place: a second is cut at once...
      const idle = connect({ host: '127.0.0.1', port });
      idle.on('error', () => {});
      let idleClosed = false;
      idle.on('close', () => (idleClosed = true));
      await new Promise((resolve) => idle.once('connect', resolve));
      await expect(send(url, 'second', headers, { ca: pki.read(pki.caCert) })).rejects.toBeInstanceOf(Error);
      // ... and the idle one is cut by --headers-timeout, which frees the place.
      expect(await waitFor(() => idleClosed, 5_000)).toBe(true);
      expect((await send(url, 'again', headers, { ca: pki.read(pki.caCert) })).status).toBe(204);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await smsc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
