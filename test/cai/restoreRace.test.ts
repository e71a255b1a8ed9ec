// A restore whose policy await overlaps the leaving of the registration that blocked it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { closeLater, until } from './helpers.js';

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

const appId = 'x-example:shared.ua';
const app = (name: string) => ({
  pushApplicationId: appId,
  applicationId: `urn:example:${name}`,
  connectionProfiles: [{ protocol: 'OTA-HTTP' as const, port: 0, contactPoint: '127.0.0.1' }],
});

describe('a restore whose blocker leaves while the policy is asked', () => {
  it('is restored: the duplicate check sees the registry as it is after the policy answered', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [app('ip'), app('name')] }));
    const policyAsked = gate();
    const policyAnswers = gate();
    const client = closeLater(
      new PushClient({
        store,
        restoreRetry: { initialMs: 60_000, maxMs: 60_000 },
        policy: async (request) => {
          if (request.applicationId !== 'urn:example:name') return true;
          policyAsked.open();
          await policyAnswers.opened;
          return true;
        },
      }),
    );
    const failures: string[] = [];
    client.on('restore-failed', ({ request, response }) =>
      failures.push(`${request.applicationId}: ${response.reason}`),
    );
    const started = client.start();
    await policyAsked.opened;
    await until(() => client.registrations().some((r) => r.applicationId === 'urn:example:ip'), 3_000, 'ip restored');
    expect(await client.deregister(appId, 'urn:example:ip')).toEqual({ status: 'success' });
    policyAnswers.open();
    await started;
    expect(failures).toEqual([]);
    expect(client.registrations().map((r) => [r.applicationId, r.state])).toEqual([['urn:example:name', 'active']]);
    expect(client.heldRegistrations()).toEqual([]);
  });
});

describe('a restore whose application registers again while the policy is asked', () => {
  it('does not come back beside the new registration', async () => {
    const dir = tempDir();
    const store = join(dir, 'registrations.json');
    writeFileSync(store, JSON.stringify({ version: 1, registrations: [app('name')] }));
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
