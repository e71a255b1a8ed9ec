/**
 * Kannel's Push Proxy Gateway (Debian `kannel`: bearerbox + wapbox) as the peer: PAP push
 * requests over HTTP to its PPG, which compiles them and sends them as SMS through our SMSC
 * simulator; our PushClient, bound to the same simulator as receiver, must deliver each to the
 * application registered for it with exactly the content that was sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { PushEvent } from '../../src/cai/pushEvent.js';
import type { RegistrationRequest } from '../../src/cai/types.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { freePort, haveTool, Processes, until } from './helpers.js';

const run = haveTool('bearerbox', ['-v']) && haveTool('wapbox', ['-v']) ? describe : describe.skip;

/** The Kannel configuration a user points at our simulator (also shown in the README). */
function kannelConf(
  dir: string,
  ports: { admin: number; smsbox: number; wapbox: number; ppg: number; smsc: number },
): string {
  return `group = core
admin-port = ${ports.admin}
admin-password = interop
smsbox-port = ${ports.smsbox}
wapbox-port = ${ports.wapbox}
box-allow-ip = "127.0.0.1"
admin-interface = "127.0.0.1"
log-file = "${dir}/bearerbox.log"
log-level = 1

# Our SMSC simulator. Kannel binds as transmitter only (no receive-port), so every
# deliver_sm goes to the push client bound as receiver.
group = smsc
smsc = smpp
smsc-id = wappush-simulator
host = 127.0.0.1
port = ${ports.smsc}
smsc-username = "kannel"
smsc-password = "interop"
system-type = ""

group = smsbox
bearerbox-host = 127.0.0.1

group = wapbox
bearerbox-host = 127.0.0.1
log-file = "${dir}/wapbox.log"
log-level = 1

group = ppg
ppg-port = ${ports.ppg}
ppg-url = /wappush
ppg-allow-ip = "127.0.0.1"
trusted-pi = true
concurrent-pushes = 100
users = 1024
service-name = ppg
`;
}

const BOUNDARY = 'wappush-interop-boundary';

function pap(pushId: string, contentType: string, content: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return (
    `--${BOUNDARY}\r\nContent-Type: application/xml\r\n\r\n<?xml version="1.0"?>\r\n` +
    '<!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 1.0//EN" "http://www.wapforum.org/DTD/pap_1.0.dtd">\r\n' +
    `<pap><push-message push-id="${pushId}"><address address-value="WAPPUSH=+15559999/TYPE=PLMN@ppg.example"/>` +
    '<quality-of-service delivery-method="unconfirmed" network-required="true" network="GSM" bearer-required="true" bearer="SMS"/></push-message></pap>\r\n' +
    `--${BOUNDARY}\r\nContent-Type: ${contentType}\r\n${extra}\r\n${content}\r\n--${BOUNDARY}--\r\n`
  );
}

function post(port: number, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/wappush',
        method: 'POST',
        headers: { 'Content-Type': `multipart/related; boundary=${BOUNDARY}; type="application/xml"` },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('PPG did not answer')));
    req.end(body);
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

run('Kannel PPG -> SMPP -> our simulator -> our PushClient', () => {
  const procs = new Processes();
  const dir = mkdtempSync(join(tmpdir(), 'wappush-kannel-'));
  let smsc: SmscSimulator;
  let client: PushClient;
  let ppgPort: number;
  const si: PushEvent[] = [];
  const sl: PushEvent[] = [];
  const any: PushEvent[] = [];

  beforeAll(async () => {
    smsc = new SmscSimulator();
    const smscPort = await smsc.listen();
    let kannelBound = false;
    smsc.on('bind', (b: { systemId: string }) => {
      if (b.systemId === 'kannel') kannelBound = true;
    });
    client = new PushClient({ smsc: `smpp://handset:x@127.0.0.1:${smscPort}`, linkOptions: { enquireLinkMs: 0 } });
    await client.start();
    client.on('unrouted', (u: { reason: string; event?: PushEvent }) => {
      if (process.env.KEEP_INTEROP_LOGS)
        console.log(
          'UNROUTED',
          u.reason,
          u.event?.applicationId,
          u.event?.contentType,
          u.event && Buffer.from(u.event.datagram!.payload).toString('hex'),
        );
    });
    for (const [request, box] of [
      [
        {
          pushApplicationId: 'x-wap-application:wml.ua',
          applicationId: 'urn:interop:si',
          accept: ['application/vnd.wap.sic'],
        },
        si,
      ],
      [
        {
          pushApplicationId: 'x-wap-application:wta.ua',
          applicationId: 'urn:interop:sl',
          accept: ['application/vnd.wap.slc'],
        },
        sl,
      ],
      [{ pushApplicationId: 'x-wap-application:*', applicationId: 'urn:interop:any' }, any],
    ] as Array<[RegistrationRequest, PushEvent[]]>) {
      const r = await client.register({
        ...request,
        handler: (e) => {
          box.push(e);
        },
      });
      if (r.status !== 'accepted' || (await r.completed).status !== 'success') throw new Error('registration failed');
    }
    const ports = {
      admin: await freePort(),
      smsbox: await freePort(),
      wapbox: await freePort(),
      ppg: await freePort(),
      smsc: smscPort,
    };
    ppgPort = ports.ppg;
    const conf = join(dir, 'kannel.conf');
    writeFileSync(conf, kannelConf(dir, ports));
    procs.start('bearerbox', [conf]);
    await until(() => kannelBound, 15_000, 'Kannel to bind to the simulator');
    procs.start('wapbox', [conf]);
    await until(
      async () => (await post(ppgPort, '').catch(() => ({ status: 0 }))).status > 0,
      15_000,
      "Kannel's PPG to listen",
    );
  }, 60_000);

  afterAll(async () => {
    await procs.stopAll();
    await client?.close();
    await smsc?.close();
    if (!process.env.KEEP_INTEROP_LOGS) rmSync(dir, { recursive: true, force: true });
  });

  async function push(
    box: PushEvent[],
    contentType: string,
    xml: string,
    headers?: Record<string, string>,
  ): Promise<PushEvent> {
    const before = box.length;
    const r = await post(ppgPort, pap(`p${Date.now()}${Math.random()}@interop`, contentType, xml, headers));
    expect(r.text).toMatch(/code ?="1001"/);
    await until(() => box.length > before, 15_000, 'the push to reach its application');
    return box[box.length - 1];
  }

  const siXml = (attrs: string, text: string) =>
    `<?xml version="1.0"?>\r\n<!DOCTYPE si PUBLIC "-//WAPFORUM//DTD SI 1.0//EN" "http://www.wapforum.org/DTD/si.dtd">\r\n<si><indication ${attrs}>${esc(text)}</indication></si>`;

  it('SI with every action, si-id, created and expires arrives with exactly that content', async () => {
    for (const action of ['signal-none', 'signal-low', 'signal-medium', 'signal-high', 'delete']) {
      const e = await push(
        si,
        'text/vnd.wap.si',
        siXml(
          `href="http://www.example.com/${action}" si-id="id-${action}" action="${action}" created="2026-11-29T10:00:00Z" si-expires="2026-12-29T10:00:00Z"`,
          `Action ${action}`,
        ),
      );
      expect(e.body).toEqual({
        type: 'si',
        href: `http://www.example.com/${action}`,
        siId: `id-${action}`,
        created: '2026-11-29T10:00:00Z',
        expires: '2026-12-29T10:00:00Z',
        action,
        text: `Action ${action}`,
      });
      expect(e.applicationId).toBe('x-wap-application:wml.ua');
    }
  }, 120_000);

  it('long SI texts arrive whole from 2, 3 and 4 concatenated SMS', async () => {
    const seen = new Set<number>();
    for (const length of [150, 200, 250, 300, 350, 400, 450]) {
      const text = `Long push of ${length}: ` + 'abcdefghij'.repeat(length / 10);
      const e = await push(si, 'text/vnd.wap.si', siXml('href="http://www.example.com/long"', text));
      expect(e.body).toMatchObject({ type: 'si', text });
      seen.add(e.datagram!.segments);
    }
    expect([...seen]).toEqual(expect.arrayContaining([2, 3, 4]));
  }, 120_000);

  it('non-ASCII text arrives as sent (the content part names its charset)', async () => {
    // Without "; charset=utf-8" Kannel takes text/* as ISO-8859-1, the HTTP/1.1 default (RFC 2616
    // 3.7.1), and the UTF-8 octets arrive encoded twice (c3 bc -> c3 83 c2 bc). With it, exactly.
    const text = 'Grüße aus Köln – naïve café, 雪 ☃';
    const e = await push(si, 'text/vnd.wap.si; charset=utf-8', siXml('href="http://www.example.com/intl"', text));
    if (process.env.KEEP_INTEROP_LOGS) console.log('INTL', Buffer.from(e.datagram!.payload).toString('hex'));
    expect(e.body).toMatchObject({ type: 'si', text });
  }, 60_000);

  it('SL with every action goes to the application registered for its App ID', async () => {
    for (const action of ['execute-low', 'execute-high', 'cache']) {
      const xml = `<?xml version="1.0"?>\r\n<!DOCTYPE sl PUBLIC "-//WAPFORUM//DTD SL 1.0//EN" "http://www.wapforum.org/DTD/sl.dtd">\r\n<sl href="http://apps.example.com/${action}.jad" action="${action}"/>`;
      const e = await push(sl, 'text/vnd.wap.sl', xml, { 'X-Wap-Application-Id': 'x-wap-application:wta.ua' });
      expect(e.body).toEqual({ type: 'sl', href: `http://apps.example.com/${action}.jad`, action });
      expect(e.applicationId).toBe('x-wap-application:wta.ua');
    }
    expect(si.every((e) => e.contentType === 'application/vnd.wap.sic')).toBe(true);
  }, 120_000);

  it('documented divergence: Kannel sends an App ID it does not know as code 0 (x-wap-application:*)', async () => {
    // Evidence: for X-Wap-Application-Id "x-example:sl-loader" (unregistered) and for
    // "x-oma-application:dlota.ua" (OMNA code 0x11, registered after Kannel's table was written),
    // Kannel 1.4.5 sends af 80 (X-Wap-Application-Id, Short-integer 0) instead of the URI as text,
    // which WAP-230 8.4.2.54 allows. Our client routes the push as it arrives: to x-wap-application:*.
    const xml =
      '<?xml version="1.0"?>\r\n<!DOCTYPE sl PUBLIC "-//WAPFORUM//DTD SL 1.0//EN" "http://www.wapforum.org/DTD/sl.dtd">\r\n<sl href="http://apps.example.com/x.jad"/>';
    for (const appId of ['x-example:sl-loader', 'x-oma-application:dlota.ua']) {
      const e = await push(any, 'text/vnd.wap.sl', xml, { 'X-Wap-Application-Id': appId });
      expect(e.applicationId).toBe('x-wap-application:*');
      expect(Buffer.from(e.datagram!.payload).toString('hex')).toContain('af80');
    }
  }, 60_000);
});
