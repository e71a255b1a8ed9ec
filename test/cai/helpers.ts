import { afterEach } from 'vitest';
import { PushClient, type PushClientOptions } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
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

export { until } from '../helpers.js';
