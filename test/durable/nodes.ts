// The parts of the cluster tests (issue 17): a redis-server of the test's own, a node (a
// PushClient on a store opened on it, bound to an SMSC simulator of its own), and a Push Server
// on loopback. Each is added to the test's cleanup list as it is started.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PushClient, type PushClientOptions, type UnroutedPush } from '../../src/cai/client.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { RedisServer } from '../helpers/redisServer.js';
import { pushPdu } from './pushes.js';

/** What afterEach runs, last added first. */
export type Cleanup = Array<() => Promise<void> | void>;

/** A real redis-server on a free port, started; closed (and its directory removed) at cleanup. */
export async function redisServer(cleanup: Cleanup): Promise<RedisServer> {
  const redis = new RedisServer();
  cleanup.push(() => redis.close());
  await redis.start();
  return redis;
}

/** An SMSC simulator for one node, listening, retrying deliveries quickly. */
export async function nodeSmsc(cleanup: Cleanup): Promise<{ smsc: SmscSimulator; port: number }> {
  const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 200 } });
  const port = await smsc.listen();
  cleanup.push(() => smsc.close());
  return { smsc, port };
}

/**
 * A node: its own SMSC, a store on `storeUrl` with `options`, a started PushClient on both
 * (without OTA-HTTP receivers unless `otaHttp` asks for them).
 */
export async function node(
  cleanup: Cleanup,
  storeUrl: string,
  options: StoreOptions = {},
  otaHttp: PushClientOptions['otaHttp'] = false,
) {
  const { smsc, port } = await nodeSmsc(cleanup);
  const store = await openStore(storeUrl, options);
  cleanup.push(() => store.close());
  const client = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp });
  cleanup.push(() => client.close());
  const unrouted: UnroutedPush[] = [];
  client.on('unrouted', (u) => unrouted.push(u));
  await client.start();
  return { smsc, port, store, client, unrouted };
}

/**
 * A sender bound to the SMSC on `port`: `push(i)` submits push `i` (pushes.ts) to the
 * application's phone number, resolving once the SMSC has taken every SMS of it.
 */
export async function pusher(cleanup: Cleanup, port: number): Promise<(i: number) => Promise<string[]>> {
  const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
  cleanup.push(() => submitter.close());
  await submitter.start();
  return (i) => submitter.submit(pushPdu(i), { to: '+447700900123', from: '9200' });
}

/** A Push Server on loopback: records the X-Wap-Push-Accept-AppID of each CPI it is sent; answers 204. */
export async function pushServer(cleanup: Cleanup): Promise<{ heard: string[]; uri: string }> {
  const heard: string[] = [];
  const server: Server = createServer((req, res) => {
    heard.push(String(req.headers['x-wap-push-accept-appid'] ?? ''));
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { heard, uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/register` };
}
