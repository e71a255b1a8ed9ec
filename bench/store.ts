// The state layer's write rate, segments per second: 3-segment messages (130-octet segments),
// each added segment by segment and finished once complete (the work a message costs the
// store), with 1, 10 and 100 adds in flight. As the link does it: each add awaited before the
// next segment (its answer to the SMSC waits for it), finish() not (the completing segment's
// answer waits for the handler, not for the finish), but counted: the clock stops once all are in. Backends: memory, lmdb (durable: every add
// resolves after its batch's commit and fsync) and Redis on this machine (appendonly yes with
// appendfsync everysec, and with always). Runs alternate between backends round by round;
// the figure is each case's median. Not part of `npm run bench`:
//   npm run bench:store -- [--rounds N] [--json FILE]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type CompletedMessage } from '../src/index.js';
import { startRedis } from './redis.js';

const arg = (name: string, fallback: string | undefined): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('--rounds', '5'));
const jsonOut = arg('--json', undefined);
const IN_FLIGHT = [1, 10, 100];
const SEGMENT = new Uint8Array(130).fill(0x5a);

/** Messages per run: enough for about a second at each backend's pace, so slow cases do not take minutes. */
function messagesFor(backend: string, inFlight: number): number {
  const base = backend === 'memory' ? 30_000 : inFlight === 1 ? 300 : inFlight === 10 ? 1_500 : 6_000;
  return base;
}

let runs = 0;

/** One timed run: `messages` 3-segment messages, `inFlight` adds outstanding at any time. */
async function run(spec: string, inFlight: number, messages: number): Promise<number> {
  const store = await openStore(spec, {
    prefix: `b${++runs}:`,
    reassembly: { maxPendingMessages: 1_000_000, maxPendingBytes: 1 << 30 },
  });
  let next = 0;
  const finishes: Promise<unknown>[] = [];
  const t0 = performance.now();
  async function worker(w: number): Promise<void> {
    // Each worker its own originator, its messages one after another: `inFlight` messages open at once.
    for (let m = next++; m < messages; m = next++) {
      let done: CompletedMessage | undefined;
      for (let n = 1; n <= 3; n++) {
        const o = await store.segments.add({
          originator: `+1555${w}`,
          recipient: '+15559999',
          sourcePort: 9200,
          destinationPort: 2948,
          reference: m & 0xffff,
          referenceBits: 16,
          total: 3,
          sequence: n,
          data: SEGMENT,
        });
        if (o.status === 'complete') done = o.message;
      }
      if (!done) throw new Error(`message ${m} did not complete`);
      finishes.push(store.segments.finish(done));
    }
  }
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  await Promise.all(finishes);
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return (messages * 3) / seconds;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const scratch = mkdtempSync(path.join(os.tmpdir(), 'wappush-bench-store-'));
const everysec = await startRedis('everysec');
const always = await startRedis('always');
const backends = [
  { name: 'memory', spec: () => 'memory' },
  { name: 'lmdb', spec: () => path.join(scratch, `lmdb-${runs}`) },
  { name: 'redis (everysec)', spec: () => everysec.url },
  { name: 'redis (always)', spec: () => always.url },
];
const results: Record<string, number[]> = {};
try {
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round, so no backend always runs first or last.
    const order = r % 2 === 0 ? backends : [...backends].reverse();
    for (const inFlight of IN_FLIGHT) {
      for (const b of order) {
        const key = `${b.name} @${inFlight}`;
        const rate = await run(b.spec(), inFlight, messagesFor(b.name, inFlight));
        (results[key] ??= []).push(rate);
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }
} finally {
  await everysec.stop();
  await always.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const table: Array<Record<string, string | number>> = [];
for (const b of backends) {
  const row: Record<string, string | number> = { backend: b.name };
  for (const inFlight of IN_FLIGHT) {
    const xs = results[`${b.name} @${inFlight}`];
    row[`@${inFlight}`] = Math.round(median(xs));
    row[`@${inFlight} range`] = `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}`;
  }
  table.push(row);
}
console.log(`segments/s, median of ${rounds} alternating rounds (Node ${process.version}, ${os.cpus().length} cores)`);
console.table(table);
if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, cores: os.cpus().length, rounds, table },
      null,
      2,
    ) + '\n',
  );
}
