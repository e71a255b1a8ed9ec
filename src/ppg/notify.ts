/** POSTs a PAP document (a result notification) to the initiator's URL, bounded in time. */
import http from 'node:http';
import https from 'node:https';

/** Octets of a notification's answer read before it is let go. */
const MAX_ANSWER_OCTETS = 65_536;

/** Resolves with the HTTP status; rejects on a network error or when `timeoutMs` passes. */
export function postPap(url: string, xml: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const body = Buffer.from(xml, 'utf8');
    // The whole exchange within timeoutMs, timed here: a socket timeout on a kept-alive
    // connection would also count the time it lay idle in the pool.
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${u.origin} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const done = (f: () => void) => {
      clearTimeout(timer);
      f();
    };
    const req = client.request(
      u,
      { method: 'POST', headers: { 'content-type': 'application/xml', 'content-length': body.length } },
      (res) => {
        let seen = 0;
        res.on('data', (c: Buffer) => {
          seen += c.length;
          if (seen > MAX_ANSWER_OCTETS) res.destroy();
        });
        res.on('end', () => done(() => resolve(res.statusCode ?? 0)));
        res.on('error', (e) => done(() => reject(e)));
        res.on('close', () => done(() => resolve(res.statusCode ?? 0)));
      },
    );
    req.on('error', (e) => done(() => reject(e)));
    req.end(body);
  });
}
