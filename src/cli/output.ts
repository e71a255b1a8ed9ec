/** How the `wappush` command reports: one JSON line per record, errors as {"error":{code,message,offset}}. */
import { DecodeError, EncodeError } from '../codec/errors.js';
import { ConfigError } from '../ops/config/load.js';
import { StoreError } from '../store/errors.js';
import { maskUrlsIn } from '../security/maskUrl.js';
import { SecurityError } from '../security/errors.js';

export function errorJson(err: unknown): { code: string; message: string; offset: number | null } {
  const e = errorFields(err);
  // A URL with credentials in any message (a refused smpp:// URL, a failed connect) loses its password here.
  return { ...e, message: maskUrlsIn(e.message) };
}

function errorFields(err: unknown): { code: string; message: string; offset: number | null } {
  if (err instanceof DecodeError) return err.toJSON();
  if (
    err instanceof EncodeError ||
    err instanceof StoreError ||
    err instanceof SecurityError ||
    err instanceof ConfigError
  )
    return { code: err.code, message: err.message, offset: null };
  return { code: 'BAD_INPUT', message: err instanceof Error ? err.message : String(err), offset: null };
}

/** The error line on stderr, then exit: 1 for bad input or a failure, 2 for a usage error. */
export function fail(err: unknown, status: 1 | 2 = 1): never {
  process.stderr.write(JSON.stringify({ error: errorJson(err) }) + '\n');
  process.exit(status);
}

export function line(record: unknown): void {
  process.stdout.write(JSON.stringify(record) + '\n');
}
