/**
 * The fuzz campaigns as part of the test suite: every saved finding (fuzz/crashes/TARGET/*)
 * replays as a regression test, and a short campaign of every target runs (`npm run fuzz --
 * --all --seconds 1`): property phase and a jsfuzz coverage phase, exit 0 when nothing is found.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { targets } from '../fuzz/targets/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const crashes = join(root, 'fuzz', 'crashes');

afterAll(async () => {
  for (const t of targets.values()) await t.teardown?.();
});

describe('fuzz findings replay as regression tests', () => {
  const saved = existsSync(crashes)
    ? readdirSync(crashes).flatMap((dir) =>
        readdirSync(join(crashes, dir))
          .filter((f) => f.endsWith('.bin'))
          .map((f) => [dir, f] as const),
      )
    : [];
  it('there are saved findings to replay (the campaigns have found some)', () => {
    expect(saved.length).toBeGreaterThan(0);
  });
  for (const [target, file] of saved) {
    it(`${target}/${file}`, async () => {
      const t = targets.get(target);
      expect(t, `no target named ${target}`).toBeDefined();
      await t!.fuzz(readFileSync(join(crashes, target, file)));
    });
  }
});

describe('every target: seeds pass, and a short campaign finds nothing', () => {
  it('each seed of each target passes its own checks', async () => {
    for (const t of targets.values()) for (const s of t.seeds()) await t.fuzz(s);
  });
  // A fixed property seed keeps this run reproducible; the long campaigns are where new seeds go.
  it('npm run fuzz -- --all --seconds 1 --seed 20261129', { timeout: 300_000 }, () => {
    // What `npm run fuzz` does: compile (tsconfig.fuzz.json), then run the compiled runner.
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.fuzz.json')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(built.stdout + built.stderr).toBe('');
    expect(built.status).toBe(0);
    const r = spawnSync(
      process.execPath,
      [join(root, 'fuzz', '.build', 'fuzz', 'run.js'), '--all', '--seconds', '1', '--seed', '20261129', '--quiet'],
      { encoding: 'utf8', timeout: 160_000 },
    );
    expect(r.stdout + r.stderr).toMatch(/total: [\d,]+ property runs, [\d,]+ coverage-guided executions, 0 findings/);
    expect(r.status).toBe(0);
  });
});
