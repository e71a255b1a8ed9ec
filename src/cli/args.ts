/** Small readers for flag values, shared by the commands. */
import { EncodeError } from '../codec/errors.js';
import type { SmppCarriageMode } from '../wdp/smpp/submit.js';

/** An error Node's parseArgs throws for an unknown flag or a flag without its value. */
export function isParseArgsError(e: unknown): e is Error {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS');
}

/** A number flag as given; the library checks the range and names the bound it breaks. */
export function optionalNumber(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

export function nonNegativeInteger(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new EncodeError('BAD_INPUT', `${name} takes a non-negative integer, not ${v}`);
  return n;
}

const CARRIAGES: readonly SmppCarriageMode[] = ['udh', 'sar', 'payload'];

/** `--carriage`: how SMPP carries the WDP headers (default udh). */
export function carriage(v: string | undefined): SmppCarriageMode {
  const mode = CARRIAGES.find((c) => c === (v ?? 'udh'));
  if (mode === undefined) throw new EncodeError('BAD_INPUT', '--carriage takes udh, sar or payload');
  return mode;
}
