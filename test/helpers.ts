import { readdirSync, readFileSync } from 'node:fs';
import { fromHex } from '../src/codec/hex.js';

export const hex = (s: string): Uint8Array => fromHex(s);

export function loadFixtures<T>(dir: string): Array<T & { file: string }> {
  const base = new URL(`./fixtures/${dir}/`, import.meta.url);
  return readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(new URL(f, base), 'utf8')) as T), file: f }));
}

/** Runs fn and returns the thrown error (fails the test when nothing is thrown). */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}
