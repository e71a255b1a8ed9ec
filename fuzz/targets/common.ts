/**
 * What every fuzz target is: a function that takes bytes and throws only on a finding, seeds
 * to start from, and fast-check properties over valid and near-valid structures. Expected
 * failures (a DecodeError with a sane code and offset, an EncodeError for what cannot be
 * encoded) are swallowed here; anything else escapes and is a finding.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type fc from 'fast-check';
import { DecodeError, EncodeError } from '../../src/codec/errors.js';
import { fromHex } from '../../src/codec/hex.js';

export interface FuzzProperty {
  name: string;
  property: fc.IProperty<any> | fc.IAsyncProperty<any>;
}

export interface FuzzTarget {
  name: string;
  description: string;
  /** jsfuzz's entry point and the regression tests': throws only on a finding. */
  fuzz(buf: Buffer): void | Promise<void>;
  /** Seed inputs: fixtures and encoder output. */
  seeds(): Buffer[];
  /** Property-based checks (fast-check) over generated structures. */
  properties(): FuzzProperty[];
  /** An input that grows with n, for the linear-time check of long campaigns. */
  scale?(n: number): Buffer;
  /** Releases what the target set up (sockets of the pipeline target). */
  teardown?(): Promise<void>;
}

/** A violated invariant: always a finding. */
export class Finding extends Error {
  override readonly name = 'Finding';
}

/**
 * Runs a decoder: its result or a DecodeError whose code is a string and whose offset lies
 * within [0, limit] are the only acceptable outcomes.
 */
export function total<T>(fn: () => T, limit: number): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DecodeError) {
      if (typeof e.code !== 'string' || !Number.isInteger(e.offset) || e.offset < 0 || e.offset > limit) {
        throw new Finding(
          `DecodeError with a bad code or offset (${e.code} at ${e.offset}, input ${limit} octets): ${e.message}`,
        );
      }
      return undefined;
    }
    throw e;
  }
}

/** Runs an encoder on decoded data: an EncodeError (it cannot say that) is acceptable. */
export function encodable<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EncodeError) return undefined;
    throw e;
  }
}

/** JSON with object keys sorted: the same value however its keys were ordered. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

export function same(a: unknown, b: unknown, what: string): void {
  const ja = canonical(a);
  const jb = canonical(b);
  if (ja !== jb)
    throw new Finding(
      `${what}: round trip changed the value\n  before ${ja.slice(0, 400)}\n  after  ${jb.slice(0, 400)}`,
    );
}

let root: string | undefined;
/** The repository root (where package.json is), found from this file. */
export function repoRoot(): string {
  if (root) return root;
  let d = typeof __dirname === 'string' ? __dirname : process.cwd();
  while (!existsSync(join(d, 'package.json')) || !existsSync(join(d, 'test', 'fixtures'))) {
    const up = dirname(d);
    if (up === d) throw new Error('repository root not found');
    d = up;
  }
  return (root = d);
}

export function fixtures<T>(dir: string): T[] {
  const base = join(repoRoot(), 'test', 'fixtures', dir);
  return readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(base, f), 'utf8')) as T);
}

export const hex = (s: string): Buffer => Buffer.from(fromHex(s));
