// The PAP features beyond push, status and cancel-before-send, over real HTTP and SMPP on
// loopback: progress notes in the push-response, source-reference carried to the outcome, a
// client capabilities query, and cancel of a push the SMSC holds (cancel_sm).
import { afterEach, describe, expect, it } from 'vitest';
import { Ppg } from '../../src/ppg/ppg.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { attr, basic, harness, post, until, type Harness } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

let h: Harness | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  while (closers.length) await closers.pop()!();
});

const TO = 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com';

/** Every element `name` of a PAP document, as its attribute text. */
const all = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'g'))].map((m) => m[0]);

describe('PPG: progress notes, source-reference, ccq', () => {
  it('answers progress-notes-requested with progress-note elements before the response-result', async () => {
    h = await harness();
    const asked = await post(
      h.url,
      pushBody({ pushId: 'pn1', addresses: [TO], attributes: ' progress-notes-requested="true"' }),
      MULTIPART,
    );
    expect(attr(asked.text, 'response-result', 'code')).toBe('1001');
    const notes = all(asked.text, 'progress-note');
    expect(notes.map((n) => /stage="([^"]*)"/.exec(n)?.[1])).toEqual(['compiled', 'stored']);
    for (const n of notes) expect(n).toMatch(/ time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
    expect(asked.text.indexOf('<progress-note')).toBeLessThan(asked.text.indexOf('<response-result'));

    const unasked = await post(h.url, pushBody({ pushId: 'pn2', addresses: [TO] }), MULTIPART);
    expect(attr(unasked.text, 'response-result', 'code')).toBe('1001');
    expect(all(unasked.text, 'progress-note')).toEqual([]);
  });

  it('carries source-reference to the outcome of each recipient', async () => {
    h = await harness();
    const outcomes: Array<{ pushId: string; sourceReference?: string }> = [];
    h.ppg.on('outcome', (o) => outcomes.push(o));
    await post(
      h.url,
      pushBody({ pushId: 'sr1', addresses: [TO], attributes: ' source-reference="mail.example"' }),
      MULTIPART,
    );
    await post(h.url, pushBody({ pushId: 'sr2', addresses: [TO] }), MULTIPART);
    await until(() => outcomes.length === 2, 'both outcomes');
    expect(outcomes.find((o) => o.pushId === 'sr1')?.sourceReference).toBe('mail.example');
    expect(outcomes.find((o) => o.pushId === 'sr2')).not.toHaveProperty('sourceReference');
  });

  it('answers a ccq-message with a ccq-response: 3008 for a phone, 2002 and 2001 where due', async () => {
    h = await harness();
    const ccq = (address: string, who = basic('pi', 'pi-secret')) =>
      post(
        h!.url,
        `<pap><ccq-message query-id="q-7"><address address-value="${address}"/></ccq-message></pap>`,
        'application/xml',
        who,
      );
    const ok = await ccq(TO);
    expect(ok.status).toBe(200);
    expect(attr(ok.text, 'ccq-response', 'query-id')).toBe('q-7');
    expect(attr(ok.text, 'ccq-response', 'code')).toBe('3008');
    expect(attr(ok.text, 'address', 'address-value')).toBe(TO);
    expect(attr((await ccq('WAPPUSH=10.0.0.1/TYPE=IPv4@ppg')).text, 'ccq-response', 'code')).toBe('2002');
    // "other" may push only to +1555000...
    expect(attr((await ccq(TO, basic('other', 'other-secret'))).text, 'ccq-response', 'code')).toBe('2001');
  });
});

describe('PPG: cancel of a push the SMSC holds', () => {
  it('sends cancel_sm; the simulator takes the SMS back; the phone never gets it', async () => {
    // No phone bound at first: the SMSC queues the SMS (submitted, not delivered).
    const smsc = new SmscSimulator({
      accounts: [
        { systemId: 'ppg', password: 'secret' },
        { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
      ],
    });
    const port = await smsc.listen();
    closers.push(() => smsc.close());
    const ppg = new Ppg({ smsc: `smpp://ppg:secret@127.0.0.1:${port}` });
    const httpPort = await ppg.start();
    closers.push(() => ppg.close());
    const url = `http://127.0.0.1:${httpPort}/wappush`;

    const long = `<si><indication href="http://example.com/x" si-id="1">${'y'.repeat(300)}</indication></si>`;
    expect(
      attr(
        (await post(url, pushBody({ pushId: 'c1', addresses: [TO], content: long }), MULTIPART)).text,
        'response-result',
        'code',
      ),
    ).toBe('1001');
    expect(
      attr((await post(url, pushBody({ pushId: 'c2', addresses: [TO] }), MULTIPART)).text, 'response-result', 'code'),
    ).toBe('1001');
    // Each push's status says how many SMS the SMSC took for it.
    const sent: Record<string, number> = {};
    await until(async () => {
      for (const id of ['c1', 'c2']) {
        const q = await post(url, queryXml('statusquery-message', id), 'application/xml', undefined);
        const n = /submitted as (\d+) SMS/.exec(attr(q.text, 'statusquery-result', 'desc') ?? '')?.[1];
        if (n) sent[id] = Number(n);
      }
      return Object.keys(sent).length === 2;
    }, 'c1 and c2 submitted');
    expect(sent.c1).toBeGreaterThan(1);
    expect(sent.c2).toBe(1);

    const cancel = await post(url, queryXml('cancel-message', 'c1'), 'application/xml', undefined);
    expect(attr(cancel.text, 'cancel-result', 'code')).toBe('1000');
    expect(smsc.stats.cancelled).toBe(sent.c1); // every SMS of c1, not c2's
    const status = await post(url, queryXml('statusquery-message', 'c1'), 'application/xml', undefined);
    expect(attr(status.text, 'statusquery-result', 'message-state')).toBe('cancelled');

    // The phone binds: only c2 arrives.
    const phone: WdpDatagram[] = [];
    const link = new EsmeLink({
      smsc: `smpp://phone:pw@127.0.0.1:${port}`,
      onDatagram: (d) => void phone.push(d),
    });
    await link.start();
    closers.push(() => link.close());
    await until(() => smsc.stats.delivered === 1 && smsc.stats.receipts === 1, 'c2 delivered');
    // Waits for something that must NOT happen: a segment of the cancelled c1 reaching the phone.
    await new Promise((r) => setTimeout(r, 100));
    expect(phone).toHaveLength(1);
    expect(phone[0].segments).toBe(1);

    // Delivered now: the SMSC can no longer cancel it, and the PPG says so.
    await until(() => ppg.inProgress === 0, 'c2 settled');
    const late = await post(url, queryXml('cancel-message', 'c2'), 'application/xml', undefined);
    expect(attr(late.text, 'cancel-result', 'code')).toBe('2008');
  });

  it('answers 2008 when the SMSC refuses cancel_sm (already on its way)', async () => {
    h = await harness({}, { receiptDelayMs: 2_000 });
    await post(h.url, pushBody({ pushId: 'd1', addresses: [TO] }), MULTIPART);
    await until(() => h!.smsc.stats.delivered === 1, 'delivered, its receipt still to come');
    const r = await post(h.url, queryXml('cancel-message', 'd1'), 'application/xml');
    expect(attr(r.text, 'cancel-result', 'code')).toBe('2008');
    expect(attr(r.text, 'cancel-result', 'desc')).toMatch(/cancel_sm refused: command_status 0x11/);
    expect(h.smsc.stats.cancelled).toBe(0);
  });
});
