// PushCAI 5.1 Push Service Registration (issue 19 item 4): the Push Server's answer gives the
// binding. A real HTTP server on loopback plays the Push Server and answers with the given
// connection profiles, in the Connection Profile structure of PushCAI 5.1 (see
// src/cai/serviceRegistration.ts for why that encoding). The case of an answer whose binding
// cannot keep two applications apart is in conformance.test.ts (5.1 unique delivery).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import {
  MAX_SERVICE_REGISTRATION_ANSWER_OCTETS,
  MAX_SERVICE_REGISTRATION_PROFILES,
} from '../../src/cai/serviceRegistration.js';
import { boundClient, closeLater, datagram, inbox, postPush, siPush, until } from './helpers.js';

/** A Push Server on loopback: records each request; answers 200 with `answer` (JSON unless a string) or 204 without. */
async function pushServer(answer?: unknown, contentType = 'application/json') {
  const seen: Array<{ method: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method!, headers: req.headers });
    req.resume();
    if (answer === undefined) {
      res.writeHead(204).end();
      return;
    }
    res
      .writeHead(200, { 'Content-Type': contentType })
      .end(typeof answer === 'string' ? answer : JSON.stringify(answer));
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

async function completed(client: PushClient, req: RegistrationRequest) {
  const r = await client.register(req);
  if (r.status !== 'accepted') throw new Error(`refused: ${r.message}`);
  return { registration: r.registration, done: await r.completed };
}

const SI = '<?xml version="1.0"?><si><indication href="http://example.com/">hi</indication></si>';

describe('PushCAI 5.1 Push Service Registration: the answer gives the binding', () => {
  it('binds OTA-HTTP on the port and with the contact point the answer gives', async () => {
    // The Push Server's own address is the expected source of its pushes.
    const server = await pushServer({
      connectionProfiles: [{ protocol: 'OTA-HTTP', bearerType: 'IPv4', port: '0', contactPoint: '127.0.0.1' }],
    });
    const client = closeLater(new PushClient());
    const box = inbox();
    const { registration, done } = await completed(client, {
      pushApplicationId: 'x-wap-application:wml.ua',
      pushServiceRegistrationUri: server.url,
      handler: box.handler,
    });
    expect(done).toEqual({ status: 'success' });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0].method).toBe('OPTIONS');
    expect(server.seen[0].headers['x-wap-push-accept-appid']).toBe('x-wap-application:wml.ua');
    expect(registration.profiles).toEqual([
      { protocol: 'OTA-HTTP', bearerType: 'IPv4', port: 0, contactPoint: '127.0.0.1' },
    ]);
    expect(
      await postPush(
        client.httpPort(0)!,
        SI,
        { 'Content-Type': 'text/vnd.wap.si', 'X-Wap-Application-Id': 'x-wap-application:wml.ua' },
        { path: '/wappush' },
      ),
    ).toBe(204);
    await until(() => box.got.length === 1);
    expect(box.got[0].protocol).toBe('OTA-HTTP');
  });

  it('gives two applications of one App ID each its own port, and each push reaches exactly one', async () => {
    const first = await pushServer(); // no profile: the default binding, OTA-WSP 2948
    const second = await pushServer({ connectionProfiles: [{ protocol: 'OTA-WSP', port: '49999' }] });
    const { client } = await boundClient();
    const one = inbox();
    const two = inbox();
    const a = await completed(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:a',
      pushServiceRegistrationUri: first.url,
      handler: one.handler,
    });
    const b = await completed(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:b',
      pushServiceRegistrationUri: second.url,
      handler: two.handler,
    });
    expect([a.done, b.done]).toEqual([{ status: 'success' }, { status: 'success' }]);
    expect(a.registration.profiles).toEqual([{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 2948 }]);
    expect(b.registration.profiles).toEqual([{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 49999 }]);
    client.deliverDatagram(datagram(siPush({ text: 'to a' })));
    client.deliverDatagram(datagram(siPush({ text: 'to b' }), { destinationPort: 49999 }));
    expect(one.got.map((e) => e.port)).toEqual([2948]);
    expect(two.got.map((e) => e.port)).toEqual([49999]);
  });

  it('fails, naming the option, when the answer gives a profile this client cannot bind, and nothing stays bound', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ connectionProfiles: [{ protocol: 'OTA-SIP' }] }, 'application/json', 'connectionProfiles[0].protocol'],
      [
        { connectionProfiles: [{ protocol: 'OTA-PTM', cellBroadcastMessageId: '4352' }] },
        'application/json',
        'connectionProfiles[0].protocol',
      ],
      [{ connectionProfiles: [{ protocol: 'OTA-WSP', port: 'x' }] }, 'application/json', 'connectionProfiles[0].port'],
      [{ connectionProfiles: 'OTA-WSP' }, 'application/json', 'not an array'],
      ['<html>it works</html>', 'text/html', 'text/html'],
      ['{', 'application/json', 'not JSON'],
      [
        { connectionProfiles: Array.from({ length: MAX_SERVICE_REGISTRATION_PROFILES + 1 }, () => ({})) },
        'application/json',
        `more than ${MAX_SERVICE_REGISTRATION_PROFILES}`,
      ],
      [
        'x'.repeat(MAX_SERVICE_REGISTRATION_ANSWER_OCTETS + 1),
        'application/json',
        `more than ${MAX_SERVICE_REGISTRATION_ANSWER_OCTETS} octets`,
      ],
    ];
    const { client } = await boundClient();
    for (const [answer, type, named] of cases) {
      const server = await pushServer(answer, type);
      const { done } = await completed(client, { pushApplicationId: 0x07, pushServiceRegistrationUri: server.url });
      expect(done).toMatchObject({ status: 'failure', reason: 'push-service-registration-failed' });
      expect(done.status === 'failure' && done.message).toContain(named);
      expect(client.registrations()).toEqual([]);
      expect(client.cpi().acceptAppIds).toEqual([]);
    }
  });

  it('accepts a Push Service Registration on a client without an SMPP link when the answer gives OTA-HTTP', async () => {
    const server = await pushServer({ connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }] });
    const client = closeLater(new PushClient());
    const { done } = await completed(client, { pushApplicationId: 0x02, pushServiceRegistrationUri: server.url });
    expect(done).toEqual({ status: 'success' });
    // ... and fails it, saying why, when the answer leaves it the default OTA-WSP it has no link for.
    const silent = await pushServer();
    const other = await completed(client, { pushApplicationId: 0x03, pushServiceRegistrationUri: silent.url });
    expect(other.done).toMatchObject({ status: 'failure', reason: 'push-service-registration-failed' });
  });
});

describe('PushCAI 5.1 Push Service Registration after a restart', () => {
  it('runs the procedure again for a stored registration, and binds what the new answer gives', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'wappush-psr-'));
    closeLater({ close: () => rm(dir, { recursive: true, force: true }) });
    const store = join(dir, 'registrations.json');
    const server = await pushServer({ connectionProfiles: [{ protocol: 'OTA-WSP', port: 49998 }] });
    const first = await boundClient({ store });
    expect(
      (await completed(first.client, { pushApplicationId: 0x02, pushServiceRegistrationUri: server.url })).done,
    ).toEqual({ status: 'success' });
    await first.client.close();
    const second = await boundClient({ store });
    const got: number[] = [];
    second.client.on('push', (e) => got.push(e.port ?? -1));
    expect(second.client.registrations().map((r) => r.profiles)).toEqual([
      [{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 49998 }],
    ]);
    second.client.deliverDatagram(
      datagram(encodePushPdu({ transactionId: 3, contentType: 'text/plain', body: new Uint8Array([0x41]) }), {
        destinationPort: 49998,
      }),
    );
    expect(got).toEqual([49998]);
    expect(server.seen).toHaveLength(2);
  });
});
