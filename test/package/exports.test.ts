// The built package as an importer sees it: every value src/index.ts exports must exist at
// run time in dist/ (a `const enum` passes the type checker and is gone from the build).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = readFileSync(new URL('../../src/index.ts', import.meta.url), 'utf8');
// A URL held in a value, so the type checker does not need dist/ (npm test builds it first).
const distIndex = new URL('../../dist/index.js', import.meta.url).href;

/** Value names in `export { a, type B, c as d } from '...'` and `export const|function|class x`. */
function exportedValueNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const raw of m[1].split(',')) {
      const item = raw.replace(/\/\/.*$/gm, '').trim();
      if (item === '' || item.startsWith('type ')) continue;
      const alias = item.split(/\s+as\s+/);
      names.push(alias[alias.length - 1].trim());
    }
  }
  for (const m of text.matchAll(/export\s+(?:const|function|class|let)\s+(\w+)/g)) names.push(m[1]);
  return names;
}

describe('the built package (dist/index.js)', () => {
  const names = exportedValueNames(source);

  it('finds the exports it checks', () => {
    expect(names.length).toBeGreaterThan(50);
    expect(names).toContain('PduType');
    expect(names).toContain('WbxmlEvent');
  });

  it('defines every value src/index.ts exports', async () => {
    const dist: Record<string, unknown> = await import(distIndex);
    const missing = names.filter((n) => dist[n] === undefined);
    expect(missing).toEqual([]);
  });

  it('exports codes as frozen objects with the specification values', async () => {
    const { PduType, WbxmlEvent, CommandId } = (await import(distIndex)) as Record<string, any>;
    // WAP-230 Table 34: Push 0x06, ConfirmedPush 0x07.
    expect(PduType).toEqual({ Push: 0x06, ConfirmedPush: 0x07 });
    expect(Object.isFrozen(PduType)).toBe(true);
    expect(WbxmlEvent.StartTag).toBe(1);
    expect(WbxmlEvent.End).toBe(11);
    expect(Object.isFrozen(WbxmlEvent)).toBe(true);
    // SMPP 3.4 section 5.1.2.1: deliver_sm is 0x00000005.
    expect(CommandId.deliver_sm).toBe(0x05);
  });
});
