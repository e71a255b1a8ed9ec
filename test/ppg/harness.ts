// A PPG, the SMSC simulator and a phone (an EsmeLink receiver) on loopback, plus a test HTTP
// server that takes result notifications. Everything on ephemeral ports; close() ends it all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ppg, type PpgOptions } from '../../src/ppg/ppg.js';
import type { SmscFaults, SmscSimulator } from '../../src/smsc/simulator.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { until as untilHolds } from '../helpers.js';
import { simulatorWithPhone } from './behindSimulator.js';

export interface Harness {
  ppg: Ppg;
  smsc: SmscSimulator;
  url: string;
  phone: WdpDatagram[];
  notifications: string[];
  notifyUrl: string;
  close(): Promise<void>;
}

export async function harness(options: Partial<PpgOptions> = {}, faults: SmscFaults = {}): Promise<Harness> {
  const sim = await simulatorWithPhone({ faults });
  const { smsc, phone } = sim;
  const notifications: string[] = [];
  const notify = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      notifications.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => notify.listen(0, '127.0.0.1', () => resolve()));
  const ppg = new Ppg({
    smsc: sim.smscUrl,
    initiators: [
      { name: 'pi', password: 'pi-secret' },
      { name: 'other', password: 'other-secret', allowedPrefixes: ['+1555000'] },
    ],
    ...options,
  });
  const port = await ppg.start();
  return {
    ppg,
    smsc,
    url: `http://127.0.0.1:${port}/wappush`,
    phone,
    notifications,
    notifyUrl: `http://127.0.0.1:${(notify.address() as AddressInfo).port}/notify`,
    async close() {
      await ppg.close();
      notify.closeAllConnections();
      await new Promise<void>((resolve) => notify.close(() => resolve()));
      await sim.close();
    },
  };
}

export const basic = (name: string, password: string) =>
  'Basic ' + Buffer.from(`${name}:${password}`).toString('base64');

export async function post(
  url: string,
  body: string | Buffer,
  contentType: string,
  authorization: string | undefined = basic('pi', 'pi-secret'),
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (authorization) headers.authorization = authorization;
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text() };
}

/** Waits (bounded, polling) until `ready()` holds: test/helpers.ts's until, the PPG tests' order of arguments. */
export const until = (ready: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> =>
  untilHolds(ready, ms, what);

/** An attribute of the first element `name` in a PAP document. */
export function attr(xml: string, name: string, attribute: string): string | undefined {
  const el = new RegExp(`<${name}\\b[^>]*>`).exec(xml)?.[0];
  return el ? new RegExp(`\\s${attribute}="([^"]*)"`).exec(el)?.[1] : undefined;
}
