// One suite in a process of its own: node --expose-gc bench/.build/bench/child.js <suite> <out.json> [--quick].
// Suites run apart so that one suite's work (type feedback in the shared WSP/WBXML code, its
// heap, its modules' set-up) does not bend another's figures. Measured here: the pipeline's
// paired ratio to its decode was 0.45-0.51x in a process that had loaded every suite's module,
// and 0.63-1.27x (one run each, quick) in a process that loaded only its own.
import { writeFileSync } from 'node:fs';
import type { PairedResult } from './paired.js';
import type { Skipped } from './peers.js';

/** The SI target's paired rounds against libwbxml2, and the floor's (bench/floor.ts) beside them. */
export type SiTargetResult = Skipped | (PairedResult & { floor: PairedResult; sink: number });

/**
 * The SI target in paired rounds: our full push decode and libwbxml2's tree build of its body,
 * alternating. Then the same for the floor (bench/floor.ts), a decoder for this one push only:
 * how far any decoder could take the ratio in this process.
 */
async function runSiTarget({ quick }: { quick: boolean }): Promise<SiTargetResult> {
  const { fullDecode, siBody, siPdu } = await import('./codec.js');
  const { floorDecode } = await import('./floor.js');
  const { opsPerSec, paired, pairedSettings } = await import('./paired.js');
  const { isSkipped, runLibwbxml } = await import('./peers.js');
  const built = runLibwbxml([['si', siBody]], 0.01, { treeOnly: true });
  if (isSkipped(built)) return { skipped: built.skipped };
  const peer = (sec: number): number => {
    const r = runLibwbxml([['si', siBody]], sec, { treeOnly: true });
    if (isSkipped(r)) throw new Error(`libwbxml2 peer: ${r.skipped}`);
    return r.si.tree;
  };
  let sink = 0;
  const ours = paired({ ours: (sec) => opsPerSec(() => fullDecode(siPdu), sec), peer, ...pairedSettings(quick) });
  const floor = paired({
    ours: (sec) =>
      opsPerSec(() => {
        sink += floorDecode(siPdu).si.text.length;
      }, sec),
    peer,
    ...pairedSettings(quick),
  });
  return { ...ours, floor, sink };
}

// Each suite's module is loaded only in its own process: module-level set-up of the others
// (documents encoded, the smpp package loaded) must not shape this one's figures either.
const SUITES = {
  codec: async (o: { quick: boolean }) => (await import('./codec.js')).runCodec(o),
  documents: async (o: { quick: boolean }) => (await import('./documents.js')).runDocuments(o),
  content: async (o: { quick: boolean }) => (await import('./content.js')).runContent(o),
  wdp: async (o: { quick: boolean }) => (await import('./wdp.js')).runWdp(o),
  cai: async (o: { quick: boolean }) => (await import('./cai.js')).runCai(o),
  pipeline: async (o: { quick: boolean }) => (await import('./pipeline.js')).runPipeline(o),
  smpp: async (o: { quick: boolean }) => (await import('./smpp.js')).runSmpp(o),
  'smpp-store': async (o: { quick: boolean }) => (await import('./smppStore.js')).runSmppStore(o),
  'smpp-binds': async (o: { quick: boolean }) => (await import('./smppStore.js')).runSmppBinds(o),
  'smpp-singles': async (o: { quick: boolean }) => (await import('./smppSingles.js')).runSmppSingles(o),
  'smpp-cluster': async (o: { quick: boolean }) => (await import('./smppStore.js')).runSmppCluster(o),
  flood: async (o: { quick: boolean }) => (await import('./flood.js')).runFloodBench(o),
  ppg: async (o: { quick: boolean }) => (await import('./ppg.js')).runPpgBench(o),
  metrics: async (o: { quick: boolean }) => (await import('./metrics.js')).runMetricsCost(o),
  'si-target': runSiTarget,
};

/** Each suite's name and what its process writes to its out.json (bench/run.ts reads it back; types only). */
export type Suites = { [K in keyof typeof SUITES]: Awaited<ReturnType<(typeof SUITES)[K]>> };

const isSuite = (name: string | undefined): name is keyof typeof SUITES => name !== undefined && name in SUITES;

const [name, out] = process.argv.slice(2);
if (!isSuite(name) || !out) {
  console.error(
    `usage: node --expose-gc bench/.build/bench/child.js <${Object.keys(SUITES).join('|')}> <out.json> [--quick]`,
  );
  process.exit(2);
}
const result = await SUITES[name]({ quick: process.argv.includes('--quick') });
writeFileSync(out, JSON.stringify(result));
process.exit(0);
