// A redis-server of the machine's own (Debian's /usr/bin/redis-server) on a free loopback port,
// in a temporary directory removed when it stops: for the benchmarks that measure the Redis store.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../src/index.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface BenchRedis {
  url: string;
  /** CPU seconds the server has used so far (user + system, from /proc; 0 where there is none). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** utime + stime of a process, seconds (Linux /proc/PID/stat fields 14 and 15). */
function procCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Appends to its log with `appendfsync` everysec or always; no snapshots. Resolves once it answers. */
export async function startRedis(fsync: 'everysec' | 'always'): Promise<BenchRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wappush-bench-redis-'));
  const port = await freePort();
  const child = spawn(
    '/usr/bin/redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      fsync,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 200; i++) {
    try {
      const s = await openStore(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 200 });
      await s.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    cpuSeconds: () => procCpuSeconds(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
