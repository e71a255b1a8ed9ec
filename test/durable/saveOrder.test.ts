// Saves of the registration store made while another registration's save is in flight: each
// save writes the whole store, so one made then must carry the registration being added, or,
// queued after it, it takes that registration out of the store again (a restart then loses it).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('registrations completing together', () => {
  it('are all in the store once each has completed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-save-order-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const smsc = new SmscSimulator();
    const port = await smsc.listen();
    cleanup.push(() => smsc.close());
    const file = join(dir, 'registrations.json');
    const client = new PushClient({ smsc: `smpp://c:p@127.0.0.1:${port}`, store: file, otaHttp: false });
    cleanup.push(() => client.close());
    await client.start();
    const ids = [2, 4, 6];
    const accepted = await Promise.all(ids.map((id) => client.register({ pushApplicationId: id, handler: () => {} })));
    const done = await Promise.all(accepted.map((r) => (r.status === 'accepted' ? r.completed : r)));
    expect(done).toEqual(ids.map(() => ({ status: 'success' })));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { registrations: Array<{ pushApplicationId: number }> };
    expect(saved.registrations.map((r) => r.pushApplicationId).sort()).toEqual(ids);
  });
});
