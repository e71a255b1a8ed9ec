/**
 * Structured logs (docs/operations.md): one JSON object a line on stderr through pino, so that
 * stdout stays the data stream. Each record names its `event` (bind, unbind, reconnect, lost, ...).
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The levels --log-level takes, quietest last. */
export const LOG_LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level when none is given. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

export function isLogLevel(v: string): v is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(v);
}

/**
 * A logger writing to file descriptor `fd` (2, stderr, by default) synchronously: a line is out
 * before the process exits, and a signal's last records are not lost in a buffer.
 */
export function createLogger(level: LogLevel = DEFAULT_LOG_LEVEL, fd = 2): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level as its name: a reader filters on "warn" without pino's number table.
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd, sync: true }),
  );
}
