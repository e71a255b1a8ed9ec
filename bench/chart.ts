// bench/results/ratios.svg from a run's report (latest.json): the ratios split into peer
// comparisons and internal costs, each with its target and spread (bench/svg.ts). bench/run.ts
// draws it after a full run; `npm run bench:chart` redraws it from latest.json alone.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoPath } from './repo.js';
import { isPeerRatio, ratiosSvg, type RatioRow } from './svg.js';

/** What the chart reads of latest.json. */
export interface ChartReport {
  date: string;
  quick: boolean;
  node: string;
  machine: { cpu?: string };
  cases: Array<{ name: string; marginPercent: number }>;
  peers: { libwbxml2: Record<string, { runs?: { tree?: number[]; xml?: number[] } }> | { skipped: string } };
  ratios: Record<string, number | undefined | null>;
  targets: Record<
    string,
    { at?: number; ratio?: number; min?: number; max?: number; floor?: { min: number; max: number } }
  >;
}

/** The two cases (benchmark.js, each with its margin) a single-figure ratio divides. */
const CASES_OF: Readonly<Record<string, readonly [string, string]>> = Object.freeze({
  'si-push-routing/vs-si-push-decode': ['si-push-routing', 'si-push-decode'],
  'single-segment-deliver-sm/vs-smpp-package-parse': [
    'single-segment-deliver-sm',
    'peer-smpp-package-deliver-sm-parse',
  ],
  'pipeline-3-segments/vs-same-push-decode-alone': ['pipeline-3-segments', 'peer-long-push-decode-alone'],
  'cai-dispatch-1000-registrations/vs-full-decode': ['cai-dispatch-1000-registrations', 'peer-full-decode-same-push'],
  'cai-dispatch-1000/vs-1-registration': ['cai-dispatch-1000-registrations', 'cai-dispatch-1-registration'],
  'mms-notification-decode/vs-si-push-decode': ['mms-notification-decode', 'peer-si-push-decode'],
  'provisioning-decode/vs-si-push-decode': ['provisioning-decode', 'peer-si-push-decode'],
});

/** Half the spread of a peer's runs, in percent of their mean. */
function runsMargin(runs: number[] | undefined): number | undefined {
  if (!runs || runs.length < 2) return undefined;
  const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
  return ((Math.max(...runs) - Math.min(...runs)) / 2 / mean) * 100;
}

/** A ratio's row: its target and spread from the paired rounds, or from both figures' margins. */
export function rowOf(report: ChartReport, name: string, ratio: number): RatioRow {
  const t = report.targets[name];
  if (t?.min !== undefined && t.max !== undefined) return { name, ratio, target: t.at, min: t.min, max: t.max };
  const floor = report.targets['si-push-decode/vs-libwbxml2-tree']?.floor;
  if (name === 'si-push-floor/vs-libwbxml2-tree')
    return { name, ratio, reference: 'floor, one-push decoder', min: floor?.min, max: floor?.max };
  const margin = (c: string) => report.cases.find((x) => x.name === c)?.marginPercent;
  let margins: Array<number | undefined> = [];
  const pair = CASES_OF[name];
  const body = /^(\w+)-body-decode\/vs-libwbxml2-(tree|wbxml2xml)$/.exec(name);
  if (pair) margins = [margin(pair[0]), margin(pair[1])];
  else if (body && !('skipped' in report.peers.libwbxml2)) {
    const runs = report.peers.libwbxml2[body[1]]?.runs;
    margins = [margin(`${body[1]}-body-decode`), runsMargin(body[2] === 'tree' ? runs?.tree : runs?.xml)];
  }
  if (margins.length === 2 && margins.every((m) => m !== undefined)) {
    const m = ((margins[0] ?? 0) + (margins[1] ?? 0)) / 100;
    return { name, ratio, target: t?.at, min: ratio * (1 - m), max: ratio * (1 + m) };
  }
  return { name, ratio, target: t?.at, note: 'one timed run, no spread' };
}

export function chartOf(report: ChartReport): string {
  const rows = Object.entries(report.ratios)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([name, ratio]) => rowOf(report, name, ratio));
  return ratiosSvg(
    `wappush ratios, ${report.quick ? 'quick ' : ''}run of ${report.date.slice(0, 10)} (${report.machine.cpu ?? 'cpu'}, Node ${report.node})`,
    [
      {
        title: 'Against other implementations: our speed / the peer\u2019s (above 1x: faster)',
        rows: rows.filter((r) => isPeerRatio(r.name)),
      },
      {
        title: 'Internal costs: one path of ours / another of ours (below 1x: what the extra work costs)',
        rows: rows.filter((r) => !isPeerRatio(r.name)),
      },
    ],
  );
}

// `npm run bench:chart`: redraw from the last report.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = JSON.parse(readFileSync(repoPath('bench', 'results', 'latest.json'), 'utf8')) as ChartReport;
  writeFileSync(repoPath('bench', 'results', 'ratios.svg'), chartOf(report));
  console.log('wrote bench/results/ratios.svg from bench/results/latest.json');
}
