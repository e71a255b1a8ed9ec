// The ratios of a run as an SVG chart (bench/results/ratios.svg, linked from bench/README.md),
// in two panels that read differently: ratios against other implementations (libwbxml2, the
// smpp package, Kannel: above 1 we are faster), and internal cost ratios (one path of ours
// against another: below 1 is what the extra work costs, not a defeat). Log scale, a line at 1x.
// Colour says only whether a target is met (green) or not (red); a ratio without a target is
// neutral (blue-grey), a reference (not our product) light grey. Each bar carries its spread
// as a whisker: the lowest and highest paired round, or, for single figures, the ratio moved by
// both cases' benchmark.js margins.

/** What a ratio's bar shows besides its figure. */
export interface RatioMark {
  /** The ratio the project wants (a dashed mark); the bar is green when met, red when not. */
  target?: number;
  /** Its spread (a whisker). */
  min?: number;
  max?: number;
  /** Not our product: what it is, shown beside its figure. */
  reference?: string;
  /** Said after the figure, e.g. "one run". */
  note?: string;
}

export interface RatioRow extends RatioMark {
  name: string;
  ratio: number;
}

export interface RatioPanel {
  title: string;
  rows: RatioRow[];
}

export const COLOURS = Object.freeze({
  met: '#2f7d32',
  notMet: '#c62828',
  noTarget: '#546e7a',
  reference: '#bdbdbd',
});

/** Peers are other implementations; everything else divides one path of ours by another. */
export function isPeerRatio(name: string): boolean {
  return /libwbxml2|smpp-package|kannel/i.test(name);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
const finitePositive = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v > 0;

export function colourOf(row: RatioMark & { ratio: number }): string {
  if (row.reference) return COLOURS.reference;
  if (!finitePositive(row.target)) return COLOURS.noTarget;
  return row.ratio >= row.target ? COLOURS.met : COLOURS.notMet;
}

const WIDTH = 1000;
const LEFT = 430;
const BAR_AREA = WIDTH - LEFT - 230;
const ROW = 22;

export function ratiosSvg(title: string, panels: readonly RatioPanel[]): string {
  const shown = panels
    .map((p) => ({ ...p, rows: p.rows.filter((r) => finitePositive(r.ratio)) }))
    .filter((p) => p.rows.length > 0);
  const all = shown.flatMap((p) => p.rows.flatMap((r) => [r.ratio, r.min, r.max, r.target].filter(finitePositive)));
  const lo = Math.min(0.05, ...all);
  const hi = Math.max(10, ...all);
  const x = (v: number): number =>
    LEFT + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * BAR_AREA;
  const ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50].filter((t) => t >= lo && t <= hi);
  let y = 70;
  const parts: string[] = [];
  for (const panel of shown) {
    const top = y;
    parts.push(`<text x="10" y="${y + 16}" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    const first = y + 40;
    const bottom = first + panel.rows.length * ROW;
    // The grid first, so the bars and their figures lie over it.
    for (const t of ticks)
      parts.push(
        `<line x1="${x(t)}" y1="${first - 4}" x2="${x(t)}" y2="${bottom}" stroke="${t === 1 ? '#000' : '#e0e0e0'}"/>` +
          `<text x="${x(t)}" y="${first - 8}" font-size="10" text-anchor="middle">${t}x</text>`,
      );
    panel.rows.forEach((r, i) => parts.push(bar(r, first + i * ROW, x)));
    parts.push(
      `<rect x="4" y="${top}" width="${WIDTH - 8}" height="${bottom - top + 6}" fill="none" stroke="#9e9e9e"/>`,
    );
    y = bottom + 22;
  }
  const legend = [
    [COLOURS.met, 'target met'],
    [COLOURS.notMet, 'target not met'],
    [COLOURS.noTarget, 'no target (a measurement)'],
    [COLOURS.reference, 'reference, not our product'],
  ]
    .map(
      ([c, label], i) =>
        `<rect x="${10 + i * 190}" y="30" width="12" height="12" fill="${c}"/><text x="${26 + i * 190}" y="40" font-size="11">${label}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>
${legend}
<text x="10" y="58" font-size="11">Whisker: the spread (lowest and highest paired round, or both figures' margins). Dashed blue: the target.</text>
${parts.join('\n')}
</svg>
`;
}

function bar(r: RatioRow, y: number, x: (v: number) => number): string {
  const x0 = x(1);
  const x1 = x(r.ratio);
  const mid = y + ROW / 2;
  const whisker =
    finitePositive(r.min) && finitePositive(r.max)
      ? `<line x1="${x(r.min)}" y1="${mid}" x2="${x(r.max)}" y2="${mid}" stroke="#000"/>` +
        `<line x1="${x(r.min)}" y1="${mid - 4}" x2="${x(r.min)}" y2="${mid + 4}" stroke="#000"/>` +
        `<line x1="${x(r.max)}" y1="${mid - 4}" x2="${x(r.max)}" y2="${mid + 4}" stroke="#000"/>`
      : '';
  const target = finitePositive(r.target)
    ? `<line x1="${x(r.target)}" y1="${y + 1}" x2="${x(r.target)}" y2="${y + ROW - 1}" stroke="#1565c0" stroke-width="2" stroke-dasharray="3,2"/>`
    : '';
  const right = Math.max(x0, x1, finitePositive(r.max) ? x(r.max) : 0, finitePositive(r.target) ? x(r.target) : 0);
  const spread = finitePositive(r.min) && finitePositive(r.max) ? ` [${fmt(r.min)}-${fmt(r.max)}]` : '';
  const notes = [
    finitePositive(r.target) ? `target ${r.target}x` : '',
    r.reference ? esc(r.reference) : '',
    r.note ? esc(r.note) : '',
  ].filter(Boolean);
  return (
    `<text x="${LEFT - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(r.name)}</text>` +
    `<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${ROW - 8}" fill="${colourOf(r)}"/>` +
    whisker +
    target +
    `<text x="${right + 4}" y="${y + 15}" font-size="11">${fmt(r.ratio)}x${spread}${notes.length ? ` (${notes.join(', ')})` : ''}</text>`
  );
}
