/**
 * The client's hold on its SMPP link, the OTA-WSP bearer: a link it makes from an smsc URL and
 * owns (starts and closes), or one made elsewhere whose datagrams it only takes over.
 */
import { EsmeLink, type EsmeLinkOptions, type SmscUrl } from '../wdp/smpp/link.js';
import type { WdpDatagram } from '../wdp/datagram.js';

export interface SmppBearerOptions {
  smsc?: string | SmscUrl;
  link?: EsmeLink;
  linkOptions?: Omit<EsmeLinkOptions, 'smsc' | 'onDatagram'>;
}

export class SmppBearer {
  readonly link: EsmeLink | undefined;
  private readonly owned: boolean;

  constructor(options: SmppBearerOptions, onDatagram: (d: WdpDatagram) => void) {
    if (options.link && options.smsc) throw new TypeError('give smsc or link, not both');
    this.owned = !options.link && options.smsc !== undefined;
    this.link =
      options.link ??
      (options.smsc !== undefined ? new EsmeLink({ ...options.linkOptions, smsc: options.smsc }) : undefined);
    if (this.link) this.link.onDatagram = onDatagram;
  }

  /** Binds the link when this client owns it; a link made elsewhere is started by its maker. */
  async start(): Promise<void> {
    if (this.owned) await this.link!.start();
  }

  async close(): Promise<void> {
    if (this.owned) await this.link!.close();
  }

  /** Whether the link is bound now, or binds within `timeoutMs`. */
  bound(timeoutMs: number): Promise<boolean> {
    const link = this.link;
    if (!link) return Promise.resolve(false);
    if (link.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        link.off('bound', onBound);
        resolve(false);
      }, timeoutMs);
      const onBound = () => {
        clearTimeout(timer);
        resolve(true);
      };
      link.once('bound', onBound);
    });
  }
}
