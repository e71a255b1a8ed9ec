import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Whether a Debian tool is on PATH; CI (CI=1, set by .ci/run) must have it, elsewhere its tests skip. */
export function haveTool(cmd: string, args: string[] = ['--version']): boolean {
  const ok = spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined;
  if (!ok && !process.env.CI)
    console.warn(`${cmd} not installed: its interop tests are skipped (apt-get install it, or run .ci/run)`);
  return ok || !!process.env.CI;
}

/** A free TCP port on 127.0.0.1 (for peers that need a port number in their configuration). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export { until } from '../helpers.js';

/** Processes started by a suite, stopped by it: SIGTERM, then SIGKILL after a grace period. */
export class Processes {
  private readonly list: ChildProcess[] = [];

  start(cmd: string, args: string[], options: { cwd?: string } = {}): ChildProcess {
    const p = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout?.resume();
    p.stderr?.resume();
    this.list.push(p);
    return p;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.list.splice(0).map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const timer = setTimeout(() => p.kill('SIGKILL'), 3_000);
            p.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
  }
}
