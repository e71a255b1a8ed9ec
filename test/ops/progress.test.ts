import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/ops/progress.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (t: string) => written.push(t) };
}

describe('Progress (npm run fuzz, npm run bench)', () => {
  it('on a terminal: done / total, elapsed and rate, redrawn in place, the last line kept', () => {
    let now = 1_000;
    const s = stream(true);
    const p = new Progress({ unit: 'targets', total: 4, stream: s, now: () => now, everyMs: 60_000 });
    now += 10_000;
    p.set(2, 'si');
    expect(s.written).toEqual(['\r\x1b[K2/4 targets  10 s  0.200 targets/s  si']);
    now += 10_000;
    p.set(4);
    p.finish();
    expect(s.written.at(-1)).toBe('\r\x1b[K4/4 targets  20 s  0.200 targets/s\n');
  });

  it('not on a terminal: writes nothing at all', () => {
    const s = stream(false);
    const p = new Progress({ unit: 'suites', total: 3, stream: s });
    p.set(1, 'codec');
    p.set(3);
    p.finish();
    expect(p.active).toBe(false);
    expect(s.written).toEqual([]);
  });
});
