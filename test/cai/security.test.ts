// PushCAI 6 Security Considerations (CAI-C-004, optional; implemented).
import { describe, expect, it } from 'vitest';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { boundClient, datagram, inbox, siPush } from './helpers.js';

describe('PushCAI 6: registration policy', () => {
  it('trusts every application when no policy is enforced', async () => {
    const { client } = await boundClient();
    const r = await client.register({
      pushApplicationId: 'x-oma-application:java-ams',
      applicationId: 'urn:unknown:midlet',
    });
    expect(r.status).toBe('accepted');
    if (r.status === 'accepted') expect(await r.completed).toEqual({ status: 'success' });
  });

  it('lets a policy refuse, with its reason, before anything is bound', async () => {
    const asked: RegistrationRequest[] = [];
    const { client } = await boundClient({
      policy: async (req) => {
        asked.push(req);
        if (req.applicationId?.startsWith('urn:trusted:')) return true;
        return req.pushApplicationId === 0x04 ? 'MMS is reserved for the operator client' : false;
      },
    });
    expect(await client.register({ pushApplicationId: 0x04, applicationId: 'urn:other:mms' })).toEqual({
      status: 'rejected',
      reason: 'policy',
      message: 'MMS is reserved for the operator client',
    });
    expect(await client.register({ pushApplicationId: 0x02 })).toMatchObject({
      status: 'rejected',
      reason: 'policy',
      message: 'refused by the registration policy',
    });
    expect((await client.register({ pushApplicationId: 0x04, applicationId: 'urn:trusted:mms' })).status).toBe(
      'accepted',
    );
    expect(asked).toHaveLength(3);
    expect(client.registrations().map((r) => r.applicationId)).toEqual(['urn:trusted:mms']);
  });

  it('refuses when the policy itself fails', async () => {
    const { client } = await boundClient({
      policy: () => {
        throw new Error('policy store down');
      },
    });
    expect(await client.register({ pushApplicationId: 0x02 })).toMatchObject({
      status: 'rejected',
      reason: 'policy',
      message: 'policy failed: policy store down',
    });
  });

  it('registers the request it validated, whatever the application changes while the policy decides', async () => {
    const { client } = await boundClient({ policy: async () => true });
    const box = inbox();
    const req = {
      pushApplicationId: 0x02,
      whitelist: [{ address: '+15550001' }],
      accept: ['application/vnd.wap.sic'],
      handler: box.handler,
    };
    const pending = client.register(req);
    // During the policy's await: an emptied whitelist would take pushes from anyone.
    req.whitelist.length = 0;
    req.accept.push('not a mime type');
    const r = await pending;
    if (r.status !== 'accepted') throw new Error(`rejected: ${r.message}`);
    expect(await r.completed).toEqual({ status: 'success' });
    expect(r.registration.whitelist).toEqual([{ address: '+15550001' }]);
    expect(r.registration.accept).toEqual(['application/vnd.wap.sic']);
    expect(r.registration.request).toMatchObject({
      whitelist: [{ address: '+15550001' }],
      accept: ['application/vnd.wap.sic'],
    });
    for (const from of ['+15550001', '+15550009'])
      client.deliverDatagram(datagram(siPush({ text: from }), { originator: from }));
    expect(box.got.map((e) => e.originator)).toEqual(['+15550001']);
  });

  it('leaves no registration behind when the application breaks its request during the policy', async () => {
    const { client } = await boundClient({ policy: async () => true });
    const req: { pushApplicationId: number; whitelist: Array<{ address: unknown }> } = {
      pushApplicationId: 0x02,
      whitelist: [{ address: '+15550001' }],
    };
    const pending = client.register(req as RegistrationRequest);
    req.whitelist[0] = { address: 42 };
    const r = await pending;
    expect(r.status).toBe('accepted');
    if (r.status === 'accepted') expect(await r.completed).toEqual({ status: 'success' });
    expect(client.registrations().map((x) => [x.state, x.whitelist])).toEqual([['active', [{ address: '+15550001' }]]]);
  });

  it('shows the policy the request frozen: a policy cannot change what was validated', async () => {
    const { client } = await boundClient({
      policy: (req) => {
        (req.whitelist as Array<{ address: string }>).length = 0;
        return true;
      },
    });
    const r = await client.register({ pushApplicationId: 0x02, whitelist: [{ address: '+15550001' }] });
    expect(r).toMatchObject({ status: 'rejected', reason: 'policy' });
    expect(client.registrations()).toEqual([]);
  });

  it('rejects a request whose details cannot be copied, naming the option', async () => {
    const { client } = await boundClient();
    const entry = { address: '+15550001', check: () => true };
    const r = await client.register({ pushApplicationId: 0x02, whitelist: [entry] });
    expect(r).toMatchObject({ status: 'rejected', reason: 'unsupported-option', option: 'whitelist[0].check' });
    expect(client.registrations()).toEqual([]);
  });
});
