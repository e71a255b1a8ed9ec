// Parts of the tests of duplicates across nodes sharing a Redis store: a node with client
// options of the test's own, the order racing duplicates settle by, and a gate on a node's reads
// of the record table, to hold a node at its read after a write.
import { createHash } from 'node:crypto';
import { PushClient, type PushClientOptions } from '../../src/cai/client.js';
import type { RegistrationResponse } from '../../src/cai/registration.js';
import { openStore } from '../../src/store/open.js';
import type { StoreOptions } from '../../src/store/options.js';
import type { RecordTable } from '../../src/store/types.js';
import { nodeSmsc, type Cleanup } from '../durable/nodes.js';

export const APP = 'x-example:cluster.ua';

/** A started PushClient on its own SMSC and a store opened on `storeUrl` (with `storeOptions`), without OTA-HTTP unless asked. */
export async function clusterNode(
  cleanup: Cleanup,
  storeUrl: string,
  options: Omit<PushClientOptions, 'smsc' | 'store'> = {},
  storeOptions: StoreOptions = {},
) {
  const { port } = await nodeSmsc(cleanup);
  const store = await openStore(storeUrl, storeOptions);
  cleanup.push(() => store.close());
  const client = new PushClient({ smsc: `smpp://client:pw@127.0.0.1:${port}`, store, otaHttp: false, ...options });
  cleanup.push(() => client.close());
  await client.start();
  return { store, client };
}

export async function outcome(r: RegistrationResponse) {
  return r.status === 'accepted' ? await r.completed : r;
}

/**
 * Of applications `urn:example:NAME` of APP, the names in the order racing duplicates settle
 * by (docs/pushcai.md): the application id, a SHA-256 of the App ID and name (store.ts
 * registrationRecordId), compared as text.
 */
export function settleOrder(...names: string[]): string[] {
  const id = (name: string) =>
    createHash('sha256')
      .update(JSON.stringify([APP, `urn:example:${name}`]))
      .digest('base64url');
  return [...names].sort((x, y) => (id(x) < id(y) ? -1 : 1));
}

/**
 * Holds a node's reads of its record table while shut: each list() waits until open() (it
 * then reads the table as it is by then). `calls` counts the lists made; `waiting`, those held.
 */
export function gateReads(table: RecordTable) {
  const list = table.list.bind(table);
  let release: (() => void) | undefined;
  let opened: Promise<void> = Promise.resolve();
  const gate = {
    calls: 0,
    waiting: 0,
    shut(): void {
      opened = new Promise<void>((r) => (release = r));
    },
    open(): void {
      release?.();
      release = undefined;
    },
  };
  table.list = async () => {
    gate.calls++;
    gate.waiting++;
    await opened;
    gate.waiting--;
    return list();
  };
  return gate;
}
