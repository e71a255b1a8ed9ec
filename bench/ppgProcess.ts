// Our PPG in a process of its own for the PPG benchmark (bench/ppg.ts), as Kannel's runs in
// bearerbox and wapbox: the driver's fetch calls and the SMSC simulator must not share its
// event loop. `node bench/.build/bench/ppgProcess.js SMSC_PORT STATE_DIR` prints
// `{"port":N}` once listening, and closes on SIGTERM. Node flags (such as --cpu-prof) come
// from the driver's BENCH_PPG_NODE_ARGS.
import { Ppg } from '../src/ppg/ppg.js';
import { LmdbStore } from '../src/store/lmdb/lmdbStore.js';

const [smscPort, dir] = process.argv.slice(2);
if (!smscPort || !dir) {
  console.error('usage: node bench/.build/bench/ppgProcess.js SMSC_PORT STATE_DIR');
  process.exit(2);
}
const store = new LmdbStore(dir);
// Connection caps as Kannel's `concurrent-pushes = 1000` (bench/kannelPpg.ts): the defaults
// (32 from one address) would refuse the driver's 100 in flight.
const ppg = new Ppg({
  smsc: `smpp://ppg:secret@127.0.0.1:${smscPort}`,
  store,
  maxRecords: 100_000,
  maxConnections: 1_000,
  maxConnectionsPerAddress: 1_000,
});
const port = await ppg.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await ppg.close();
    await store.close();
    process.exit(0);
  })();
});
