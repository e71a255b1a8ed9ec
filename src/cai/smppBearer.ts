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
  /** Why the link will not bind, once that is known (its bind refused, the client closed). */
  private gone: string | undefined;
  private readonly waiting = new Set<(outcome: true | string) => void>();

  constructor(options: SmppBearerOptions, onDatagram: (d: WdpDatagram) => void | Promise<void>) {
    if (options.link && options.smsc) throw new TypeError('give smsc or link, not both');
    this.owned = !options.link && options.smsc !== undefined;
    this.link =
      options.link ??
      (options.smsc !== undefined ? new EsmeLink({ ...options.linkOptions, smsc: options.smsc }) : undefined);
    if (this.link) {
      this.link.onDatagram = onDatagram;
      // Wrong credentials do not get better by retrying: the link stops, and so does the wait for it.
      this.link.on('bind-failed', (e: { status: number }) =>
        this.end(`the SMSC refused the bind (command_status 0x${e.status.toString(16).padStart(8, '0')})`),
      );
      this.link.on('bound', () => this.settle(true));
    }
  }

  /** Why OTA-WSP cannot be served now, or undefined when it can (the link is bound, or binding). */
  get unavailable(): string | undefined {
    if (!this.link) return 'OTA-WSP over SMS needs an SMPP link, and this client has none';
    return this.gone;
  }

  /** Binds the link when this client owns it; a link made elsewhere is started by its maker. */
  async start(): Promise<void> {
    if (this.owned) await this.link!.start();
  }

  async close(): Promise<void> {
    this.end('the client was closed');
    if (this.owned) await this.link!.close();
  }

  /**
   * True once the link is bound; while it connects, waits for it - without a limit, or up to
   * `timeoutMs` when given - and resolves with why not when it will not bind.
   */
  bound(timeoutMs?: number): Promise<true | string> {
    const why = this.unavailable;
    if (why !== undefined) return Promise.resolve(why);
    if (this.link!.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (outcome: true | string) => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve(outcome);
      };
      this.waiting.add(done);
      if (timeoutMs !== undefined)
        timer = setTimeout(() => done(`the SMPP link is not bound (waited ${timeoutMs} ms)`), timeoutMs);
    });
  }

  private end(why: string): void {
    this.gone ??= why;
    this.settle(why);
  }

  private settle(outcome: true | string): void {
    for (const done of [...this.waiting]) done(outcome);
  }
}
