// The ratios of a run as an SVG bar chart (bench/results/ratios.svg, linked from the README):
// one bar per ratio, log scale, a line at 1x (as fast as the peer). A ratio with a target also
// shows the spread of its paired rounds (a whisker) and the target (a dashed mark, blue), and is
// green only when it meets its target. A reference (not our product: bench/floor.ts) is grey,
// with what it is beside its figure.

/** What a ratio's bar shows besides its figure. */
export interface RatioMark {
  /** The ratio the project wants (a dashed mark). */
  target?: number;
  /** The spread of its paired rounds (a whisker). */
  min?: number;
  max?: number;
  /** Not our product: what it is, shown beside its figure. */
  reference?: string;
}

export function ratiosSvg(
  ratios: Readonly<Record<string, number | undefined>>,
  title: string,
  marks: Readonly<Record<string, RatioMark>> = {},
): string {
  const rows = Object.entries(ratios).filter(
    (e): e is [string, number] => e[1] !== undefined && Number.isFinite(e[1]) && e[1] > 0,
  );
  const width = 900;
  const left = 430;
  const barArea = width - left - 80;
  const rowH = 22;
  const height = 60 + rows.length * rowH;
  const min = Math.min(0.1, ...rows.map(([, v]) => v));
  const max = Math.max(10, ...rows.map(([, v]) => v));
  const x = (v: number): number =>
    left + ((Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * barArea;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map(([k, v], i) => {
      const y = 40 + i * rowH;
      const x0 = x(1);
      const x1 = x(v);
      const m: RatioMark | undefined = marks[k];
      const target = m?.target !== undefined && m.target > 0 ? m.target : undefined;
      // Green: as fast as the peer or faster, or where there is a target, the target met.
      const color = m?.reference ? '#9e9e9e' : v >= (target ?? 1) ? '#2f7d32' : '#c62828';
      const mark = !m
        ? ''
        : (m.min !== undefined && m.max !== undefined && Number.isFinite(m.min) && Number.isFinite(m.max) && m.min > 0
            ? `<line x1="${x(m.min)}" y1="${y + rowH / 2}" x2="${x(m.max)}" y2="${y + rowH / 2}" stroke="#000"/>`
            : '') +
          (target !== undefined && Number.isFinite(target)
            ? `<line x1="${x(target)}" y1="${y + 1}" x2="${x(target)}" y2="${y + rowH - 1}" stroke="#1565c0" stroke-width="2" stroke-dasharray="3,2"/>`
            : '');
      return (
        `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(k)}</text>` +
        `<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 8}" fill="${color}"/>` +
        mark +
        `<text x="${Math.max(x0, x1, target !== undefined ? x(target) : 0) + 4}" y="${y + 15}" font-size="12">${v >= 10 ? v.toFixed(1) : v.toFixed(2)}x${m?.target ? ` (target ${m.target}x)` : ''}${m?.reference ? ` (${esc(m.reference)})` : ''}</text>`
      );
    })
    .join('\n');
  const ticks = [0.1, 0.5, 1, 2, 5, 10, 20, 50]
    .filter((t) => t >= min && t <= max)
    .map(
      (t) =>
        `<line x1="${x(t)}" y1="34" x2="${x(t)}" y2="${height - 10}" stroke="${t === 1 ? '#000' : '#ddd'}"/><text x="${x(t)}" y="30" font-size="11" text-anchor="middle">${t}x</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>
${ticks}
${bars}
</svg>
`;
}
