/**
 * The libwbxml2 peer of `npm run bench` (bench/peers/libwbxml-bench.c, built with cc against
 * Debian's libwbxml2-dev into bench/peers/.build/, which git does not keep): it must build,
 * parse every document the bench times without an error (a peer that fails fast would flatter
 * our ratios), and report a rate for each.
 * The rates themselves are not asserted: speed lives in the benchmarks, not in tests.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildLibwbxml, isSkipped, runLibwbxml } from '../../bench/peers.js';
import { documents } from '../../bench/documents.js';

const havePkg = spawnSync('pkg-config', ['--exists', 'libwbxml2']).status === 0;
const run = havePkg || process.env.CI ? describe : describe.skip;

run('libwbxml2 bench peer', () => {
  it('builds against libwbxml2-dev and parses each bench document with WBXML_OK, tree and XML', () => {
    expect(buildLibwbxml()).toEqual({ ok: true });
    const docs = documents.map(([name, , body]) => [name, body] as const);
    const out = runLibwbxml(docs, 0.05);
    if (isSkipped(out)) expect.fail(out.skipped);
    expect(Object.keys(out).sort()).toEqual(docs.map(([name]) => name).sort());
    for (const [name, r] of Object.entries(out)) {
      expect(r.status, name).toBe(0);
      expect(r.tree, name).toBeGreaterThan(0);
      expect(r.xml, name).toBeGreaterThan(0);
    }
    const treeOnly = runLibwbxml(docs.slice(0, 1), 0.05, { treeOnly: true });
    if (isSkipped(treeOnly)) expect.fail(treeOnly.skipped);
    expect(treeOnly.si.xml).toBe(0);
    expect(treeOnly.si.tree).toBeGreaterThan(0);
  });
});
