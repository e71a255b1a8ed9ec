/** Fuzz targets for src/cai: the registration request validator, and the whole pipeline from SMPP bytes to PushEvent. */
import fc from 'fast-check';
import { PushClient, type UnroutedPush } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { validateRequest, type Availability } from '../../src/cai/validate.js';
import { DecodeError } from '../../src/codec/errors.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { PduFramer } from '../../src/wdp/smpp/framing.js';
import { segmentFromSmpp } from '../../src/wdp/smpp/carriage.js';
import { CommandId, decodeShortMessagePdu, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { Finding, fixtures, hex, total, type FuzzTarget } from './common.js';
import { nearValid } from './mutate.js';

const AVAILABLE: Availability = {
  protocols: new Set(['OTA-WSP', 'OTA-HTTP']),
  defaultProfile: { protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 2948 },
};
const REASONS = new Set([
  'invalid-request',
  'duplicate-application-id',
  'unsupported-option',
  'unavailable-option',
  'policy',
]);

function validate(value: unknown): void {
  const v = validateRequest(value as RegistrationRequest, AVAILABLE);
  if ('status' in v) {
    if (!REASONS.has(v.reason) || typeof v.message !== 'string')
      throw new Finding(`rejection without a known reason: ${JSON.stringify(v)}`);
  } else if (!Array.isArray(v.profiles)) throw new Finding('accepted without a profile list');
  // With a Push Service Registration URI the binding comes from the Push Server's answer: none yet.
  else if (
    (v.profiles.length === 0) !==
    (typeof (value as RegistrationRequest).pushServiceRegistrationUri === 'string')
  )
    throw new Finding(`accepted with ${v.profiles.length} profiles: ${JSON.stringify(value)}`);
}

const requestSeeds = (): Buffer[] =>
  [
    {
      pushApplicationId: 'x-wap-application:wml.ua',
      applicationId: 'urn:a:b',
      accept: ['application/vnd.wap.sic'],
      whitelist: [{ address: '+1555*' }],
    },
    {
      pushApplicationId: 4,
      connectionProfiles: [{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: '2948', contactPoint: '+1' }],
    },
    {
      pushApplicationId: '0x07',
      connectionProfiles: [{ protocol: 'OTA-HTTP', port: 4035, contactPoint: 'http://ppg/' }],
    },
    { pushApplicationId: 2, pushServiceRegistrationUri: 'https://psr.example/' },
    { pushApplicationId: 2, connectionProfiles: [{ protocol: 'OTA-PTM', cellBroadcastMessageId: '1' }] },
  ].map((r) => Buffer.from(JSON.stringify(r)));

const caiValidator: FuzzTarget = {
  name: 'cai-validator',
  description: 'The CAI Application Registration request validator (JSON in): never throws, always a known outcome',
  fuzz(buf) {
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8'));
    } catch {
      return; // not JSON: nothing to validate
    }
    validate(value);
  },
  seeds: requestSeeds,
  properties: () => [
    { name: 'any JSON value', property: fc.property(fc.jsonValue(), (v) => validate(v)) },
    {
      name: 'requests with fields of the wrong kind',
      property: fc.property(
        fc.record(
          {
            pushApplicationId: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.double()),
            applicationId: fc.oneof(fc.string(), fc.integer()),
            accept: fc.oneof(fc.array(fc.string()), fc.string()),
            whitelist: fc.oneof(fc.array(fc.record({ address: fc.oneof(fc.string(), fc.integer()) })), fc.anything()),
            connectionProfiles: fc.oneof(
              fc.array(
                fc.record(
                  {
                    protocol: fc.oneof(fc.constantFrom('OTA-WSP', 'OTA-HTTP', 'OTA-SIP', 'ota-wsp'), fc.string()),
                    port: fc.oneof(fc.integer(), fc.string()),
                    bearerType: fc.string(),
                    contactPoint: fc.string(),
                  },
                  { requiredKeys: [] },
                ),
              ),
              fc.anything(),
            ),
          },
          { requiredKeys: [] },
        ),
        (r) => validate(r),
      ),
    },
    {
      name: 'near-valid JSON text',
      property: fc.property(nearValid(requestSeeds()), (b) => void caiValidator.fuzz(b)),
    },
  ],
};

interface Pipeline {
  smsc: SmscSimulator;
  client: PushClient;
  findings: string[];
}
let pipeline: Promise<Pipeline> | undefined;

/** A simulator and a bound client with applications registered, set up once per process. */
function setup(): Promise<Pipeline> {
  pipeline ??= (async () => {
    const smsc = new SmscSimulator();
    const port = await smsc.listen();
    const findings: string[] = [];
    const client = new PushClient({
      smsc: `smpp://fuzz:x@127.0.0.1:${port}`,
      linkOptions: { enquireLinkMs: 0 },
      maxQueuedPerApplication: 10_000,
      secrets: { pin: '1111', syncml: { password: 'p' } },
    });
    await client.start();
    // What an application does with an event: read everything; only a DecodeError may come out.
    const touch = (e: PushEvent) => {
      for (const read of [() => e.headers, () => e.body, () => e.toJSON(), () => JSON.stringify(e.toJSON())]) {
        try {
          read();
        } catch (err) {
          if (!(err instanceof DecodeError)) findings.push(`reading a PushEvent threw ${String(err)}`);
        }
      }
    };
    for (const request of [
      { pushApplicationId: 'x-wap-application:wml.ua', whitelist: [{ address: '+15550001' }] },
      { pushApplicationId: 'x-wap-application:mms.ua', accept: ['application/vnd.wap.mms-message'] },
      { pushApplicationId: 0x07 },
      { pushApplicationId: 'x-wap-application:*', connectionProfiles: [{ port: 9200 }] },
    ] as RegistrationRequest[]) {
      const r = await client.register({ ...request, handler: touch });
      if (r.status !== 'accepted' || (await r.completed).status !== 'success')
        throw new Error('fuzz pipeline: registration failed');
    }
    client.on('unrouted', (u: UnroutedPush) => {
      if (u.event) touch(u.event);
    });
    client.on('handler-error', ({ error }) => findings.push(`handler error ${String(error)}`));
    return { smsc, client, findings };
  })();
  return pipeline;
}

const pipelineSeeds = (): Buffer[] => {
  const si = encodePushPdu({
    contentType: 'application/vnd.wap.sic',
    body: encodeSi({ href: 'http://a.com/', text: 'x'.repeat(300) }),
  });
  const pdus = [...fixtures<{ pdu: string }>('wsp').map((f) => hex(f.pdu)), Buffer.from(si)];
  return pdus.map((p, n) =>
    Buffer.concat(
      smppShortMessages(p, { carriage: (['udh', 'sar', 'payload'] as const)[n % 3], reference: n }).map((f, i) =>
        Buffer.from(
          encodeShortMessagePdu({
            ...f,
            commandId: CommandId.deliver_sm,
            sequenceNumber: i + 1,
            sourceAddr: n % 2 ? '+15550001' : '+19990000',
            destinationAddr: '+1',
          }),
        ),
      ),
    ),
  );
};

const pipelineTarget: FuzzTarget = {
  name: 'pipeline',
  description: 'SMPP PDU bytes -> framing -> segment -> reassembly -> PushClient routing -> PushEvent read in full',
  async fuzz(buf) {
    const { client, findings } = await setup();
    const before = { ...client.stats };
    const framer = new PduFramer();
    framer.push(buf);
    for (;;) {
      let frame: Buffer | null;
      try {
        frame = framer.next();
      } catch (e) {
        if (e instanceof RangeError) break;
        throw e;
      }
      if (!frame) break;
      const pdu = total(() => decodeShortMessagePdu(frame!), frame.length);
      const segment = pdu && total(() => segmentFromSmpp(pdu), frame.length);
      if (!segment) continue;
      const datagram = client.link!.reassembler.push(segment);
      if (datagram) client.deliverDatagram(datagram);
    }
    const s = client.stats;
    const received = s.received - before.received;
    const accounted = s.routed - before.routed + (s.unrouted - before.unrouted);
    if (received !== accounted)
      throw new Finding(`${received} pushes received, ${accounted} routed or reported unrouted`);
    if (findings.length) throw new Finding(findings.splice(0).join('; '));
  },
  seeds: pipelineSeeds,
  properties: () => [
    {
      name: 'near-valid SMPP streams through the whole pipeline',
      property: fc.asyncProperty(nearValid(pipelineSeeds()), (b) => pipelineTarget.fuzz(b) as Promise<void>),
    },
  ],
  async teardown() {
    if (!pipeline) return;
    const { client, smsc } = await pipeline;
    pipeline = undefined;
    await client.close();
    await smsc.close();
  },
};

export const caiTargets: FuzzTarget[] = [caiValidator, pipelineTarget];
