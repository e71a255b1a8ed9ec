// A `wappush` service process (listen, smsc, ppg) as an operator runs it: stdout lines and
// stderr log records collected as they come, the metrics port read from its log record.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export class Service {
  readonly child: ChildProcess;
  readonly stdout: unknown[] = [];
  /** Each stderr line, parsed; a line that is not JSON is kept as { unparsable }. */
  readonly logs: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `env` and `cwd` as for spawn: the test's own by default. */
  constructor(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(process.execPath, [cli, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    lines(this.child.stdout!, (l) => this.stdout.push(parse(l)));
    lines(this.child.stderr!, (l) => {
      this.stderr += l + '\n';
      this.logs.push(parse(l));
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first log record of `event`, waited for (bounded). */
  async log(event: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find((r) => r.event === event);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${event} log within ${timeoutMs} ms; stderr: ${this.stderr.slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async metricsPort(): Promise<number> {
    return (await this.log('metrics')).port as number;
  }

  /** Ends it with `signal`; SIGKILL after 10 s. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

function parse(l: string): Record<string, unknown> {
  try {
    return JSON.parse(l) as Record<string, unknown>;
  } catch {
    return { unparsable: l };
  }
}

function lines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      each(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
}

/** A loopback port free now (listened on and closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}
