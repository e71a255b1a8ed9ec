// Start-up and the registration store (issue 18 item 6, issue 19 item 5), over real SMPP on
// loopback: registrations come back before the link binds, a registration that cannot be
// stored is not a success, and one whose restore fails for a passing reason stays stored and
// is retried.
import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { closeSync, constants, mkdtempSync, open, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushClient, type UnroutedPush } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { closeLater, datagram, postPush, pushFrom, siPush, until } from './helpers.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-startup-'));
  // Closed last (closeLater closes in reverse order): clients may still write the store as they close.
  closeLater({ close: async () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}

/** A loopback port nothing listens on (one that was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * Holds every thread of libuv's pool (which runs dns.lookup) in an open() of a FIFO until
 * release(): a hostname looked up meanwhile waits, as it would for a slow DNS server. Nothing
 * else of a push over HTTP from an IP address uses the pool.
 */
function stallLookups(dir: string): { release(): Promise<void> } {
  const fifo = join(dir, 'stall');
  execFileSync('mkfifo', [fifo]);
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const opened = Array.from(
    { length: threads },
    () => new Promise<number>((resolve, reject) => open(fifo, 'r', (e, fd) => (e ? reject(e) : resolve(fd)))),
  );
  return {
    release: async () => {
      // A writer lets each open() for reading return; it stays open until every one has.
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      for (const fd of await Promise.all(opened)) closeSync(fd);
      closeSync(writer);
    },
  };
}

function storedRequests(path: string): unknown[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { registrations: unknown[] }).registrations;
}

describe('start-up: stored registrations come back before the SMPP link binds', () => {
  it('delivers all 50 pushes that waited at the SMSC to the restored registration, none unrouted', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    const smsc = closeLater(new SmscSimulator());
    const port = await smsc.listen();
    const make = () =>
      closeLater(
        new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, linkOptions: { enquireLinkMs: 0 } }),
      );
    const first = make();
    await first.start();
    const r = await first.register({ pushApplicationId: 0x02, applicationId: 'urn:demo:inbox' });
    if (r.status !== 'accepted') throw new Error(r.message);
    expect(await r.completed).toEqual({ status: 'success' });
    await first.close();

    // While no receiver is bound, 50 pushes wait at the SMSC.
    const ppg = closeLater(new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`));
    await ppg.start();
    for (let i = 0; i < 50; i++) await ppg.submit(siPush({ text: `n${i}` }), { to: '+15559999', from: '+15550001' });

    const second = make();
    const pushed: PushEvent[] = [];
    const unrouted: UnroutedPush[] = [];
    second.on('push', (e) => pushed.push(e));
    second.on('unrouted', (u) => unrouted.push(u));
    await second.start();
    await until(() => pushed.length + unrouted.length === 50, 10_000, 'the 50 waiting pushes');
    expect(unrouted.map((u) => u.reason)).toEqual([]);
    expect(pushed).toHaveLength(50);
  });
});

describe('the registration store: a registration that cannot be stored is not a success', () => {
  it('fails with reason store-failed and leaves nothing registered when the store path is unwritable', async () => {
    const dir = tempDir();
    // A store whose directory is a regular file cannot be written, whoever runs the test.
    writeFileSync(join(dir, 'not-a-directory'), '');
    // Not started: start() would refuse to read such a store; registering needs no start.
    const client = closeLater(new PushClient({ store: join(dir, 'not-a-directory', 'registrations.json') }));
    const r = await client.register({
      pushApplicationId: 0x02,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
      accept: ['text/vnd.wap.si'],
    });
    if (r.status !== 'accepted') throw new Error(r.message);
    const done = await r.completed;
    expect(done).toMatchObject({ status: 'failure', reason: 'store-failed' });
    expect(done.status === 'failure' && done.message).toMatch(/not-a-directory/);
    expect(r.registration.state).toBe('failed');
    expect(client.registrations()).toEqual([]);
    expect(client.cpi().acceptAppIds).toEqual([]);
    expect(client.httpPort(0)).toBeUndefined();
  });
});

describe('PushCAI 5.1 retains the details of the registration request: a restore that fails for a passing reason', () => {
  it('stays stored through later saves, is retried with backoff, and comes back once its port is free', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    // Another program holds the OTA-HTTP port the stored registration listens on.
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as AddressInfo).port;
    const held = {
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:demo:http',
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: busy }],
    };
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [held] }));

    const client = closeLater(new PushClient({ store, restoreRetry: { initialMs: 50, maxMs: 200 } }));
    const failures: string[] = [];
    client.on('restore-failed', ({ response }) =>
      failures.push(response.status === 'failure' ? response.reason : response.reason),
    );
    await client.start();
    expect(failures).toEqual(['bind-failed']);
    expect(client.registrations()).toEqual([]);

    // Another registration saves the store: the failed one is still in it.
    const other = await client.register({
      pushApplicationId: 0x04,
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    });
    if (other.status !== 'accepted') throw new Error(other.message);
    expect(await other.completed).toEqual({ status: 'success' });
    const saved = storedRequests(store);
    expect(saved).toHaveLength(2);
    expect(saved).toEqual(expect.arrayContaining([held, expect.objectContaining({ pushApplicationId: 0x04 })]));

    // Still busy: retried and failed again (with backoff, each retry reported).
    await until(() => failures.length >= 3, 3_000, 'two retries');
    await new Promise<void>((r) => blocker.close(() => r()));
    await until(
      () => client.registrations().some((r) => r.applicationId === 'urn:demo:http' && r.state === 'active'),
      3_000,
      'the restore to succeed',
    );
    expect(client.httpPort(busy)).toBe(busy);
    const status = await postPush(busy, 'hi', { 'Content-Type': 'text/plain' });
    expect(status).toBe(204);
    expect(storedRequests(store)).toHaveLength(2);
  });

  it('a stored registration its application registers again replaces it, and a retry stops', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    closeLater({ close: () => new Promise<void>((r) => blocker.close(() => r())) });
    const busy = (blocker.address() as AddressInfo).port;
    writeFileSync(
      store,
      JSON.stringify({
        version: 1,
        registrations: [
          {
            pushApplicationId: 2,
            applicationId: 'urn:demo:http',
            connectionProfiles: [{ protocol: 'OTA-HTTP', port: busy }],
          },
        ],
      }),
    );
    const client = closeLater(new PushClient({ store, restoreRetry: { initialMs: 50, maxMs: 100 } }));
    await client.start();
    const again = await client.register({
      pushApplicationId: 2,
      applicationId: 'urn:demo:http',
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    });
    if (again.status !== 'accepted') throw new Error(again.message);
    expect(await again.completed).toEqual({ status: 'success' });
    expect(storedRequests(store)).toEqual([
      { pushApplicationId: 2, applicationId: 'urn:demo:http', connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }] },
    ]);
    const retriesBefore = client.registrations().length;
    // Waits for something that must NOT happen: a retry of the replaced entry (due every 50-100 ms).
    await new Promise((r) => setTimeout(r, 300));
    expect(client.registrations()).toHaveLength(retriesBefore);
    expect(storedRequests(store)).toHaveLength(1);
  });
});

describe('a restore whose OTA-HTTP buffer budget is below one push', () => {
  it('fails with buffer-budget-too-small and is kept, not retried: no wait can fix it', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    const held = {
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:demo:http',
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0 }],
    };
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [held] }));
    const client = closeLater(
      new PushClient({ store, otaHttp: { maxBufferedOctets: 1_000 }, restoreRetry: { initialMs: 10, maxMs: 10 } }),
    );
    const failures: string[] = [];
    client.on('restore-failed', ({ response }) => failures.push(response.reason));
    await client.start();
    expect(failures).toEqual(['buffer-budget-too-small']);
    // Kept (still stored, listed with its reason) but no retry is scheduled: a busy port's
    // 'bind-failed' would be retrying: true.
    expect(client.heldRegistrations()).toEqual([
      { request: held, reason: 'buffer-budget-too-small', attempts: 1, retrying: false },
    ]);
    expect(storedRequests(store)).toEqual([held]);
  });
});

describe('a restored registration delivers without a handler until its application comes back', () => {
  it('is routed at once after start, even before the link is bound', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [{ pushApplicationId: 4 }] }));
    // An SMSC that is not there: the link never binds, yet the restored route is in place.
    const client = closeLater(
      new PushClient({
        smsc: 'smpp://x:y@127.0.0.1:1',
        store,
        bindTimeoutMs: 200,
        linkOptions: { reconnect: { initialMs: 1_000, maxMs: 1_000 } },
      }),
    );
    const pushed: PushEvent[] = [];
    client.on('push', (e) => pushed.push(e));
    const started = client.start().catch((e: unknown) => e);
    await until(() => client.registrations().length === 1, 1_000, 'the restored registration');
    client.deliverDatagram(datagram(siPush({ applicationId: 4 })));
    expect(pushed).toHaveLength(1);
    void started;
  });
});

describe('a restore that fails because it cannot be told apart from another application', () => {
  const appId = 'x-example:shared.ua';
  const app = (name: string, contactPoint: string, port = 0) => ({
    pushApplicationId: appId,
    applicationId: `urn:example:${name}`,
    connectionProfiles: [{ protocol: 'OTA-HTTP' as const, port, contactPoint }],
  });

  /** A client restoring `stored`, with what it reports and which applications each push reached. */
  function restoring(stored: unknown[], restoreRetry: { initialMs: number; maxMs: number }) {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: stored }));
    const client = closeLater(new PushClient({ store, restoreRetry }));
    const failures: string[] = [];
    client.on('restore-failed', ({ request, response }) =>
      failures.push(`${request.applicationId}: ${response.status} ${response.reason}`),
    );
    const rejected: string[] = [];
    client.on('registration-rejected', ({ request, response }) =>
      rejected.push(`${request.applicationId}: ${response.reason}`),
    );
    let current: string[] = [];
    client.on('push', (_event, r) => current.push(r.applicationId!));
    /** The applications a push from 127.0.0.1 on the receiver of requested port 0 reached. */
    const push = async (): Promise<string[]> => {
      current = [];
      expect(await pushFrom('127.0.0.1', client.httpPort(0)!, appId)).toBe(204);
      return current;
    };
    const active = () =>
      client
        .registrations()
        .filter((r) => r.state === 'active')
        .map((r) => r.applicationId);
    return { store, dir, client, failures, rejected, push, active };
  }

  // Stored as two applications of one App ID with different contact-point names (admitted by
  // name, docs/pushcai.md "Bindings compare by name"); now localhost resolves to 127.0.0.1, the
  // other's address. While that one stays, a retry would fail the same way: the failure is
  // reported once and kept, until the other leaves (the tests after this one).
  it('is reported once, kept without retrying while the other stays, and each push reaches one application', async () => {
    const stored = [app('name', 'localhost'), app('ip', '127.0.0.1')];
    const { store, client, failures, push, active } = restoring(stored, { initialMs: 10, maxMs: 20 });
    await client.start();
    expect(failures).toEqual(['urn:example:name: failure duplicate-application-id']);
    // Some 30 backoff periods (10-20 ms each): no retry comes (the count of failures below is
    // what a retry changed before). Meanwhile each push reaches the bound application only; a
    // retry would not change that either (its hostname route takes no push until resolved, and
    // it fails then), so this loop is a guard, not what tells the old code apart.
    const takers: string[][] = [];
    const end = Date.now() + 600;
    while (Date.now() < end) takers.push(await push());
    expect(takers.length).toBeGreaterThan(0);
    expect(takers.filter((t) => t.length !== 1 || t[0] !== 'urn:example:ip')).toEqual([]);
    expect(failures).toEqual(['urn:example:name: failure duplicate-application-id']);
    expect(client.heldRegistrations()).toEqual([
      { request: stored[0], reason: 'duplicate-application-id', attempts: 1, retrying: false },
    ]);
    expect(active()).toEqual(['urn:example:ip']);
    expect(storedRequests(store)).toEqual(stored);
  });

  it('is restored at once when the application it lost to deregisters', async () => {
    const stored = [app('name', 'localhost'), app('ip', '127.0.0.1')];
    // A backoff far beyond the test: only the other's leaving can bring the held one back.
    const { store, client, failures, push, active } = restoring(stored, { initialMs: 60_000, maxMs: 60_000 });
    await client.start();
    expect(failures).toEqual(['urn:example:name: failure duplicate-application-id']);
    expect(await client.deregister(appId, 'urn:example:ip')).toEqual({ status: 'success' });
    await until(() => active().includes('urn:example:name'), 3_000, 'the held registration to be restored');
    expect(active()).toEqual(['urn:example:name']);
    expect(client.heldRegistrations()).toEqual([]);
    expect(failures).toEqual(['urn:example:name: failure duplicate-application-id']);
    expect(await push()).toEqual(['urn:example:name']);
    expect(storedRequests(store)).toEqual([stored[0]]);
  });

  it('is restored when the registration it lost to fails to bind, which is then held in its turn', async () => {
    // The Push Server of `ip` holds its first answer until `name` has lost, then answers 503.
    const waiting: Array<() => void> = [];
    let answering = false;
    const pushServer = createServer((req, res) => {
      req.resume();
      const answer = () => res.writeHead(503).end();
      if (answering) answer();
      else waiting.push(answer);
    });
    await new Promise<void>((r) => pushServer.listen(0, '127.0.0.1', r));
    closeLater({
      close: () =>
        new Promise<void>((r) => {
          pushServer.closeAllConnections();
          pushServer.close(() => r());
        }),
    });
    const serverPort = (pushServer.address() as AddressInfo).port;
    const stored = [app('name', 'localhost'), app('ip', `http://127.0.0.1:${serverPort}/ppg`)];
    // Its own retry comes 150-300 ms after its failure: long after the woken one bound.
    const { client, failures, push, active } = restoring(stored, { initialMs: 300, maxMs: 300 });
    const started = client.start();
    await until(() => failures.length === 1 && waiting.length === 1, 3_000, 'name to lose to ip, still binding');
    expect(failures).toEqual(['urn:example:name: failure duplicate-application-id']);
    answering = true;
    waiting.shift()!();
    await started;
    await until(() => failures.length === 3, 3_000, "ip's retry");
    expect(failures).toEqual([
      'urn:example:name: failure duplicate-application-id',
      'urn:example:ip: failure push-server-refused',
      'urn:example:ip: failure duplicate-application-id',
    ]);
    expect(active()).toEqual(['urn:example:name']);
    expect(client.heldRegistrations()).toEqual([
      { request: stored[1], reason: 'duplicate-application-id', attempts: 2, retrying: false },
    ]);
    expect(await push()).toEqual(['urn:example:name']);
  });

  it('is refused before it is routed when a retry finds another application bound to its IP contact point', async () => {
    // Its first profile expects 127.0.0.1 on the receiver of port 0; its second names the PPG by
    // hostname, on another receiver, and that Push Server is down: the restore fails for a
    // passing reason and is retried. Routed before binding, its first route would take pushes
    // while the second's hostname is looked up: the retry is refused at admission instead.
    const [receiverPort, downPort] = [await freePort(), await freePort()];
    const held = {
      pushApplicationId: appId,
      applicationId: 'urn:example:ip',
      connectionProfiles: [
        { protocol: 'OTA-HTTP', port: 0, contactPoint: '127.0.0.1' },
        { protocol: 'OTA-HTTP', port: receiverPort, contactPoint: `http://localhost:${downPort}/ppg` },
      ],
    };
    const { store, dir, client, failures, rejected, push, active } = restoring([held], {
      initialMs: 200,
      maxMs: 200,
    });
    await client.start();
    expect(failures).toEqual(['urn:example:ip: failure push-server-unreachable']);
    // Meanwhile another application of the App ID binds by a name that resolves to 127.0.0.1.
    const byName = await client.register(app('name', 'localhost'));
    if (byName.status !== 'accepted') throw new Error(byName.message);
    expect(await byName.completed).toEqual({ status: 'success' });
    // The retry (100-200 ms after the first failure) comes while lookups stall: routed before
    // its hostname resolved, its IP route would take each push with `name`.
    const stall = stallLookups(dir);
    let looked = false;
    void lookup('localhost').then(
      () => (looked = true),
      () => (looked = true),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(looked).toBe(false);
    const takers: string[][] = [];
    const end = Date.now() + 800;
    while (failures.length < 2 && Date.now() < end) takers.push(await push());
    await stall.release();
    await until(() => failures.length === 2, 3_000, 'the retry');
    expect(takers.filter((t) => t.length !== 1 || t[0] !== 'urn:example:name')).toEqual([]);
    // Refused at admission ('rejected'), not failed in binding after being routed ('failure').
    expect(failures).toEqual([
      'urn:example:ip: failure push-server-unreachable',
      'urn:example:ip: rejected duplicate-application-id',
    ]);
    expect(rejected).toEqual(['urn:example:ip: duplicate-application-id']);
    // Several retry periods later: no retry, and each push reaches the bound application only.
    const later = Date.now() + 500;
    while (Date.now() < later) expect(await push()).toEqual(['urn:example:name']);
    expect(failures).toHaveLength(2);
    expect(active()).toEqual(['urn:example:name']);
    expect(client.heldRegistrations()).toEqual([
      { request: held, reason: 'duplicate-application-id', attempts: 2, retrying: false },
    ]);
    expect(storedRequests(store)).toEqual(expect.arrayContaining([held]));
  });
});
