// The PPG end to end against Kannel's: PAP requests per second, a single-SMS SI push each, from
// the first POST until the simulator has acknowledged every submit_sm, with 1, 20 and 100
// requests in flight. Ours runs with its lmdb store on and receipts asked, in a process of its
// own (bench/ppgProcess.ts) as Kannel's PPG runs in its own (bench/kannelPpg.ts); both are
// driven the same way, from this process, through the same simulator (also in this process).
// `npm run bench -- --suite ppg [--quick]`. Beside each rate: CPU milliseconds a push of the
// PPG's process (user + system, from /proc, so Linux only), Kannel's two processes together,
// and of this driver's process (HTTP client, simulator, phone).
//
// The driver is kept lean so that the figures are the PPGs' and not its own: a bare keep-alive
// HTTP/1.1 client, one connection per request in flight (bench/papClient.ts), and a bare SMPP
// receiver as the phone (bench/phone.ts). With Node's fetch and the project's EsmeLink the
// driver spent more CPU a push than either PPG, on the same 2 cores (bench/README.md).
//
// Environment, for measuring one change or one setting against another in the same run:
//   BENCH_PPG_NODE_ARGS   node flags for our PPG's process (`--cpu-prof --cpu-prof-dir=DIR`)
//   BENCH_PPG_ARGS        more arguments for bench/ppgProcess.ts: `--store-option sync=everysec`
//                         (a StoreOptions field for its lmdb store), `--store memory`
//   BENCH_PPG_RECEIPTS    `both` (default): ours asks receipts, as the product does, and is run
//                         again with `--ppg-option receipts=false` as the `oursNoReceipts`
//                         column, since Kannel's configuration asks none; `on`: only the first
//   BENCH_PPG_BASELINE    the ppgProcess.js of another build (another checkout's bench/.build):
//                         run as well, alternating with ours, as the `baseline` column
//   BENCH_PPG_KANNEL=0    leave Kannel out
//   BENCH_PPG_CLIENT      the driver's HTTP client: `raw` (default, bench/papClient.ts),
//                         `http` (node:http with a keep-alive Agent), `fetch` (Node's fetch)
//   BENCH_PPG_ROUNDS      repeat the three cases this many times
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SmscSimulator } from '../src/smsc/simulator.js';
import { haveKannel, startKannelPpg, type KannelPpg } from './kannelPpg.js';
import { PapConnection, type PapAnswer } from './papClient.js';
import type { Skipped } from './peers.js';
import { bindPhone } from './phone.js';

export interface PpgCase {
  inFlight: number;
  /** PAP requests per second, end to end. */
  ours: number;
  kannel: number | null;
  /** ours / kannel. */
  ratio: number | null;
  /** CPU ms a push of our PPG's process, and of Kannel's (bearerbox + wapbox); null off Linux. */
  oursCpuMs: number | null;
  kannelCpuMs: number | null;
  /** CPU ms a push of this driver's process (client, simulator, phone) while driving each. */
  oursDriverCpuMs?: number;
  kannelDriverCpuMs?: number | null;
  /** Push-table writes a push and the commits they went in (event-loop turns with writes). */
  oursWrites?: WriteCounts;
  /** Ours with `--ppg-option receipts=false` (BENCH_PPG_RECEIPTS=both, the default), as Kannel asks none. */
  oursNoReceipts?: number;
  oursNoReceiptsCpuMs?: number | null;
  /** oursNoReceipts / kannel. */
  ratioNoReceipts?: number | null;
  /** BENCH_PPG_BASELINE's PPG, when given. */
  baseline?: number;
  baselineCpuMs?: number | null;
}

export type PpgBenchResult = {
  cases: PpgCase[];
  pushes: number;
  kannel?: Skipped;
  /** The driver's HTTP client (BENCH_PPG_CLIENT). */
  client?: Client;
};

const BOUNDARY = 'ppg-bench';
const TYPE = `multipart/related; boundary=${BOUNDARY}; type="application/xml"`;

/** A single-SMS SI push; `{id}` is where the push-id's counter goes. */
const BODY =
  `--${BOUNDARY}\r\nContent-Type: application/xml\r\n\r\n<?xml version="1.0"?>\r\n` +
  `<pap><push-message push-id="b{id}"><address address-value="WAPPUSH=+15550000001/TYPE=PLMN@ppg"/>` +
  '<quality-of-service delivery-method="unconfirmed"/></push-message></pap>\r\n' +
  `--${BOUNDARY}\r\nContent-Type: text/vnd.wap.si\r\n\r\n` +
  '<si><indication href="http://www.example.com/mail/1" si-id="m1">You have mail</indication></si>\r\n' +
  `--${BOUNDARY}--\r\n`;

/** Push-ids are unique over the run, across contestants. */
let ids = 0;

const words = (v: string | undefined) => (v ?? '').split(' ').filter((f) => f !== '');

/** CPU time (user + system) of processes so far, ms; null where /proc is not there. */
function cpuMs(pids: readonly number[]): number | null {
  let ticks = 0;
  try {
    for (const pid of pids) {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return null;
  }
  // USER_HZ is 100 on every Linux that Node runs on.
  return ticks * 10;
}

/** Push-table writes so far, and the event-loop turns they were made in (each turn's writes: one commit). */
interface WriteCounts {
  writes: number;
  turns: number;
}

interface Contestant {
  url: string;
  pids: number[];
  stop: () => Promise<void>;
  /** Our PPG's write counts (a ppgProcess.js that says it can tell them). */
  writes?: () => Promise<WriteCounts>;
}

/** Our PPG started in its own process (bench/ppgProcess.ts, or `script`); resolves once it listens. */
async function startOurs(smscPort: number, dir: string, script?: string, args: string[] = []): Promise<Contestant> {
  script ??= fileURLToPath(new URL('./ppgProcess.js', import.meta.url));
  const flags = words(process.env.BENCH_PPG_NODE_ARGS);
  const child = spawn(
    process.execPath,
    [...flags, script, String(smscPort), dir, ...words(process.env.BENCH_PPG_ARGS), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await once(child, 'exit');
    clearTimeout(t);
  };
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([l]: string[]) => l),
    once(child, 'exit').then(() => undefined),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000).unref()),
  ]);
  const hello = first === undefined ? undefined : (JSON.parse(first) as { port?: unknown; writes?: unknown });
  const port = hello?.port;
  if (typeof port !== 'number') {
    await stop();
    throw new Error(`our PPG process did not start: ${first ?? 'no answer'}`);
  }
  const writes = async (): Promise<WriteCounts> => {
    const answer = once(lines, 'line');
    child.kill('SIGUSR2');
    const [line] = (await answer) as string[];
    return JSON.parse(line) as WriteCounts;
  };
  return {
    url: `http://127.0.0.1:${port}/wappush`,
    pids: child.pid === undefined ? [] : [child.pid],
    stop,
    ...(hello?.writes === true ? { writes } : {}),
  };
}

const CLIENTS = ['raw', 'http', 'fetch'] as const;
type Client = (typeof CLIENTS)[number];

/** One way of POSTing: `post(n)` sends push `n` on slot `slot`; `close` ends the connections. */
interface Poster {
  post(slot: number, n: number): Promise<PapAnswer>;
  close(): void;
}

/** `inFlight` keep-alive connections to `url`, by the client BENCH_PPG_CLIENT names. */
function poster(client: Client, url: string, inFlight: number): Poster {
  const u = new URL(url);
  if (client === 'raw') {
    const connections = Array.from(
      { length: inFlight },
      () =>
        new PapConnection({
          host: u.hostname,
          port: Number(u.port),
          path: u.pathname,
          contentType: TYPE,
          body: BODY,
        }),
    );
    return { post: (slot, n) => connections[slot].post(n), close: () => connections.forEach((c) => c.close()) };
  }
  const bodyOf = (n: number) => BODY.replace('{id}', String(n).padStart(10, '0'));
  if (client === 'http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
    const post = (_slot: number, n: number) =>
      new Promise<PapAnswer>((resolve, reject) => {
        const body = bodyOf(n);
        const req = http.request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': TYPE, 'content-length': Buffer.byteLength(body, 'latin1') },
          },
          (res) => {
            let text = '';
            res.setEncoding('latin1');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body, 'latin1');
      });
    return { post, close: () => agent.destroy() };
  }
  const post = async (_slot: number, n: number): Promise<PapAnswer> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': TYPE }, body: bodyOf(n) });
    return { status: res.status, body: await res.text() };
  };
  return { post, close: () => {} };
}

/** `count` pushes, `inFlight` at a time; resolves with requests per second once all are submitted. */
async function drive(to: Poster, smsc: SmscSimulator, count: number, inFlight: number): Promise<number> {
  const target = smsc.stats.submitted + count;
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, slot) => {
      while (next++ < count) {
        const answer = await to.post(slot, ++ids);
        if (!/code ?= ?"1001"/.test(answer.body))
          throw new Error(`not accepted (HTTP ${answer.status}): ${answer.body.slice(0, 200)}`);
      }
    }),
  );
  // The last submit_sm follow their 1001 answers; a timer (not a setImmediate spin, which
  // cost the driver CPU) looks every millisecond.
  for (const end = Date.now() + 60_000; smsc.stats.submitted < target;) {
    if (Date.now() > end) throw new Error(`${target - smsc.stats.submitted} pushes not submitted within 60 s`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

interface Measured {
  rate: number;
  cpu: number | null;
  /** CPU ms a push of this process: the client, the SMSC simulator and the phone. */
  driverCpu: number;
  writes?: WriteCounts;
}

/** A warm-up (which opens the connections), then `count` pushes timed: pushes a second and CPU ms a push. */
async function measure(
  who: Contestant,
  client: Client,
  smsc: SmscSimulator,
  count: number,
  inFlight: number,
): Promise<Measured> {
  const to = poster(client, who.url, inFlight);
  try {
    await drive(to, smsc, Math.max(inFlight, Math.min(100, count)), inFlight);
    const writesBefore = await who.writes?.();
    const before = cpuMs(who.pids);
    const driverBefore = process.cpuUsage();
    const rate = await drive(to, smsc, count, inFlight);
    const driver = process.cpuUsage(driverBefore);
    const after = cpuMs(who.pids);
    // Receipts (and the writes they make) may still come in after the last submit_sm_resp.
    await new Promise((r) => setTimeout(r, 300));
    const writesAfter = await who.writes?.();
    const writes =
      writesBefore && writesAfter
        ? {
            writes: (writesAfter.writes - writesBefore.writes) / count,
            turns: (writesAfter.turns - writesBefore.turns) / count,
          }
        : undefined;
    return {
      ...(writes ? { writes } : {}),
      rate,
      cpu: before === null || after === null ? null : (after - before) / count,
      driverCpu: (driver.user + driver.system) / 1e3 / count,
    };
  } finally {
    to.close();
  }
}

const perSecond = (n: number) => Math.round(n).toLocaleString('en-US');
const writesText = (w: WriteCounts | undefined) =>
  w === undefined ? '' : ` [${w.writes.toFixed(2)} writes in ${w.turns.toFixed(2)} commits a push]`;
const cpuText = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '' : ` (${ms.toFixed(2)} ms CPU)`;

const isClient = (c: string): c is Client => (CLIENTS as readonly string[]).includes(c);

function clientOf(v: string | undefined): Client {
  const c = v ?? 'raw';
  if (!isClient(c)) throw new Error(`BENCH_PPG_CLIENT=${c}: one of ${CLIENTS.join(', ')}`);
  return c;
}

export async function runPpgBench({ quick }: { quick: boolean }): Promise<PpgBenchResult> {
  const pushes = quick ? 300 : 3_000;
  const client = clientOf(process.env.BENCH_PPG_CLIENT);
  const receipts = process.env.BENCH_PPG_RECEIPTS ?? 'both';
  if (receipts !== 'both' && receipts !== 'on') throw new Error(`BENCH_PPG_RECEIPTS=${receipts}: both or on`);
  const dir = mkdtempSync(join(tmpdir(), 'wappush-ppg-bench-'));
  const smsc = new SmscSimulator({
    accounts: [
      { systemId: 'kannel', password: 'pw' },
      { systemId: 'ppg', password: 'secret' },
      { systemId: 'phone', password: 'pw', addressRange: '^\\+?1555' },
    ],
    window: 100,
  });
  const port = await smsc.listen();
  let kannelBound = false;
  smsc.on('bind', (b) => {
    if (b.systemId === 'kannel') kannelBound = true;
  });
  const phone = await bindPhone(port, 'phone', 'pw', '^\\+?1555');
  const ours = await startOurs(port, join(dir, 'state'));
  const noReceipts =
    receipts === 'both'
      ? await startOurs(port, join(dir, 'no-receipts'), undefined, ['--ppg-option', 'receipts=false'])
      : undefined;
  const baselineScript = process.env.BENCH_PPG_BASELINE;
  const baseline = baselineScript ? await startOurs(port, join(dir, 'baseline'), baselineScript) : undefined;
  const kannel: KannelPpg | Skipped =
    process.env.BENCH_PPG_KANNEL === '0'
      ? { skipped: 'BENCH_PPG_KANNEL=0' }
      : haveKannel()
        ? await startKannelPpg(port, () => kannelBound).catch((e: unknown) => ({ skipped: String(e) }))
        : { skipped: 'bearerbox/wapbox not installed' };
  const rounds = Math.max(1, Number(process.env.BENCH_PPG_ROUNDS ?? 1) || 1);
  const cases: PpgCase[] = [];
  const run = (who: Contestant, inFlight: number) => measure(who, client, smsc, pushes, inFlight);
  try {
    for (let round = 0; round < rounds; round++)
      for (const inFlight of [1, 20, 100]) {
        const o = await run(ours, inFlight);
        const n = noReceipts ? await run(noReceipts, inFlight) : undefined;
        const b = baseline ? await run(baseline, inFlight) : undefined;
        const k = 'skipped' in kannel ? undefined : await run(kannel, inFlight);
        const ratio = k === undefined ? null : o.rate / k.rate;
        const ratioNoReceipts = k === undefined || n === undefined ? null : n.rate / k.rate;
        cases.push({
          inFlight,
          ours: o.rate,
          kannel: k?.rate ?? null,
          ratio,
          oursCpuMs: o.cpu,
          kannelCpuMs: k?.cpu ?? null,
          oursDriverCpuMs: o.driverCpu,
          kannelDriverCpuMs: k?.driverCpu ?? null,
          ...(o.writes ? { oursWrites: o.writes } : {}),
          ...(n ? { oursNoReceipts: n.rate, oursNoReceiptsCpuMs: n.cpu, ratioNoReceipts } : {}),
          ...(b ? { baseline: b.rate, baselineCpuMs: b.cpu } : {}),
        });
        process.stdout.write(
          `  ppg ${String(inFlight).padStart(3)} in flight  ours ${perSecond(o.rate).padStart(6)}/s${cpuText(o.cpu)}${writesText(o.writes)}` +
            (n ? `  no receipts ${perSecond(n.rate)}/s${cpuText(n.cpu)}` : '') +
            (b ? `  baseline ${perSecond(b.rate)}/s${cpuText(b.cpu)}${writesText(b.writes)}` : '') +
            `  kannel ${k === undefined ? '-' : `${perSecond(k.rate)}/s${cpuText(k.cpu)}`}` +
            `  ratio ${ratio === null ? '-' : ratio.toFixed(2)}` +
            (ratioNoReceipts === null ? '' : ` (${ratioNoReceipts.toFixed(2)} without receipts)`) +
            `  (driver ${o.driverCpu.toFixed(2)}${n ? `/${n.driverCpu.toFixed(2)}` : ''}${k === undefined ? '' : `/${k.driverCpu.toFixed(2)}`} ms CPU)\n`,
        );
      }
  } finally {
    if (!('skipped' in kannel)) await kannel.stop();
    await ours.stop();
    await noReceipts?.stop();
    await baseline?.stop();
    phone.close();
    await smsc.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { cases, pushes, client, ...('skipped' in kannel ? { kannel } : {}) };
}
