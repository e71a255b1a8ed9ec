#!/usr/bin/env node
// `npm run fuzz -- --target NAME --seconds N` (or --all): a fuzz campaign per target.
//   1. property phase (fast-check, in this process): valid and near-valid structures;
//   2. coverage phase (jsfuzz, in its own process): seeded from test/fixtures and the encoders,
//      corpus kept in fuzz/corpus/NAME, crashes moved to fuzz/crashes/NAME;
//   3. with --scaling (or --seconds >= 30): time on inputs growing 1x..64x must grow about linearly.
// --seed N fixes the property phase's random seed (the test suite's short run uses one).
// Progress while it runs, a summary at the end; exit 1 on a finding, with the input saved and a
// one-line reproduction command. `--reproduce FILE --target NAME` replays one input.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BUILD = join(ROOT, 'fuzz', '.build');
const require = createRequire(import.meta.url);

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    seconds: { type: 'string', default: '10' },
    engine: { type: 'string', default: 'both' },
    reproduce: { type: 'string' },
    scaling: { type: 'boolean' },
    list: { type: 'boolean' },
    'no-build': { type: 'boolean' },
    quiet: { type: 'boolean' },
    seed: { type: 'string' },
  },
});

function build() {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.fuzz.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(2);
  writeFileSync(join(BUILD, 'package.json'), '{"type":"commonjs"}\n');
}

if (!values['no-build']) build();
const { targets } = require(join(BUILD, 'fuzz', 'targets', 'index.js'));
const fc = require('fast-check');

if (values.list) {
  for (const t of targets.values()) console.log(`${t.name.padEnd(16)} ${t.description}`);
  process.exit(0);
}

const names = values.all ? [...targets.keys()] : (values.target ?? []);
if (!names.length) {
  console.error('give --target NAME (repeatable) or --all; --list shows the targets');
  process.exit(2);
}
for (const n of names)
  if (!targets.has(n)) {
    console.error(`unknown target ${n}; --list shows the targets`);
    process.exit(2);
  }

const seconds = Number(values.seconds);
const log = (s) => {
  if (!values.quiet) console.log(s);
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const reproduceCommand = (name, file) => `npm run fuzz -- --target ${name} --reproduce ${relative(ROOT, file)}`;

function saveFinding(name, input, kind) {
  const dir = join(ROOT, 'fuzz', 'crashes', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, input);
  return file;
}

if (values.reproduce) {
  const t = targets.get(names[0]);
  const input = readFileSync(values.reproduce);
  try {
    await t.fuzz(input);
    console.log(`${t.name}: ${values.reproduce} (${input.length} octets) passes`);
    await t.teardown?.();
    process.exit(0);
  } catch (e) {
    console.log(`${t.name}: ${values.reproduce} (${input.length} octets) fails:`);
    console.log(e);
    await t.teardown?.();
    process.exit(1);
  }
}

async function propertyPhase(t, ms) {
  const props = t.properties();
  let runs = 0;
  const findings = [];
  for (const p of props) {
    const budget = Math.max(200, ms / props.length);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    const r = await fc.check(p.property, {
      numRuns: 1_000_000_000,
      interruptAfterTimeLimit: budget,
      markInterruptAsFailure: false,
      ...(seed === undefined ? {} : { seed }),
    });
    runs += r.numRuns;
    if (r.failed) {
      const ex = r.counterexample?.[0];
      const file =
        Buffer.isBuffer(ex) || ex instanceof Uint8Array ? saveFinding(t.name, Buffer.from(ex), 'property') : undefined;
      findings.push({
        property: p.name,
        error: String(r.errorInstance ?? r.error)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
        file,
        counterexample: file ? undefined : JSON.stringify(r.counterexample).slice(0, 300),
      });
    }
    log(`  [${t.name}] property "${p.name}": ${fmt(r.numRuns)} runs${r.failed ? ' FAILED' : ''}`);
  }
  return { runs, findings };
}

function entryFor(name) {
  const dir = join(BUILD, 'entries');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.js`);
  // jsfuzz instruments every module it loads; only the engine's own code is worth covering.
  writeFileSync(
    file,
    `const Module = require('module');
const fs = require('fs');
const instrumented = Module._extensions['.js'];
const src = ${JSON.stringify(join(BUILD, 'src') + '/')};
Module._extensions['.js'] = function (module, filename) {
  if (filename.startsWith(src)) return instrumented(module, filename);
  module._compile(fs.readFileSync(filename, 'utf8'), filename);
};
module.exports.fuzz = require(${JSON.stringify(join(BUILD, 'fuzz', 'targets', 'index.js'))}).targets.get(${JSON.stringify(name)}).fuzz;
`,
  );
  return file;
}

function coveragePhase(t, ms) {
  return new Promise((resolve) => {
    const work = join(BUILD, 'work', t.name);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const corpus = join(ROOT, 'fuzz', 'corpus', t.name);
    mkdirSync(corpus, { recursive: true });
    const seedDir = join(work, 'seeds');
    mkdirSync(seedDir);
    t.seeds().forEach((s, i) => writeFileSync(join(seedDir, `seed-${i}`), s));
    const entry = entryFor(t.name);
    // jsfuzz caps its mutations at 4 KiB but not its versifier (text-oriented; --no-versifier below),
    // which grew an input to 107 MB whose IPC alone hit the timeout.
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'jsfuzz', 'build', 'src', 'index.js'),
        relative(work, entry),
        corpus,
        seedDir,
        '--timeout',
        '10',
        '--rss-limit-mb',
        '1024',
        '--no-versifier',
      ],
      { cwd: work, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const state = { execs: 0, cov: 0, corpus: 0, rate: 0, crash: undefined, output: [] };
    const started = Date.now();
    let last = 0;
    const onLine = (line) => {
      state.output.push(line);
      if (state.output.length > 60) state.output.shift();
      const m = /^#(\d+)\s+(NEW|PULSE)\s+cov: (\d+) corp: (\d+) exec\/s: (\d+)/.exec(line);
      if (m) {
        state.execs = Number(m[1]);
        state.cov = Number(m[3]);
        state.corpus = Number(m[4]);
        if (m[2] === 'PULSE') state.rate = Number(m[5]);
        if (Date.now() - last > 5_000) {
          last = Date.now();
          log(
            `  [${t.name}] ${((Date.now() - started) / 1000).toFixed(0)}s  execs ${fmt(state.execs)}  (${fmt(state.rate)}/s)  corpus ${state.corpus}  coverage ${state.cov}`,
          );
        }
      }
      const c = /crash was written to (\S+)/.exec(line);
      if (c) state.crash = join(work, c[1]);
    };
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const stop = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(stop, ms);
    child.on('exit', () => {
      clearTimeout(timer);
      stop();
      const elapsed = (Date.now() - started) / 1000;
      let finding;
      if (state.crash && existsSync(state.crash)) {
        const input = readFileSync(state.crash);
        const file = saveFinding(t.name, input, 'crash');
        rmSync(state.crash, { force: true });
        finding = {
          file,
          error: state.output
            .filter((l) => !/^#\d+/.test(l))
            .slice(-12)
            .join('\n'),
        };
      }
      resolve({
        execs: state.execs,
        rate: state.execs / Math.max(elapsed, 0.001),
        cov: state.cov,
        corpus: readdirSync(corpus).length,
        finding,
      });
    });
  });
}

function scalingPhase(t) {
  if (!t.scale) return undefined;
  const time = (n) => {
    const input = t.scale(n);
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      try {
        t.fuzz(input);
      } catch {
        /* findings are the other phases' business */
      }
      best = Math.min(best, Number(process.hrtime.bigint() - s) / 1e6);
    }
    return { n, octets: input.length, ms: best };
  };
  const points = [256, 1024, 4096, 16384].map(time);
  const perOctet = points.map((p) => p.ms / p.octets);
  // Linear cost keeps the per-octet time flat; allow 4x for caches and JIT before calling it superlinear.
  const growth = perOctet[perOctet.length - 1] / Math.max(perOctet[1], 1e-9);
  return { points, growth, superlinear: growth > 4 };
}

const summary = [];
let failed = false;
for (const name of names) {
  const t = targets.get(name);
  log(`${name}: ${t.description}`);
  const row = { target: name, propertyRuns: 0, execs: 0, rate: 0, coverage: 0, corpus: 0, findings: [] };
  const total = seconds * 1000;
  const propertyMs = values.engine === 'coverage' ? 0 : values.engine === 'property' ? total : total * 0.3;
  const coverageMs = values.engine === 'property' ? 0 : total - propertyMs;
  if (propertyMs > 0) {
    const p = await propertyPhase(t, propertyMs);
    row.propertyRuns = p.runs;
    row.findings.push(...p.findings);
  }
  if (coverageMs > 0) {
    const c = await coveragePhase(t, coverageMs);
    Object.assign(row, { execs: c.execs, rate: c.rate, coverage: c.cov, corpus: c.corpus });
    if (c.finding) row.findings.push(c.finding);
  }
  if (values.scaling || seconds >= 30) {
    const s = scalingPhase(t);
    if (s) {
      row.scaling = s.points.map((p) => `${p.octets}B:${p.ms.toFixed(2)}ms`).join(' ');
      if (s.superlinear)
        row.findings.push({ error: `time per octet grew ${s.growth.toFixed(1)}x from 1k to 16k inputs: superlinear` });
    }
  }
  await t.teardown?.();
  summary.push(row);
  for (const f of row.findings) {
    failed = true;
    console.log(`FINDING in ${name}${f.property ? ` (property "${f.property}")` : ''}: ${f.error}`);
    if (f.file)
      console.log(`  input saved: ${relative(ROOT, f.file)}\n  reproduce:   ${reproduceCommand(name, f.file)}`);
    else if (f.counterexample) console.log(`  counterexample: ${f.counterexample}`);
  }
}

console.log('\ntarget            property runs   jsfuzz execs   execs/s   coverage  corpus  findings');
for (const r of summary) {
  console.log(
    `${r.target.padEnd(16)} ${fmt(r.propertyRuns).padStart(14)} ${fmt(r.execs).padStart(14)} ${fmt(r.rate).padStart(9)} ${String(r.coverage).padStart(10)} ${String(r.corpus).padStart(7)} ${String(r.findings.length).padStart(9)}${r.scaling ? `   scaling ${r.scaling}` : ''}`,
  );
}
const totals = summary.reduce((a, r) => ({ p: a.p + r.propertyRuns, e: a.e + r.execs }), { p: 0, e: 0 });
console.log(
  `total: ${fmt(totals.p)} property runs, ${fmt(totals.e)} coverage-guided executions, ${summary.reduce((n, r) => n + r.findings.length, 0)} findings`,
);
process.exit(failed ? 1 : 0);
