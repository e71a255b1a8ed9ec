// The codec and the dissector run in a browser: bundled by esbuild for the browser platform,
// nothing of Node may be in them (no node: import, no Buffer), and the bundle decodes a push.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(import.meta.dirname, '../..');

function codecFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module of src/codec, and the dissector with the wdp parsers it takes. */
const ENTRIES = [...codecFiles('src/codec'), path.join(ROOT, 'src/dissect/index.ts')];

describe('browser-clean codec', () => {
  it('bundles for the browser without a node: import or a Buffer', async () => {
    const result = await build({
      entryPoints: ENTRIES,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      outdir: 'out',
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    for (const file of result.outputFiles) {
      expect(file.text, file.path).not.toMatch(/\bnode:/);
      expect(file.text, file.path).not.toMatch(/\bBuffer\b/);
      expect(file.text, file.path).not.toMatch(/\brequire\(/);
    }
  });

  it('the bundle runs where there is no Buffer and dissects an SI', async () => {
    const result = await build({
      stdin: {
        contents: `import { dissect } from './src/dissect/index.ts';
          export const run = (hex) => dissect(Uint8Array.from(hex.match(/../g).map((h) => parseInt(h, 16))), { input: 'wsp' });`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'bundle',
      write: false,
      logLevel: 'silent',
    });
    // No Node globals in this scope: what the bundle needs it has to bring.
    const run = new Function('Buffer', 'process', 'require', `${result.outputFiles[0].text}; return bundle.run;`)(
      undefined,
      undefined,
      undefined,
    ) as (hex: string) => { children: Array<{ name: string; length: number }> };
    // test/fixtures/wsp/01-nowsms-forum-si.json
    const tree = run('FD0601AE02056A0045C60D03676F6F676C652E636F6D0007010342696B61736800010100');
    expect(tree.children[0]).toMatchObject({ name: 'WSP push PDU', length: 36 });
  });
});
