// Helpers of the durable-state tests: pushes with unique text, listen processes that can be
// killed with SIGKILL and restarted, and their output read back line by line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';

export const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** The href of push `i`: unique, and long enough that the push takes three SMS. */
export function hrefOf(i: number): string {
  const id = String(i).padStart(5, '0');
  return `http://example.com/push/${id}/${id.repeat(50)}`;
}

/** A WSP Push PDU carrying an SL whose href names push `i`. */
export function pushPdu(i: number): Uint8Array {
  return encodePushPdu({ contentType: 'application/vnd.wap.slc', body: encodeSl({ href: hrefOf(i) }) });
}

/** Push `i` as read back from a listen output line, or why the line is not one of ours. */
export function pushOf(record: unknown): number | string {
  const href = (record as { body?: { href?: unknown } })?.body?.href;
  if (typeof href !== 'string') return `no href in ${JSON.stringify(record).slice(0, 200)}`;
  const m = /^http:\/\/example\.com\/push\/(\d{5})\//.exec(href);
  if (!m) return `foreign href ${href.slice(0, 80)}`;
  const i = Number(m[1]);
  return href === hrefOf(i) ? i : `push ${i} with other text: ${href.slice(0, 120)}`;
}

/** A `wappush listen` process; its stdout lines are collected in `lines` (shared across restarts). */
export class Listener {
  child: ChildProcess | undefined;
  stderr = '';
  private buffered = '';

  constructor(
    private readonly args: string[],
    readonly lines: unknown[],
    private readonly cwd?: string,
  ) {}

  start(): void {
    this.buffered = '';
    const child = spawn(process.execPath, [cli, 'listen', ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: this.cwd,
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const text = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(text));
        } catch {
          this.lines.push({ unparsable: text });
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
  }

  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}

export async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts of what listen printed: pushes by index, and anything that is not exactly one we sent. */
export function tally(lines: unknown[]): { seen: Map<number, number>; wrong: string[] } {
  const seen = new Map<number, number>();
  const wrong: string[] = [];
  for (const l of lines) {
    const p = pushOf(l);
    if (typeof p === 'string') wrong.push(p);
    else seen.set(p, (seen.get(p) ?? 0) + 1);
  }
  return { seen, wrong };
}
