/**
 * Reads a --config file: JSON (a .json name) or YAML (anything else, through the `yaml` package),
 * and checks it against the command's own flags, so a file holds exactly what the flags hold and
 * every mistake is named by its key (docs/operations.md, docs/config.example.yaml).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { FlagTable, FlagValues } from './schema.js';
import { checkSection } from './schema.js';

/** A config file that cannot be read, parsed or taken; `key` names where (empty for the file itself). */
export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG';
  constructor(
    readonly file: string,
    readonly key: string,
    message: string,
  ) {
    super(`config ${file}${key ? `: ${key}` : ''}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Most octets a config file may have: it is read whole. */
export const MAX_CONFIG_OCTETS = 1_048_576;

/** The document in `file`, parsed. */
export function readConfig(file: string): unknown {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_CONFIG_OCTETS)
      throw new Error(`${bytes.length} octets, over the ${MAX_CONFIG_OCTETS} a config file may have`);
    text = bytes.toString('utf8');
  } catch (e) {
    throw new ConfigError(file, '', (e as Error).message);
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(file, '', `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
}

/**
 * The values `command`'s section of the document gives its flags. The document is a mapping of
 * service names (`sections`) to mappings of flag names (without the dashes) to values.
 */
export function configFor(
  file: string,
  doc: unknown,
  command: string,
  sections: readonly string[],
  flags: FlagTable,
): FlagValues {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(file, '', `expected a mapping of ${sections.join(', ')} sections`);
  for (const key of Object.keys(doc))
    if (!sections.includes(key)) throw new ConfigError(file, key, `unknown section (expected ${sections.join(', ')})`);
  const section: unknown = (doc as Record<string, unknown>)[command];
  const problem = checkSection(section, flags);
  if ('error' in problem)
    throw new ConfigError(file, problem.key ? `${command}.${problem.key}` : command, problem.error);
  return problem.values;
}
