// `wappush decode --tree` and `wappush inspect`, run as users run them (dist/, built by npm test).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { cli, run } from '../cli/run.js';

// test/fixtures/wsp/01-nowsms-forum-si.json
const SI = 'FD0601AE02056A0045C60D03676F6F676C652E636F6D0007010342696B61736800010100';

describe('wappush decode --tree', () => {
  it('prints the tree as JSON: each node with its offset and length', () => {
    const r = run(['decode', '--tree', '--tree-format', 'json', '--hex', SI]);
    expect(r.status).toBe(0);
    const tree = JSON.parse(r.stdout);
    expect(tree).toMatchObject({ name: 'WSP push', offset: 0, length: 36 });
    const pdu = tree.children[0];
    expect(pdu.children.slice(0, 3)).toMatchObject([
      { name: 'TID', value: 0xfd, offset: 0, length: 1 },
      { name: 'PDU type', value: 'push', offset: 1, length: 1 },
      { name: 'HeadersLen', value: 1, offset: 2, length: 1 },
    ]);
  });

  it('prints an indented text view with offsets', () => {
    const r = run(['decode', '--tree', '--tree-format', 'text', '--hex', SI]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('     0 +1        TID: 253');
    expect(lines).toContain('    35 +1            trailing data (ignored): "1 octets"');
    expect(r.stdout).toContain('warning TRAILING_DATA at 35');
  });

  it('a push that does not decode: the tree up to the error, then the error line, exit 1', () => {
    const r = run(['decode', '--tree', '--tree-format', 'json', '--hex', 'FD09' + SI.slice(4)]);
    expect(r.status).toBe(1);
    const tree = JSON.parse(r.stdout);
    expect(tree.children.at(-1)).toMatchObject({
      name: 'error',
      offset: 1,
      error: { code: 'BAD_PDU_TYPE', offset: 1 },
    });
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'BAD_PDU_TYPE', offset: 1 });
  });

  it('SMS segments, one a line on stdin: one tree with the reassembled datagram', () => {
    // Two halves of the SI behind a UDH: ports 2948/9200, 8-bit reference 7 (3GPP TS 23.040 9.2.3.24).
    const udh = (seq: number) => `0b05040b8423f0000307020${seq}`;
    const input = `${udh(2)}${SI.slice(36)}\n${udh(1)}${SI.slice(0, 36)}\n`;
    const r = run(['decode', '--input', 'sms', '--tree', '--tree-format', 'json'], input);
    expect(r.status).toBe(0);
    const tree = JSON.parse(r.stdout);
    const datagram = tree.children.find((c: { name: string }) => c.name === 'reassembled WDP datagram');
    expect(datagram.source.octets).toBe(SI.toLowerCase());
  });

  it('--tree-format without --tree, or an unknown one, is the error line', () => {
    expect(run(['decode', '--tree-format', 'json', '--hex', SI]).status).toBe(1);
    const r = run(['decode', '--tree', '--tree-format', 'xml', '--hex', SI]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.message).toContain('--tree-format');
  });
});

function get(url: string, method = 'GET'): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('wappush inspect', () => {
  it('serves the page on 127.0.0.1 (port 0: a free one), nothing else; SIGINT ends it, exit 0', async () => {
    const child = spawn(process.execPath, [cli, 'inspect', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('no listening line in 20 s')), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.split('\n')[0]);
          }
        });
      });
      const { listening } = JSON.parse(line);
      expect(listening.host).toBe('127.0.0.1');
      expect(listening.url).toBe(`http://127.0.0.1:${listening.port}/`);
      const page = await get(listening.url);
      expect(page.status).toBe(200);
      expect(page.type).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<title>wappush inspector</title>');
      expect((await get(`${listening.url}inspector.html`)).status).toBe(200);
      expect((await get(`${listening.url}etc/passwd`)).status).toBe(404);
      expect((await get(listening.url, 'POST')).status).toBe(405);
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a port out of range is the error line, exit 1', () => {
    const r = run(['inspect', '--port', '70000']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.message).toContain('port');
  });
});
