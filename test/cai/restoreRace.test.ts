// A restore whose policy await overlaps its application registering again or deregistering.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { closeLater } from './helpers.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-restore-race-'));
  closeLater({ close: async () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** A client on `store` whose policy holds its first question (the restore's) until `policyAnswers` opens. */
function heldAtFirstPolicy(store: string) {
  const policyAsked = gate();
  const policyAnswers = gate();
  let asked = 0;
  const client = closeLater(
    new PushClient({
      store,
      restoreRetry: { initialMs: 60_000, maxMs: 60_000 },
      policy: async () => {
        if (++asked > 1) return true;
        policyAsked.open();
        await policyAnswers.opened;
        return true;
      },
    }),
  );
  return { client, policyAsked, policyAnswers };
}

const appId = 'x-example:shared.ua';
const app = (name: string) => ({
  pushApplicationId: appId,
  applicationId: `urn:example:${name}`,
  connectionProfiles: [{ protocol: 'OTA-HTTP' as const, port: 0, contactPoint: '127.0.0.1' }],
});

describe('a restore whose application registers again, still binding, while the policy is asked', () => {
  it('stops there: the new registration, once stored, is the only one', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [app('name')] }));
    // The new registration's Push Server holds its CPI until released: it is still binding
    // (unstored, the held entry not let go) when the restore's policy answers.
    const cpiArrived = gate();
    const cpiAnswer = gate();
    const server = createServer((req, res) => {
      req.resume();
      cpiArrived.open();
      void cpiAnswer.opened.then(() => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closeLater({
      close: () =>
        new Promise<void>((r) => {
          cpiAnswer.open();
          server.closeAllConnections();
          server.close(() => r());
        }),
    });
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ppg`;
    const { client, policyAsked, policyAnswers } = heldAtFirstPolicy(store);
    const failures: string[] = [];
    client.on('restore-failed', ({ response }) => failures.push(response.reason));
    const started = client.start();
    await policyAsked.opened;
    const again = await client.register({
      ...app('name'),
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 0, contactPoint: uri }],
      handler: () => {},
    });
    if (again.status !== 'accepted') throw new Error(again.message);
    await cpiArrived.opened;
    policyAnswers.open();
    await started;
    // The restore did not come back beside it; the stored entry waits for the new one's outcome.
    expect(client.registrations().map((r) => r.id)).toEqual([again.registration.id]);
    expect(failures).toEqual(['duplicate-application-id']);
    cpiAnswer.open();
    expect(await again.completed).toEqual({ status: 'success' });
    expect(client.registrations().map((r) => [r.id, r.state])).toEqual([[again.registration.id, 'active']]);
    expect(client.heldRegistrations()).toEqual([]);
    const stored = JSON.parse(readFileSync(store, 'utf8')) as { registrations: Array<{ connectionProfiles: unknown }> };
    expect(stored.registrations.map((r) => r.connectionProfiles)).toEqual([
      [{ protocol: 'OTA-HTTP', port: 0, contactPoint: uri }],
    ]);
  });
});

describe('a restore whose application registers again while the policy is asked', () => {
  it('does not come back beside the new registration', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [app('name')] }));
    const { client, policyAsked, policyAnswers } = heldAtFirstPolicy(store);
    const started = client.start();
    await policyAsked.opened;
    const again = await client.register({ ...app('name'), handler: () => {} });
    if (again.status !== 'accepted') throw new Error(again.message);
    expect(await again.completed).toEqual({ status: 'success' });
    policyAnswers.open();
    await started;
    expect(client.registrations().map((r) => [r.id, r.state])).toEqual([[again.registration.id, 'active']]);
  });
});

describe('a restore whose application deregisters while the policy is asked', () => {
  it('does not come back: the deregistration stands', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [app('name')] }));
    const policyAsked = gate();
    const policyAnswers = gate();
    const client = closeLater(
      new PushClient({
        store,
        restoreRetry: { initialMs: 60_000, maxMs: 60_000 },
        policy: async () => {
          policyAsked.open();
          await policyAnswers.opened;
          return true;
        },
      }),
    );
    const failures: string[] = [];
    client.on('restore-failed', ({ response }) => failures.push(response.reason));
    const started = client.start();
    await policyAsked.opened;
    // Not in effect yet, but stored: it leaves the store (registrar.ts deregister, held entries).
    expect(await client.deregister(appId, 'urn:example:name')).toEqual({ status: 'success' });
    policyAnswers.open();
    await started;
    expect(client.registrations()).toEqual([]);
    expect(client.heldRegistrations()).toEqual([]);
    expect(failures).toEqual([]);
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual({ version: 1, registrations: [] });
  });
});
