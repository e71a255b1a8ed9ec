// OTA-HTTP: registration sends the CPI to the PPG contact point; pushes arrive by HTTP POST.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { parseEncapsulated } from '../../src/cai/otaHttp.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { closeLater, inbox, until } from './helpers.js';

/** A stand-in PPG on loopback: records each request, answers with the given status. */
async function ppg(status = 204, pushStatus?: string) {
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    if (pushStatus) res.setHeader('X-Wap-Push-Status', pushStatus);
    res.writeHead(status).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  closeLater({
    close: async () => {
      if (server.listening) await close();
    },
  });
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cpi`, close };
}

function http(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function registered(client: PushClient, req: RegistrationRequest) {
  const r = await client.register(req);
  if (r.status !== 'accepted') throw new Error(r.message);
  return { registration: r.registration, done: await r.completed };
}

// The encapsulated form as PPG test data shows it (Symbian TE_WAPPUSH testdata: POST /wappush,
// Content-Type application/http, X-Wap-Push-OTA-Version 1.0, an HTTP/1.1 200 OK message inside).
const SI_XML =
  '<?xml version="1.0"?><!DOCTYPE si PUBLIC "-//WAPFORUM//DTD SI 1.0//EN" "http://www.wapforum.org/DTD/si.dtd"><si><indication href="http://www.example.com/" si-id="n1">New mail</indication></si>';
function encapsulated(content: string, appId = 'x-wap-application:wml.ua'): Buffer {
  return Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: text/vnd.wap.si\r\nContent-Length: ${Buffer.byteLength(content)}\r\nX-Wap-Application-Id: ${appId}\r\n\r\n${content}`,
  );
}

describe('PushCAI 5.1 and 5.2 over OTA-HTTP: registering and deregistering with the Push Server', () => {
  it('sends the CPI to the contact point, and the updated CPI on deregistration', async () => {
    const server = await ppg();
    const client = closeLater(new PushClient({ terminalId: '+15559999' }));
    const { registration, done } = await registered(client, {
      pushApplicationId: 'x-wap-application:emn.ua',
      accept: ['application/vnd.wap.emn+wbxml'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: server.url }],
    });
    expect(done).toEqual({ status: 'success' });
    expect(server.seen).toHaveLength(1);
    const reg = server.seen[0];
    expect(reg.method).toBe('OPTIONS');
    expect(reg.headers['x-wap-push-accept-appid']).toBe('x-wap-application:emn.ua');
    expect(reg.headers['x-wap-push-accept']).toBe('application/vnd.wap.emn+wbxml');
    expect(reg.headers['x-wap-push-ota-version']).toBe('1.0');
    expect(reg.headers['x-wap-terminal-id']).toBe('+15559999');
    expect(await client.deregister(registration)).toEqual({ status: 'success' });
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1].headers['x-wap-push-accept-appid']).toBe('');
  });

  it('reports failure when the PPG refuses, and a failed deregistration changes nothing', async () => {
    const refusing = await ppg(403);
    const client = closeLater(new PushClient());
    const { done } = await registered(client, {
      pushApplicationId: 0x09,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: refusing.url }],
    });
    expect(done).toMatchObject({ status: 'failure', reason: 'push-server-refused' });
    expect(client.registrations()).toEqual([]);
    expect(client.cpi().acceptAppIds).toEqual([]);

    const statusRefusal = await ppg(200, '400 Not Understood');
    const second = await registered(client, {
      pushApplicationId: 0x09,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: statusRefusal.url }],
    });
    expect(second.done).toMatchObject({ status: 'failure', reason: 'push-server-refused' });

    const flaky = await ppg(204);
    const third = await registered(client, {
      pushApplicationId: 0x09,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: flaky.url }],
    });
    expect(third.done).toEqual({ status: 'success' });
    await flaky.close();
    const dereg = await client.deregister(third.registration);
    expect(dereg).toMatchObject({ status: 'failure', reason: 'push-server-unreachable' });
    expect(third.registration.state).toBe('active');
  });

  it('runs the Push Service Registration procedure at the given URI', async () => {
    const a = await ppg();
    const { boundClient } = await import('./helpers.js');
    const { client } = await boundClient();
    const one = await registered(client, {
      pushApplicationId: 0x07,
      applicationId: 'urn:dm:one',
      pushServiceRegistrationUri: a.url,
    });
    expect(one.done).toEqual({ status: 'success' });
    expect(a.seen[0].headers['x-wap-push-accept-appid']).toBe('x-wap-application:syncml.dm');
  });
});

describe('PushCAI 5.3 over OTA-HTTP: push reception', () => {
  it('delivers an application/http push with the encapsulated headers, and answers OPTIONS with the CPI', async () => {
    const client = closeLater(new PushClient());
    const box = inbox();
    await registered(client, {
      pushApplicationId: 'x-wap-application:wml.ua',
      accept: ['text/vnd.wap.si'],
      handler: box.handler,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    });
    const port = client.httpPort(0)!;
    const res = await http(
      port,
      'POST',
      '/wappush',
      { 'Content-Type': 'application/http', 'X-Wap-Push-OTA-Version': '1.0' },
      encapsulated(SI_XML),
    );
    expect(res.status).toBe(204);
    expect(res.headers['x-wap-push-ota-version']).toBe('1.0');
    await until(() => box.got.length === 1);
    const e = box.got[0];
    expect(e.protocol).toBe('OTA-HTTP');
    expect(e.contentType).toBe('text/vnd.wap.si');
    expect(e.applicationId).toBe('x-wap-application:wml.ua');
    expect(e.headers.map((h) => h.name)).toEqual(['Content-Length', 'X-Wap-Application-Id']);
    expect(e.body).toMatchObject({ type: 'si', href: 'http://www.example.com/', siId: 'n1', text: 'New mail' });
    expect(Buffer.from(e.content).toString()).toBe(SI_XML);

    const options = await http(port, 'OPTIONS', '/wappush', {});
    expect(options.status).toBe(204);
    expect(options.headers['x-wap-push-accept-appid']).toBe('x-wap-application:wml.ua');
    expect(options.headers['x-wap-push-accept']).toBe('text/vnd.wap.si');
    expect(options.headers['x-wap-cpitag']).toBe(client.cpi().headers['X-Wap-CPITag']);
  });

  it('refuses malformed pushes with 400 and reports them; other methods get 405', async () => {
    const client = closeLater(new PushClient());
    await registered(client, {
      pushApplicationId: 2,
      handler: () => {},
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    });
    const port = client.httpPort(0)!;
    const reasons: string[] = [];
    client.on('unrouted', (u) => reasons.push(u.reason));
    expect(
      (await http(port, 'POST', '/', { 'Content-Type': 'application/http' }, Buffer.from('garbage\r\n\r\n'))).status,
    ).toBe(400);
    expect(
      (
        await http(
          port,
          'POST',
          '/',
          { 'Content-Type': 'application/http' },
          Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort'),
        )
      ).status,
    ).toBe(400);
    expect((await http(port, 'POST', '/', {}, Buffer.from('no type'))).status).toBe(400);
    expect((await http(port, 'GET', '/', {})).status).toBe(405);
    expect(reasons).toEqual(['undecodable', 'undecodable', 'undecodable']);
  });

  it('fails the binding when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    closeLater({ close: () => new Promise<void>((r) => blocker.close(() => r())) });
    const taken = (blocker.address() as AddressInfo).port;
    const client = closeLater(new PushClient());
    const { done } = await registered(client, {
      pushApplicationId: 2,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: taken }],
    });
    expect(done).toMatchObject({ status: 'failure', reason: 'bind-failed' });
  });

  it('parses the encapsulated form and bounds its header section', () => {
    const ok = parseEncapsulated(encapsulated('abc'));
    expect(typeof ok === 'object' && Buffer.from(ok.content).toString()).toBe('abc');
    expect(parseEncapsulated(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`))).toMatch(/exceed/);
  });
});

describe('PushCAI 5.1: a failed binding gives back only what it took', () => {
  it('keeps a shared OTA-HTTP receiver open for the registration that still uses it', async () => {
    const good = await ppg(204);
    const bad = await ppg(500);
    const client = closeLater(new PushClient());
    const box = inbox();
    const first = await registered(client, {
      pushApplicationId: 2,
      handler: box.handler,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: good.url }],
    });
    expect(first.done).toEqual({ status: 'success' });
    const port = client.httpPort(0)!;
    const second = await registered(client, {
      pushApplicationId: 4,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: bad.url }],
    });
    expect(second.done).toMatchObject({ status: 'failure', reason: 'push-server-refused' });
    expect(client.httpPort(0)).toBe(port);
    expect((await http(port, 'POST', '/', { 'Content-Type': 'application/http' }, encapsulated(SI_XML))).status).toBe(
      204,
    );
    await until(() => box.got.length === 1);
  });

  it('a registration deregistered while binding reports failure and leaves nothing bound', async () => {
    const client = closeLater(
      new PushClient({
        smsc: 'smpp://x:y@127.0.0.1:1',
        bindTimeoutMs: 100,
        linkOptions: { reconnect: { initialMs: 1_000, maxMs: 1_000 } },
      }),
    );
    const r = await client.register({ pushApplicationId: 2 });
    if (r.status !== 'accepted') throw new Error('refused');
    expect(await client.deregister(r.registration)).toEqual({ status: 'success' });
    expect(await r.completed).toMatchObject({ status: 'failure', reason: 'deregistered' });
    expect(r.registration.state).toBe('deregistered');
    expect(client.registrations()).toEqual([]);
  });
});

describe('OTA-HTTP under overload (overflow "redeliver")', () => {
  it('answers 503 with Retry-After when the application has no room, instead of dropping the push', async () => {
    const client = closeLater(new PushClient({ overflow: 'redeliver', maxQueuedPerApplication: 1 }));
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    await registered(client, {
      pushApplicationId: 2,
      handler: () => gate,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    });
    const port = client.httpPort(0)!;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await http(port, 'POST', '/', { 'Content-Type': 'application/http' }, encapsulated(SI_XML))).status,
      );
    // One in the handler, one queued, the third has no room.
    expect(statuses).toEqual([204, 204, 503]);
    expect(client.stats.deferred).toBe(1);
    release();
  });
});
