// The ids a registration is stored and queued under (src/cai/store.ts, recordId.ts): a record
// as the registrar writes it carries its Push Service Registration answer's binding beside the
// request (`boundProfiles`); its id is its request's, the one its Registration's queue has.
// On a memory store, as one process owns it.
import { afterEach, describe, expect, it } from 'vitest';
import { Registration } from '../../src/cai/registration.js';
import { holderRecordId, parseRecordId, StoredRegistrations, type RegistrationRecord } from '../../src/cai/store.js';
import { queueName } from '../../src/cai/storeQueues.js';
import type { BoundProfile, RegistrationRequest } from '../../src/cai/types.js';
import { openStore } from '../../src/store/open.js';
import type { Cleanup } from '../durable/nodes.js';
import { APP } from './cluster.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** An unnamed application of APP bound through the Push Service Registration at `address`. */
const throughServer = (address: string): RegistrationRequest => ({
  pushApplicationId: APP,
  pushServiceRegistrationUri: address,
});

/** What its Push Server's answer bound it to (the same for both: only the address differs). */
const bound: BoundProfile[] = [{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 2948 }];

describe('an unnamed application bound through a Push Service Registration, stored', () => {
  it('is stored under the id its queue has: two differing only by the address are two records, both restored', async () => {
    const store = await openStore('memory', { registrationPollMs: 60_000 });
    cleanup.push(() => store.close());
    const ps1 = 'http://127.0.0.1:1/ps1';
    const ps2 = 'http://127.0.0.1:1/ps2';
    // As the registrar saves a registration its Push Server's answer bound.
    const records: RegistrationRecord[] = [ps1, ps2].map((a) => ({ ...throughServer(a), boundProfiles: bound }));
    const saved = new StoredRegistrations(store.registrations, 'n1');
    await saved.save(records);
    const ids = (await store.registrations.list()).map((r) => r.id);
    expect(ids).toHaveLength(2);
    for (const [i, address] of [ps1, ps2].entries()) {
      const r = new Registration(i + 1, throughServer(address), bound);
      expect(parseRecordId(holderRecordId(records[i], 'n1')).application).toBe(r.recordId);
      expect(queueName(r)).toBe(`app:${r.recordId}`);
      expect(ids).toContain(`${r.recordId}.n1`);
    }
    const loaded = await new StoredRegistrations(store.registrations, 'n1').load();
    expect(loaded.map((r) => r.pushServiceRegistrationUri).sort()).toEqual([ps1, ps2]);
  });
});
