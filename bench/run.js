// `npm run bench [-- --quick]`: runs the suites, prints a table, writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runCodec } from './codec.js';
import { runWdp } from './wdp.js';
import { runSmpp } from './smpp.js';
import { runCai } from './cai.js';
import { runContent } from './content.js';

const quick = process.argv.includes('--quick');
console.log(`wappush benchmarks (${quick ? 'quick' : 'full'}) on ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log('codec:');
const codec = await runCodec({ quick });
console.log(`  SI body ${codec.siBodyLength} octets, PDU ${codec.siPduLength} octets`);
console.log('wdp:');
const wdp = await runWdp({ quick });
console.log('content (push bodies beyond SI/SL):');
const content = await runContent({ quick });
console.log(`  PDU octets: ${JSON.stringify(content.sizes)}`);
console.log('cai (Push Client dispatch):');
const cai = await runCai({ quick });
console.log('smpp end to end (deliveries/s, loopback):');
const endToEnd = await runSmpp({ quick });
const results = [...codec.results, ...content.results, ...wdp.results, ...cai.results];
const byName = Object.fromEntries(results.map((r) => [r.name, r.hz]));
const ratios = {
  'si-push-routing/vs-si-push-decode': byName['si-push-routing'] / byName['si-push-decode'],
  'single-segment-deliver-sm/vs-smpp-package-parse': byName['single-segment-deliver-sm'] / byName['peer-smpp-package-deliver-sm-parse'],
  'cai-dispatch-1000-registrations/vs-routing-decode': byName['cai-dispatch-1000-registrations'] / byName['peer-routing-decode-same-push'],
  'cai-dispatch-1000-registrations/vs-full-decode': byName['cai-dispatch-1000-registrations'] / byName['peer-full-decode-same-push'],
  'mms-notification-decode/vs-si-push-decode': byName['mms-notification-decode'] / byName['peer-si-push-decode'],
  'provisioning-decode/vs-si-push-decode': byName['provisioning-decode'] / byName['peer-si-push-decode'],
  'emn-decode/vs-si-push-decode': byName['emn-decode'] / byName['peer-si-push-decode'],
  'syncml-notification-decode/vs-si-push-decode': byName['syncml-notification-decode-with-digest'] / byName['peer-si-push-decode'],
  'cai-dispatch-1000/vs-1-registration': byName['cai-dispatch-1000-registrations'] / byName['cai-dispatch-1-registration'],
};
console.log(`  routing-only is ${ratios['si-push-routing/vs-si-push-decode'].toFixed(1)}x the full decode`);
console.log(`  deliver_sm -> datagram is ${ratios['single-segment-deliver-sm/vs-smpp-package-parse'].toFixed(1)}x the smpp package's parse of the same PDU`);
console.log(`  dispatch with 1,000 registrations is ${ratios['cai-dispatch-1000-registrations/vs-full-decode'].toFixed(1)}x the full decode of the same push, ${ratios['cai-dispatch-1000-registrations/vs-routing-decode'].toFixed(2)}x its routing-only decode, ${ratios['cai-dispatch-1000/vs-1-registration'].toFixed(2)}x dispatch with 1 registration`);
if (wdp.memory) {
  console.log(`  pending memory: ${wdp.memory.bookkeepingBytesPerMessage} octets of bookkeeping per message (${wdp.memory.messages} pending), plus the held segment data`);
} else {
  console.log('  pending memory: run with node --expose-gc to measure');
}
const out = new URL('./results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(
  new URL('latest.json', out),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory: os.totalmem(), platform: `${os.platform()} ${os.release()}` },
      node: process.version,
      quick,
      cases: results.map((r) => ({ name: r.name, opsPerSec: r.hz, marginPercent: r.rme, samples: r.samples })),
      ratios,
      pendingMemory: wdp.memory ?? null,
      smppEndToEnd: endToEnd,
    },
    null,
    2,
  ) + '\n',
);
process.exit(0);
