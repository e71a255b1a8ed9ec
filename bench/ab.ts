// Two builds of the codec, old and new, timed on the same decode in alternating whole processes:
//   npm run bench:ab -- OLD_DIST NEW_DIST [--case si|sl] [--pairs 9] [--iterations 1000000]
// Each process loads one build (its dist/index.js), makes the push with that build's encoders,
// warms up, then times a fixed number of full decodes (decodePushPdu + decodeBody). Who goes
// first alternates from pair to pair. A pair's ratio is new/old time per decode (below 1: the new
// build is faster); the report is the median over the pairs with the lowest and highest, for the
// wall clock and for the process's CPU time. On a shared machine the CPU time is the steadier:
// with 10 runnable processes on 2 cores the wall-clock ratios of pairs ranged 0.72-1.81 where
// their CPU-time ratios ranged 0.96-1.10 (and the fastest of 20 batches, tried too, 0.39-2.60).
// A build of another commit: `git worktree add /tmp/old REV`, link node_modules into it, and
// `npm run build` there; its dist/ must sit where its package imports resolve.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as Wappush from '../src/index.js';
import { median } from './paired.js';

/** One process's figures: nanoseconds per decode, by the wall clock and by CPU time. */
interface Timing {
  wallNs: number;
  cpuNs: number;
}

const CASES = ['si', 'sl'] as const;
type CaseName = (typeof CASES)[number];
const isCase = (s: string): s is CaseName => (CASES as readonly string[]).includes(s);

/** The bench's SI and SL pushes (bench/codec.ts), made with the build under test. */
function push(lib: typeof Wappush, name: CaseName): Uint8Array {
  if (name === 'si')
    return lib.encodePushPdu({
      transactionId: 1,
      contentType: 'application/vnd.wap.sic',
      contentTypeParameters: { charset: 'utf-8' },
      applicationId: 'x-wap-application:wml.ua',
      body: lib.encodeSi({
        href: 'http://www.xyz.com/email/123/abc.wml',
        created: '1999-06-25T15:23:15Z',
        expires: '1999-06-30T00:00:00Z',
        text: 'You have 4 new emails',
      }),
    });
  return lib.encodePushPdu({
    transactionId: 2,
    contentType: 'application/vnd.wap.slc',
    applicationId: 'x-wap-application:wml.ua',
    body: lib.encodeSl({ href: 'http://www.oreilly.com/', action: 'execute-high' }),
  });
}

/** The child: one build, one case, `iterations` timed decodes after as many as a fifth of that untimed. */
async function timeOne(dist: string, name: CaseName, iterations: number): Promise<Timing> {
  const lib: typeof Wappush = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  const pdu = push(lib, name);
  let sink = 0;
  const decode = (): void => {
    const m = lib.decodePushPdu(pdu);
    const body = lib.decodeBody(m.contentType, m.contentTypeParameters, m.body);
    sink += m.headers.length + (body.type === 'si' ? body.text.length : 1);
  };
  for (let i = 0; i < iterations / 5; i++) decode();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) decode();
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (sink === 0) throw new Error('nothing decoded');
  return { wallNs: wall / iterations, cpuNs: ((cpu.user + cpu.system) * 1000) / iterations };
}

function spawnOne(dist: string, name: CaseName, iterations: number): Timing {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--child', dist, '--case', name, '--iterations', String(iterations)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`timing ${dist} failed: ${r.stderr}`);
  const timing: Timing = JSON.parse(r.stdout);
  return timing;
}

const summary = (ratios: number[]): string => {
  const s = [...ratios].sort((a, b) => a - b);
  const slower = s.filter((r) => r > 1).length;
  return `median ${median(s).toFixed(3)} (${s[0].toFixed(3)}-${s[s.length - 1].toFixed(3)}); new slower in ${slower} of ${s.length} pairs`;
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    child: { type: 'string' },
    case: { type: 'string', default: 'si' },
    pairs: { type: 'string', default: '9' },
    iterations: { type: 'string', default: '1000000' },
  },
});
const name = values.case;
const iterations = Number(values.iterations);
if (!isCase(name) || !(iterations > 0)) {
  console.error(`--case is one of ${CASES.join(', ')}; --iterations a positive number`);
  process.exit(2);
}
if (values.child !== undefined) {
  process.stdout.write(JSON.stringify(await timeOne(values.child, name, iterations)));
  process.exit(0);
}
const [oldDist, newDist] = positionals.map((p) => path.resolve(p));
if (!oldDist || !newDist || ![oldDist, newDist].every((d) => existsSync(path.join(d, 'index.js')))) {
  console.error('usage: npm run bench:ab -- OLD_DIST NEW_DIST [--case si|sl] [--pairs 9] [--iterations 1000000]');
  process.exit(2);
}
const pairs = Number(values.pairs);
const wall: number[] = [];
const cpu: number[] = [];
console.log(`${name} push decode, ${iterations.toLocaleString('en-US')} per process; ns per decode`);
console.log('pair  first   old wall  new wall  new/old    old cpu   new cpu  new/old');
for (let i = 0; i < pairs; i++) {
  let o: Timing;
  let n: Timing;
  if (i % 2 === 0) {
    o = spawnOne(oldDist, name, iterations);
    n = spawnOne(newDist, name, iterations);
  } else {
    n = spawnOne(newDist, name, iterations);
    o = spawnOne(oldDist, name, iterations);
  }
  wall.push(n.wallNs / o.wallNs);
  cpu.push(n.cpuNs / o.cpuNs);
  const cols = [o.wallNs, n.wallNs, wall[i], o.cpuNs, n.cpuNs, cpu[i]].map((v, k) =>
    (k % 3 === 2 ? v.toFixed(3) : v.toFixed(0)).padStart(k % 3 === 0 ? 10 : 9),
  );
  console.log(`${String(i + 1).padStart(4)}  ${i % 2 === 0 ? 'old' : 'new'}  ${cols.join('')}`);
}
console.log(`new/old wall: ${summary(wall)}`);
console.log(`new/old cpu:  ${summary(cpu)}`);
