// The benchmark harness's own arithmetic (bench/paired.ts, bench/peers.ts), with made-up
// figures: the median of paired rounds, the order of the sides, and merged peer runs.
import { describe, expect, it } from 'vitest';
import { paired } from '../bench/paired.js';
import { isSkipped, mergePeerRuns } from '../bench/peers.js';
import { siPdu } from '../bench/codec.js';
import { floorDecode } from '../bench/floor.js';
import { decodeBody } from '../src/codec/body.js';
import { decodePushPdu } from '../src/codec/wsp/pushPdu.js';

describe('paired rounds (bench/paired.ts)', () => {
  it('reports the median of the per-round ratios with the lowest and highest, and alternates who goes first', () => {
    const calls: string[] = [];
    const ours = [300, 100, 500, 200, 400];
    const peer = [100, 100, 100, 100, 100];
    let o = 0;
    let p = 0;
    const r = paired({
      ours: (sec: number) => {
        calls.push(`ours ${sec}`);
        return ours[o++];
      },
      peer: (sec: number) => {
        calls.push(`peer ${sec}`);
        return peer[p++];
      },
      rounds: 5,
      seconds: 0.5,
    });
    expect(r.ratio).toBe(3);
    expect(r.min).toBe(1);
    expect(r.max).toBe(5);
    expect(r.rounds.map((x) => x.ratio)).toEqual([3, 1, 5, 2, 4]);
    expect(calls).toEqual([
      'ours 0.5',
      'peer 0.5',
      'peer 0.5',
      'ours 0.5',
      'ours 0.5',
      'peer 0.5',
      'peer 0.5',
      'ours 0.5',
      'ours 0.5',
      'peer 0.5',
    ]);
  });

  it('takes the mean of the middle two for an even number of rounds', () => {
    const ratios = [1, 4, 2, 3];
    let i = 0;
    const r = paired({ ours: () => ratios[i++ >> 1] * 10, peer: () => 10, rounds: 4, seconds: 1 });
    expect(r.ratio).toBe(2.5);
  });
});

describe('libwbxml2 peer runs merged (bench/peers.ts)', () => {
  it('averages the two runs per document, keeps both and their spread, and passes a skip through', () => {
    const first = { si: { tree: 400, xml: 200, status: 0 } };
    const second = { si: { tree: 600, xml: 100, status: 0 } };
    const m = mergePeerRuns(first, second);
    expect(isSkipped(m)).toBe(false);
    expect(isSkipped(m) ? m : m.si).toEqual({
      tree: 500,
      xml: 150,
      status: 0,
      runs: { tree: [400, 600], xml: [200, 100] },
      treeSpreadPercent: 40,
    });
    expect(mergePeerRuns({ skipped: 'no cc' }, second)).toEqual({ skipped: 'no cc' });
  });
});

describe('the SI floor (bench/floor.ts)', () => {
  it("makes every field the full decode makes, equal to it, for the bench's SI push", () => {
    const message = decodePushPdu(siPdu);
    const si = decodeBody(message.contentType, message.contentTypeParameters, message.body);
    const floor = floorDecode(siPdu);
    expect(floor.message).toStrictEqual(message);
    expect(Object.keys(floor.message)).toEqual(Object.keys(message));
    expect(floor.si).toStrictEqual(si);
    expect(Object.keys(floor.si)).toEqual(Object.keys(si));
  });
});
