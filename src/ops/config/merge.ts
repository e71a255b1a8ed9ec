/**
 * Flags over a config file over defaults: parses argv with the command's table, then lets each
 * flag given on the command line replace what the file says (a repeatable flag replaces the
 * file's whole list), and fills what neither says from the table's defaults.
 */
import { parseArgs } from 'node:util';
import { configFor, readConfig } from './load.js';
import type { FlagTable, FlagValues } from './schema.js';

/** The services whose flags a config file holds, one section each. */
export const CONFIG_SECTIONS = Object.freeze(['listen', 'smsc', 'ppg'] as const);

export function flagsWithConfig(command: string, argv: string[], table: FlagTable): FlagValues {
  const bare: FlagTable = {};
  for (const [name, o] of Object.entries(table)) {
    const { default: _default, ...rest } = o;
    bare[name] = rest;
  }
  const given = parseArgs({ args: argv, options: bare }).values as Record<string, FlagValue | undefined>;
  const file = given.config;
  const fromFile = typeof file === 'string' ? configFor(file, readConfig(file), command, CONFIG_SECTIONS, table) : {};
  const merged: FlagValues = {};
  for (const [name, o] of Object.entries(table)) {
    const v = given[name] ?? fromFile[name] ?? o.default;
    if (v !== undefined) merged[name] = v;
  }
  return merged;
}

type FlagValue = FlagValues[string];
