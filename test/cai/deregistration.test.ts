// PushCAI 5.2 Push Application Deregistration (CAI-C-002).
import { describe, expect, it } from 'vitest';
import type { RegistrationRequest } from '../../src/cai/types.js';
import type { PushClient } from '../../src/cai/client.js';
import { boundClient, datagram, inbox, siPush } from './helpers.js';

async function registered(client: PushClient, request: RegistrationRequest) {
  const r = await client.register(request);
  if (r.status !== 'accepted') throw new Error(`refused: ${r.message}`);
  expect(await r.completed).toEqual({ status: 'success' });
  return r.registration;
}

describe('PushCAI 5.2: deregistration', () => {
  it('rejects deregistering an application that is not registered', async () => {
    const { client } = await boundClient();
    expect(await client.deregister('x-wap-application:mms.ua')).toMatchObject({
      status: 'rejected',
      reason: 'not-registered',
    });
    const r = await registered(client, { pushApplicationId: 0x04 });
    expect(await client.deregister(r)).toEqual({ status: 'success' });
    expect(await client.deregister(r)).toMatchObject({ status: 'rejected', reason: 'not-registered' });
    expect(await client.deregister(0x04)).toMatchObject({ status: 'rejected', reason: 'not-registered' });
  });

  it('deregisters by Push Application ID in either form; asks for the name when two applications share it', async () => {
    const { client } = await boundClient();
    await registered(client, { pushApplicationId: 0x02, applicationId: 'urn:a' });
    await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:b',
      connectionProfiles: [{ port: 40_000 }],
    });
    expect(await client.deregister('x-wap-application:wml.ua')).toMatchObject({
      status: 'rejected',
      reason: 'ambiguous',
    });
    expect(await client.deregister('x-wap-application:wml.ua', 'urn:b')).toEqual({ status: 'success' });
    expect(await client.deregister(2)).toEqual({ status: 'success' });
    expect(client.registrations()).toEqual([]);
  });

  it('removes App IDs and MIME types from the CPI only when no other registration needs them', async () => {
    const { client } = await boundClient();
    const inboxReg = await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:inbox',
      accept: ['application/vnd.wap.sic', 'text/vnd.wap.si'],
    });
    const alt = await registered(client, {
      pushApplicationId: 0x02,
      applicationId: 'urn:alt',
      accept: ['application/vnd.wap.sic'],
      connectionProfiles: [{ port: 40_001 }],
    });
    const mms = await registered(client, { pushApplicationId: 0x04, accept: ['application/vnd.wap.mms-message'] });
    expect(await client.deregister(inboxReg)).toEqual({ status: 'success' });
    // wml.ua stays (alt still has it); text/vnd.wap.si was only the inbox's.
    expect(client.cpi().acceptAppIds).toEqual(['x-wap-application:mms.ua', 'x-wap-application:wml.ua']);
    expect(client.cpi().accept).toEqual(['application/vnd.wap.mms-message', 'application/vnd.wap.sic']);
    expect(await client.deregister(alt)).toEqual({ status: 'success' });
    expect(client.cpi().acceptAppIds).toEqual(['x-wap-application:mms.ua']);
    expect(client.cpi().accept).toEqual(['application/vnd.wap.mms-message']);
    expect(mms.state).toBe('active');
  });

  it('removes only the whitelist entries solely associated with the deregistered application', async () => {
    const { client } = await boundClient({ whitelist: [{ address: '+15550009' }] });
    const a = await registered(client, {
      pushApplicationId: 0x02,
      whitelist: [{ address: '+15550001' }, { address: '+15550002' }, { address: '+15550009' }],
    });
    const b = await registered(client, { pushApplicationId: 0x04, whitelist: [{ address: '+1 555 0002' }] });
    expect(await client.deregister(a)).toEqual({ status: 'success' });
    expect(client.whitelist()).toEqual([
      { address: '+15550009', owners: ['client'] },
      { address: '+15550002', owners: [b.id] },
    ]);
  });

  it('does not affect other registrations: they keep receiving', async () => {
    const { client } = await boundClient();
    const si = inbox();
    const mms = inbox();
    const a = await registered(client, { pushApplicationId: 0x02, handler: si.handler });
    await registered(client, { pushApplicationId: 0x04, handler: mms.handler });
    expect(await client.deregister(a)).toEqual({ status: 'success' });
    client.deliverDatagram(datagram(siPush({ applicationId: 0x04 })));
    client.deliverDatagram(datagram(siPush()));
    expect(mms.got).toHaveLength(1);
    expect(si.got).toHaveLength(0);
    expect(client.stats.unrouted).toBe(1);
  });
});
