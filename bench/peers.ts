// The libwbxml2 peer: builds bench/peers/libwbxml-bench.c against Debian's libwbxml2-dev (cc and
// pkg-config needed) into bench/peers/.build/ (not in git: built here when missing or older than
// its source), feeds it the same documents our suites decode, reads its ops/s back.
// Without the compiler or the library the peer is skipped and the report says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { repoPath } from './repo.js';

const source = repoPath('bench', 'peers', 'libwbxml-bench.c');
const buildDir = repoPath('bench', 'peers', '.build');
const binary = repoPath('bench', 'peers', '.build', 'libwbxml-bench');

/** A peer that could not run, and why. */
export interface Skipped {
  skipped: string;
}

/** libwbxml2's rates on one document: its tree build and its WBXML->XML, and the tree's WBXML status. */
export interface PeerRate {
  tree: number;
  xml: number;
  status: number;
}

/** Rates by document name, or why there are none. */
export type PeerRun = Record<string, PeerRate> | Skipped;

/** Two runs merged (mergePeerRuns): their mean, both runs, and their spread. */
export interface MergedPeerRate extends PeerRate {
  runs: { tree: [number, number]; xml: [number, number] };
  treeSpreadPercent: number;
}

export type MergedPeerRun = Record<string, MergedPeerRate> | Skipped;

/** A figure or why there is none (a peer's runs, or a result measured against the peer). */
export const isSkipped = <T extends object>(r: T | Skipped): r is Skipped =>
  'skipped' in r && typeof r.skipped === 'string';

export function buildLibwbxml(): { ok: true } | { ok: false; why: string } {
  if (existsSync(binary) && statSync(binary).mtimeMs > statSync(source).mtimeMs) return { ok: true };
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'libwbxml2'], { encoding: 'utf8' });
  if (flags.status !== 0)
    return { ok: false, why: 'pkg-config libwbxml2 failed: apt-get install libwbxml2-dev pkg-config' };
  mkdirSync(buildDir, { recursive: true });
  const cc = spawnSync(
    'cc',
    ['-O2', '-Wno-deprecated-declarations', source, ...flags.stdout.trim().split(/\s+/), '-o', binary],
    { encoding: 'utf8' },
  );
  if (cc.error || cc.status !== 0)
    return { ok: false, why: `cc failed: ${cc.error?.message ?? cc.stderr.trim().split('\n')[0]}` };
  return { ok: true };
}

/**
 * ops/s of libwbxml2 on each document: { name: { tree, xml } }, or { skipped: why }. With
 * `treeOnly` the tree build gets the whole time and xml is 0.
 */
export function runLibwbxml(
  documents: ReadonlyArray<readonly [name: string, body: Uint8Array]>,
  secondsEach: number,
  { treeOnly = false } = {},
): PeerRun {
  const built = buildLibwbxml();
  if (!built.ok) return { skipped: built.why };
  const input = documents.map(([name, bytes]) => `${name} ${Buffer.from(bytes).toString('hex')}`).join('\n') + '\n';
  const r = spawnSync(binary, [String(secondsEach), ...(treeOnly ? ['tree'] : [])], {
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) return { skipped: `libwbxml-bench exited ${r.status}: ${r.stderr}` };
  const out: Record<string, PeerRate> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const j = JSON.parse(line) as { name: string; treeOpsPerSec: number; xmlOpsPerSec: number; treeStatus: number };
    out[j.name] = { tree: j.treeOpsPerSec, xml: j.xmlOpsPerSec, status: j.treeStatus };
  }
  return out;
}

/**
 * Two runs of the peer (one before our suites, one after) as one figure each: their mean, with
 * both runs and their spread kept, so a ratio is not at the mercy of one noisy moment of the machine.
 */
export function mergePeerRuns(first: PeerRun, second: PeerRun): MergedPeerRun {
  if (isSkipped(first)) return first;
  if (isSkipped(second)) return second;
  const out: Record<string, MergedPeerRate> = {};
  for (const [name, b] of Object.entries(second)) {
    const a = first[name] ?? b;
    const tree = (a.tree + b.tree) / 2;
    out[name] = {
      tree,
      xml: (a.xml + b.xml) / 2,
      status: b.status,
      runs: { tree: [a.tree, b.tree], xml: [a.xml, b.xml] },
      treeSpreadPercent: (Math.abs(a.tree - b.tree) / tree) * 100,
    };
  }
  return out;
}
