/**
 * A two-way code table: wire code <-> canonical name. Names look up case-insensitively
 * (header and media type names are case-insensitive in HTTP/WSP); the first entry for a
 * code is its canonical spelling, later entries with the same code are accepted aliases.
 */
export interface CodeTable {
  name(code: number): string | undefined;
  code(name: string): number | undefined;
  readonly entries: ReadonlyArray<readonly [number, string]>;
}

/** Codes below this are also kept in an array: one indexed load on the decode path, not a Map probe. */
const DENSE_CODES = 256;

export function codeTable(entries: ReadonlyArray<readonly [number, string]>): CodeTable {
  const names = new Map<number, string>();
  const dense: (string | undefined)[] = new Array<string | undefined>(DENSE_CODES).fill(undefined);
  const codes = new Map<string, number>();
  for (const [code, name] of entries) {
    if (!names.has(code)) {
      names.set(code, name);
      if (code >= 0 && code < DENSE_CODES && Number.isInteger(code)) dense[code] = name;
    }
    const key = name.toLowerCase();
    if (!codes.has(key)) codes.set(key, code);
  }
  return Object.freeze({
    name: (code: number) => (code >= 0 && code < DENSE_CODES ? dense[code] : names.get(code)),
    code: (name: string) => codes.get(name.toLowerCase()),
    entries,
  });
}
