// bench/results/ratios.svg (bench/chart.ts, bench/svg.ts): peer comparisons apart from internal
// costs, colour by target only, and every ratio's spread.
import { describe, expect, it } from 'vitest';
import { chartOf, rowOf, type ChartReport } from '../bench/chart.js';
import { colourOf, COLOURS, isPeerRatio } from '../bench/svg.js';

const report: ChartReport = {
  date: '2026-11-29T00:00:00Z',
  quick: false,
  node: 'v20',
  machine: { cpu: 'test cpu' },
  cases: [
    { name: 'provisioning-decode', marginPercent: 4 },
    { name: 'peer-si-push-decode', marginPercent: 6 },
    { name: 'si-body-decode', marginPercent: 2 },
  ],
  peers: { libwbxml2: { si: { runs: { tree: [90, 110], xml: [50, 50] } } } },
  ratios: {
    'si-push-decode/vs-libwbxml2-tree': 2.6,
    'si-body-decode/vs-libwbxml2-tree': 4.4,
    'provisioning-decode/vs-si-push-decode': 0.09,
    'pipeline-single-sms/vs-push-decode-alone': 0.85,
    'smpp-end-to-end-window-1/vs-smpp-package-pair': 1.4,
  },
  targets: {
    'si-push-decode/vs-libwbxml2-tree': { at: 5, ratio: 2.6, min: 2.5, max: 2.7 },
    'pipeline-single-sms/vs-push-decode-alone': { at: 0.5, ratio: 0.85, min: 0.84, max: 0.91 },
  },
};

describe('the ratios chart', () => {
  it('colours by target alone: a ratio below 1 with no target is neutral, not a defeat', () => {
    expect(colourOf({ ratio: 0.09 })).toBe(COLOURS.noTarget);
    expect(colourOf({ ratio: 0.85, target: 0.5 })).toBe(COLOURS.met);
    expect(colourOf({ ratio: 2.6, target: 5 })).toBe(COLOURS.notMet);
    expect(colourOf({ ratio: 7, reference: 'floor' })).toBe(COLOURS.reference);
  });

  it('tells peers (libwbxml2, the smpp package, Kannel) from internal costs', () => {
    expect(isPeerRatio('si-body-decode/vs-libwbxml2-tree')).toBe(true);
    expect(isPeerRatio('smpp-end-to-end-window-1/vs-smpp-package-pair')).toBe(true);
    expect(isPeerRatio('kannel-throughput/vs-kannel')).toBe(true);
    expect(isPeerRatio('provisioning-decode/vs-si-push-decode')).toBe(false);
    expect(isPeerRatio('cai-dispatch-1000/vs-1-registration')).toBe(false);
  });

  it('gives each ratio its spread: paired rounds, both margins, or says there is none', () => {
    expect(rowOf(report, 'si-push-decode/vs-libwbxml2-tree', 2.6)).toMatchObject({ target: 5, min: 2.5, max: 2.7 });
    // 4% + 6% of 0.09.
    const p = rowOf(report, 'provisioning-decode/vs-si-push-decode', 0.09);
    expect(p.min).toBeCloseTo(0.081, 6);
    expect(p.max).toBeCloseTo(0.099, 6);
    // 2% (ours) + 10% (libwbxml2's two runs, 90 and 110, half their spread over their mean).
    const b = rowOf(report, 'si-body-decode/vs-libwbxml2-tree', 4.4);
    expect(b.min).toBeCloseTo(4.4 * 0.88, 6);
    expect(b.max).toBeCloseTo(4.4 * 1.12, 6);
    expect(rowOf(report, 'smpp-end-to-end-window-1/vs-smpp-package-pair', 1.4).note).toMatch(/one timed run/);
  });

  it('draws the peers in one panel and the internal costs in another, with no red for the 0.09x cost', () => {
    const svg = chartOf(report);
    const peers = svg.indexOf('Against other implementations');
    const internal = svg.indexOf('Internal costs');
    expect(peers).toBeGreaterThan(0);
    expect(internal).toBeGreaterThan(peers);
    const at = (name: string) => svg.indexOf(`>${name}<`);
    expect(at('si-body-decode/vs-libwbxml2-tree')).toBeGreaterThan(peers);
    expect(at('si-body-decode/vs-libwbxml2-tree')).toBeLessThan(internal);
    expect(at('provisioning-decode/vs-si-push-decode')).toBeGreaterThan(internal);
    const provisioningBar = svg.slice(at('provisioning-decode/vs-si-push-decode')).split('<rect')[1];
    expect(provisioningBar).toContain(`fill="${COLOURS.noTarget}"`);
    expect(svg.match(new RegExp(`fill="${COLOURS.notMet}"`, 'g'))).toHaveLength(2); // the legend and the SI target
  });
});
