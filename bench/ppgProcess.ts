// Our PPG in a process of its own for the PPG benchmark (bench/ppg.ts), as Kannel's runs in
// bearerbox and wapbox: the driver's fetch calls and the SMSC simulator must not share its
// event loop. `node bench/.build/bench/ppgProcess.js SMSC_PORT STATE_DIR [OPTIONS]` prints
// `{"port":N,"writes":true}` once listening, and closes on SIGTERM; on SIGUSR2 it prints
// `{"writes":N,"turns":M}`: push-table writes so far, and the event-loop turns they were made
// in (lmdb commits each turn's writes together, so turns count commits, give or take). Node flags (such as --cpu-prof) come
// from the driver's BENCH_PPG_NODE_ARGS, OPTIONS from its BENCH_PPG_ARGS:
//   --store-option NAME=VALUE   a StoreOptions field for the lmdb store (VALUE read as JSON
//                               when it parses, else as text), e.g. sync=everysec
//   --store memory              a MemoryStore instead (a diagnostic: no durable writes)
//   --ppg-option NAME=VALUE     a PpgOptions field, likewise (receipts=false, statusWriteMs=0)
import { Ppg, type PpgOptions } from '../src/ppg/ppg.js';
import { LmdbStore } from '../src/store/lmdb/lmdbStore.js';
import { MemoryStore } from '../src/store/memory.js';
import type { StoreOptions } from '../src/store/options.js';

const usage = () => {
  console.error(
    'usage: node bench/.build/bench/ppgProcess.js SMSC_PORT STATE_DIR [--store-option NAME=VALUE]... [--ppg-option NAME=VALUE]... [--store memory]',
  );
  process.exit(2);
};
const [smscPort, dir, ...rest] = process.argv.slice(2);
if (!smscPort || !dir) usage();
const storeOptions: Record<string, unknown> = {};
const ppgOptions: Record<string, unknown> = {};
let memory = false;
for (let i = 0; i < rest.length; i += 2) {
  const [flag, value] = [rest[i], rest[i + 1]];
  if (value === undefined) usage();
  const into = flag === '--store-option' ? storeOptions : flag === '--ppg-option' ? ppgOptions : undefined;
  if (flag === '--store' && value === 'memory') memory = true;
  else if (into && value.includes('=')) {
    const name = value.slice(0, value.indexOf('='));
    const text = value.slice(name.length + 1);
    try {
      into[name] = JSON.parse(text);
    } catch {
      into[name] = text;
    }
  } else usage();
}
// Fields this build's StoreOptions may not know yet (the driver passes them through as given).
const options: StoreOptions = storeOptions;
const store = memory ? new MemoryStore(options) : new LmdbStore(dir, options);
// Connection caps as Kannel's `concurrent-pushes = 1000` (bench/kannelPpg.ts): the defaults
// (32 from one address) would refuse the driver's 100 in flight.
const more: Partial<PpgOptions> = ppgOptions;
const ppg = new Ppg({
  ...more,
  smsc: `smpp://ppg:secret@127.0.0.1:${smscPort}`,
  store,
  maxRecords: 100_000,
  maxConnections: 1_000,
  maxConnectionsPerAddress: 1_000,
});
const counts = { writes: 0, turns: 0 };
let turn = false;
const put = store.pushes.put.bind(store.pushes);
store.pushes.put = (id, value) => {
  counts.writes++;
  if (!turn) {
    turn = true;
    counts.turns++;
    setImmediate(() => (turn = false));
  }
  return put(id, value);
};
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify(counts)}\n`));
const port = await ppg.start();
process.stdout.write(`${JSON.stringify({ port, writes: true })}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await ppg.close();
    await store.close();
    process.exit(0);
  })();
});
