// `npm run fuzz -- --target NAME --seconds N` (or --all): a fuzz campaign per target.
// `npm run fuzz` compiles this file, the targets and src with tsconfig.fuzz.json into fuzz/.build
// (CommonJS: jsfuzz instruments modules through require; fuzz/.build/package.json, kept in git,
// says so to Node) and runs fuzz/.build/fuzz/run.js.
//   1. property phase (fast-check, in this process): valid and near-valid structures;
//   2. coverage phase (jsfuzz, in its own process): seeded from test/fixtures and the encoders,
//      corpus kept in fuzz/corpus/NAME, crashes moved to fuzz/crashes/NAME;
//   3. with --scaling (or --seconds >= 30): time on inputs growing 1x..64x must grow about linearly.
// --seed N fixes the property phase's random seed (the test suite's short run uses one).
// Progress while it runs, a summary at the end; exit 1 on a finding, with the input saved and a
// one-line reproduction command. `--reproduce FILE --target NAME` replays one input.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { Progress } from '../src/ops/progress.js';
import { repoRoot } from './targets/common.js';
import { type FuzzTarget, targets } from './targets/index.js';

const ROOT = repoRoot();
const BUILD = join(ROOT, 'fuzz', '.build');

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    seconds: { type: 'string', default: '10' },
    engine: { type: 'string', default: 'both' },
    reproduce: { type: 'string' },
    scaling: { type: 'boolean' },
    list: { type: 'boolean' },
    quiet: { type: 'boolean' },
    seed: { type: 'string' },
  },
});

/** What a campaign found: the error, and the input saved (or the counterexample, when it is not octets). */
interface Finding {
  error: string;
  property?: string;
  file?: string;
  counterexample?: string;
}

/** One target's line of the summary. */
interface Row {
  target: string;
  propertyRuns: number;
  execs: number;
  rate: number;
  coverage: number;
  corpus: number;
  findings: Finding[];
  scaling?: string;
}

const seconds = Number(values.seconds);
const log = (s: string): void => {
  if (!values.quiet) console.log(s);
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const reproduceCommand = (name: string, file: string): string =>
  `npm run fuzz -- --target ${name} --reproduce ${relative(ROOT, file)}`;

function saveFinding(name: string, input: Buffer, kind: string): string {
  const dir = join(ROOT, 'fuzz', 'crashes', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, input);
  return file;
}

/** Replays one saved input: exit 0 if the target passes it, 1 if it fails. */
async function reproduce(t: FuzzTarget, file: string): Promise<never> {
  const input = readFileSync(file);
  try {
    await t.fuzz(input);
    console.log(`${t.name}: ${file} (${input.length} octets) passes`);
    await t.teardown?.();
    process.exit(0);
  } catch (e) {
    console.log(`${t.name}: ${file} (${input.length} octets) fails:`);
    console.log(e);
    await t.teardown?.();
    process.exit(1);
  }
}

async function propertyPhase(t: FuzzTarget, ms: number): Promise<{ runs: number; findings: Finding[] }> {
  const props = t.properties();
  let runs = 0;
  const findings: Finding[] = [];
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
        error: String(r.errorInstance ?? 'no error: too many skipped runs')
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

function entryFor(name: string): string {
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

/** What the coverage phase reports: jsfuzz's executions, rate, coverage and corpus, and its crash if any. */
interface CoverageResult {
  execs: number;
  rate: number;
  cov: number;
  corpus: number;
  finding?: Finding;
}

function coveragePhase(t: FuzzTarget, ms: number): Promise<CoverageResult> {
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
    const state = {
      execs: 0,
      cov: 0,
      corpus: 0,
      rate: 0,
      crash: undefined as string | undefined,
      output: [] as string[],
    };
    const started = Date.now();
    let last = 0;
    const onLine = (line: string): void => {
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
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const stop = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(stop, ms);
    child.on('exit', () => {
      clearTimeout(timer);
      stop();
      const elapsed = (Date.now() - started) / 1000;
      let finding: Finding | undefined;
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

function scalingPhase(
  t: FuzzTarget,
): { points: { n: number; octets: number; ms: number }[]; growth: number; superlinear: boolean } | undefined {
  const scale = t.scale;
  if (!scale) return undefined;
  const time = (n: number): { n: number; octets: number; ms: number } => {
    const input = scale(n);
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      try {
        // Timed synchronously: the targets with a scale are the synchronous decoders.
        void t.fuzz(input);
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

async function main(): Promise<void> {
  if (values.list) {
    for (const t of targets.values()) console.log(`${t.name.padEnd(16)} ${t.description}`);
    process.exit(0);
  }
  const names = values.all ? [...targets.keys()] : (values.target ?? []);
  if (!names.length) {
    console.error('give --target NAME (repeatable) or --all; --list shows the targets');
    process.exit(2);
  }
  const chosen: FuzzTarget[] = [];
  for (const n of names) {
    const t = targets.get(n);
    if (!t) {
      console.error(`unknown target ${n}; --list shows the targets`);
      process.exit(2);
    }
    chosen.push(t);
  }
  if (values.reproduce) await reproduce(chosen[0], values.reproduce);

  const summary: Row[] = [];
  let failed = false;
  // On a terminal: targets done of all, elapsed and rate, on stderr; nothing when piped.
  const progress = new Progress({ unit: 'targets', total: chosen.length });
  for (const [i, t] of chosen.entries()) {
    progress.set(i, t.name);
    if (await campaign(t, summary)) failed = true;
  }
  progress.set(chosen.length);
  progress.finish();
  printSummary(summary);
  process.exit(failed ? 1 : 0);
}

/** One target's campaign, its row added to `summary`; true if it found something. */
async function campaign(t: FuzzTarget, summary: Row[]): Promise<boolean> {
  const name = t.name;
  log(`${name}: ${t.description}`);
  const row: Row = { target: name, propertyRuns: 0, execs: 0, rate: 0, coverage: 0, corpus: 0, findings: [] };
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
    console.log(`FINDING in ${name}${f.property ? ` (property "${f.property}")` : ''}: ${f.error}`);
    if (f.file)
      console.log(`  input saved: ${relative(ROOT, f.file)}\n  reproduce:   ${reproduceCommand(name, f.file)}`);
    else if (f.counterexample) console.log(`  counterexample: ${f.counterexample}`);
  }
  return row.findings.length > 0;
}

function printSummary(summary: readonly Row[]): void {
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
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
