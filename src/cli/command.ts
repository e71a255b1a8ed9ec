import type { ParseArgsConfig } from 'node:util';

/** The options table of one command, in Node's parseArgs shape. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * One `wappush` command. main.ts finds it by name, prints its help, and runs it; everything
 * else about it (its flags, its output) lives in its own file.
 */
export interface Command {
  readonly name: string;
  /** Its lines under "Usage:" in `wappush --help`, each indented two spaces. */
  readonly usage: string;
  /** Its flag sections (empty when the usage line says all), after the usage in its help. */
  readonly flags: string;
  /** What run() gives parseArgs: main reads it to tell a real `--help` from a flag's value. */
  readonly options: Options;
  /** Starts the command. A parseArgs error thrown here is a usage error (exit 2). */
  run(argv: string[]): void;
}
