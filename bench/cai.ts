// CAI benchmarks: what routing a push to its application costs with 1,000 registrations, beside
// the cost of decoding the same push. The client is bound to an in-process simulator only so
// its registrations complete; the cases call deliverDatagram, the hot path, directly.
import { type CaseResult, runSuite } from './suite.js';
import {
  type PushHandler,
  type RegistrationResponse,
  type WdpDatagram,
  PushClient,
  SmscSimulator,
  decodeBody,
  decodePushPdu,
  decodePushRouting,
  encodePushPdu,
  encodeSi,
} from '../src/index.js';

const REGISTRATIONS = 1_000;
const body = encodeSi({
  href: 'http://www.xyz.com/email/123/abc.wml',
  created: '1999-06-25T15:23:15Z',
  expires: '1999-06-30T00:00:00Z',
  text: 'You have 4 new emails',
});
const appId = (i: number): string => `x-bench:app-${i}.ua`;
const pushes = Array.from({ length: REGISTRATIONS }, (_, i) =>
  encodePushPdu({ transactionId: 1, contentType: 'application/vnd.wap.sic', applicationId: appId(i), body }),
);
const datagrams: WdpDatagram[] = pushes.map((payload) => ({
  originator: '+15550001',
  recipient: '+15559999',
  sourcePort: 9200,
  destinationPort: 2948,
  segments: 1,
  payload,
}));
const mmsDatagram: WdpDatagram = {
  ...datagrams[0],
  payload: encodePushPdu({ transactionId: 1, contentType: 'application/vnd.wap.sic', applicationId: 0x04, body }),
};

/** Fails the run unless the registration was accepted and completed. */
async function registered(response: RegistrationResponse): Promise<void> {
  if (response.status !== 'accepted' || (await response.completed).status !== 'success')
    throw new Error('registration failed');
}

interface Extra {
  /** Also register the MMS user agent (application id code 0x04). */
  mms?: boolean;
  /** Each registration lists the bench's originator in its whitelist. */
  whitelist?: boolean;
  /** The handler reads the decoded body (PushEvent decodes it on first access). */
  readBody?: boolean;
}

async function clientWith(
  count: number,
  extra: Extra = {},
): Promise<{ client: PushClient; smsc: SmscSimulator; delivered: () => number }> {
  const smsc = new SmscSimulator();
  const port = await smsc.listen();
  const client = new PushClient({
    smsc: `smpp://bench:x@127.0.0.1:${port}`,
    linkOptions: { enquireLinkMs: 0 },
    maxQueuedPerApplication: 10,
  });
  await client.start();
  let delivered = 0;
  const handler: PushHandler = extra.readBody
    ? (e) => {
        delivered += e.body.type.length;
      }
    : () => {
        delivered++;
      };
  for (let i = 0; i < count; i++) {
    await registered(
      await client.register({
        pushApplicationId: appId(i),
        accept: ['application/vnd.wap.sic'],
        ...(extra.whitelist ? { whitelist: [{ address: '+15550001' }] } : {}),
        handler,
      }),
    );
  }
  if (extra.mms) await registered(await client.register({ pushApplicationId: 0x04, handler }));
  return { client, smsc, delivered: () => delivered };
}

export async function runCai({ quick = false } = {}): Promise<{ results: CaseResult[]; sink: number }> {
  const many = await clientWith(REGISTRATIONS, { mms: true });
  const one = await clientWith(1);
  const listed = await clientWith(REGISTRATIONS, { whitelist: true });
  const reading = await clientWith(REGISTRATIONS, { readBody: true });
  let i = 0;
  let sink = 0;
  const results = runSuite(
    [
      [
        'cai-dispatch-1-registration',
        () => {
          one.client.deliverDatagram(datagrams[0]);
        },
      ],
      [
        'cai-dispatch-1000-registrations',
        () => {
          many.client.deliverDatagram(datagrams[(i = (i + 1) % REGISTRATIONS)]);
        },
      ],
      [
        'cai-dispatch-1000-code-app-id',
        () => {
          many.client.deliverDatagram(mmsDatagram);
        },
      ],
      [
        'cai-dispatch-1000-whitelisted',
        () => {
          listed.client.deliverDatagram(datagrams[(i = (i + 1) % REGISTRATIONS)]);
        },
      ],
      [
        'cai-dispatch-1000-handler-reads-body',
        () => {
          reading.client.deliverDatagram(datagrams[(i = (i + 1) % REGISTRATIONS)]);
        },
      ],
      [
        'peer-routing-decode-same-push',
        () => {
          sink += decodePushRouting(pushes[(i = (i + 1) % REGISTRATIONS)]).bodyOffset;
        },
      ],
      [
        'peer-full-decode-same-push',
        () => {
          const m = decodePushPdu(pushes[(i = (i + 1) % REGISTRATIONS)]);
          sink += decodeBody(m.contentType, m.contentTypeParameters, m.body).type.length;
        },
      ],
    ],
    { quick },
  );
  for (const c of [many, one, listed, reading]) {
    if (c.client.stats.unrouted || c.client.stats.overflowed)
      throw new Error(`bench pushes were not all routed: ${JSON.stringify(c.client.stats)}`);
    await c.client.close();
    await c.smsc.close();
  }
  return { results, sink };
}
