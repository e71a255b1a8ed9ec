/**
 * A real redis-server (Debian's /usr/bin/redis-server) for tests: its own temporary directory,
 * a free loopback port, no RDB snapshots, an append-only file so a stop and start keeps the data.
 * `stop()` then `start()` brings it back on the same port ("Redis down for a few seconds");
 * `close()` stops it and removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** How long a start may take before the test gives up. */
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'wappush-redis-'));
  port = 0;
  private child: ChildProcess | undefined;
  private log = '';

  constructor(private readonly extraArgs: string[] = []) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts it (on the port it had, after a stop) and waits until it answers PING. */
  async start(): Promise<this> {
    if (this.child) return this;
    if (this.port === 0) this.port = await freePort();
    this.log = '';
    const child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--protected-mode',
        'yes',
        '--daemonize',
        'no',
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (b: Buffer) => (this.log = (this.log + b.toString()).slice(-4_000)));
    child.stderr!.on('data', (b: Buffer) => (this.log = (this.log + b.toString()).slice(-4_000)));
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) while starting:\n${this.log}`))),
    );
    exited.catch(() => {});
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const answer = await Promise.race([ping(this.port), exited]);
      // A server with --requirepass answers a PING without AUTH with NOAUTH: it is up.
      if (answer === '+PONG' || answer.startsWith('-NOAUTH')) break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `redis-server on port ${this.port} did not answer PING within ${START_TIMEOUT_MS} ms:\n${this.log}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    child.removeAllListeners('exit');
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    return this;
  }

  /** Stops it (SIGTERM: it writes its append-only file and exits), killing it if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Stops it and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A started server; close() it after the tests. */
export function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  return new RedisServer(extraArgs).start();
}

/** A loopback port nothing listens on now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a fresh connection: '+PONG', or '' when nothing answers within a second. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answer: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(''), 1_000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (b) => {
      reply += b.toString('latin1');
      if (reply.includes('\r\n')) done(reply.slice(0, reply.indexOf('\r\n')));
    });
    socket.on('error', () => done(''));
  });
}
