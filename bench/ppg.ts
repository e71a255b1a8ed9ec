// The PPG end to end against Kannel's: PAP requests per second, a single-SMS SI push each, from
// the first POST until the simulator has acknowledged every submit_sm, with 1, 20 and 100
// requests in flight. Ours runs with its lmdb store on and receipts asked, in a process of its
// own (bench/ppgProcess.ts) as Kannel's PPG runs in its own (bench/kannelPpg.ts); both are
// driven the same way, from this process, through the same simulator (also in this process).
// `npm run bench -- --suite ppg [--quick]`. Beside each rate: CPU milliseconds a push of the
// PPG's process (user + system, from /proc, so Linux only), Kannel's two processes together.
//
// Environment, for measuring one change or one setting against another in the same run:
//   BENCH_PPG_NODE_ARGS   node flags for our PPG's process (`--cpu-prof --cpu-prof-dir=DIR`)
//   BENCH_PPG_ARGS        more arguments for bench/ppgProcess.ts: `--store-option sync=everysec`
//                         (a StoreOptions field for its lmdb store), `--store memory`
//   BENCH_PPG_BASELINE    the ppgProcess.js of another build (another checkout's bench/.build):
//                         run as well, alternating with ours, as the `baseline` column
//   BENCH_PPG_KANNEL=0    leave Kannel out
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SmscSimulator } from '../src/smsc/simulator.js';
import { EsmeLink } from '../src/wdp/smpp/link.js';
import { haveKannel, startKannelPpg, type KannelPpg } from './kannelPpg.js';
import type { Skipped } from './peers.js';

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
  /** Push-table writes a push and the commits they went in (event-loop turns with writes). */
  oursWrites?: WriteCounts;
  /** BENCH_PPG_BASELINE's PPG, when given. */
  baseline?: number;
  baselineCpuMs?: number | null;
}

export type PpgBenchResult = { cases: PpgCase[]; pushes: number; kannel?: Skipped };

const BOUNDARY = 'ppg-bench';
const TYPE = `multipart/related; boundary=${BOUNDARY}; type="application/xml"`;

function body(pushId: string): string {
  return (
    `--${BOUNDARY}\r\nContent-Type: application/xml\r\n\r\n<?xml version="1.0"?>\r\n` +
    `<pap><push-message push-id="${pushId}"><address address-value="WAPPUSH=+15550000001/TYPE=PLMN@ppg"/>` +
    '<quality-of-service delivery-method="unconfirmed"/></push-message></pap>\r\n' +
    `--${BOUNDARY}\r\nContent-Type: text/vnd.wap.si\r\n\r\n` +
    '<si><indication href="http://www.example.com/mail/1" si-id="m1">You have mail</indication></si>\r\n' +
    `--${BOUNDARY}--\r\n`
  );
}

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
async function startOurs(smscPort: number, dir: string, script?: string): Promise<Contestant> {
  script ??= fileURLToPath(new URL('./ppgProcess.js', import.meta.url));
  const flags = words(process.env.BENCH_PPG_NODE_ARGS);
  const child = spawn(
    process.execPath,
    [...flags, script, String(smscPort), dir, ...words(process.env.BENCH_PPG_ARGS)],
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

/** `count` pushes, `inFlight` at a time; resolves with requests per second once all are submitted. */
async function drive(url: string, smsc: SmscSimulator, count: number, inFlight: number): Promise<number> {
  const target = smsc.stats.submitted + count;
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': TYPE }, body: body(`b${++ids}`) });
        const text = await res.text();
        if (!/code ?="1001"/.test(text)) throw new Error(`not accepted: ${text.slice(0, 200)}`);
      }
    }),
  );
  for (const end = Date.now() + 60_000; smsc.stats.submitted < target;) {
    if (Date.now() > end) throw new Error(`${target - smsc.stats.submitted} pushes not submitted within 60 s`);
    await new Promise((r) => setImmediate(r));
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** A warm-up, then `count` pushes timed: pushes a second and CPU ms a push. */
async function measure(
  who: Contestant,
  smsc: SmscSimulator,
  count: number,
  inFlight: number,
): Promise<{ rate: number; cpu: number | null; driverCpu: number; writes?: WriteCounts }> {
  await drive(who.url, smsc, Math.min(100, count), inFlight);
  const writesBefore = await who.writes?.();
  const before = cpuMs(who.pids);
  const driverBefore = process.cpuUsage();
  const rate = await drive(who.url, smsc, count, inFlight);
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
    // This process: the fetch client, the SMSC simulator and the phone.
    driverCpu: (driver.user + driver.system) / 1e3 / count,
  };
}

const perSecond = (n: number) => Math.round(n).toLocaleString('en-US');
const writesText = (w: WriteCounts | undefined) =>
  w === undefined ? '' : ` [${w.writes.toFixed(2)} writes in ${w.turns.toFixed(2)} commits a push]`;
const cpuText = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '' : ` (${ms.toFixed(2)} ms CPU)`;

export async function runPpgBench({ quick }: { quick: boolean }): Promise<PpgBenchResult> {
  const pushes = quick ? 300 : 3_000;
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
  const phone = new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${port}`, onDatagram: () => {} });
  await phone.start();
  const ours = await startOurs(port, join(dir, 'state'));
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
  try {
    for (let round = 0; round < rounds; round++)
      for (const inFlight of [1, 20, 100]) {
        const o = await measure(ours, smsc, pushes, inFlight);
        const b = baseline ? await measure(baseline, smsc, pushes, inFlight) : undefined;
        const k = 'skipped' in kannel ? undefined : await measure(kannel, smsc, pushes, inFlight);
        const ratio = k === undefined ? null : o.rate / k.rate;
        cases.push({
          inFlight,
          ours: o.rate,
          kannel: k?.rate ?? null,
          ratio,
          oursCpuMs: o.cpu,
          kannelCpuMs: k?.cpu ?? null,
          ...(o.writes ? { oursWrites: o.writes } : {}),
          ...(b ? { baseline: b.rate, baselineCpuMs: b.cpu } : {}),
        });
        process.stdout.write(
          `  ppg ${String(inFlight).padStart(3)} in flight  ours ${perSecond(o.rate).padStart(6)}/s${cpuText(o.cpu)}${writesText(o.writes)}` +
            (b ? `  baseline ${perSecond(b.rate)}/s${cpuText(b.cpu)}${writesText(b.writes)}` : '') +
            `  kannel ${k === undefined ? '-' : `${perSecond(k.rate)}/s${cpuText(k.cpu)}`}` +
            `  ratio ${ratio === null ? '-' : ratio.toFixed(2)}` +
            `  (driver ${o.driverCpu.toFixed(2)}${k === undefined ? '' : `/${k.driverCpu.toFixed(2)}`} ms CPU)\n`,
        );
      }
  } finally {
    if (!('skipped' in kannel)) await kannel.stop();
    await ours.stop();
    await baseline?.stop();
    await phone.close();
    await smsc.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return 'skipped' in kannel ? { cases, pushes, kannel } : { cases, pushes };
}
