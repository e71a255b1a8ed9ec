/**
 * HTTPS for the PPG (PAP) and the OTA-HTTP receiver, with the test PKI (certs.ts); failed
 * HTTP Basic logins throttled per address, then 429; initiators see only their own pushes.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
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
      { method: 'POST', headers, ca: options.ca, localAddress: options.localAddress, timeout: 5_000 },
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
