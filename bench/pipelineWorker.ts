// One worker_threads worker of the pipeline scaling run: its own simulator and PushClient, the
// pipeline driven for workerData.ms, the count of pushes handled sent back.
import { parentPort, workerData } from 'node:worker_threads';
import { frames, pipelineClient, pushPdu, readOf, through } from './pipeline.js';

/** What a worker posts back. */
export interface PipelineWorkerResult {
  pushes: number;
  ms: number;
}

const { ms: runMs } = workerData as { ms: number };
let handled = 0;
const { client, close } = await pipelineClient(1, () => {
  handled++;
});
const singles = frames(pushPdu, 256).map(readOf);
const start = Date.now();
let i = 0;
while (Date.now() - start < runMs) {
  for (let k = 0; k < 1_000; k++) through(client, singles[i++ & 255]);
}
const ms = Date.now() - start;
await close();
const result: PipelineWorkerResult = { pushes: handled, ms };
parentPort!.postMessage(result);
