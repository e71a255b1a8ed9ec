// A flood of never-completing segments against real concatenated pushes (the fair reassembly
// bounds, docs/smpp.md): 500,000 flood segments from 1,000 spoofed originators (random 16-bit
// references, first or second of 3, never completed) at a simulated 60,000 a second, with the
// default bounds, and 248 real 2-3-segment SI pushes from 8 honest originators whose segments
// arrive 10,000 flood segments apart for half of them and 40,000 for the other half.
// test/wdp/fairness.test.ts asserts on this run; `npm run bench` reports it (delivered
// fraction, the heap it took, the rate).
import {
  type LostMessage,
  type Segment,
  Reassembler,
  encodePushPdu,
  encodeSi,
  segmentFromUserData,
  segmentPayload,
} from '../src/index.js';

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FloodRun {
  reassembler: Reassembler;
  honest: readonly string[];
  /** The real pushes' WSP PDUs as sent, and as they came out of the reassembler. */
  sent: Uint8Array[];
  received: Uint8Array[];
  lostBy: Map<string, number>;
  honestLost: number;
  floodSegments: number;
  floodCompleted: number;
  maxMessages: number;
  maxBytes: number;
  /** Largest share one flood originator held, sampled every 1,024 segments. */
  maxShare: number;
  seconds: number;
}

export function runFlood(floodSegments = 500_000, seed = 18): FloodRun {
  const rnd = seededRandom(seed);
  let t = 0;
  const r = new Reassembler({ now: () => t });
  const honest = Array.from({ length: 8 }, (_, i) => `+44770090000${i}`);
  const floodFrom = Array.from({ length: 1_000 }, () => `+4479${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`);
  const lostBy = new Map<string, number>();
  let honestLost = 0;
  const onLost = (m: LostMessage) => {
    const k = m.policy ? `${m.reason}/${m.policy}` : m.reason;
    lostBy.set(k, (lostBy.get(k) ?? 0) + 1);
    if (honest.includes(m.originator)) honestLost++;
  };
  r.on('expired', onLost);
  r.on('evicted', onLost);
  r.on('superseded', onLost);

  const schedule = new Map<number, Segment[]>();
  const sent: Uint8Array[] = [];
  const gaps = [10_000, 40_000];
  for (let i = 0; i < 248; i++) {
    const gap = gaps[i % 2];
    const pdu = encodePushPdu({
      transactionId: i & 0xff,
      contentType: 'application/vnd.wap.sic',
      body: encodeSi({ href: `http://push.example/${i}`, siId: `id-${i}`, text: 'x'.repeat(i % 3 === 0 ? 300 : 150) }),
    });
    sent.push(pdu);
    const parts = segmentPayload(pdu, { reference: i, referenceBits: 16 }).map((ud) =>
      segmentFromUserData(ud, { originator: honest[i % honest.length], recipient: '+447700900123' }),
    );
    const start = Math.floor((i * (floodSegments - 2 * gaps[1] - 1)) / 248);
    parts.forEach((p, k) => {
      const at = start + k * gap;
      schedule.set(at, [...(schedule.get(at) ?? []), p]);
    });
  }

  const floodData = new Uint8Array(140 * 64);
  for (let i = 0; i < floodData.length; i++) floodData[i] = Math.floor(rnd() * 256);
  const flood: Segment = {
    originator: '',
    recipient: '+447700900123',
    sourcePort: 9200,
    destinationPort: 2948,
    reference: 0,
    referenceBits: 16,
    total: 3,
    sequence: 1,
    data: floodData.subarray(0, 140),
  };
  const received: Uint8Array[] = [];
  let maxMessages = 0;
  let maxBytes = 0;
  let maxShare = 0;
  let floodCompleted = 0;
  const t0 = performance.now();
  for (let j = 0; j < floodSegments; j++) {
    for (const p of schedule.get(j) ?? []) {
      const d = r.push(p);
      if (d) received.push(d.payload);
    }
    flood.originator = floodFrom[Math.floor(rnd() * floodFrom.length)];
    flood.reference = Math.floor(rnd() * 0x10000);
    flood.sequence = 1 + Math.floor(rnd() * 2);
    const k = (j & 63) * 140;
    flood.data = floodData.subarray(k, k + 140);
    t += 1 / 60; // 60,000 segments a second
    if (r.push(flood) !== undefined) floodCompleted++;
    if (r.pendingMessages > maxMessages) maxMessages = r.pendingMessages;
    if (r.pendingBytes > maxBytes) maxBytes = r.pendingBytes;
    if ((j & 1023) === 0) {
      const share = r.pendingOf(flood.originator).messages;
      if (share > maxShare) maxShare = share;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    reassembler: r,
    honest,
    sent,
    received,
    lostBy,
    honestLost,
    floodSegments,
    floodCompleted,
    maxMessages,
    maxBytes,
    maxShare,
    seconds,
  };
}

export interface FloodResult {
  floodSegments: number;
  realPushes: number;
  delivered: number;
  deliveredFraction: number;
  /** Heap after the run minus before it, both after a full GC, MiB: what the pending state holds. */
  heapMiB: number;
  maxPendingMessages: number;
  maxPendingBytes: number;
  segmentsPerSecond: number;
  lostByPolicy: Record<string, number>;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function runFloodBench({ quick = false }: { quick?: boolean } = {}): FloodResult {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const run = runFlood(quick ? 200_000 : 500_000);
  gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - before) / (1 << 20);
  const delivered = run.received.length;
  const result: FloodResult = {
    floodSegments: run.floodSegments,
    realPushes: run.sent.length,
    delivered,
    deliveredFraction: delivered / run.sent.length,
    heapMiB: Math.round(heapMiB * 10) / 10,
    maxPendingMessages: run.maxMessages,
    maxPendingBytes: run.maxBytes,
    segmentsPerSecond: Math.round(run.floodSegments / run.seconds),
    lostByPolicy: Object.fromEntries(run.lostBy),
  };
  // Keep the reassembler alive until the heap is read, so its pending state is counted.
  if (run.reassembler.pendingMessages < 0) throw new Error('unreachable');
  console.log(
    `  flood: ${delivered}/${run.sent.length} real pushes delivered under ${run.floodSegments.toLocaleString('en-US')} flood segments; heap +${result.heapMiB} MiB; ${result.segmentsPerSecond.toLocaleString('en-US')} segments/s`,
  );
  return result;
}
