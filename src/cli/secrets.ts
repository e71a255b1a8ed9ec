/**
 * Secrets kept off the command line, where every local user sees them (`ps`). Each flag that
 * carries a password (docs/security.md: --smsc URLs, a redis:// --store URL, --user, --account,
 * decode's --pin and --syncml-password) may instead be given
 *   1. by `--NAME-file FILE`: one value per line (blank lines and # comments skipped), the file
 *      refused when others may read it, as a config file holding a secret is;
 *   2. by the environment variable WAPPUSH_NAME, - as _ (several values separated by white space);
 *   3. in a --config file (which must then be owner-only too).
 * The command line wins over all three, then the file, then the environment, then the config.
 * A password seen in argv is warned about on stderr, never printed.
 */
import { readFileSync } from 'node:fs';
import { EncodeError } from '../codec/errors.js';
import type { FlagValues } from '../ops/config/schema.js';
import { SecurityError } from '../security/errors.js';
import { checkSecretFileMode } from '../security/fileMode.js';
import type { Options } from './command.js';

/** The flags that carry a password in some or all of their values. */
export const SECRET_FLAGS = Object.freeze(['smsc', 'store', 'user', 'account', 'pin', 'syncml-password'] as const);
export type SecretFlag = (typeof SECRET_FLAGS)[number];

/** Most octets a secrets file may have: it is read whole. */
export const MAX_SECRET_FILE_OCTETS = 65_536;

/** The environment variable a secret flag may be given by: WAPPUSH_SMSC, WAPPUSH_SYNCML_PASSWORD... */
export const secretEnv = (name: SecretFlag): string => `WAPPUSH_${name.toUpperCase().replaceAll('-', '_')}`;

/** What each secret flag's values look like, in help. */
const PLACEHOLDER: Readonly<Record<SecretFlag, string>> = Object.freeze({
  smsc: 'URL',
  store: 'SPEC',
  user: 'NAME:PASSWORD',
  account: 'ID:PASSWORD',
  pin: 'PIN',
  'syncml-password': 'PASSWORD',
});

/** The flags whose whole value is the secret, not a part of it. */
const WHOLLY_SECRET: ReadonlySet<SecretFlag> = new Set(['pin', 'syncml-password']);

/** The help lines of the `--NAME-file` flags. */
export function secretFileHelp(...names: SecretFlag[]): string {
  const lines = names.map((n) => {
    const flag = `  --${n}-file FILE`;
    // The description starts at column 22, as every flag's does; a longer flag puts it below.
    const gap = flag.length < 21 ? ' '.repeat(22 - flag.length) : `\n${' '.repeat(22)}`;
    return `${flag}${gap}a file of --${n} ${PLACEHOLDER[n]} lines (owner-only); or ${secretEnv(n)}`;
  });
  return `${lines.join('\n')}\n                      a password given on the command line is visible in ps: warned on stderr\n`;
}

/** The values in a secrets file: one a line, blank lines and # comments skipped. */
export function readSecretFile(path: string, flag: string): string[] {
  try {
    checkSecretFileMode(path);
  } catch (e) {
    if (e instanceof SecurityError) throw new EncodeError('BAD_INPUT', `${flag}: ${e.message}`);
    throw e;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new EncodeError('BAD_INPUT', `${flag} ${path}: ${(e as Error).message}`);
  }
  if (bytes.length > MAX_SECRET_FILE_OCTETS)
    throw new EncodeError(
      'BAD_INPUT',
      `${flag} ${path}: ${bytes.length} octets, over the ${MAX_SECRET_FILE_OCTETS} a secrets file may have`,
    );
  return bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The value(s) argv gives `--name`, in either form (`--name V`, `--name=V`). */
export function argvValues(argv: readonly string[], name: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === `--${name}` && i + 1 < argv.length) found.push(argv[++i]);
    else if (a.startsWith(`--${name}=`)) found.push(a.slice(name.length + 3));
  }
  return found;
}

/** A URL with a password in its userinfo (smpp://ID:PASSWORD@...). */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:[^/?#@]+@/i;

/** Whether a value of a secret flag carries a password: a URL with one, or NAME:PASSWORD. */
function holdsPassword(name: SecretFlag, value: string): boolean {
  if (WHOLLY_SECRET.has(name)) return true;
  return name === 'smsc' || name === 'store' ? URL_WITH_PASSWORD.test(value) : value.includes(':');
}

/**
 * Fills the secret flags of `table` that argv does not give from their `--NAME-file` or
 * environment variable (over what a config file said); warns on stderr for each that argv
 * gives with a password in it (`warn` gets the message; the default writes a {"warning":...} line).
 */
export function resolveSecrets(
  command: string,
  argv: readonly string[],
  table: Options,
  values: FlagValues,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(JSON.stringify({ warning: m }) + '\n'),
): FlagValues {
  const out: FlagValues = { ...values };
  for (const name of SECRET_FLAGS) {
    if (table[name] === undefined) continue;
    const given = argvValues(argv, name);
    if (given.some((v) => holdsPassword(name, v))) {
      warn(
        `${command} --${name}: a password on the command line is visible to other local users (ps); give it by --${name}-file${table.config ? ', ' : ' or '}${secretEnv(name)}${table.config ? ' or --config' : ''} (docs/security.md)`,
      );
    }
    if (given.length > 0) continue;
    const file = values[`${name}-file`];
    const fromEnv = env[secretEnv(name)];
    let found: string[] | undefined;
    let from: string;
    if (typeof file === 'string') {
      from = `--${name}-file`;
      found = readSecretFile(file, from);
    } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
      from = secretEnv(name);
      found = fromEnv.trim().split(/\s+/);
    } else continue;
    if (found.length === 0) throw new EncodeError('BAD_INPUT', `${from} holds no --${name} value`);
    if (table[name].multiple) out[name] = found;
    else if (found.length > 1)
      throw new EncodeError('BAD_INPUT', `${from} holds ${found.length} values; --${name} takes one`);
    else out[name] = found[0];
  }
  return out;
}
