import { request } from 'node:http';
import { afterEach } from 'vitest';
import { PushClient, type PushClientOptions } from '../../src/cai/client.js';
import { PushEvent } from '../../src/cai/pushEvent.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

export function closeLater<T extends { close(): Promise<void> }>(x: T): T {
  open.push(x);
  return x;
}

/** A simulator on an ephemeral loopback port and a started client bound to it as receiver. */
export async function boundClient(options: Omit<PushClientOptions, 'smsc'> = {}) {
  const smsc = closeLater(
    new SmscSimulator({
      accounts: [
        { systemId: 'client', password: 'pw' },
        { systemId: 'ppg', password: 'pw' },
      ],
    }),
  );
  const port = await smsc.listen();
  const client = new PushClient({
    ...options,
    smsc: `smpp://client:pw@127.0.0.1:${port}`,
    linkOptions: { enquireLinkMs: 0, ...options.linkOptions },
  });
  closeLater(client);
  await client.start();
  return { client, smsc, port };
}

export function siPush(
  init: { href?: string; text?: string; siId?: string; applicationId?: string | number; transactionId?: number } = {},
): Uint8Array {
  return encodePushPdu({
    transactionId: init.transactionId ?? 1,
    contentType: 'application/vnd.wap.sic',
    applicationId: init.applicationId,
    body: encodeSi({ href: init.href ?? 'http://example.com/', text: init.text ?? 'hello', siId: init.siId }),
  });
}

export function slPush(href = 'http://example.com/app.jad', applicationId?: string | number): Uint8Array {
  return encodePushPdu({
    transactionId: 2,
    contentType: 'application/vnd.wap.slc',
    applicationId,
    body: encodeSl({ href }),
  });
}

export function datagram(payload: Uint8Array, init: Partial<WdpDatagram> = {}): WdpDatagram {
  return {
    originator: '+15550001',
    recipient: '+15559999',
    sourcePort: 9200,
    destinationPort: 2948,
    segments: 1,
    payload,
    ...init,
  };
}

/** Collects what a handler receives. */
export function inbox() {
  const got: PushEvent[] = [];
  return {
    got,
    handler: (e: PushEvent) => {
      got.push(e);
    },
  };
}

/**
 * An OTA-HTTP POST to a receiver on loopback (from `localAddress`, another 127.x address, when
 * given); resolves with the status once the answer is read.
 */
export function postPush(
  port: number,
  body: string,
  headers: Record<string, string>,
  init: { path?: string; localAddress?: string } = {},
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: init.path ?? '/', headers, localAddress: init.localAddress },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A push from `localAddress` with only an App ID: what a contact-point test sends. */
export function pushFrom(localAddress: string, port: number, appId: string): Promise<number> {
  return postPush(port, 'hello', { 'Content-Type': 'text/plain', 'X-Wap-Application-Id': appId }, { localAddress });
}

/** An empty OTA-WSP SI push event, the `n`th a queue carries: its transaction id is n mod 256. */
export function pushEvent(n: number): PushEvent {
  const payload = encodePushPdu({
    transactionId: n % 256,
    contentType: 'application/vnd.wap.sic',
    applicationId: 'x-wap-application:wml.ua',
    body: new Uint8Array(0),
  });
  return new PushEvent({
    protocol: 'OTA-WSP',
    datagram: datagram(payload, { originator: '+1555', recipient: '' }),
    // The body is empty: it starts where the PDU ends.
    bodyOffset: payload.length,
    contentType: 'application/vnd.wap.sic',
    applicationId: 'x-wap-application:wml.ua',
    port: 2948,
    originator: '+1555',
    recipient: '',
    transactionId: n % 256,
  });
}

export { until } from '../helpers.js';
