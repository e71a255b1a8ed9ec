// HTTP-level refusals: header block, request time, client address, and the PPG on Redis.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { RedisServer } from '../helpers/redisServer.js';
import { attr, basic, harness, post, until, type Harness } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

let h: Harness | undefined;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  while (cleanup.length) await cleanup.pop()!();
});

/** Writes raw bytes to the PPG; resolves with the status line of what comes back (or '' on close). */
function raw(port: number, chunks: string[], gapMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got.split('\r\n')[0]));
    s.on('error', () => {});
    s.setTimeout(5_000, () => s.destroy());
    void (async () => {
      for (const c of chunks) {
        if (s.destroyed) return;
        s.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

describe('PPG HTTP bounds', () => {
  it('refuses an oversized header block (431) and a request that takes too long (408)', async () => {
    h = await harness({ maxHeaderOctets: 1_024, requestTimeoutMs: 300 });
    const port = Number(new URL(h.url).port);
    const big = `POST /wappush HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(2_000)}\r\n\r\n`;
    expect(await raw(port, [big])).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const head = `POST /wappush HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('pi', 'pi-secret')}\r\nContent-Type: ${MULTIPART}\r\nContent-Length: 1000\r\n\r\n`;
    const started = Date.now();
    expect(await raw(port, [head, 'a', 'b', 'c'], 100)).toBe('HTTP/1.1 408 Request Timeout');
    // requestTimeoutMs, plus at most the 300 ms checking interval, plus slack for a busy machine.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(h.smsc.stats.submitted).toBe(0);
  });

  it('refuses an initiator from an address it may not connect from (403)', async () => {
    h = await harness({ initiators: [{ name: 'pi', password: 'pi-secret', allowedAddresses: ['10.9.9.9'] }] });
    const r = await post(h.url, pushBody({ pushId: 'a' }), MULTIPART);
    expect(r.status).toBe(403);
    expect(attr(r.text, 'badmessage-response', 'code')).toBe('2001');
  });
});

describe('PPG on the Redis store', () => {
  it('keeps pushes and outcomes in Redis; a second PPG on it answers status queries', async () => {
    const redis = new RedisServer();
    cleanup.push(() => redis.close());
    await redis.start();
    const store: Store = await openStore(redis.url);
    cleanup.push(() => store.close());
    h = await harness({ store });
    await post(h.url, pushBody({ pushId: 'r1', addresses: ['WAPPUSH=+15557654321/TYPE=PLMN@x'] }), MULTIPART);
    await until(() => h!.phone.length === 1, 'the push');
    await until(() => h!.ppg.inProgress === 0, 'settled');
    const other: Store = await openStore(redis.url);
    cleanup.push(() => other.close());
    const second = await harness({ store: other });
    cleanup.push(() => second.close());
    const q = await post(second.url, queryXml('statusquery-message', 'r1'), 'application/xml');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
  });
});
