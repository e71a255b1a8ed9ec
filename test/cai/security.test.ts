// PushCAI 6 Security Considerations (CAI-C-004, optional; implemented).
import { describe, expect, it } from 'vitest';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { boundClient } from './helpers.js';

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
});
