// One worker_threads worker of the pipeline scaling run: its own simulator and PushClient, the
// pipeline driven for workerData.ms, the count of pushes handled sent back.
import { parentPort, workerData } from 'node:worker_threads';
import { BENCH_WINDOW, ChunkFeed, feedSocket, frames, pipelineClient, pushPdu, SINGLE_VARIANTS } from './pipeline.js';

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
const feed = new ChunkFeed(frames(pushPdu, SINGLE_VARIANTS), BENCH_WINDOW, feedSocket(client));
const start = Date.now();
while (Date.now() - start < runMs) {
  for (let k = 0; k < 1_000; k++) feed.onePush();
}
const ms = Date.now() - start;
await close();
const result: PipelineWorkerResult = { pushes: handled, ms };
parentPort!.postMessage(result);
