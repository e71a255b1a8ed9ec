// PushCAI 5.1 Push Application Registration (CAI-C-001).
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import { boundClient, closeLater, datagram, inbox, siPush } from './helpers.js';

describe('PushCAI 5.1: registration request and response', () => {
  it('accepts a registration, then reports success once bound to the SMPP link', async () => {
    const { client } = await boundClient();
    const r = await client.register({
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:example:inbox',
      accept: ['application/vnd.wap.sic'],
    });
    expect(r.status).toBe('accepted');
    if (r.status !== 'accepted') return;
    expect(r.registration.state).toBe('pending');
    expect(await r.completed).toEqual({ status: 'success' });
    expect(r.registration.state).toBe('active');
    expect(r.registration.profiles).toEqual([{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 2948 }]);
  });

  it('retains the details of the registration request (5.1 last MUST)', async () => {
    const { client } = await boundClient();
    const request = {
      pushApplicationId: 0x04,
      applicationId: 'urn:example:mms',
      whitelist: [{ address: '+15550001' }],
      connectionProfiles: [{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: '2948', contactPoint: '+15550001' }],
      accept: ['application/vnd.wap.mms-message'],
    };
    const r = await client.register({ ...request, handler: () => {} });
    if (r.status !== 'accepted') throw new Error(r.message);
    expect(r.registration.request).toEqual(request);
    expect(r.registration.pushApplicationId).toBe('x-wap-application:mms.ua');
  });

  it('rejects a registration without pushApplicationId, or with one that is no App ID', async () => {
    const { client } = await boundClient();
    expect(await client.register({} as never)).toMatchObject({
      status: 'rejected',
      reason: 'invalid-request',
      option: 'pushApplicationId',
    });
    expect(await client.register({ pushApplicationId: 'not a uri' })).toMatchObject({
      status: 'rejected',
      reason: 'invalid-request',
      option: 'pushApplicationId',
    });
    expect(await client.register({ pushApplicationId: -1 })).toMatchObject({
      status: 'rejected',
      reason: 'invalid-request',
    });
  });
});

describe('PushCAI 5.1: an already-registered Push Application ID is rejected', () => {
  it('rejects a second application with the same App ID on the same binding, by URN or by code', async () => {
    const { client } = await boundClient();
    const first = await client.register({
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:example:a',
    });
    if (first.status !== 'accepted') throw new Error('first refused');
    await first.completed;
    for (const id of [0x02, '0x02', '2', 'X-WAP-APPLICATION:WML.UA']) {
      expect(await client.register({ pushApplicationId: id, applicationId: 'urn:example:b' })).toMatchObject({
        status: 'rejected',
        reason: 'duplicate-application-id',
        option: 'pushApplicationId',
      });
    }
    // An application with no name cannot show it is the same one.
    expect(await client.register({ pushApplicationId: 0x02 })).toMatchObject({
      status: 'rejected',
      reason: 'duplicate-application-id',
    });
  });

  it('accepts the same application re-registering, and the new registration replaces the old', async () => {
    const { client } = await boundClient();
    const a = inbox();
    const b = inbox();
    const first = await client.register({
      pushApplicationId: 0x02,
      applicationId: 'urn:example:a',
      handler: a.handler,
    });
    if (first.status !== 'accepted') throw new Error('refused');
    await first.completed;
    const again = await client.register({
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:example:a',
      handler: b.handler,
    });
    if (again.status !== 'accepted') throw new Error(`re-registration refused: ${again.message}`);
    expect(await again.completed).toEqual({ status: 'success' });
    expect(first.registration.state).toBe('deregistered');
    expect(client.registrations()).toEqual([again.registration]);
    client.deliverDatagram(datagram(siPush()));
    expect(a.got).toHaveLength(0);
    expect(b.got).toHaveLength(1);
  });

  it('accepts the same App ID on a unique bearer port, and routes each port to its own application', async () => {
    const { client } = await boundClient();
    const std = inbox();
    const alt = inbox();
    const one = await client.register({
      pushApplicationId: 0x02,
      applicationId: 'urn:example:std',
      handler: std.handler,
    });
    const two = await client.register({
      pushApplicationId: 0x02,
      applicationId: 'urn:example:alt',
      handler: alt.handler,
      connectionProfiles: [{ port: 49_999 }],
    });
    expect(one.status).toBe('accepted');
    expect(two.status).toBe('accepted');
    if (one.status !== 'accepted' || two.status !== 'accepted') return;
    await Promise.all([one.completed, two.completed]);
    client.deliverDatagram(datagram(siPush({ text: 'standard' })));
    client.deliverDatagram(datagram(siPush({ text: 'alternate' }), { destinationPort: 49_999 }));
    expect(std.got.map((e) => (e.body as { text?: string }).text)).toEqual(['standard']);
    expect(alt.got.map((e) => (e.body as { text?: string }).text)).toEqual(['alternate']);
    // A third application on one of those ports is a duplicate again.
    expect(
      await client.register({
        pushApplicationId: 0x02,
        applicationId: 'urn:example:c',
        connectionProfiles: [{ port: '49999' }],
      }),
    ).toMatchObject({ status: 'rejected', reason: 'duplicate-application-id' });
  });
});

describe('PushCAI 5.1: an option that is not supported or not available is rejected, named', () => {
  it('rejects protocols and bearers this client cannot serve', async () => {
    const { client } = await boundClient();
    const cases: Array<[unknown, string]> = [
      [{ connectionProfiles: [{ protocol: 'OTA-SIP' }] }, 'connectionProfiles[0].protocol'],
      [{ connectionProfiles: [{ protocol: 'OTA-PTM', bearerType: 'GSM/CBS' }] }, 'connectionProfiles[0].protocol'],
      [{ connectionProfiles: [{ protocol: 'OTA-WSP' }, { protocol: 'OTA-FOO' }] }, 'connectionProfiles[1].protocol'],
      [{ connectionProfiles: [{ protocol: 'OTA-WSP', bearerType: 'GSM/CSD' }] }, 'connectionProfiles[0].bearerType'],
      [
        { connectionProfiles: [{ protocol: 'OTA-WSP', cellBroadcastMessageId: '4352' }] },
        'connectionProfiles[0].cellBroadcastMessageId',
      ],
      [{ connectionProfiles: [{ protocol: 'OTA-WSP', qos: 'gold' }] }, 'connectionProfiles[0].qos'],
      [
        { connectionProfiles: [{ protocol: 'OTA-HTTP', contactPoint: '+15550001' }] },
        'connectionProfiles[0].contactPoint',
      ],
      [{ priority: 'high' }, 'priority'],
      [{ whitelist: [{ address: '+1555', addressType: 'E164' }] }, 'whitelist[0].addressType'],
      [{ pushServiceRegistrationUri: 'sip:psr@example.com' }, 'pushServiceRegistrationUri'],
    ];
    for (const [extra, option] of cases) {
      const r = await client.register({ pushApplicationId: 0x04, ...(extra as object) });
      expect(r, option).toMatchObject({ status: 'rejected', reason: 'unsupported-option', option });
    }
    expect(client.registrations()).toHaveLength(0);
    expect(client.cpi().acceptAppIds).toEqual([]);
  });

  it('rejects what is supported but not available now: OTA-WSP without an SMPP link, OTA-HTTP turned off', async () => {
    const client = closeLater(new PushClient({ otaHttp: false }));
    expect(await client.register({ pushApplicationId: 0x02 })).toMatchObject({
      status: 'rejected',
      reason: 'unavailable-option',
      option: 'connectionProfiles',
    });
    expect(
      await client.register({ pushApplicationId: 0x02, connectionProfiles: [{ protocol: 'OTA-WSP' }] }),
    ).toMatchObject({ status: 'rejected', reason: 'unavailable-option', option: 'connectionProfiles[0].protocol' });
    expect(
      await client.register({ pushApplicationId: 0x02, connectionProfiles: [{ protocol: 'OTA-HTTP' }] }),
    ).toMatchObject({ status: 'rejected', reason: 'unavailable-option', option: 'connectionProfiles[0].protocol' });
  });

  it('rejects malformed options as invalid, naming them', async () => {
    const { client } = await boundClient();
    expect(await client.register({ pushApplicationId: 2, accept: ['text'] })).toMatchObject({
      reason: 'invalid-request',
      option: 'accept[0]',
    });
    expect(await client.register({ pushApplicationId: 2, connectionProfiles: [{ port: 70_000 }] })).toMatchObject({
      reason: 'invalid-request',
      option: 'connectionProfiles[0].port',
    });
    expect(await client.register({ pushApplicationId: 2, connectionProfiles: [] })).toMatchObject({
      reason: 'invalid-request',
      option: 'connectionProfiles',
    });
    expect(
      await client.register({
        pushApplicationId: 2,
        connectionProfiles: [{}],
        pushServiceRegistrationUri: 'http://127.0.0.1/psr',
      }),
    ).toMatchObject({ reason: 'invalid-request', option: 'pushServiceRegistrationUri' });
    expect(await client.register({ pushApplicationId: 2, whitelist: [{ address: ' ' }] })).toMatchObject({
      reason: 'invalid-request',
      option: 'whitelist[0].address',
    });
    expect(await client.register({ pushApplicationId: 2, applicationId: 'inbox' })).toMatchObject({
      reason: 'invalid-request',
      option: 'applicationId',
    });
  });
});

describe('PushCAI 5.1: binding after acceptance', () => {
  it('reports failure with a reason when the bearer cannot be bound, and leaves nothing behind', async () => {
    const client = closeLater(
      new PushClient({
        smsc: 'smpp://client:pw@127.0.0.1:1',
        bindTimeoutMs: 150,
        linkOptions: { reconnect: { initialMs: 1_000, maxMs: 1_000 } },
      }),
    );
    const r = await client.register({
      pushApplicationId: 0x02,
      whitelist: [{ address: '+15550001' }],
      accept: ['text/vnd.wap.si'],
    });
    if (r.status !== 'accepted') throw new Error('not accepted');
    const done = await r.completed;
    expect(done).toMatchObject({ status: 'failure', reason: 'bearer-unavailable' });
    expect(r.registration.state).toBe('failed');
    expect(client.registrations()).toEqual([]);
    expect(client.whitelist()).toEqual([]);
    expect(client.cpi().acceptAppIds).toEqual([]);
  });

  it('adds the whitelist entries for that application (5.1 whitelist MUST)', async () => {
    const { client } = await boundClient();
    const r = await client.register({
      pushApplicationId: 0x02,
      whitelist: [{ address: '+15550001' }, { address: '+1666*' }],
    });
    if (r.status !== 'accepted') throw new Error('refused');
    await r.completed;
    expect(client.whitelist()).toEqual([
      { address: '+15550001', owners: [r.registration.id] },
      { address: '+1666*', owners: [r.registration.id] },
    ]);
  });

  it('puts the App IDs and MIME types into the CPI', async () => {
    const { client } = await boundClient();
    const a = await client.register({
      pushApplicationId: 0x02,
      accept: ['application/vnd.wap.sic', 'text/vnd.wap.si'],
    });
    const b = await client.register({ pushApplicationId: 0x9000, accept: ['application/vnd.wap.sic'] });
    const c = await client.register({ pushApplicationId: 'x-example:custom.ua' });
    for (const r of [a, b, c]) if (r.status === 'accepted') await r.completed;
    const cpi = client.cpi();
    expect(cpi.acceptAppIds).toEqual([
      'x-example:custom.ua',
      'x-wap-application:wml.ua',
      'x-wap-docomo:imode.mail2.ua',
    ]);
    // custom.ua names no Accept list: it takes any content type, and the CPI says so.
    expect(cpi.accept).toEqual(['*/*', 'application/vnd.wap.sic', 'text/vnd.wap.si']);
    expect(cpi.headers['X-Wap-Push-Accept-AppID']).toBe(
      'x-example:custom.ua, x-wap-application:wml.ua, x-wap-docomo:imode.mail2.ua',
    );
    expect(cpi.headers['X-Wap-Push-Accept']).toBe('*/*, application/vnd.wap.sic, text/vnd.wap.si');
  });
});
