// `npm run bench [-- --quick]`: every layer's suite with its peers in the same run, a table on the
// terminal as it goes, bench/results/latest.json (machine, Node, every case's ops/s and margin,
// ratios named "case/vs-peer" = our speed / the peer's, memory, scaling) and bench/results/ratios.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runCodec } from './codec.js';
import { runDocuments, runDocumentsPeer } from './documents.js';
import { mergePeerRuns } from './peers.js';
import { runContent } from './content.js';
import { runWdp } from './wdp.js';
import { runCai } from './cai.js';
import { runPipeline } from './pipeline.js';
import { runSmpp } from './smpp.js';
import { ratiosSvg } from './svg.js';

const quick = process.argv.includes('--quick');
const started = Date.now();
const section = (name) => console.log(`\n${name}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
console.log(`wappush benchmarks (${quick ? 'quick' : 'full'}) on ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}`);

section('libwbxml2 (C), first of two runs: before our suites, so drift of the machine shows as spread');
const peerFirst = runDocumentsPeer({ quick });
if (peerFirst.skipped) console.log(`  libwbxml2 peer skipped: ${peerFirst.skipped}`);
section('codec: WSP push decode (full, routing-only, headers-only), SI encode');
const codec = await runCodec({ quick });
section('documents: each WBXML document decoded and encoded; libwbxml2 (C) on the same octets');
const documents = await runDocuments({ quick });
documents.peer = mergePeerRuns(peerFirst, documents.peer);
if (documents.peer.skipped) console.log(`  libwbxml2 peer skipped: ${documents.peer.skipped}`);
else for (const [name, p] of Object.entries(documents.peer)) console.log(`  libwbxml2 ${name.padEnd(13)} tree ${Math.round(p.tree).toLocaleString('en-US').padStart(10)} ops/s (two runs ±${(p.treeSpreadPercent / 2).toFixed(1)}%)   wbxml2xml ${Math.round(p.xml).toLocaleString('en-US').padStart(10)} ops/s`);
section('content: MMS, provisioning, EMN, SyncML pushes beside the SI push');
const content = await runContent({ quick });
section('wdp: UDH, reassembly (1, 3, 8 segments; 10,000 pending), deliver_sm; the smpp package');
const wdp = await runWdp({ quick });
section('cai: dispatch with 1 and 1,000 registrations');
const cai = await runCai({ quick });
section('pipeline: deliver_sm octets to the handler; heap; registrations; worker_threads');
const pipeline = await runPipeline({ quick });
section('smpp end to end on loopback (deliveries/s), beside the smpp package pair');
const endToEnd = await runSmpp({ quick });

const results = [...codec.results, ...documents.results, ...content.results, ...wdp.results, ...cai.results, ...pipeline.results];
const hz = Object.fromEntries(results.map((r) => [r.name, r.hz]));
const ratios = {
  'si-push-decode/vs-libwbxml2-tree': undefined,
  'si-push-routing/vs-si-push-decode': hz['si-push-routing'] / hz['si-push-decode'],
  'single-segment-deliver-sm/vs-smpp-package-parse': hz['single-segment-deliver-sm'] / hz['peer-smpp-package-deliver-sm-parse'],
  'pipeline-single-sms/vs-push-decode-alone': hz['pipeline-single-sms'] / hz['peer-push-decode-alone'],
  'pipeline-3-segments/vs-push-decode-alone': hz['pipeline-3-segments'] / hz['peer-push-decode-alone'],
  'cai-dispatch-1000-registrations/vs-full-decode': hz['cai-dispatch-1000-registrations'] / hz['peer-full-decode-same-push'],
  'cai-dispatch-1000/vs-1-registration': hz['cai-dispatch-1000-registrations'] / hz['cai-dispatch-1-registration'],
  'mms-notification-decode/vs-si-push-decode': hz['mms-notification-decode'] / hz['peer-si-push-decode'],
  'provisioning-decode/vs-si-push-decode': hz['provisioning-decode'] / hz['peer-si-push-decode'],
};
if (!documents.peer.skipped) {
  for (const [name, p] of Object.entries(documents.peer)) {
    ratios[`${name}-body-decode/vs-libwbxml2-tree`] = hz[`${name}-body-decode`] / p.tree;
    ratios[`${name}-body-decode/vs-libwbxml2-wbxml2xml`] = hz[`${name}-body-decode`] / p.xml;
  }
  ratios['si-push-decode/vs-libwbxml2-tree'] = hz['si-push-decode'] / documents.peer.si.tree;
} else delete ratios['si-push-decode/vs-libwbxml2-tree'];
for (const e of endToEnd) ratios[`smpp-end-to-end-window-${e.window}/vs-smpp-package-pair`] = e.ratio;

console.log('\nratios (our speed / the peer\'s):');
for (const [k, v] of Object.entries(ratios)) console.log(`  ${k.padEnd(58)} ${v.toFixed(2)}x`);
const growth = pipeline.heap.growthBytes;
console.log(`\nheap growth over ${pipeline.heap.pushes.toLocaleString('en-US')} pushes (after the first quarter): ${(growth / 1024).toFixed(1)} KiB`);
if (wdp.memory) console.log(`pending reassembly: ${wdp.memory.bookkeepingBytesPerMessage} octets of bookkeeping per message; per registration: ${pipeline.perRegistration} octets`);
else console.log('memory figures need node --expose-gc (npm run bench passes it)');

const out = new URL('./results/', import.meta.url);
mkdirSync(out, { recursive: true });
const report = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory: os.totalmem(), platform: `${os.platform()} ${os.release()}` },
  node: process.version,
  quick,
  seconds: Math.round((Date.now() - started) / 1000),
  cases: results.map((r) => ({ name: r.name, opsPerSec: r.hz, marginPercent: r.rme, samples: r.samples })),
  peers: { libwbxml2: documents.peer, documentOctets: documents.sizes },
  ratios,
  memory: { pendingReassembly: wdp.memory ?? null, bytesPerRegistration: pipeline.perRegistration, heapOverRun: pipeline.heap },
  scaling: { pipelineWorkers: pipeline.workers },
  smppEndToEnd: endToEnd,
};
writeFileSync(new URL('latest.json', out), JSON.stringify(report, null, 2) + '\n');
writeFileSync(new URL('ratios.svg', out), ratiosSvg(ratios, `wappush / peer, ${quick ? 'quick ' : ''}run of ${report.date.slice(0, 10)} (${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version})`));
console.log(`\nwrote bench/results/latest.json and bench/results/ratios.svg in ${report.seconds} s`);
process.exit(0);
