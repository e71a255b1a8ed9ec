/**
 * Graceful shutdown (docs/operations.md): on the first SIGTERM or SIGINT, run the service's
 * stop (which drains within the drain timeout, unbinds and closes its store), log it, and exit 0;
 * exit 1 if the stop fails or overruns the timeout by its grace. A second signal exits at once.
 */
import type { Logger } from './log.js';

/** How long in-flight work may take to settle when no --drain-timeout is given, ms. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Beyond the drain timeout, what unbinding and closing the store may take before the process exits anyway, ms. */
export const CLOSE_GRACE_MS = 5_000;

export interface ShutdownOptions {
  log: Logger;
  drainTimeoutMs: number;
  /** Stops the service; gets the drain timeout. */
  stop: (drainTimeoutMs: number) => Promise<void>;
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns what removes them. */
export function onShutdown(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.log.warn({ event: 'shutdown', signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    const started = Date.now();
    options.log.info({ event: 'shutdown', signal, drainTimeoutMs: options.drainTimeoutMs }, 'draining');
    const guard = setTimeout(() => {
      options.log.error({ event: 'shutdown', signal, elapsedMs: Date.now() - started }, 'stop overran: exiting');
      exit(1);
    }, options.drainTimeoutMs + CLOSE_GRACE_MS);
    guard.unref();
    options.stop(options.drainTimeoutMs).then(
      () => {
        clearTimeout(guard);
        options.log.info({ event: 'stopped', signal, elapsedMs: Date.now() - started }, 'stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(guard);
        options.log.error({ event: 'stopped', signal, error: String(error) }, 'stop failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
