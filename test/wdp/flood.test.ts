import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/wdp/datagram.js';
import { Reassembler, type LostMessage } from '../../src/wdp/reassembler.js';

/**
 * An attacker (or a broken SMSC) floods segments of messages that never complete: a
 * million segments, every one the first of a new 3-part message. Pending memory must stay
 * under the bounds and every dropped message must be reported.
 */
describe('flood of segments that never complete', () => {
  it('1,000,000 segments: pending stays bounded, every dropped message is reported', () => {
    let t = 0;
    const maxPendingMessages = 5_000;
    const maxPendingBytes = 256 * 1024;
    const r = new Reassembler({ timeoutMs: 30_000, maxPendingMessages, maxPendingBytes, now: () => t });
    const reported = { expired: 0, evicted: 0, superseded: 0, segments: 0 };
    const count = (m: LostMessage) => {
      reported[m.reason]++;
      reported.segments += m.received.length;
    };
    r.on('expired', count);
    r.on('evicted', count);
    r.on('superseded', count);
    const data = new Uint8Array(128);
    const seg: Segment = {
      originator: '',
      recipient: '+447700900123',
      sourcePort: 9200,
      destinationPort: 2948,
      reference: 0,
      referenceBits: 16,
      total: 3,
      sequence: 1,
      data,
    };
    let maxBytes = 0;
    let maxMessages = 0;
    let completed = 0;
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      seg.originator = 'attacker' + (i % 100_003);
      seg.reference = i & 0xffff;
      seg.sequence = 1 + (i % 2);
      t += 0.05; // 20,000 segments a second
      if (r.push(seg) !== undefined) completed++;
      if (r.pendingBytes > maxBytes) maxBytes = r.pendingBytes;
      if (r.pendingMessages > maxMessages) maxMessages = r.pendingMessages;
    }
    expect(completed).toBe(0);
    expect(maxBytes).toBeLessThanOrEqual(maxPendingBytes);
    expect(maxMessages).toBeLessThanOrEqual(maxPendingMessages);
    const dropped = reported.expired + reported.evicted + reported.superseded;
    expect(reported.evicted).toBeGreaterThan(0);
    // Every segment is either still pending or was reported lost with its message.
    expect(reported.segments + r.pendingBytes / data.length).toBe(N);
    expect(r.stats).toMatchObject({
      segments: N,
      datagrams: 0,
      lostSegments: reported.segments,
      evicted: reported.evicted,
      expired: reported.expired,
    });
    expect(dropped).toBe(r.stats.evicted + r.stats.expired + r.stats.superseded);
    r.clear();
    expect(r.pendingBytes).toBe(0);
  });
});
