/**
 * The `wappush` command line: finds the command by name, prints help, and turns a usage error
 * into the error line with exit 2. Each command lives in its own file, with its flags and help.
 */
import { parseArgs } from 'node:util';
import { isParseArgsError } from './args.js';
import type { Command } from './command.js';
import { decode } from './decode.js';
import { demo } from './demo.js';
import { encode } from './encode.js';
import { inject } from './inject.js';
import { inspect } from './inspect.js';
import { listen } from './listen.js';
import { fail } from './output.js';
import { ppg } from './ppg.js';
import { smsc } from './smsc.js';
import { store } from './store.js';

/** Every command, in the order `wappush --help` lists them. */
export const COMMANDS: readonly Command[] = Object.freeze([
  decode,
  encode,
  smsc,
  inject,
  listen,
  ppg,
  store,
  demo,
  inspect,
]);

const TITLE = 'wappush - WAP/OMA Push engine for SMS gateways\n';

/** `wappush --help`: every command's usage, then every command's flags. */
export function helpText(): string {
  const usage = COMMANDS.map((c) => c.usage).join('');
  const flags = COMMANDS.filter((c) => c.flags)
    .map((c) => c.flags)
    .join('\n');
  return `${TITLE}
Usage:
${usage}  wappush COMMAND --help                            one command's usage and flags
  wappush --help

${flags}`;
}

/** `wappush COMMAND --help`: its usage and its flags. */
export function commandHelp(command: Command): string {
  return `Usage:\n${command.usage}${command.flags ? `\n${command.flags}` : ''}`;
}

/** A `--help` or `-h` given as a flag, not as the value of another flag nor after `--`. */
function asksHelp(command: Command, argv: string[]): boolean {
  const { tokens } = parseArgs({
    args: argv,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens.some((t) => t.kind === 'option' && t.name === 'help');
}

const find = (name: string | undefined) => COMMANDS.find((c) => c.name === name);

function dispatch(name: string | undefined, argv: string[]): void {
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    // `wappush help decode` is `wappush decode --help`; anything else here is the whole help.
    const topic = name === 'help' ? find(argv[0]) : undefined;
    process.stdout.write(topic ? commandHelp(topic) : helpText());
    return;
  }
  const command = find(name);
  if (!command) {
    process.stderr.write(`unknown command ${name}\n\n${helpText()}`);
    process.exit(2);
  }
  if (asksHelp(command, argv)) {
    process.stdout.write(commandHelp(command));
    return;
  }
  command.run(argv);
}

export function main(argv: string[]): void {
  const [name, ...rest] = argv;
  try {
    dispatch(name, rest);
  } catch (e) {
    // A flag Node's parseArgs refuses (unknown, or missing its value) is a usage error, exit 2 as
    // for an unknown command; anything else thrown while starting is the error line, exit 1.
    fail(e, isParseArgsError(e) ? 2 : 1);
  }
}
