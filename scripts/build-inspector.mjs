// Builds the inspector page (docs/inspector.md): inspector/main.ts and the codec it imports,
// bundled by esbuild for the browser and inlined into one HTML file that works opened from
// disk. The sample pushes come from test/fixtures, each with the source the fixture names.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function fixtures(dir) {
  const at = path.join(root, 'test/fixtures', dir);
  return readdirSync(at)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(at, f), 'utf8'))]);
}

/** A few pushes of each kind: WSP PDUs, SMS segments, and bare SI/SL bodies. */
export function samples() {
  const wsp = fixtures('wsp').map(([name, f]) => ({ name, source: f.source, input: 'wsp', lines: [f.pdu] }));
  const sms = fixtures('sms').map(([name, f]) => ({ name, source: f.source, input: 'sms', lines: f.segments }));
  const bodies = fixtures('wbxml')
    .filter(([name]) => ['si-href-dates', 'sl'].includes(name))
    .map(([name, f]) => ({ name, source: f.source, input: 'wbxml', lines: [f.body], contentType: f.contentType }));
  return [...wsp, ...sms, ...bodies];
}

/** The page as one HTML string. */
export async function buildInspector() {
  const result = await build({
    entryPoints: [path.join(root, 'inspector/main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
    define: { __SAMPLES__: JSON.stringify(samples()) },
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const html = readFileSync(path.join(root, 'inspector/index.html'), 'utf8');
  return html.replace('/*BUNDLE*/', () => js);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.join(root, process.argv[2] ?? 'dist/inspector.html');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, await buildInspector());
  process.stdout.write(`${path.relative(root, out)}\n`);
}
