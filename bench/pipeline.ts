// The whole receiving pipeline, SMPP deliver_sm octets to the application's handler: decode the
// PDU, take the segment, reassemble, route through a PushClient with registrations, call the
// handler. Beside it in the same run: the WSP decode of the same push alone. Also: heap over
// a 1,000,000-push run (it must stay flat), bytes per registration, and throughput per
// worker_threads count across the machine's cores.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PipelineWorkerResult } from './pipelineWorker.js';
import { type CaseResult, runSuite } from './suite.js';
import { type PairedResult, opsPerSec, paired, pairedSettings, printRounds } from './paired.js';
import { fullDecode } from './codec.js';
import {
  type PushHandler,
  CommandId,
  PushClient,
  Reassembler,
  SmscSimulator,
  decodePushPdu,
  encodePushPdu,
  encodeShortMessagePdu,
  encodeSi,
  smppShortMessages,
} from '../src/index.js';
import { readSegmentAt } from '../src/wdp/smpp/deliverSegment.js';
import { SegmentAt } from '../src/wdp/segmentAt.js';

const body = encodeSi({
  href: 'http://www.xyz.com/email/123/abc.wml',
  created: '1999-06-25T15:23:15Z',
  expires: '1999-06-30T00:00:00Z',
  text: 'You have 4 new emails',
});
export const pushPdu = encodePushPdu({
  transactionId: 1,
  contentType: 'application/vnd.wap.sic',
  applicationId: 'x-wap-application:wml.ua',
  body,
});
/** A 3-segment push (a 306-octet SI): the pipeline case and the store benches (smppStore.ts). */
export const longPdu = encodePushPdu({
  transactionId: 2,
  contentType: 'application/vnd.wap.sic',
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSi({ href: 'http://www.xyz.com/', text: 'Long push text. '.repeat(18) }),
});

/**
 * deliver_sm frames: `variants` copies, no two alike: 64 originators, each with 256 references
 * for a concatenated push, or 256 WSP transaction ids (the push's first octet) for a single SMS,
 * which has no reference. As a PPG's pushes come: a few originators, many messages each.
 */
export function frames(pdu: Uint8Array, variants: number): Buffer[][] {
  const out: Buffer[][] = [];
  const single = smppShortMessages(pdu, { reference: 0 }).length === 1;
  for (let v = 0; v < variants; v++) {
    const own = single ? Uint8Array.from(pdu) : pdu;
    if (single) own[0] = v & 0xff;
    out.push(
      smppShortMessages(own, { reference: v & 0xff }).map((f, i) =>
        Buffer.from(
          encodeShortMessagePdu({
            ...f,
            commandId: CommandId.deliver_sm,
            sequenceNumber: i + 1,
            sourceAddr: `+4477009${String(v >> 8).padStart(5, '0')}`,
            destinationAddr: '+447700900000',
          }),
        ),
      ),
    );
  }
  return out;
}

export interface PipelineClient {
  smsc: SmscSimulator;
  client: PushClient;
  close(): Promise<void>;
}

/** A simulator and a PushClient bound to it with `registrations` applications (the first one takes wml.ua). */
export async function pipelineClient(registrations = 1, handler: PushHandler = () => {}): Promise<PipelineClient> {
  const smsc = new SmscSimulator();
  const port = await smsc.listen();
  const client = new PushClient({
    smsc: `smpp://bench:x@127.0.0.1:${port}`,
    linkOptions: { enquireLinkMs: 0, reassembly: { maxPendingMessages: 10_000 } },
    maxQueuedPerApplication: 10,
  });
  await client.start();
  for (let i = 0; i < registrations; i++) {
    const r = await client.register({
      pushApplicationId: i === 0 ? 'x-wap-application:wml.ua' : `x-bench:app-${i}.ua`,
      handler,
    });
    if (r.status !== 'accepted' || (await r.completed).status !== 'success') throw new Error('registration failed');
  }
  return {
    smsc,
    client,
    close: async () => {
      await client.close();
      await smsc.close();
    },
  };
}

/** The records `through` reads a push's deliver_sm into, as the link reads a socket chunk's (MAX_READ_AHEAD). */
const records: SegmentAt[] = [];

/**
 * One push's deliver_sm as one socket read brings them to the link: their octets one after
 * the other, and where each PDU ends in them.
 */
export interface PushRead {
  octets: Uint8Array;
  ends: readonly number[];
}

/** The frames of one push as one read (PushRead). */
export function readOf(variant: readonly Uint8Array[]): PushRead {
  const ends: number[] = [];
  let at = 0;
  for (const f of variant) ends.push((at += f.length));
  return { octets: Buffer.concat(variant), ends };
}

/**
 * One push through the pipeline as the cases with targets have always timed it: every PDU of
 * one push read as the link reads a deliver_sm, in place in the octets of the read that brought
 * it, reassembled and dispatched, without the session's framing and answers (the
 * `pipeline-link-*` cases time those too). As the link does with the deliver_sm of one socket
 * read, the PDUs are read ahead into records and shown to the reassembler together
 * (Reassembler.preview), then pushed one by one.
 */
export function through(client: PushClient, read: PushRead): void {
  const reassembler = client.link!.reassembler;
  // A push's segments arrive in one socket read, for which the link reads the clock once, not
  // once per segment; a single SMS into an empty reassembler needs no clock at all.
  const { octets, ends } = read;
  const n = ends.length;
  const at = n > 1 ? Date.now() : undefined;
  for (let k = 0, from = 0; k < n; from = ends[k++]) {
    if (k === records.length) records.push(new SegmentAt());
    if (!readSegmentAt(octets, from, ends[k], records[k])) throw new Error('a bench frame is not read the quick way');
  }
  if (n > 1) reassembler.preview(records, n);
  for (let k = 0; k < n; k++) {
    const d = reassembler.pushAt(records[k], undefined, at);
    if (d) client.deliverDatagram(d);
  }
  if (n > 1) reassembler.endPreview();
}

/**
 * How many deliver_sm an SMSC sends before it waits for answers (its window): a socket read
 * brings at most that many, so the bench hands the link chunks of at most this many PDUs,
 * whole pushes each (9 PDUs for the 3-segment push, 10 single SMS).
 */
export const BENCH_WINDOW = 10;

/**
 * Socket chunks of `pdusPerChunk` deliver_sm each, going round the variants' frames in order.
 * Each chunk is written into one buffer as the network would write it (the octets that differ
 * from one chunk to the next patched in: the originators' digits, the references), so that the
 * link reads it warm from the cache, as it reads what the kernel has just copied, and not cold
 * from tens of megabytes of prepared chunks. The link keeps no view of a chunk (it copies what
 * it holds), so the buffer can be written again for the next one.
 */
export class ChunkFeed {
  /**
   * Chunk k is of class k % period (the chunks of one class are alike in length and layout:
   * they cut the pushes at the same segments); each class has its buffer and its positions.
   */
  private readonly classes: WrittenOver[] = [];
  private readonly count: number;
  private readonly segments: number;
  private next = 0;
  private credit = 0;

  constructor(
    variants: readonly (readonly Buffer[])[],
    readonly pdusPerChunk: number,
    private readonly push: (chunk: Buffer) => void,
  ) {
    this.segments = variants[0].length;
    let period = 1;
    while ((period * pdusPerChunk) % this.segments !== 0) period++;
    const all = variants.flat();
    const chunks: Buffer[] = [];
    for (let k = 0; k + pdusPerChunk <= all.length; k += pdusPerChunk)
      chunks.push(Buffer.concat(all.slice(k, k + pdusPerChunk)));
    this.count = chunks.length - (chunks.length % period);
    for (let c = 0; c < period; c++)
      this.classes.push(writtenOver(chunks.filter((_, k) => k % period === c && k < this.count)));
  }

  /** One push's worth on average: its PDUs' credit, and each whole chunk it pays for written and fed. */
  onePush(): void {
    this.credit += this.segments;
    while (this.credit >= this.pdusPerChunk) {
      this.credit -= this.pdusPerChunk;
      this.push(this.take());
    }
  }

  /** The next chunk (its class's buffer, written over). */
  private take(): Buffer {
    const k = this.next;
    this.next = k + 1 === this.count ? 0 : k + 1;
    const period = this.classes.length;
    return writeOver(this.classes[k % period], Math.floor(k / period));
  }
}

/**
 * Buffers alike in length, as one buffer written over: the first of them, the positions at
 * which any of the others differs from it, and each one's octets at those positions.
 */
interface WrittenOver {
  chunk: Buffer;
  positions: Uint32Array;
  values: Uint8Array;
}

function writtenOver(buffers: readonly Buffer[]): WrittenOver {
  const first = buffers[0];
  if (buffers.some((m) => m.length !== first.length)) throw new Error('bench buffers to write over differ in length');
  const differ: number[] = [];
  for (let i = 0; i < first.length; i++) if (buffers.some((m) => m[i] !== first[i])) differ.push(i);
  const values = new Uint8Array(buffers.length * differ.length);
  buffers.forEach((m, k) => differ.forEach((p, j) => (values[k * differ.length + j] = m[p])));
  return { chunk: Buffer.from(first), positions: Uint32Array.from(differ), values };
}

/** `w.chunk` written over to hold buffer `k` of those it was made of. */
function writeOver(w: WrittenOver, k: number): Buffer {
  const { chunk, positions, values } = w;
  const n = positions.length;
  const base = k * n;
  for (let j = 0; j < n; j++) chunk[positions[j]] = values[base + j];
  return chunk;
}

/**
 * The pushes of `variants` one after another, each push's frames written into one buffer just
 * before it is read, as the kernel writes a socket read just before the link reads it: the
 * octets that differ from one push to the next (the originator's digits, the reference) are
 * written over the first push's frames. The frames are read warm from the cache, as the decode
 * alone reads its push, and not cold from the megabytes that thousands of prepared pushes take
 * (16,384 3-segment pushes: 8.6 MB). `take()` returns the same read each time, written over.
 */
export class PushFrames {
  /**
   * Two buffers taken in turn, each push's read a new array over one of them: the link reads
   * each socket read from a new array over a new buffer, so the reader's caches of the last
   * array and of the last buffer's DataView (readSegmentAt, viewOf) miss once a push here too.
   */
  private readonly written: [WrittenOver, WrittenOver];
  private readonly ends: readonly number[];
  private next = 0;

  constructor(private readonly variants: readonly (readonly Buffer[])[]) {
    const reads = variants.map(readOf);
    if (reads.some((r) => r.ends.join() !== reads[0].ends.join()))
      throw new Error("bench pushes differ in their frames' lengths");
    const octets = reads.map((r) => Buffer.from(r.octets));
    this.written = [writtenOver(octets), writtenOver(octets)];
    this.ends = reads[0].ends;
  }

  /** The next push's read. */
  take(): PushRead {
    const k = this.next;
    this.next = k + 1 === this.variants.length ? 0 : k + 1;
    const written = this.written[k & 1];
    writeOver(written, k);
    return { octets: written.chunk.subarray(0), ends: this.ends };
  }
}

/** PDUs per chunk for a push of `segments` SMS: whole pushes, at most BENCH_WINDOW PDUs. */
export function windowChunk(segments: number): number {
  return Math.max(1, Math.floor(BENCH_WINDOW / segments)) * segments;
}

/**
 * The link's own socket, to be fed chunks as if they came from the SMSC. What the link writes
 * back (deliver_sm_resp, one write per chunk) goes nowhere: the bench times the pipeline's
 * work, not the kernel's; the loopback end to end is the smpp suite's.
 */
export function feedSocket(client: PushClient): (chunk: Buffer) => void {
  const socket = client.link!.socket!;
  let written = 0;
  Object.defineProperty(socket, 'write', {
    value: (b: Uint8Array) => {
      written += b.length;
      return true;
    },
  });
  return (chunk) => {
    socket.push(chunk);
    sink += written & 1;
  };
}

/**
 * Checks the premise of a case beside its push's decode alone: the frames reassemble to that
 * very push, so the decode alone decodes what the pipeline delivers.
 */
function assertReassemblesTo(variant: readonly Buffer[], pdu: Uint8Array): void {
  const reassembler = new Reassembler();
  const records = variant.map((f) => {
    const r = new SegmentAt();
    if (!readSegmentAt(f, 0, f.length, r)) throw new Error('a bench frame is not read the quick way');
    return r;
  });
  const payloads = records.map((r) => reassembler.pushAt(r)?.payload).filter((p) => p !== undefined);
  if (payloads.length !== 1 || !Buffer.from(payloads[0]).equals(pdu))
    throw new Error('the bench frames do not reassemble to the push decoded beside them');
}

let sink = 0;
/** 3-segment pushes of distinct identities (64 originators x 256 references) the pipeline case goes round. */
export const TRIPLE_VARIANTS = 16_384;
/**
 * Single SMS of distinct originators the single-SMS cases go round: more than the link's
 * single-SMS repeat memory holds (maxRecentSingles, 10,000), so each is a new push to it.
 */
export const SINGLE_VARIANTS = 16_380;

function heapAfterGc(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** Heap in use (after gc) at the start of a run and after each quarter of it. */
export interface HeapOverRun {
  pushes: number;
  samples: { pushes: number; heapUsed: number }[];
  /** From the end of the first quarter (caches warm) to the end of the run. */
  growthBytes: number;
}

async function heapOverRun(pushes: number): Promise<HeapOverRun> {
  let handled = 0;
  const { client, close } = await pipelineClient(1, () => {
    handled++;
  });
  const singles = frames(pushPdu, 256).map(readOf);
  const samples: HeapOverRun['samples'] = [];
  const step = pushes / 4;
  for (let i = 0; i <= pushes; i++) {
    if (i % step === 0) samples.push({ pushes: i, heapUsed: heapAfterGc() });
    if (i < pushes) through(client, singles[i & 255]);
  }
  await close();
  if (handled !== pushes) throw new Error(`heap run: ${handled} of ${pushes} pushes reached the handler`);
  return { pushes, samples, growthBytes: samples[samples.length - 1].heapUsed - samples[1].heapUsed };
}

async function bytesPerRegistration(count: number): Promise<number> {
  const { client, close } = await pipelineClient(1);
  const before = heapAfterGc();
  const regs = [];
  for (let i = 0; i < count; i++) {
    const r = await client.register({
      pushApplicationId: `x-mem:app-${i}.ua`,
      whitelist: [{ address: `+1555${i}` }],
      accept: ['application/vnd.wap.sic'],
      handler: () => {},
    });
    if (r.status !== 'accepted') throw new Error(`registration ${i} rejected: ${r.message}`);
    regs.push(r);
    await r.completed;
  }
  const after = heapAfterGc();
  sink += regs.length;
  await close();
  return Math.round((after - before) / count);
}

/** Pushes per second over all workers, per count of worker_threads. */
async function scaling(ms: number): Promise<{ workers: number; pushesPerSec: number }[]> {
  const counts = [...new Set([1, 2, Math.max(1, os.cpus().length)])].sort((a, b) => a - b);
  const out: { workers: number; pushesPerSec: number }[] = [];
  for (const n of counts) {
    const workers = Array.from(
      { length: n },
      () => new Worker(new URL('./pipelineWorker.js', import.meta.url), { workerData: { ms } }),
    );
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<PipelineWorkerResult>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    await Promise.all(workers.map((w) => w.terminate()));
    const total = results.reduce((a, r) => a + r.pushes / (r.ms / 1000), 0);
    out.push({ workers: n, pushesPerSec: Math.round(total) });
    process.stdout.write(`  ${n} worker${n > 1 ? 's' : ''}: ${Math.round(total).toLocaleString('en-US')} pushes/s\n`);
  }
  return out;
}

export async function runPipeline({ quick = false } = {}): Promise<{
  results: CaseResult[];
  heap: HeapOverRun;
  perRegistration: number;
  workers: { workers: number; pushesPerSec: number }[];
  versusDecode: PairedResult;
  /** The 3-segment case beside its own push's decode, in paired rounds (issue 17 asks for >= 0.6). */
  threeSegmentsVersusDecode: PairedResult;
  sink: number;
}> {
  const one = await pipelineClient(1, () => {
    sink++;
  });
  const many = await pipelineClient(1_000, () => {
    sink++;
  });
  // The link cases' own clients: the same identities in one reassembler would be late duplicates.
  const linked = await pipelineClient(1, () => {
    sink++;
  });
  const perPdu = await pipelineClient(1, () => {
    sink++;
  });
  // The direct cases go round 256 single SMS, as they always have (they skip the link's repeat
  // memory); the link case needs more than that memory holds (SINGLE_VARIANTS).
  const singles = frames(pushPdu, 256).map(readOf);
  const linkSingles = frames(pushPdu, SINGLE_VARIANTS);
  // More messages than the reassembler remembers as completed (maxRecentMessages, 10,000 here):
  // a push seen again while remembered is a late duplicate, dropped before any reassembly or
  // dispatch. With 256 variants, 255 of every 256 pushes measured were such duplicates.
  const triples = frames(longPdu, TRIPLE_VARIANTS);
  if (triples[0].length !== 3) throw new Error(`long push is ${triples[0].length} SMS, not 3`);
  // The cases with targets, as they were set: deliver_sm read, reassembly, dispatch. The
  // 3-segment case's pushes are written into one buffer each just before they are read
  // (PushFrames), so it reads them warm, as the decode alone beside it reads its push; the 256
  // single SMS (51 KB) stay warm in the cache as they are.
  let i = 0;
  const pipelineOne = () => through(one.client, singles[i++ & 255]);
  const tripleFrames = new PushFrames(triples);
  const pipelineThree = () => through(one.client, tripleFrames.take());
  assertReassemblesTo(triples[0], longPdu);
  // The link cases: every push in through the link's socket, in chunks of a window's PDUs
  // (BENCH_WINDOW): framing, the deliver_sm read, the single-SMS repeat memory or reassembly,
  // dispatch, the answers.
  const feedLinked = feedSocket(linked.client);
  const singleFeed = new ChunkFeed(linkSingles, windowChunk(1), feedLinked);
  const tripleFeed = new ChunkFeed(triples, windowChunk(3), feedLinked);
  // The same pushes with every deliver_sm in a chunk of its own (an SMSC at window 1, or a slow link).
  const triplePerPdu = new ChunkFeed(triples.slice(0, 16_000), 1, feedSocket(perPdu.client));
  const decodeAlone = () => fullDecode(pushPdu);
  const longDecodeAlone = () => fullDecode(longPdu);
  let k = 0;
  const results = runSuite(
    [
      ['pipeline-single-sms', pipelineOne],
      [
        'pipeline-single-sms-1000-registrations',
        () => {
          through(many.client, singles[k++ & 255]);
        },
      ],
      ['pipeline-3-segments', pipelineThree],
      ['pipeline-link-single-sms', () => singleFeed.onePush()],
      ['pipeline-link-3-segments', () => tripleFeed.onePush()],
      ['pipeline-link-3-segments-one-pdu-per-chunk', () => triplePerPdu.onePush()],
      ['peer-push-decode-alone', decodeAlone],
      [
        'peer-push-headers-decode-alone',
        () => {
          sink += decodePushPdu(pushPdu).headers.length;
        },
      ],
      // The 3-segment pipeline's own push (312 octets, a 306-octet SI) decoded alone: the fair peer for that case.
      ['peer-long-push-decode-alone', longDecodeAlone],
    ],
    { quick },
  );
  // The target ratio (pipeline within 2x of the decode alone), in paired rounds (bench/paired.ts).
  process.stdout.write('  pipeline-single-sms / peer-push-decode-alone in paired rounds:\n');
  const versusDecode = paired({
    ours: (sec) => opsPerSec(pipelineOne, sec),
    peer: (sec) => opsPerSec(decodeAlone, sec),
    ...pairedSettings(quick),
  });
  printRounds(versusDecode, 'pipeline-single-sms', 'decode alone');
  process.stdout.write('  pipeline-3-segments / peer-long-push-decode-alone in paired rounds:\n');
  const threeSegmentsVersusDecode = paired({
    ours: (sec) => opsPerSec(pipelineThree, sec),
    peer: (sec) => opsPerSec(longDecodeAlone, sec),
    ...pairedSettings(quick),
  });
  printRounds(threeSegmentsVersusDecode, 'pipeline-3-segments', 'decode alone');
  for (const c of [one, many, linked, perPdu]) {
    if (c.client.stats.unrouted) throw new Error('bench pushes went unrouted');
    const late = c.client.link!.reassembler.stats.lateDuplicates;
    if (late) throw new Error(`${late} bench segments were taken for late duplicates, not reassembled`);
    await c.close();
  }
  process.stdout.write('  heap over the run (after gc):\n');
  const heap = await heapOverRun(quick ? 200_000 : 1_000_000);
  for (const s of heap.samples)
    process.stdout.write(
      `    ${s.pushes.toLocaleString('en-US').padStart(9)} pushes: ${(s.heapUsed / 1048576).toFixed(1)} MiB\n`,
    );
  // 5,000: with 1,000 the same code read 2,874-3,179 octets over six runs; 5,000 keeps it near 1%.
  const perRegistration = await bytesPerRegistration(quick ? 200 : 5_000);
  process.stdout.write(`  per registration: ${perRegistration} octets\n  worker_threads:\n`);
  const workers = await scaling(quick ? 1_000 : 3_000);
  return { results, heap, perRegistration, workers, versusDecode, threeSegmentsVersusDecode, sink };
}
