/**
 * Reads a --config file: JSON (a .json name) or YAML (anything else, through the `yaml` package),
 * and checks it against the command's own flags, so a file holds exactly what the flags hold and
 * every mistake is named by its key (docs/operations.md, docs/config.example.yaml).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { checkSecretFileMode } from '../../security/fileMode.js';
import { SecurityError } from '../../security/errors.js';
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
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(file, '', `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  // A file that holds a password is refused while others may read it, as ssh refuses a key.
  const secret = secretKey(doc, '');
  if (secret !== undefined) {
    try {
      checkSecretFileMode(file);
    } catch (e) {
      if (e instanceof SecurityError) throw new ConfigError(file, secret, `holds a secret: ${e.message}`);
      throw e;
    }
  }
  return doc;
}

/** Flags whose values are secrets themselves (NAME:PASSWORD), beside any URL with a password. */
const SECRET_FLAGS: ReadonlySet<string> = new Set(['account', 'user']);
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i;

/** The key of the first secret in `doc` (a URL with a password, or an account/user flag), if any. */
function secretKey(doc: unknown, at: string): string | undefined {
  if (typeof doc === 'string') return URL_WITH_PASSWORD.test(doc) ? at : undefined;
  if (doc === null || typeof doc !== 'object') return undefined;
  for (const [k, v] of Object.entries(doc)) {
    const key = Array.isArray(doc) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
    if (!Array.isArray(doc) && SECRET_FLAGS.has(k) && v !== undefined && v !== null) return key;
    const found = secretKey(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
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
