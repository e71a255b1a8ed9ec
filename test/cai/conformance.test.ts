// PushCAI to the letter (issue 19): one test per point, named after its PushCAI section.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { boundClient, closeLater, datagram, inbox, postPush, pushFrom, siPush, until } from './helpers.js';

/** A stand-in Push Server on loopback: records each request, answers with the given status. */
async function pushServer(status = 204) {
  const seen: Array<{ method: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method!, headers: req.headers });
    req.resume();
    res.writeHead(status).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closeLater({
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/psr` };
}

async function registered(client: PushClient, request: RegistrationRequest) {
  const r = await client.register(request);
  if (r.status !== 'accepted') throw new Error(`refused: ${r.message}`);
  expect(await r.completed).toEqual({ status: 'success' });
  return r.registration;
}

describe('PushCAI 5.1 unique delivery: an already-registered Push Application ID', () => {
  it('fails when the binding a Push Service Registration gives cannot tell its pushes apart, and that Push Server hears it is gone', async () => {
    const a = await pushServer();
    const b = await pushServer();
    const { client } = await boundClient();
    await registered(client, {
      pushApplicationId: 0x07,
      applicationId: 'urn:dm:one',
      pushServiceRegistrationUri: a.url,
    });
    // Accepted pending the procedure (5.1); b's answer gives no profile, so the default binding:
    // OTA-WSP port 2948 from any source, as the first has. One push would reach both.
    const second = await client.register({
      pushApplicationId: 0x07,
      applicationId: 'urn:dm:two',
      pushServiceRegistrationUri: b.url,
    });
    if (second.status !== 'accepted') throw new Error(second.message);
    expect(await second.completed).toMatchObject({ status: 'failure', reason: 'duplicate-application-id' });
    expect(client.registrations().map((r) => r.applicationId)).toEqual(['urn:dm:one']);
    await until(() => b.seen.length === 2);
    expect(b.seen.map((x) => x.headers['x-wap-push-accept-appid'])).toEqual(['x-wap-application:syncml.dm', '']);
  });

  it('is accepted on the same port when each names its own contact point, and each push reaches exactly one', async () => {
    const { client } = await boundClient();
    const one = inbox();
    const two = inbox();
    const refused: string[] = [];
    client.on('refused', ({ reason }) => refused.push(reason));
    await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:a',
      connectionProfiles: [{ contactPoint: '+15550001' }],
      handler: one.handler,
    });
    await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:b',
      connectionProfiles: [{ contactPoint: '+15550002' }],
      handler: two.handler,
    });
    // A third without a contact point on that port would take pushes from anyone: a duplicate.
    expect(await client.register({ pushApplicationId: 0x02, applicationId: 'urn:c' })).toMatchObject({
      status: 'rejected',
      reason: 'duplicate-application-id',
    });
    client.deliverDatagram(datagram(siPush({ text: 'for a' }), { originator: '+15550001' }));
    client.deliverDatagram(datagram(siPush({ text: 'for b' }), { originator: '15550002' }));
    client.deliverDatagram(datagram(siPush({ text: 'nobody' }), { originator: '+15550003' }));
    expect(one.got.map((e) => (e.body as { text: string }).text)).toEqual(['for a']);
    expect(two.got.map((e) => (e.body as { text: string }).text)).toEqual(['for b']);
    expect(refused).toEqual(['contact-point', 'contact-point']);
  });
});

describe('PushCAI 5.1 and 5.2: each Push Server hears exactly the registrations bound to it, and every change', () => {
  it('tells no Push Server of another server’s applications; a replaced or deregistered one is taken out where it was', async () => {
    const p1 = await pushServer();
    const p2 = await pushServer();
    const p3 = await pushServer();
    const client = closeLater(new PushClient());
    const appIdsAt = (s: { seen: Array<{ headers: IncomingHttpHeaders }> }) =>
      s.seen.map((x) => x.headers['x-wap-push-accept-appid']);
    const a = await registered(client, {
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:a',
      accept: ['application/vnd.wap.sic'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: p1.url }],
    });
    await registered(client, {
      pushApplicationId: 'x-wap-application:mms.ua',
      applicationId: 'urn:b',
      accept: ['application/vnd.wap.mms-message'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: p2.url }],
    });
    expect(appIdsAt(p1)).toEqual(['x-wap-application:wml.ua']);
    expect(appIdsAt(p2)).toEqual(['x-wap-application:mms.ua']);
    expect(p2.seen[0].headers['x-wap-push-accept']).toBe('application/vnd.wap.mms-message');

    // A registers again, now with p3: p1, which was told of A, hears that A is gone there.
    const again = await registered(client, {
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:a',
      accept: ['application/vnd.wap.sic'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: p3.url }],
    });
    expect(a.state).toBe('deregistered');
    await until(() => p1.seen.length === 2, 2_000, 'p1 to be told');
    expect(appIdsAt(p1)).toEqual(['x-wap-application:wml.ua', '']);
    expect(appIdsAt(p3)).toEqual(['x-wap-application:wml.ua']);

    // A deregisters: p3 hears it; p2 never heard of A at all.
    expect(await client.deregister(again)).toEqual({ status: 'success' });
    expect(appIdsAt(p3)).toEqual(['x-wap-application:wml.ua', '']);
    expect(appIdsAt(p2)).toEqual(['x-wap-application:mms.ua']);
    expect(client.pendingPushServers()).toEqual([]);
  });
});

describe('PushCAI 5.1: the same Push application may register again', () => {
  it('takes an application registered without an Application ID registering again on the same binding', async () => {
    const { client } = await boundClient();
    const before = inbox();
    const after = inbox();
    const first = await registered(client, { pushApplicationId: 0x04, handler: before.handler });
    const again = await registered(client, { pushApplicationId: 'x-wap-application:mms.ua', handler: after.handler });
    expect(first.state).toBe('deregistered');
    expect(client.registrations()).toEqual([again]);
    client.deliverDatagram(datagram(siPush({ applicationId: 4 })));
    expect([before.got.length, after.got.length]).toEqual([0, 1]);
    // On another binding it is another application, and on the same port it would be a duplicate.
    expect(
      await client.register({ pushApplicationId: 0x04, connectionProfiles: [{ contactPoint: '+15550001' }] }),
    ).toMatchObject({ status: 'rejected', reason: 'duplicate-application-id' });
  });
});

describe('PushCAI 5.1: binding to the bearer of a registration made while the SMPP link is not bound', () => {
  it('stays pending while the link connects, past the old 10 s limit, and succeeds once the link binds', async () => {
    // A port with nothing on it yet: the SMSC comes up later.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = closeLater(
      new PushClient({
        smsc: `smpp://client:pw@127.0.0.1:${port}`,
        linkOptions: { enquireLinkMs: 0, reconnect: { initialMs: 200, maxMs: 400 } },
      }),
    );
    const started = client.start();
    const r = await client.register({ pushApplicationId: 0x02, applicationId: 'urn:early' });
    if (r.status !== 'accepted') throw new Error(r.message);
    let outcome: unknown;
    void r.completed.then((c) => (outcome = c));
    // Waits for something that must NOT happen: the registration failing at the old 10 s limit.
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    expect(outcome).toBeUndefined();
    expect(r.registration.state).toBe('pending');
    const smsc = closeLater(new SmscSimulator({ port }));
    await smsc.listen();
    await started;
    expect(await r.completed).toEqual({ status: 'success' });
    expect(r.registration.state).toBe('active');
  }, 20_000);

  it('is rejected at once, naming why, when the link will not bind: its bind was refused', async () => {
    const smsc = closeLater(new SmscSimulator({ accounts: [{ systemId: 'client', password: 'right' }] }));
    const port = await smsc.listen();
    const client = closeLater(
      new PushClient({ smsc: `smpp://client:wrong@127.0.0.1:${port}`, linkOptions: { enquireLinkMs: 0 } }),
    );
    await expect(client.start()).rejects.toThrow(/bind refused/);
    const r = await client.register({ pushApplicationId: 0x02 });
    expect(r).toMatchObject({ status: 'rejected', reason: 'unavailable-option', option: 'connectionProfiles' });
    expect(r.status === 'rejected' && r.message).toMatch(/refused the bind \(command_status 0x0000000e\)/);
  });
});

describe('PushCAI 5.3: the headers as received', () => {
  // WAP-230 8.2.4.1 push PDU: TID, PDU type 0x06, HeadersLen, then the content type
  // (0xAE: application/vnd.wap.sic, WSP Table 40 code 0x2E) and the headers; the body follows.
  const SI_BODY = [0x02, 0x05, 0x6a, 0x00, 0x45, 0xc6, 0x01, 0x01]; // body octets, not decoded by these tests

  it('takes a push whose header block is malformed after the App ID as undecodable, before any handler', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, { pushApplicationId: 0x02, handler: box.handler });
    const unrouted: Array<{ reason: string; error?: unknown }> = [];
    client.on('unrouted', (u) => unrouted.push(u));
    // App ID 0xAF 0x82 (x-wap-application:wml.ua), then X-Wap-Initiator-URI (0xB1) whose
    // text runs to the end of the header block without its terminating NUL.
    const pdu = Uint8Array.from([0x01, 0x06, 0x06, 0xae, 0xaf, 0x82, 0xb1, 0x61, 0x62, ...SI_BODY]);
    client.deliverDatagram(datagram(pdu));
    expect(box.got).toHaveLength(0);
    expect(unrouted.map((u) => u.reason)).toEqual(['undecodable']);
    expect(unrouted[0].error).toMatchObject({ name: 'DecodeError' });
    expect(client.stats.undecodable).toBe(1);
  });

  it('gives the raw header octets too: the WSP header block of an OTA-WSP push, the header lines of an OTA-HTTP one', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, { pushApplicationId: 0x02, handler: box.handler });
    const headerBlock = [0xae, 0xaf, 0x82, 0xb1, 0x61, 0x00];
    client.deliverDatagram(datagram(Uint8Array.from([0x07, 0x06, headerBlock.length, ...headerBlock, ...SI_BODY])));
    expect(box.got).toHaveLength(1);
    expect([...box.got[0].rawHeaders]).toEqual(headerBlock);
    expect(box.got[0].headers.map((h) => h.name)).toEqual(['X-Wap-Application-Id', 'X-Wap-Initiator-URI']);

    const http = closeLater(new PushClient());
    const got = inbox();
    await registered(http, {
      pushApplicationId: 0x02,
      handler: got.handler,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    });
    const lines = 'Content-Type: text/vnd.wap.si\r\nX-Wap-Application-Id: x-wap-application:wml.ua\r\n';
    const body = `HTTP/1.1 200 OK\r\n${lines}\r\n<si><indication href="http://a.example/">x</indication></si>`;
    await postPush(http.httpPort(0)!, body, { 'Content-Type': 'application/http' });
    await until(() => got.got.length === 1);
    expect(Buffer.from(got.got[0].rawHeaders).toString('latin1')).toBe(lines);
  });
});

describe('PushCAI 5.2: deregistration while the Push Server is down', () => {
  it('fails without force and changes nothing; with force leaves here, reports the server not told, and tells it later', async () => {
    // A Push Server that goes down, then comes back on the same port.
    const seen: Array<string | string[] | undefined> = [];
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.headers['x-wap-push-accept-appid']);
      req.resume();
      res.writeHead(204).end();
    };
    let server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const down = () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    closeLater({ close: () => (server.listening ? down() : Promise.resolve()) });
    const url = `http://127.0.0.1:${port}/cpi`;

    const client = closeLater(new PushClient({ pushServerRetry: { initialMs: 50, maxMs: 100 } }));
    const r = await registered(client, {
      pushApplicationId: 'x-wap-application:wml.ua',
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: url }],
    });
    expect(seen).toEqual(['x-wap-application:wml.ua']);
    await down();

    expect(await client.deregister(r)).toMatchObject({ status: 'failure', reason: 'push-server-unreachable' });
    expect(r.state).toBe('active');

    expect(await client.deregister(r, { force: true })).toEqual({ status: 'success', pushServersPending: [url] });
    expect(r.state).toBe('deregistered');
    expect(client.registrations()).toEqual([]);
    expect(client.pendingPushServers()).toEqual([url]);

    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await until(() => seen.length === 2, 3_000, 'the Push Server to be told');
    expect(seen[1]).toBe('');
    await until(() => client.pendingPushServers().length === 0, 1_000, 'no server pending');
  });
});

describe('PushCAI 5.1 Accept: the CPI of an application that names no MIME types', () => {
  it('says it takes any content type (X-Wap-Push-Accept */*), and drops that when it leaves', async () => {
    const server = await pushServer();
    const client = closeLater(new PushClient());
    const open = await registered(client, {
      pushApplicationId: 0x02,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: server.url }],
    });
    await registered(client, {
      pushApplicationId: 0x04,
      accept: ['application/vnd.wap.mms-message'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: server.url }],
    });
    expect(server.seen.map((s) => s.headers['x-wap-push-accept'])).toEqual([
      '*/*',
      '*/*, application/vnd.wap.mms-message',
    ]);
    expect(await client.deregister(open)).toEqual({ status: 'success' });
    expect(server.seen[2].headers['x-wap-push-accept']).toBe('application/vnd.wap.mms-message');
  });
});

describe('PushCAI 5.2: the Push Server hears the MIME types only the deregistered application had go', () => {
  it('updates X-Wap-Push-Accept at the server, keeping the types another registration still has', async () => {
    const server = await pushServer();
    const client = closeLater(new PushClient());
    const si = await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:si',
      accept: ['text/vnd.wap.si', 'application/vnd.wap.sic'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: server.url }],
    });
    await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:sic',
      accept: ['application/vnd.wap.sic'],
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 4999, contactPoint: server.url }],
    });
    expect(await client.deregister(si)).toEqual({ status: 'success' });
    const last = server.seen[server.seen.length - 1].headers;
    expect(last['x-wap-push-accept']).toBe('application/vnd.wap.sic');
    expect(last['x-wap-push-accept-appid']).toBe('x-wap-application:wml.ua');
  });
});

describe('PushCAI 5.1 Push Service Registration: a failure of the procedure', () => {
  it('completes the registration with failure, reason push-service-registration-failed, and leaves nothing bound', async () => {
    const refusing = await pushServer(403);
    const { client } = await boundClient();
    const r = await client.register({ pushApplicationId: 0x07, pushServiceRegistrationUri: refusing.url });
    if (r.status !== 'accepted') throw new Error(r.message);
    expect(await r.completed).toMatchObject({ status: 'failure', reason: 'push-service-registration-failed' });
    expect(client.registrations()).toEqual([]);
    expect(client.cpi().acceptAppIds).toEqual([]);
  });
});

describe('PushCAI 5.3: a push by SMS without port addressing', () => {
  it('is taken as sent to port 2948, and the event says so', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, { pushApplicationId: 0x02, handler: box.handler });
    client.deliverDatagram(datagram(siPush(), { destinationPort: undefined, sourcePort: undefined }));
    client.deliverDatagram(datagram(siPush()));
    expect(box.got.map((e) => [e.port, e.portImplied])).toEqual([
      [2948, true],
      [2948, false],
    ]);
  });
});

describe('PushCAI 5.1 Contact Point: the IP address, hostname, or URI of the PPG, as the expected source', () => {
  it('OTA-HTTP: takes each form, and delivers only pushes whose peer is the contact point', async () => {
    const ppg = await pushServer();
    const client = closeLater(new PushClient());
    const boxes = { ip: inbox(), host: inbox(), url: inbox() };
    const forms: Array<[keyof typeof boxes, string, string]> = [
      ['ip', 'x-example:ip.ua', '127.0.0.1'],
      ['host', 'x-example:host.ua', 'localhost'],
      ['url', 'x-example:url.ua', ppg.url],
    ];
    for (const [form, appId, contactPoint] of forms) {
      await registered(client, {
        pushApplicationId: appId,
        handler: boxes[form].handler,
        connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint }],
      });
    }
    // Only the URL is a Push Server to register with; an IP address or hostname is a source only.
    expect(ppg.seen.map((s) => s.headers['x-wap-push-accept-appid'])).toEqual(['x-example:url.ua']);
    const port = client.httpPort(0)!;
    const refused: string[] = [];
    client.on('refused', ({ reason }) => refused.push(reason));
    for (const [form, appId] of forms) {
      expect(await pushFrom('127.0.0.2', port, appId), `${form} from elsewhere`).toBe(403);
      expect(await pushFrom('127.0.0.1', port, appId), `${form} from the PPG`).toBe(204);
    }
    await until(() => Object.values(boxes).every((b) => b.got.length === 1));
    expect(refused).toEqual(['contact-point', 'contact-point', 'contact-point']);
  });

  // 5.1: "MUST reject ... an already-registered Push Application ID, unless: the Application
  // Registration is received from the same Push application". Bindings compare by the contact
  // points they name: the old registration's hostname is resolved, the new one's not yet.
  it('OTA-HTTP: an unnamed application registering again with its hostname contact point replaces its registration', async () => {
    const client = closeLater(new PushClient());
    const before = inbox();
    const after = inbox();
    const profile = (contactPoint: string) => [{ protocol: 'OTA-HTTP' as const, port: 0, contactPoint }];
    const first = await registered(client, {
      pushApplicationId: 'x-example:again.ua',
      handler: before.handler,
      connectionProfiles: profile('localhost'),
    });
    // The same name, as DNS compares names: in any case.
    const again = await registered(client, {
      pushApplicationId: 'x-example:again.ua',
      handler: after.handler,
      connectionProfiles: profile('LocalHost'),
    });
    expect(first.state).toBe('deregistered');
    expect(client.registrations()).toEqual([again]);
    expect(await pushFrom('127.0.0.1', client.httpPort(0)!, 'x-example:again.ua')).toBe(204);
    await until(() => after.got.length === 1);
    expect(before.got).toEqual([]);
  });

  // 5.1 "unless unique: a specific bearer binding": a hostname and an IP address are different
  // expected sources, whichever registered first; the hostname's addresses are checked when it
  // binds, and one the other registration expects too fails that binding (pushes from it could
  // not be told apart).
  it('OTA-HTTP: two applications of one App ID on one port, one by hostname: distinct unless its addresses overlap', async () => {
    const client = closeLater(new PushClient());
    const byIp = inbox();
    const byName = inbox();
    const app = (name: string, contactPoint: string, handler: RegistrationRequest['handler']) => ({
      pushApplicationId: 'x-example:shared.ua',
      applicationId: `urn:example:${name}`,
      handler,
      connectionProfiles: [{ protocol: 'OTA-HTTP' as const, port: 0, contactPoint }],
    });
    await registered(client, app('ip', '127.0.0.2', byIp.handler));
    await registered(client, app('name', 'localhost', byName.handler));
    const port = client.httpPort(0)!;
    expect(await pushFrom('127.0.0.2', port, 'x-example:shared.ua')).toBe(204);
    expect(await pushFrom('127.0.0.1', port, 'x-example:shared.ua')).toBe(204);
    await until(() => byIp.got.length === 1 && byName.got.length === 1);
    // 127.0.0.1 is one of localhost's addresses: a name for it is admitted, and fails to bind.
    const overlap = await client.register(app('overlap', '127.0.0.1', undefined));
    if (overlap.status !== 'accepted') throw new Error(`refused: ${overlap.message}`);
    expect(await overlap.completed).toMatchObject({ status: 'failure', reason: 'duplicate-application-id' });
    expect(client.registrations().map((r) => r.applicationId)).toEqual(['urn:example:ip', 'urn:example:name']);
  });

  it('OTA-HTTP: a hostname that does not resolve fails the binding, naming why', async () => {
    const client = closeLater(new PushClient());
    const r = await client.register({
      pushApplicationId: 2,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: 'no-such-ppg.invalid' }],
    });
    if (r.status !== 'accepted') throw new Error(r.message);
    expect(await r.completed).toMatchObject({ status: 'failure', reason: 'contact-point-unresolved' });
    expect(client.httpPort(0)).toBeUndefined();
  }, 15_000);

  // Two profiles on one route, one naming a hostname and one naming none: each profile is one
  // way pushes may arrive ("one or more set of options for Push event delivery"), so the route
  // takes any source; the hostname is still resolved when binding, and one that does not
  // resolve fails the registration. The order the profiles come in changes nothing.
  for (const order of ['hostname first', 'no contact point first'] as const) {
    const profiles = (contactPoint: string) => {
      const named = { protocol: 'OTA-HTTP', port: 0, contactPoint } as const;
      const unnamed = { protocol: 'OTA-HTTP', port: 0 } as const;
      return order === 'hostname first' ? [named, unnamed] : [unnamed, named];
    };

    it(`OTA-HTTP: a route where one profile names no contact point takes any source (${order})`, async () => {
      const client = closeLater(new PushClient());
      const box = inbox();
      await registered(client, {
        pushApplicationId: 'x-example:any.ua',
        handler: box.handler,
        connectionProfiles: profiles('localhost'),
      });
      const port = client.httpPort(0)!;
      expect(await pushFrom('127.0.0.2', port, 'x-example:any.ua')).toBe(204);
      expect(await pushFrom('127.0.0.1', port, 'x-example:any.ua')).toBe(204);
      await until(() => box.got.length === 2);
    });

    it(`OTA-HTTP: a hostname that does not resolve fails the binding beside a profile naming none (${order})`, async () => {
      const client = closeLater(new PushClient());
      const r = await client.register({ pushApplicationId: 2, connectionProfiles: profiles('no-such-ppg.invalid') });
      if (r.status !== 'accepted') throw new Error(r.message);
      expect(await r.completed).toMatchObject({ status: 'failure', reason: 'contact-point-unresolved' });
      expect(client.httpPort(0)).toBeUndefined();
    }, 15_000);
  }

  it('OTA-WSP: takes an SMS address or tel: URI and checks the originator; refuses what an SMS cannot show', async () => {
    const { client } = await boundClient();
    const box = inbox();
    await registered(client, {
      pushApplicationId: 0x02,
      connectionProfiles: [{ contactPoint: 'tel:+15550001' }],
      handler: box.handler,
    });
    client.deliverDatagram(datagram(siPush({ text: 'ppg' }), { originator: '15550001' }));
    client.deliverDatagram(datagram(siPush({ text: 'other' }), { originator: '+15550009' }));
    expect(box.got.map((e) => (e.body as { text: string }).text)).toEqual(['ppg']);
    for (const contactPoint of ['http://ppg.example/push', '192.0.2.1', 'ppg.example.com']) {
      expect(
        await client.register({ pushApplicationId: 0x04, connectionProfiles: [{ contactPoint }] }),
        contactPoint,
      ).toMatchObject({
        status: 'rejected',
        reason: 'unsupported-option',
        option: 'connectionProfiles[0].contactPoint',
      });
    }
  });
});
