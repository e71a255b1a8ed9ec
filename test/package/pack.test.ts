// The published tarball as an adopter gets it: what `npm pack` puts in, and a TypeScript
// project with isolatedModules compiling and running against the real tarball (a `const enum`
// in the .d.ts is refused there, TS2748, and is undefined at run time).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, Record<string, string>>;
  dependencies: Record<string, string>;
};

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/** `npm pack --json` in the repo; scripts off, so packing cannot rebuild or change dist/. */
function npmPack(args: string[]): PackResult {
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (JSON.parse(out) as PackResult[])[0];
}

const norm = (p: string) => p.replace(/^\.\//, '');

let temp: string;
/** The real tarball, packed once: npm's listing of it and the files it unpacks to. */
let packed: PackResult;
let unpacked: string[];

beforeAll(() => {
  // `npm test` builds first; run alone, this file builds once if dist/ is missing.
  if (!existsSync(join(root, 'dist', 'index.js'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root });
  temp = mkdtempSync(join(tmpdir(), 'wappush-pack-'));
  // One real pack instead of a --dry-run and then a pack: the same listing, half the time.
  packed = npmPack(['--pack-destination', temp]);
  execFileSync('tar', ['-xzf', join(temp, packed.filename), '-C', temp]);
  unpacked = execFileSync('tar', ['-tzf', join(temp, packed.filename)], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l && !l.endsWith('/'))
    .map((l) => l.replace(/^package\//, ''));
}, 60_000);

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('lists what the tarball holds', () => {
    expect(packed.files.map((f) => f.path).sort()).toEqual([...unpacked].sort());
  });

  it('holds the build, the manifest entry points, README, LICENSE and CHANGELOG', () => {
    const entryPoints = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.bin),
      ...Object.values(manifest.exports).flatMap((e) => Object.values(e)),
    ].map(norm);
    const required = [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli.js',
      ...entryPoints,
    ];
    expect(required.filter((p) => !unpacked.includes(p))).toEqual([]);
  });

  it('holds nothing but dist/ and the root documents: no tests, fixtures, bench or fuzz', () => {
    const rootFiles = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
    expect(unpacked.filter((p) => !p.startsWith('dist/') && !rootFiles.includes(p))).toEqual([]);
    const stray = unpacked.filter((p) => /(^|\/)(test|fuzz|bench|fixtures|corpus|crashes)(\/|$)|\.test\./.test(p));
    expect(stray).toEqual([]);
  });
});

describe('a TypeScript consumer of the packed tarball', () => {
  it('compiles with isolatedModules (module NodeNext) and runs', () => {
    const project = join(temp, 'consumer');
    const modules = join(project, 'node_modules');
    mkdirSync(modules, { recursive: true });
    renameSync(join(temp, 'package'), join(modules, 'wappush'));
    // The package's dependencies and the Node types, from the repo's own install.
    for (const dep of [...Object.keys(manifest.dependencies), '@types/node']) {
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
    }

    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          isolatedModules: true,
          // As `tsc --init` sets it. The const-enum refusal (TS2748) is reported in the
          // consumer's own file, so it is caught all the same.
          skipLibCheck: true,
          outDir: 'out',
          rootDir: 'src',
        },
        include: ['src'],
      }),
    );
    mkdirSync(join(project, 'src'));
    writeFileSync(
      join(project, 'src', 'main.ts'),
      [
        "import { PduType, decodePushPdu, PushClient, type PushMessage } from 'wappush';",
        '',
        '// WAP-230 8.2.4.1: TID 0x01, PDU type Push, headers length 1, content type 0xAE.',
        'const message: PushMessage = decodePushPdu(Uint8Array.from([0x01, PduType.Push, 0x01, 0xae]));',
        'const client: typeof PushClient = PushClient;',
        'console.log(JSON.stringify({ push: PduType.Push, pduType: message.pduType, contentType: message.contentType, client: typeof client }));',
        '',
      ].join('\n'),
    );

    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const run = spawnSync(process.execPath, [join(project, 'out', 'main.js')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    // WAP-230 Table 34: Push is 0x06; Table 40: content type 0x2E is application/vnd.wap.sic.
    expect(JSON.parse(run.stdout)).toEqual({
      push: 0x06,
      pduType: 'push',
      contentType: 'application/vnd.wap.sic',
      client: 'function',
    });
  });
});
