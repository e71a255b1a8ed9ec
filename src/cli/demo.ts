/**
 * `wappush demo` (= `npm start`): the main job on loopback with no set-up. An SMSC simulator,
 * a Push Client bound to it, a few applications registering, a PPG submitting the day's
 * traffic (single and multi-segment, out of order, a duplicate, an unwhitelisted sender, an
 * unregistered App ID), then what each application received and what was refused and why.
 * Exits 0 when every push is accounted for, 1 otherwise.
 */
import { PushClient, type UnroutedPush } from '../cai/client.js';
import type { PushEvent } from '../cai/pushEvent.js';
import type { Registration } from '../cai/registration.js';
import type { RegistrationRequest } from '../cai/types.js';
import { SmscSimulator } from '../smsc/simulator.js';
import { SmppSubmitter, type SubmitOptions } from '../wdp/smpp/submitter.js';
import type { Command } from './command.js';
import { mmsNotificationPdu, siPdu, slPdu } from './demoTraffic.js';
import { fail } from './output.js';

const PPG = '+15550001';
const STRANGER = '+19990000';
const HANDSET = '+15559999';
const out = (s = '') => process.stdout.write(s + '\n');

interface App {
  label: string;
  request: RegistrationRequest;
  got: PushEvent[];
}

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);
const appIdText = (id: string | number) => (typeof id === 'number' ? `0x${id.toString(16).padStart(2, '0')}` : id);

function describeBody(e: PushEvent): string {
  let body;
  try {
    body = e.body;
  } catch (err) {
    return `undecodable body: ${(err as Error).message}`;
  }
  switch (body.type) {
    case 'si':
      return `SI "${short(body.text ?? '')}" -> ${short(body.href ?? '(no href)')} (${body.action})`;
    case 'sl':
      return `SL ${body.action} -> ${short(body.href)}`;
    case 'co':
      return 'CO cache operation';
    case 'mms': {
      const from = body.from && 'text' in body.from ? body.from.text : 'an unnamed sender';
      return `MMS ${String(body.messageType)} from ${from}, ${body.messageSize ?? '?'} octets waiting at ${short(body.contentLocation ?? '?', 40)}`;
    }
    case 'binary':
      return `${e.contentType}, ${body.length} octets (kept as bytes)`;
    default:
      return `${body.type} document`;
  }
}

function describeProfile(r: RegistrationRequest): string {
  const p = r.connectionProfiles?.[0];
  const parts = [appIdText(r.pushApplicationId)];
  parts.push(`${p?.protocol ?? 'OTA-WSP'} port ${p?.port ?? 2948}`);
  if (r.accept) parts.push(`accept ${r.accept.join(', ')}`);
  if (r.whitelist) parts.push(`whitelist ${r.whitelist.map((w) => w.address).join(', ')}`);
  return parts.join(' | ');
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

export const demo: Command = {
  name: 'demo',
  usage: `  wappush demo                                      simulator + Push Client + sample traffic on loopback
`,
  flags: '',
  options: {},
  // It takes no flags, and ignores what it is given, as it always has.
  run() {
    runDemo().then((code) => process.exit(code), fail);
  },
};

/** The demo's SMSC accounts; a test checks that neither password shows in anything the demo prints. */
export const DEMO_ACCOUNTS = Object.freeze([
  Object.freeze({ systemId: 'handset', password: 'hs-7Kq2x' }),
  Object.freeze({ systemId: 'ppg', password: 'pg-9Wm4z' }),
] as const);

async function runDemo(): Promise<number> {
  const [handset, gateway] = DEMO_ACCOUNTS;
  const smsc = new SmscSimulator({ accounts: [...DEMO_ACCOUNTS] });
  const port = await smsc.listen();
  const url = (a: { systemId: string; password: string }) => `smpp://${a.systemId}:${a.password}@127.0.0.1:${port}`;
  const client = new PushClient({ smsc: url(handset), linkOptions: { enquireLinkMs: 0 } });
  const ppg = new SmppSubmitter(url(gateway));
  try {
    await client.start();
    await ppg.start();
    out('wappush demo: an SMSC simulator, a Push Client and a PPG, all on 127.0.0.1');
    out(`  SMSC simulator on 127.0.0.1:${port}; the Push Client bound as receiver, the PPG (${PPG}) as transmitter`);
    out();

    const apps: App[] = [
      {
        label: 'SI inbox',
        got: [],
        request: {
          pushApplicationId: 'x-wap-application:wml.ua',
          applicationId: 'urn:wappush-demo:si-inbox',
          accept: ['application/vnd.wap.sic', 'text/vnd.wap.si'],
          whitelist: [{ address: PPG }],
        },
      },
      {
        label: 'SL loader',
        got: [],
        request: {
          pushApplicationId: 0x02,
          applicationId: 'urn:wappush-demo:sl-loader',
          accept: ['application/vnd.wap.slc'],
        },
      },
      {
        label: 'SL loader',
        got: [],
        request: {
          pushApplicationId: 0x02,
          applicationId: 'urn:wappush-demo:sl-loader',
          accept: ['application/vnd.wap.slc'],
          connectionProfiles: [{ protocol: 'OTA-WSP', bearerType: 'GSM/SMS', port: 49_200 }],
        },
      },
      {
        label: 'MMS user agent',
        got: [],
        request: {
          pushApplicationId: 'x-wap-application:mms.ua',
          applicationId: 'urn:wappush-demo:mms-ua',
          accept: ['application/vnd.wap.mms-message'],
        },
      },
      {
        label: 'SIP push app',
        got: [],
        request: { pushApplicationId: 'x-oma-application:ulp.ua', connectionProfiles: [{ protocol: 'OTA-SIP' }] },
      },
    ];
    const byRegistration = new Map<Registration, App>();
    out('Registrations (OMA Push CAI 5.1)');
    for (const app of apps) {
      const r = await client.register({
        ...app.request,
        handler: (e) => {
          app.got.push(e);
        },
      });
      if (r.status === 'rejected') {
        out(`  refused   ${app.label.padEnd(15)} ${describeProfile(app.request)}`);
        out(`            ${r.reason}${r.option ? ` (${r.option})` : ''}: ${r.message}`);
        continue;
      }
      const done = await r.completed;
      if (done.status === 'success') {
        byRegistration.set(r.registration, app);
        out(`  ok        ${app.label.padEnd(15)} ${describeProfile(app.request)}`);
      } else out(`  failed    ${app.label.padEnd(15)} ${done.reason}: ${done.message}`);
    }
    const cpi = client.cpi();
    out(`  CPI: X-Wap-Push-Accept-AppID: ${cpi.headers['X-Wap-Push-Accept-AppID']}`);
    out(`       X-Wap-Push-Accept: ${cpi.headers['X-Wap-Push-Accept']}`);
    out();

    const unrouted: UnroutedPush[] = [];
    client.on('unrouted', (u) => unrouted.push(u));
    const to = (extra: Partial<SubmitOptions> = {}): SubmitOptions => ({ to: HANDSET, from: PPG, ...extra });
    const longSi = siPdu(
      'Your statement for November is ready. Open it to see the charges, the payments received and the balance carried to December.',
      'https://bank.example/statements/2026-11',
      'stmt-2026-11',
    );
    const traffic: Array<[string, () => Promise<unknown>]> = [
      ['SI, 1 SMS', () => ppg.submit(siPdu('You have 3 new messages', 'http://mail.example/inbox', 'mail-1'), to())],
      ['SI, 2 SMS submitted in reverse order', () => ppg.submit(longSi, to({ segmentOrder: [1, 0] }))],
      [
        'SL to port 49200, 3 SMS with the second sent twice',
        () =>
          ppg.submit(
            slPdu(`http://apps.example/install/${'game-'.repeat(60)}v2.jad`),
            to({ destinationPort: 49_200, segmentOrder: [0, 1, 1, 2] }),
          ),
      ],
      ['MMS notification, the 2 captured SMS', () => ppg.submit(mmsNotificationPdu(), to())],
      [
        'the first SI again: the SMSC redelivers it',
        () => ppg.submit(siPdu('You have 3 new messages', 'http://mail.example/inbox', 'mail-1'), to()),
      ],
      [
        `SI from ${STRANGER}, a sender no whitelist lists`,
        () => ppg.submit(siPdu('Claim your prize', 'http://prize.example/', 'spam-1'), to({ from: STRANGER })),
      ],
      [
        'SI for App ID 0x9999, which nobody registered',
        () => ppg.submit(siPdu('For an app that is not installed', 'http://x.example/', 'x-1', 0x9999), to()),
      ],
    ];
    out(`Traffic: the PPG submits ${traffic.length} pushes (submit_sm, UDH 2948 <- 9200) to ${HANDSET}`);
    for (const [i, [label, send]] of traffic.entries()) {
      await send();
      out(`  ${i + 1}. ${label}`);
    }
    out();

    const delivered = () => apps.reduce((n, a) => n + a.got.length, 0);
    const expectedDelivered = 4;
    const expectedUnrouted = 2;
    const settled = await until(
      () =>
        delivered() >= expectedDelivered &&
        unrouted.length >= expectedUnrouted &&
        client.link!.stats.duplicateSingles >= 1,
      10_000,
    );

    out('What each application received (PushCAI 5.3)');
    for (const [registration, app] of byRegistration) {
      out(
        `  ${app.label} (${registration.applicationId ?? String(registration.pushApplicationId)}): ${app.got.length} push${app.got.length === 1 ? '' : 'es'}`,
      );
      for (const e of app.got)
        out(`    - ${describeBody(e)}; from ${e.originator}, port ${e.port}, ${e.datagram?.segments ?? 1} SMS`);
    }
    out();
    out('What was not delivered, and why');
    for (const u of unrouted) {
      const e = u.event;
      const what = e
        ? `${describeBody(e)} for ${appIdText(e.applicationId)} from ${e.originator}`
        : 'a datagram that is no push';
      const why = {
        whitelist: 'the whitelist of the application it was for does not list the sender',
        'no-registration': 'no application is registered for that App ID and port',
        'content-type': 'no application accepts its content type',
        'contact-point': 'it did not come from the contact point the application named',
        'no-handler': 'its application has no handler and nobody listens for push events',
        undecodable: `it could not be decoded (${String(u.error)})`,
      }[u.reason];
      out(`  - ${what}: ${u.reason}, ${why}`);
    }
    const rs = client.link!.reassembler.stats;
    out(
      `  - duplicates dropped: ${client.link!.stats.duplicateSingles} redelivered single SMS (link), ${rs.duplicates} repeated segment${rs.duplicates === 1 ? '' : 's'} (reassembly)`,
    );
    out();
    out(`Counters: ${JSON.stringify(client.stats)}`);
    if (!settled) {
      out('Not every push was accounted for within 10 s: see the counters above.');
      return 1;
    }
    return 0;
  } finally {
    await ppg.close();
    await client.close();
    await smsc.close();
  }
}
