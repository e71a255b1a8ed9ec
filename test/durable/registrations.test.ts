// Registrations on the state layer's record table (src/cai/store.ts StoredRegistrations): one
// record per application and holding node, a node deleting only what it wrote, an old file
// read once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoredRegistrations } from '../../src/cai/store.js';
import { MemoryStore } from '../../src/store/memory.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const a = { pushApplicationId: 'x-wap-application:wml.ua', applicationId: 'urn:test:a' };
const b = { pushApplicationId: 2, applicationId: 'urn:test:b' };

describe('StoredRegistrations', () => {
  it("keeps each node's registrations: a save deletes only what that node wrote", async () => {
    const store = new MemoryStore();
    cleanup.push(() => store.close());
    const nodeA = new StoredRegistrations(store.registrations, 'node-a');
    const nodeB = new StoredRegistrations(store.registrations, 'node-b');
    await nodeA.save([a]);
    await nodeB.save([b]);
    expect((await store.registrations.list()).map((r) => r.value)).toEqual(expect.arrayContaining([a, b]));
    await nodeA.save([]);
    expect((await store.registrations.list()).map((r) => r.value)).toEqual([b]);
    // The same application saved on a second node is a second holder of it, loaded as one registration.
    await nodeA.save([b]);
    expect(await store.registrations.list()).toHaveLength(2);
    expect(await new StoredRegistrations(store.registrations, 'node-c').load()).toEqual([b]);
    // Saved again on the same node, it is still one record of that node.
    await nodeA.save([b]);
    expect(await store.registrations.list()).toHaveLength(2);
    // One holder leaving leaves the other's record.
    await nodeB.save([]);
    expect((await store.registrations.list()).map((r) => [r.id.split('.')[1], r.value])).toEqual([['node-a', b]]);
  });

  it('reads an old registrations file when the table is empty, and moves it into the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-reg-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'registrations.json');
    writeFileSync(file, JSON.stringify({ version: 1, registrations: [a, b] }));
    const store = new MemoryStore();
    cleanup.push(() => store.close());
    expect(await new StoredRegistrations(store.registrations, 'node-a', file).load()).toEqual([a, b]);
    expect(await store.registrations.list()).toHaveLength(2);
    // Once the table holds registrations the file is not read again.
    writeFileSync(file, JSON.stringify({ version: 1, registrations: [] }));
    expect(await new StoredRegistrations(store.registrations, 'node-a', file).load()).toEqual(
      expect.arrayContaining([a, b]),
    );
  });
});
