// Kannel's PPG (Debian `kannel`: bearerbox + wapbox) pointed at our SMSC simulator, for the
// PPG interop test (test/interop/ppgKannel.test.ts) and the PPG benchmark (bench/ppg.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether bearerbox and wapbox are installed. */
export const haveKannel = (): boolean =>
  ['bearerbox', 'wapbox'].every((cmd) => spawnSync(cmd, ['-v'], { stdio: 'ignore' }).error === undefined);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The core, SMPP (transmitter, system_id `kannel`) and PPG groups; no smsbox traffic. */
function conf(dir: string, p: { admin: number; smsbox: number; wapbox: number; ppg: number; smsc: number }): string {
  return [
    'group = core',
    `admin-port = ${p.admin}`,
    'admin-password = bench',
    `smsbox-port = ${p.smsbox}`,
    `wapbox-port = ${p.wapbox}`,
    'box-allow-ip = "127.0.0.1"',
    'admin-interface = "127.0.0.1"',
    `log-file = "${dir}/bearerbox.log"`,
    'log-level = 3',
    '',
    'group = smsc',
    'smsc = smpp',
    'smsc-id = simulator',
    'host = 127.0.0.1',
    `port = ${p.smsc}`,
    'smsc-username = "kannel"',
    'smsc-password = "pw"',
    'system-type = ""',
    '',
    // bearerbox will not start with an smsbox-port and no smsbox group; no smsbox is run.
    'group = smsbox',
    'bearerbox-host = 127.0.0.1',
    '',
    'group = wapbox',
    'bearerbox-host = 127.0.0.1',
    `log-file = "${dir}/wapbox.log"`,
    'log-level = 3',
    '',
    'group = ppg',
    `ppg-port = ${p.ppg}`,
    'ppg-url = /wappush',
    'ppg-allow-ip = "127.0.0.1"',
    'trusted-pi = true',
    'concurrent-pushes = 1000',
    'users = 1024',
    'service-name = ppg',
    '',
  ].join('\n');
}

export interface KannelPpg {
  /** Where its PPG takes PAP: http://127.0.0.1:PORT/wappush */
  url: string;
  /** bearerbox's and wapbox's process ids (the benchmark reads their CPU time). */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * Starts bearerbox (it binds to the simulator at `smscPort` as `kannel`), then wapbox, and
 * resolves once the PPG answers HTTP. `bound()` says whether the simulator saw the bind.
 */
export async function startKannelPpg(smscPort: number, bound: () => boolean, timeoutMs = 20_000): Promise<KannelPpg> {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-kannel-ppg-'));
  const ports = {
    admin: await freePort(),
    smsbox: await freePort(),
    wapbox: await freePort(),
    ppg: await freePort(),
    smsc: smscPort,
  };
  const file = join(dir, 'kannel.conf');
  writeFileSync(file, conf(dir, ports));
  const procs: ChildProcess[] = [];
  const start = (cmd: string) => {
    const p = spawn(cmd, [file], { stdio: ['ignore', 'ignore', 'ignore'] });
    procs.push(p);
  };
  const stop = async () => {
    await Promise.all(
      procs.splice(0).map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => p.kill('SIGKILL'), 3_000);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${ports.ppg}/wappush`;
  const wait = async (ready: () => boolean | Promise<boolean>, what: string) => {
    for (const end = Date.now() + timeoutMs; !(await ready());) {
      if (Date.now() > end) {
        await stop();
        throw new Error(`Kannel: timed out waiting for ${what}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  start('bearerbox');
  await wait(bound, 'bearerbox to bind to the simulator');
  start('wapbox');
  await wait(
    () =>
      fetch(url, { method: 'POST', body: '', signal: AbortSignal.timeout(1_000) }).then(
        () => true,
        () => false,
      ),
    "Kannel's PPG to listen",
  );
  return { url, pids: procs.flatMap((p) => (p.pid === undefined ? [] : [p.pid])), stop };
}
