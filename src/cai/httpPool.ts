/**
 * The OTA-HTTP receivers registrations bind to, one per requested port and shared by every
 * registration that asks for that port: a receiver opens with its first registration and
 * closes when its last one lets go.
 */
import type { Cpi } from './cpi.js';
import type { HttpPush } from './otaHttp.js';
import { OtaHttpBudget, type OtaHttpLimits, type OtaHttpStats } from './otaHttpBudget.js';
import { HttpPushReceiver, type HttpPushOutcome, type HttpPushReceiverOptions } from './otaHttpReceiver.js';

/** What every receiver of the pool shares; the pool adds the port and one budget for all. */
export type PooledReceiverOptions = Omit<HttpPushReceiverOptions, 'port' | 'onPush' | 'budget' | 'cpi'> & {
  /** The CPI the receiver asked for on `requestedPort` answers OPTIONS with. */
  cpi: (requestedPort: number) => Cpi;
  /** Called with each push and the port its receiver was asked for (0: ephemeral). */
  onPush: (push: HttpPush, requestedPort: number) => HttpPushOutcome | Promise<HttpPushOutcome>;
  limits?: Partial<OtaHttpLimits>;
};

interface Pooled {
  receiver: HttpPushReceiver;
  refs: number;
  ready: Promise<number>;
}

export class HttpReceiverPool {
  /** Shared by every receiver: the connection and memory bounds hold over all of them together. */
  readonly budget: OtaHttpBudget;
  private readonly receivers = new Map<number, Pooled>();

  constructor(private readonly options: PooledReceiverOptions) {
    this.budget = new OtaHttpBudget(options.limits);
  }

  get stats(): Readonly<OtaHttpStats> {
    return this.budget.stats;
  }

  /** Opens (or shares) the receiver for `requestedPort`; resolves with the port it listens on. */
  acquire(requestedPort: number): Promise<number> {
    let p = this.receivers.get(requestedPort);
    if (!p) {
      const receiver = new HttpPushReceiver({
        ...this.options,
        budget: this.budget,
        port: requestedPort,
        onPush: (push) => this.options.onPush(push, requestedPort),
        cpi: () => this.options.cpi(requestedPort),
      });
      const ready = receiver.listen();
      p = { receiver, refs: 0, ready };
      this.receivers.set(requestedPort, p);
      ready.catch(() => this.receivers.delete(requestedPort));
    }
    const pooled = p;
    pooled.refs++;
    return pooled.ready.catch((e: unknown) => {
      pooled.refs--;
      throw e;
    });
  }

  /** Lets go of one hold on `requestedPort`'s receiver; the last one closes it. */
  release(requestedPort: number): void {
    const p = this.receivers.get(requestedPort);
    if (!p || --p.refs > 0) return;
    this.receivers.delete(requestedPort);
    void p.receiver.close();
  }

  /** The port the receiver for `requestedPort` listens on. */
  port(requestedPort: number): number | undefined {
    return this.receivers.get(requestedPort)?.receiver.port;
  }

  async close(): Promise<void> {
    const all = [...this.receivers.values()];
    this.receivers.clear();
    await Promise.all(all.map((p) => p.receiver.close()));
  }
}
