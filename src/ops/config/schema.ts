/**
 * What a config section may hold: the command's flags, by name, each with the type its flag has
 * (a string flag takes a string or a number, a repeatable one a list of them, a boolean flag a
 * boolean). The flags table is the schema, so a new flag is at once a config key.
 */
import type { ParseArgsConfig } from 'node:util';

export type FlagTable = NonNullable<ParseArgsConfig['options']>;
export type FlagValue = string | boolean | string[];
export type FlagValues = Record<string, FlagValue>;

/** Flags a config file cannot hold (it cannot name itself). */
const NOT_IN_CONFIG: ReadonlySet<string> = new Set(['config', 'help']);

type Checked = { values: FlagValues } | { key: string; error: string };

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A section checked against the flags table: its values as parseArgs would give them, or the first key at fault. */
export function checkSection(section: unknown, flags: FlagTable): Checked {
  if (section === undefined || section === null) return { values: {} };
  if (typeof section !== 'object' || Array.isArray(section))
    return { key: '', error: 'expected a mapping of flag names to values' };
  const values: FlagValues = {};
  for (const [key, v] of Object.entries(section)) {
    const flag = NOT_IN_CONFIG.has(key) ? undefined : flags[key];
    if (flag === undefined) return { key, error: 'not a flag of this command' };
    if (flag.type === 'boolean') {
      if (typeof v !== 'boolean') return { key, error: `expected true or false, not ${JSON.stringify(v)}` };
      values[key] = v;
      continue;
    }
    if (flag.multiple) {
      const list: unknown[] = Array.isArray(v) ? v : [v];
      const strings = list.map(scalar);
      const bad = strings.findIndex((s) => s === undefined);
      if (bad >= 0)
        return { key: `${key}[${bad}]`, error: `expected a string or a number, not ${JSON.stringify(list[bad])}` };
      values[key] = strings as string[];
      continue;
    }
    const s = scalar(v);
    if (s === undefined) return { key, error: `expected a string or a number, not ${JSON.stringify(v)}` };
    values[key] = s;
  }
  return { values };
}
