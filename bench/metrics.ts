// What metrics cost on the receiving pipeline: deliver_sm frames over loopback TCP into an
// EsmeLink and a PushClient with one registration and its handler, with and without a Metrics
// (src/ops) observing them, in paired rounds (the two sides alternate, who goes first too; the
// ratio is the median of the rounds), counted per second of the process's CPU time (an A/A run,
// both sides without metrics, gave rounds of 0.99-1.11x). The SMSC side is a bare socket that writes pre-encoded
// frames within a window and counts the answers, so its own cost is as small as it can be.
import net from 'node:net';
import { Metrics, PushClient } from '../src/index.js';
import { SmppCommand } from '../src/wdp/smpp/commands.js';
import { messageIdResponse, PduFramer } from '../src/wdp/smpp/framing.js';
import { median, type PairedResult } from './paired.js';
import { frames, pushPdu } from './pipeline.js';

/** deliver_sm written and not yet answered, at most. */
const WINDOW = 100;

/** One bare SMSC connection: answers the bind, then sends frames on request and counts the answers. */
class Blaster {
  private socket: net.Socket | undefined;
  private readonly framer = new PduFramer();
  private outstanding = 0;
  private sent = 0;
  private answered = 0;
  private target = 0;
  private done: () => void = () => {};
  readonly bound: Promise<void>;
  private onBound: () => void = () => {};

  constructor(private readonly payloads: readonly Buffer[]) {
    this.bound = new Promise((r) => (this.onBound = r));
  }

  attach(socket: net.Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk);
      for (let f = this.framer.next(); f !== null; f = this.framer.next()) this.take(f);
    });
  }

  private take(frame: Buffer): void {
    const id = frame.readUInt32BE(4);
    if (id === SmppCommand.bind_receiver) {
      this.socket!.write(messageIdResponse(id, 0, frame.readUInt32BE(12), 'bench'));
      this.onBound();
    } else if (id === (SmppCommand.deliver_sm | 0x80000000) >>> 0) {
      this.outstanding--;
      if (++this.answered === this.target) this.done();
      else this.pump();
    }
  }

  private pump(): void {
    const socket = this.socket!;
    socket.cork();
    while (this.outstanding < WINDOW && this.sent < this.target) {
      const frame = this.payloads[this.sent % this.payloads.length];
      frame.writeUInt32BE((this.sent % 0x7ffffffe) + 1, 12);
      socket.write(Buffer.from(frame));
      this.sent++;
      this.outstanding++;
    }
    socket.uncork();
  }

  /**
   * Sends `count` more deliver_sm; resolves with answers per second of this process's CPU time
   * (only this side works during its round, and CPU time moves less than wall time on a shared
   * machine) and per second of wall time.
   */
  round(count: number): Promise<{ cpu: number; wall: number }> {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    return new Promise((resolve) => {
      this.target = this.sent + count;
      this.done = () => {
        const used = process.cpuUsage(cpu);
        resolve({
          cpu: count / ((used.user + used.system) / 1e6),
          wall: count / (Number(process.hrtime.bigint() - started) / 1e9),
        });
      };
      this.pump();
    });
  }
}

interface Side {
  blaster: Blaster;
  client: PushClient;
  server: net.Server;
}

async function side(metrics: Metrics | undefined, payloads: readonly Buffer[]): Promise<Side> {
  const blaster = new Blaster(payloads);
  const server = net.createServer((s) => blaster.attach(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const client = new PushClient({
    smsc: `smpp://bench:x@127.0.0.1:${port}`,
    linkOptions: { enquireLinkMs: 0, duplicateWindowMs: 0, maxInFlight: 1_000 },
    otaHttp: false,
    metrics,
  });
  await client.start();
  await blaster.bound;
  const r = await client.register({ pushApplicationId: 'x-wap-application:wml.ua', handler: () => {} });
  if (r.status !== 'accepted') throw new Error('registration refused');
  await r.completed;
  return { blaster, client, server };
}

export interface MetricsCost extends PairedResult {
  pushesPerRound: number;
  /** wappush_pushes_received_total as scraped at the end: every push counted. */
  counted: number;
}

export async function runMetricsCost({ quick = false } = {}): Promise<MetricsCost> {
  const payloads = frames(pushPdu, 256).map((f) => f[0]);
  // As `--metrics-port` makes it: the process metrics (event loop lag, GC) included.
  const metrics = new Metrics();
  const on = await side(metrics, payloads);
  const off = await side(undefined, payloads);
  const rounds = quick ? 5 : 9;
  const pushes = quick ? 10_000 : 40_000;
  // Warm both paths up (the first rounds ran up to 30% apart before this).
  for (let i = 0; i < 2; i++) {
    await on.blaster.round(pushes / 2);
    await off.blaster.round(pushes / 2);
  }
  const out: PairedResult['rounds'] = [];
  for (let i = 0; i < rounds; i++) {
    let o: { cpu: number; wall: number };
    let p: { cpu: number; wall: number };
    if (i % 2 === 0) {
      o = await on.blaster.round(pushes);
      p = await off.blaster.round(pushes);
    } else {
      p = await off.blaster.round(pushes);
      o = await on.blaster.round(pushes);
    }
    out.push({ ours: Math.round(o.cpu), peer: Math.round(p.cpu), ratio: o.cpu / p.cpu });
    const n = (v: number) => Math.round(v).toLocaleString('en-US').padStart(8);
    process.stdout.write(
      `  pushes per CPU second: metrics on ${n(o.cpu)} vs off ${n(p.cpu)}: ${(o.cpu / p.cpu).toFixed(3)}x` +
        `   (wall: ${n(o.wall)} vs ${n(p.wall)}/s)\n`,
    );
  }
  const text = await metrics.text();
  const counted = Number(/^wappush_pushes_received_total (\d+)$/m.exec(text)?.[1] ?? NaN);
  for (const s of [on, off]) {
    await s.client.close();
    s.server.close();
  }
  const sorted = out.map((r) => r.ratio).sort((a, b) => a - b);
  return {
    ratio: median(sorted),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    rounds: out,
    pushesPerRound: pushes,
    counted,
  };
}
