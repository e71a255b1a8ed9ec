// The PPG end to end against Kannel's: PAP requests per second, a single-SMS SI push each, from
// the first POST until the simulator has acknowledged every submit_sm, with 1, 20 and 100
// requests in flight. Ours runs with its lmdb store on and receipts asked, in a process of its
// own (bench/ppgProcess.ts) as Kannel's PPG runs in its own (bench/kannelPpg.ts); both are
// driven the same way, from this process, through the same simulator (also in this process).
// `npm run bench -- --suite ppg [--quick]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SmscSimulator } from '../src/smsc/simulator.js';
import { EsmeLink } from '../src/wdp/smpp/link.js';
import { haveKannel, startKannelPpg } from './kannelPpg.js';
import type { Skipped } from './peers.js';

export interface PpgCase {
  inFlight: number;
  /** PAP requests per second, end to end. */
  ours: number;
  kannel: number | null;
  /** ours / kannel. */
  ratio: number | null;
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

/** Our PPG started in its own process (bench/ppgProcess.ts); resolves once it listens. */
async function startOurs(smscPort: number, dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./ppgProcess.js', import.meta.url));
  const flags = (process.env.BENCH_PPG_NODE_ARGS ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(process.execPath, [...flags, script, String(smscPort), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
  const port = first === undefined ? undefined : (JSON.parse(first) as { port?: unknown }).port;
  if (typeof port !== 'number') {
    await stop();
    throw new Error(`our PPG process did not start: ${first ?? 'no answer'}`);
  }
  return { url: `http://127.0.0.1:${port}/wappush`, stop };
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
  const oursUrl = ours.url;
  const kannel = haveKannel()
    ? await startKannelPpg(port, () => kannelBound).catch((e: unknown) => ({ skipped: String(e) }))
    : { skipped: 'bearerbox/wapbox not installed' };
  const cases: PpgCase[] = [];
  try {
    for (const inFlight of [1, 20, 100]) {
      await drive(oursUrl, smsc, Math.min(100, pushes), inFlight); // warm-up
      const o = await drive(oursUrl, smsc, pushes, inFlight);
      let k: number | null = null;
      if (!('skipped' in kannel)) {
        await drive(kannel.url, smsc, Math.min(100, pushes), inFlight);
        k = await drive(kannel.url, smsc, pushes, inFlight);
      }
      cases.push({ inFlight, ours: o, kannel: k, ratio: k === null ? null : o / k });
      process.stdout.write(
        `  ppg ${String(inFlight).padStart(3)} in flight  ours ${Math.round(o).toLocaleString('en-US').padStart(7)}/s` +
          `  kannel ${k === null ? '-' : Math.round(k).toLocaleString('en-US')}/s` +
          `  ratio ${k === null ? '-' : (o / k).toFixed(2)}\n`,
      );
    }
  } finally {
    if (!('skipped' in kannel)) await kannel.stop();
    await ours.stop();
    await phone.close();
    await smsc.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return 'skipped' in kannel ? { cases, pushes, kannel } : { cases, pushes };
}
