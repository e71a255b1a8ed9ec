// An EsmeLink pointed at a raw SMSC on loopback (rawSmsc.ts), for the link's own tests: no
// keep-alive unless asked, what it delivers collected; started and bound, or left to the test.
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink, type EsmeLinkOptions } from '../../src/wdp/smpp/link.js';
import { acceptBound, rawSmsc, type RawPeer, type RawSmsc } from './rawSmsc.js';

export interface LinkAtRawSmsc {
  smsc: RawSmsc;
  link: EsmeLink;
  got: WdpDatagram[];
  /** Closes the link (100 ms for its unbind), then the SMSC. */
  close(): Promise<void>;
}

/** The raw SMSC listening and the link made for it (`options` over the defaults), not started. */
export async function linkAtRawSmsc(options: Partial<EsmeLinkOptions> = {}): Promise<LinkAtRawSmsc> {
  const smsc = await rawSmsc();
  const got: WdpDatagram[] = [];
  const link = new EsmeLink({
    smsc: `smpp://esme:pw@127.0.0.1:${smsc.port}`,
    enquireLinkMs: 0,
    onDatagram: (d) => {
      got.push(d);
    },
    ...options,
  });
  return {
    smsc,
    link,
    got,
    async close() {
      try {
        await link.close(100);
      } finally {
        await smsc.close();
      }
    },
  };
}

/** Starts the link and answers its bind ESME_ROK; the SMSC-side peer and the bind it sent. */
export async function startBound(smsc: RawSmsc, link: EsmeLink): Promise<{ peer: RawPeer; bind: Buffer }> {
  const started = link.start();
  const bound = await acceptBound(smsc);
  await started;
  return bound;
}
