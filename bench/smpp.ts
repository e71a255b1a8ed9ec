// End-to-end throughput on loopback, deliveries per second: the SMSC simulator delivering
// queued pushes to the ESME link (framing -> reassembly -> WSP decode), at windows 1, 10 and
// 100, beside the raw ceiling of the `smpp` package itself: a bare package server sending
// the same deliver_sm PDUs to a bare package client that answers each. One process, like the
// issue's reference figures. Not benchmark.js: one timed run of N deliveries per case.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import smpp, { type PDU } from 'smpp';
import {
  EsmeLink,
  SmscSimulator,
  SmppSubmitter,
  decodePushPdu,
  encodePushPdu,
  encodeSi,
  parseSmscUrl,
  smppShortMessages,
  type SmscUrl,
  type Store,
  type TlsServerSettings,
} from '../src/index.js';
import { ask, forkReady } from './forked.js';
import type { SmscMessage, SmscRequest } from './smscProcess.js';

/** Serve and bind over TLS: the simulator's certificate and the CA the link verifies it with. */
export interface BenchTls {
  server: TlsServerSettings;
  ca: Buffer;
}

/** The URL an ESME binds to the simulator with, over TLS when `tls` is given. */
function smscUrl(who: string, port: number, tls: BenchTls | undefined): string | SmscUrl {
  return tls ? parseSmscUrl(`smpps://${who}@127.0.0.1:${port}`, { ca: tls.ca }) : `smpp://${who}@127.0.0.1:${port}`;
}

export const pushPdu = encodePushPdu({
  transactionId: 1,
  contentType: 'application/vnd.wap.sic',
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSi({ href: 'http://www.xyz.com/email/123/abc.wml', text: 'You have 4 new emails' }),
});

/** How many SMS one push of `pdu` takes (the simulator queues each as a message of its own). */
export function smsPerPush(pdu: Uint8Array): number {
  return smppShortMessages(pdu, { reference: 0 }).length;
}

/** A simulator with `n` pushes of `pdu` submitted and queued, to 100 destinations in turn; nothing bound to receive yet. */
export async function loadedSimulator(
  window: number,
  n: number,
  pdu: Uint8Array,
  tls?: BenchTls,
): Promise<SmscSimulator> {
  const sim = new SmscSimulator({
    window,
    maxQueue: n * smsPerPush(pdu) + 1,
    ...(tls ? { plain: false, tls: tls.server } : {}),
  });
  const port = await sim.listen();
  const tx = new SmppSubmitter(smscUrl('a:b', port, tls));
  await tx.start();
  for (let i = 0; i < n; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, n - i) }, (_, k) => tx.submit(pdu, { to: `+44770${(i + k) % 100}` })),
    );
  }
  await tx.close();
  return sim;
}

/** The receiving side of a run: how the link keeps concatenated segments (no store: the in-memory reassembler). */
export interface FullStackOptions {
  pdu?: Uint8Array;
  store?: Store;
  /** SMPP over TLS between the simulator and the link (and the submitter that loads it). */
  tls?: BenchTls;
  /**
   * Where the simulator runs: in this process and thread, beside the link (the default), or in
   * a process of its own (bench/smscProcess.ts), as a real SMSC would: then the link's
   * synchronous work, such as an lmdb commit waiting for the disk, does not hold it up.
   */
  simulator?: Simulator;
  /** Pushes handled before the clock starts (default 0: timed from the link's start, bind included). */
  untimed?: number;
  /** Called with the count after each push reaches the handler (a probe's clock, bench/README.md). */
  onPush?: (got: number) => void;
  /**
   * Sessions bound to the simulator at once (default 1), as `listen --binds N`: one listener,
   * every link sharing the first one's reassembler and the one store; the simulator spreads the
   * segments over them round-robin, `window` in flight on each.
   */
  binds?: number;
}

export type Simulator = 'thread' | 'process';

/** The bound simulator's port, and how to stop it (its CPU seconds when it ran in a process of its own). */
interface RunningSmsc {
  port: number;
  /** The timed part starts: the simulator's CPU is counted from here. */
  mark(): void;
  /** The timed part ends: the simulator's CPU is counted to here (not through the unbind and close). */
  lap(): void;
  stop(): Promise<{ cpuSeconds?: number; gcMs?: number }>;
}

const smscScript = fileURLToPath(new URL('./smscProcess.js', import.meta.url));

/** The simulator's process, forked once and kept for the runs after (see bench/smscProcess.ts). */
let smscProcess: ChildProcess | undefined;

/** The simulator's process id, when one is running. */
export function smscPid(): number | undefined {
  return smscProcess?.pid;
}

/** Ends the simulator's process, when one was forked (a suite's runs are over). */
export async function endSmscProcess(): Promise<void> {
  const child = smscProcess;
  smscProcess = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send('exit' satisfies SmscRequest);
  await exited;
}

/** A simulator loaded with `n` pushes of `pdu`, in this thread or in a process of its own. */
async function startSmsc(window: number, n: number, pdu: Uint8Array, options: FullStackOptions): Promise<RunningSmsc> {
  if (options.simulator !== 'process') {
    const sim = await loadedSimulator(window, n, pdu, options.tls);
    return { port: sim.port, mark: () => {}, lap: () => {}, stop: async () => (await sim.close(), {}) };
  }
  if (options.tls) throw new Error('the simulator in a process of its own serves plain SMPP only');
  if (smscProcess === undefined) {
    // BENCH_SMSC_NODE_ARGS: node flags for the simulator's process (such as --cpu-prof).
    const nodeArgs = process.env.BENCH_SMSC_NODE_ARGS?.split(' ').filter(Boolean);
    const forked = (await forkReady<SmscMessage>(smscScript, [], nodeArgs)).child;
    // A process that died is forked again by the next run, not asked.
    forked.once('exit', () => {
      if (smscProcess === forked) smscProcess = undefined;
    });
    smscProcess = forked;
  }
  const child = smscProcess;
  const loaded = await ask<SmscMessage>(child, { load: [window, n, Buffer.from(pdu).toString('hex')] });
  if (!('port' in loaded)) throw new Error('the simulator process said no port');
  return {
    port: loaded.port,
    mark: () => void child.send('mark' satisfies SmscRequest),
    lap: () => void child.send('lap' satisfies SmscRequest),
    stop: async () => {
      const m = await ask<SmscMessage>(child, 'stop' satisfies SmscRequest);
      return 'cpuSeconds' in m ? { cpuSeconds: m.cpuSeconds, gcMs: m.gcMs } : {};
    },
  };
}

/**
 * CPU seconds every core has spent busy since boot, from /proc/stat (user, nice, system, irq,
 * softirq; 10 ms ticks), or undefined where there is no /proc/stat. Over a run, this less the
 * bench's own processes' CPU is what other work on the machine took (bench/README.md).
 */
export function machineBusySeconds(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .slice(0, 200)
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq) / 100;
  } catch {
    return undefined;
  }
}

/** One run's figures: pushes/s over the timed part, and the CPU seconds of each side in it. */
export interface RunFigures {
  pushesPerSec: number;
  /** CPU seconds of the listener's process over the timed part (the simulator's too when in-thread). */
  listenerCpuSeconds: number;
  /** CPU seconds of the simulator's process over the timed part (when in a process of its own). */
  simulatorCpuSeconds?: number;
  /** Milliseconds of garbage collection pauses in the simulator's process over the timed part (likewise). */
  simulatorGcMs?: number;
  /** Seconds the timed part took. */
  seconds: number;
  /** CPU seconds all cores were busy over the timed part, whoever's (where /proc/stat is readable). */
  machineBusySeconds?: number;
}

/**
 * Pushes/s from the link's first bind (or from its `untimed`-th push) to the n-th handler call:
 * the simulator delivering its queue to one EsmeLink (framing -> reassembly, on `store` when
 * given -> WSP decode).
 */
export async function fullStack(window: number, n: number, options: FullStackOptions = {}): Promise<number> {
  return (await fullStackRun(window, n, options)).pushesPerSec;
}

export async function fullStackRun(window: number, n: number, options: FullStackOptions = {}): Promise<RunFigures> {
  const untimed = options.untimed ?? 0;
  if (!(untimed >= 0 && untimed < n)) throw new RangeError('untimed must be at least 0 and below n');
  const smsc = await startSmsc(window, n, options.pdu ?? pushPdu, options);
  let got = 0;
  let t0 = 0n;
  let cpu0 = process.cpuUsage();
  let busy0 = machineBusySeconds();
  let done = (): void => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  let unbound = 0;
  const onDatagram = (d: { payload: Uint8Array }): void => {
    got += decodePushPdu(d.payload).headers.length >= 0 ? 1 : 0;
    if (got === untimed) {
      // Timed only once every bind is up: a run whose clock started on fewer measures fewer.
      if (!links.every((l) => l.bound)) unbound = links.filter((l) => !l.bound).length;
      t0 = process.hrtime.bigint();
      cpu0 = process.cpuUsage();
      busy0 = machineBusySeconds();
      smsc.mark();
    }
    options.onPush?.(got);
    if (got === n) done();
  };
  const link = new EsmeLink({
    smsc: smscUrl('c:d', smsc.port, options.tls),
    duplicateWindowMs: 0,
    maxInFlight: 1_000,
    store: options.store,
    onDatagram,
  });
  // The other binds as `listen --binds N` makes them: the first link's reassembler, the one store.
  const links = [
    link,
    ...Array.from(
      { length: (options.binds ?? 1) - 1 },
      () =>
        new EsmeLink({
          smsc: smscUrl('c:d', smsc.port, options.tls),
          duplicateWindowMs: 0,
          maxInFlight: 1_000,
          store: options.store,
          reassembler: link.reassembler,
          onDatagram,
        }),
    ),
  ];
  if (untimed === 0) {
    t0 = process.hrtime.bigint();
    cpu0 = process.cpuUsage();
    busy0 = machineBusySeconds();
  }
  let seconds: number;
  let cpu: NodeJS.CpuUsage;
  let busy1: number | undefined;
  let cpuSeconds: number | undefined;
  let gcMs: number | undefined;
  // The simulator is stopped whatever happens: a forked one would keep the bench from exiting.
  try {
    await Promise.all(links.map((l) => l.start()));
    await finished;
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    cpu = process.cpuUsage(cpu0);
    busy1 = machineBusySeconds();
    smsc.lap();
  } finally {
    try {
      await Promise.all(links.map((l) => l.close()));
    } finally {
      ({ cpuSeconds, gcMs } = await smsc.stop());
    }
  }
  if (unbound) throw new Error(`${unbound} of ${links.length} binds were not bound when the clock started`);
  return {
    pushesPerSec: (n - untimed) / seconds,
    listenerCpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(cpuSeconds !== undefined ? { simulatorCpuSeconds: cpuSeconds } : {}),
    ...(gcMs !== undefined ? { simulatorGcMs: gcMs } : {}),
    seconds,
    ...(busy0 !== undefined && busy1 !== undefined ? { machineBusySeconds: busy1 - busy0 } : {}),
  };
}

async function rawPackage(window: number, n: number): Promise<number> {
  const [fields] = smppShortMessages(pushPdu);
  const shortMessage = fields.shortMessage!;
  let sent = 0;
  let acked = 0;
  let done = (): void => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const server = smpp.createServer((session) => {
    session.on('bind_receiver', (pdu: PDU) => {
      session.send(pdu.response());
      const pump = (): void => {
        while (sent < n && sent - acked < window) {
          sent++;
          // session.deliver_sm(fields, cb) in the package is this same send of a new PDU.
          session.send(
            new smpp.PDU('deliver_sm', {
              source_addr: '9200',
              destination_addr: '+447700',
              esm_class: fields.esmClass,
              data_coding: fields.dataCoding,
              short_message: {
                udh: Buffer.from(shortMessage.subarray(0, 7)),
                message: Buffer.from(shortMessage.subarray(7)),
              },
            }),
            () => {
              acked++;
              if (acked === n) done();
              else pump();
            },
          );
        }
      };
      pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = smpp.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  client.on('deliver_sm', (pdu: PDU) => client.send(pdu.response()));
  const t0 = process.hrtime.bigint();
  await new Promise<void>((r) =>
    client.on('connect', () =>
      client.send(new smpp.PDU('bind_receiver', { system_id: 'c', password: 'd' }), () => r()),
    ),
  );
  await finished;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  client.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return n / seconds;
}

/** One window's figures: the package pair's deliveries/s, ours, and ours / theirs. */
export interface EndToEnd {
  window: number;
  rawPerSec: number;
  fullStackPerSec: number;
  ratio: number;
}

export async function runSmpp({ quick = false } = {}): Promise<EndToEnd[]> {
  const n = quick ? 5_000 : 30_000;
  const results: EndToEnd[] = [];
  for (const window of [1, 10, 100]) {
    const raw = await rawPackage(window, n);
    const full = await fullStack(window, n);
    results.push({ window, rawPerSec: raw, fullStackPerSec: full, ratio: full / raw });
    process.stdout.write(
      `  window ${String(window).padStart(3)}: smpp package pair ${Math.round(raw).toLocaleString('en-US').padStart(8)}/s, wappush full stack ${Math.round(full).toLocaleString('en-US').padStart(8)}/s (${(full / raw).toFixed(2)}x)\n`,
    );
  }
  return results;
}
