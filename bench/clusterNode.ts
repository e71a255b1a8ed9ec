// One listen node of the cluster bench (bench/smppStore.ts), a process of its own:
//   node clusterNode.js SMSC_URL REDIS_URL PREFIX
// Opens the Redis store, says it is ready, binds on 'go', counts the pushes its handler gets,
// and on 'stop' reports the count and its CPU time since 'go', and exits.
import { EsmeLink, decodePushPdu, openStore } from '../src/index.js';
import type { NodeMessage } from './smppStore.js';

const [smsc, redisUrl, prefix] = process.argv.slice(2);
const store = await openStore(redisUrl, { prefix });
let delivered = 0;
let cpu0 = process.cpuUsage();
const link = new EsmeLink({
  smsc,
  duplicateWindowMs: 0,
  maxInFlight: 1_000,
  enquireLinkMs: 0,
  store,
  onDatagram: (d) => {
    delivered += decodePushPdu(d.payload).headers.length >= 0 ? 1 : 0;
  },
});
const send = (m: NodeMessage): void => {
  process.send?.(m);
};
process.on('message', (m: string) => {
  if (m === 'go') {
    cpu0 = process.cpuUsage();
    void link.start();
  }
  if (m === 'stop') {
    void (async () => {
      const cpu = process.cpuUsage(cpu0);
      send({ delivered, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
      await link.close();
      await store.close();
      process.exit(0);
    })();
  }
});
send({ ready: true });
