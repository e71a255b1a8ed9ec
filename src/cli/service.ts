/**
 * What the long-running commands (listen, smsc, ppg) share for operations (docs/operations.md):
 * the flags --config, --metrics-port, --metrics-host, --log-level and --drain-timeout, the
 * logger, the metrics port with health, and the graceful stop on SIGTERM/SIGINT.
 */
import { EncodeError } from '../codec/errors.js';
import { flagsWithConfig } from '../ops/config/merge.js';
import type { FlagValues } from '../ops/config/schema.js';
import { OpsServer } from '../ops/health.js';
import { createLogger, DEFAULT_LOG_LEVEL, isLogLevel, LOG_LEVELS, type Logger } from '../ops/log.js';
import { Metrics } from '../ops/metrics.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, onShutdown } from '../ops/shutdown.js';
import { nonNegativeInteger } from './args.js';
import type { Options } from './command.js';
import { resolveSecrets } from './secrets.js';

export const SERVICE_OPTIONS = {
  config: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'log-level': { type: 'string' },
  'drain-timeout': { type: 'string' },
} as const satisfies Options;

export const SERVICE_FLAGS = `service flags (listen, smsc, ppg; docs/operations.md):
  --config FILE       JSON (.json) or YAML: a section per command holding its flags by name; flags win
  --metrics-port N    serve /metrics (Prometheus text), /healthz and /readyz on port N (0: ephemeral)
  --metrics-host H    the address that port listens on (127.0.0.1)
  --log-level L       ${LOG_LEVELS.join(', ')} (${DEFAULT_LOG_LEVEL}); JSON lines on stderr
  --drain-timeout MS  on SIGTERM/SIGINT, how long in-flight work may take to settle (${DEFAULT_DRAIN_TIMEOUT_MS})
`;

/** The values of a string flag; parseArgs gave it so, the table says. */
export function str(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function list(values: FlagValues, name: string): string[] | undefined {
  const v = values[name];
  return Array.isArray(v) ? v : undefined;
}

export interface ServiceSetup {
  values: FlagValues;
  log: Logger;
  /** Present when --metrics-port is given. */
  metrics: Metrics | undefined;
  drainTimeoutMs: number;
}

/** Flags over the config file, and the logger and metrics they ask for. */
export function serviceSetup(command: string, argv: string[], options: Options): ServiceSetup {
  // Secrets not on the command line come from their files or the environment (secrets.ts);
  // one seen on it is a warning, logged once there is a logger.
  const exposed: string[] = [];
  const values = resolveSecrets(command, argv, options, flagsWithConfig(command, argv, options), process.env, (m) =>
    exposed.push(m),
  );
  const level = str(values, 'log-level') ?? DEFAULT_LOG_LEVEL;
  if (!isLogLevel(level))
    throw new EncodeError('BAD_INPUT', `--log-level takes ${LOG_LEVELS.join(', ')}, not ${level}`);
  const port = nonNegativeInteger(str(values, 'metrics-port'), '--metrics-port');
  if (port !== undefined && port > 65_535)
    throw new EncodeError('BAD_INPUT', `--metrics-port takes 0 to 65535, not ${port}`);
  const drainTimeoutMs =
    nonNegativeInteger(str(values, 'drain-timeout'), '--drain-timeout') ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const log = createLogger(level).child({ command });
  for (const warning of exposed) log.warn({ event: 'password-in-argv' }, warning);
  return { values, log, metrics: port === undefined ? undefined : new Metrics(), drainTimeoutMs };
}

/**
 * Serves the metrics port (when asked for) and installs the graceful stop; `stop` drains and
 * closes the service. Logs the port as {"event":"metrics",...}.
 */
export async function runService(
  setup: ServiceSetup,
  ready: () => Record<string, boolean>,
  stop: (drainTimeoutMs: number) => Promise<void>,
): Promise<void> {
  const { values, log, metrics } = setup;
  let server: OpsServer | undefined;
  onShutdown({
    log,
    drainTimeoutMs: setup.drainTimeoutMs,
    stop: async (ms) => {
      await stop(ms);
      await server?.close();
    },
  });
  if (metrics) {
    server = new OpsServer({
      port: Number(str(values, 'metrics-port')),
      host: str(values, 'metrics-host'),
      metrics,
      ready,
    });
    const port = await server.listen();
    log.info({ event: 'metrics', host: str(values, 'metrics-host') ?? '127.0.0.1', port }, 'metrics listening');
  }
}
