import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { copyPayload, Reassembler } from '../../src/wdp/reassembler.js';
import { RUN_CHUNK_OCTETS } from '../../src/wdp/runChunks.js';

// A pending message must keep alive about what the bounds count, not the chunk its run was cut
// from: a first segment that never completes, followed by enough single SMS and completed
// pushes to fill a chunk, repeated, once pinned a whole chunk per stuck segment (16 KiB for 134
// octets of user data). The bound checked is the one src/wdp/runChunks.ts states: the chunk
// being cut plus twice the octets of the pending runs' regions (here each is one 134-octet part).

function octets(length: number, fill: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (fill + i * 7) & 0xff);
}

const seg = (originator: string, reference: number, sequence: number, total: number, data: Uint8Array): Segment => ({
  originator,
  recipient: '+447700900000',
  reference,
  referenceBits: 8,
  total,
  sequence,
  data,
});

describe('Reassembler: what pending messages keep alive', () => {
  it('a chunk cut full of one-octet runs is full, not sparse: the next run finds room', () => {
    // 2,100 first segments of one octet each, each message its own (originator, reference).
    // Each region takes 8 octets, so 2,048 of them fill a 16 KiB chunk; counted by their octets
    // (2,048) the chunk looked sparse, and the 2,049th moved them into a new chunk they filled
    // again, for ever: push() never returned (a review found it; this test hung on that code).
    const r = new Reassembler({ now: () => 0 });
    const from = (i: number) => `+4472${i >> 8}x${i % 3}`;
    for (let i = 0; i < 2_100; i++) {
      expect(r.push(seg(from(i), i & 0xff, 1, 2, octets(1, i)))).toBeUndefined();
    }
    expect(r.pendingMessages).toBe(2_100);
    expect(r.heldChunkOctets).toBeLessThanOrEqual(RUN_CHUNK_OCTETS + 2 * 8 * 2_100);
    // Each completes with its own octets, moved or not.
    for (let i = 0; i < 2_100; i++) {
      const d = r.push(seg(from(i), i & 0xff, 2, 2, octets(1, i + 1)));
      expect(d && [...d.payload]).toEqual([i & 0xff, (i + 1) & 0xff]);
    }
    expect(r.pendingMessages).toBe(0);
    expect(r.heldChunkOctets).toBe(0);
  });

  it('stuck first segments between chunks of completed pushes and single SMS keep no whole chunk each', () => {
    let t = 0;
    const r = new Reassembler({ now: () => t });
    const rounds = 200;
    const delivered: Uint8Array[] = [];
    for (let k = 0; k < rounds; k++) {
      t++;
      // The stuck one: segment 1 of 3, never followed.
      expect(r.push(seg(`+4470${k}`, k & 0xff, 1, 3, octets(134, k)))).toBeUndefined();
      // 40 complete pushes of 3 x 134 octets (about one 16 KiB chunk), and single SMS copied as
      // the link copies them, each kept by the "application" to the end.
      for (let m = 0; m < 40; m++) {
        const from = `+4471${k}x${m}`;
        r.push(seg(from, m, 1, 3, octets(134, m)));
        r.push(seg(from, m, 2, 3, octets(134, m + 1)));
        const d = r.push(seg(from, m, 3, 3, octets(134, m + 2)));
        expect(d?.segments).toBe(3);
        delivered.push(d!.payload);
        delivered.push(copyPayload(octets(140, m)));
      }
    }
    expect(r.pendingMessages).toBe(rounds);
    expect(r.pendingBytes).toBe(rounds * 134);
    // Before: one 16 KiB chunk per stuck segment (3.2 MiB here); now at most this.
    expect(r.heldChunkOctets).toBeGreaterThan(0);
    expect(r.heldChunkOctets).toBeLessThanOrEqual(RUN_CHUNK_OCTETS + 2 * r.pendingBytes);
    // The stuck runs, moved, still hold their own octets; the delivered payloads are untouched.
    for (let k = 0; k < rounds; k++) {
      t++;
      const from = `+4470${k}`;
      r.push(seg(from, k & 0xff, 2, 3, octets(134, k + 50)));
      const d = r.push(seg(from, k & 0xff, 3, 3, octets(20, k + 90)));
      expect([...d!.payload]).toEqual([...octets(134, k), ...octets(134, k + 50), ...octets(20, k + 90)]);
    }
    for (let i = 0; i < delivered.length; i += 2) {
      const m = (i >> 1) % 40;
      expect([...delivered[i]]).toEqual([...octets(134, m), ...octets(134, m + 1), ...octets(134, m + 2)]);
      expect([...delivered[i + 1]]).toEqual([...octets(140, m)]);
    }
    expect(r.pendingMessages).toBe(0);
    expect(r.heldChunkOctets).toBe(0);
  });

  it('a message that turns out of order holds its parts apart from the run chunks', () => {
    const r = new Reassembler();
    r.push(seg('+447700900001', 1, 2, 3, octets(134, 1)));
    expect(r.heldChunkOctets).toBe(RUN_CHUNK_OCTETS);
    r.push(seg('+447700900001', 1, 1, 3, octets(134, 2)));
    expect(r.heldChunkOctets).toBe(0);
    const d = r.push(seg('+447700900001', 1, 3, 3, octets(30, 3)));
    expect([...d!.payload]).toEqual([...octets(134, 2), ...octets(134, 1), ...octets(30, 3)]);
  });
});

// The same pattern measured for real: process.memoryUsage().arrayBuffers after a full gc, in a
// node of its own (--expose-gc) running the built reassembler (dist/, built by `npm test`). The
// "application" drops every delivered payload, so what stays is what the reassembler keeps.
const ROUNDS = 300;
const childScript = `
const { Reassembler, copyPayload } = await import(process.argv[1]);
// No memory of completed messages: its typed arrays (bounded by maxRecentMessages) are not what is measured.
const r = new Reassembler({ maxRecentMessages: 0 });
const seg = (originator, reference, sequence, total, data) =>
  ({ originator, recipient: '+447700900000', reference, referenceBits: 8, total, sequence, data });
const data = new Uint8Array(140).fill(7);
const measure = () => { gc(); gc(); return process.memoryUsage().arrayBuffers; };
const before = measure();
for (let k = 0; k < ${ROUNDS}; k++) {
  r.push(seg('+4470' + k, k & 0xff, 1, 3, data.subarray(0, 134)));
  for (let m = 0; m < 40; m++) {
    const from = '+4471' + k + 'x' + m;
    r.push(seg(from, m, 1, 3, data.subarray(0, 134)));
    r.push(seg(from, m, 2, 3, data.subarray(0, 134)));
    if (r.push(seg(from, m, 3, 3, data.subarray(0, 134))) === undefined) throw new Error('not complete');
    copyPayload(data);
  }
}
const after = measure();
process.stdout.write(JSON.stringify({ grown: after - before, pendingBytes: r.pendingBytes, pending: r.pendingMessages }));
`;

describe('Reassembler: held memory measured after gc', () => {
  it('300 stuck first segments keep about their octets alive, not 300 chunks', () => {
    const reassembler = join(dirname(fileURLToPath(import.meta.url)), '../../dist/wdp/reassembler.js');
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', childScript, reassembler], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { grown, pendingBytes, pending } = JSON.parse(out) as {
      grown: number;
      pendingBytes: number;
      pending: number;
    };
    expect(pending).toBe(ROUNDS);
    expect(pendingBytes).toBe(ROUNDS * 134);
    // The stated bound (a run chunk plus twice the runs' regions), and the shared payload
    // chunk being cut (16 KiB); the old code kept ROUNDS x 16 KiB, 4.9 MB.
    expect(grown).toBeLessThanOrEqual(RUN_CHUNK_OCTETS + 2 * pendingBytes + 16 * 1024);
  });
});
