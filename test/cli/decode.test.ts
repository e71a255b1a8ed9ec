import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../helpers.js';
import { run } from './run.js';

describe('wappush decode (docs/architecture.md contract)', () => {
  const [f] = loadFixtures<{ pdu: string; expect: { wsp: unknown; body: unknown } }>('wsp');
  it('--hex prints one JSON document and exits 0', () => {
    const r = run(['decode', '--hex', f.pdu]);
    expect(r.status).toBe(0);
    const { warnings, ...json } = JSON.parse(r.stdout);
    expect(json).toEqual(f.expect);
    // The capture ends with a 00 after the SI's root element (its source says so): 1 octet, at 35.
    expect(warnings).toEqual([
      { code: 'TRAILING_DATA', message: '1 octet after the root element, ignored', offset: 35 },
    ]);
  });
  it('hex lines on stdin', () => {
    const r = run(['decode'], `${f.pdu}\n`);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).wsp.transactionId).toBe(253);
  });
  it('bad input exits 1 with {"error":{code,message,offset}} on stderr', () => {
    const r = run(['decode', '--hex', '0140']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const err = JSON.parse(r.stderr).error;
    expect(err).toMatchObject({ code: 'BAD_PDU_TYPE', offset: 1 });
    expect(typeof err.message).toBe('string');
  });
});

describe('wappush decode --input sms|smpp (docs/architecture.md contract)', () => {
  const [mms] = loadFixtures<{ segments: string[] }>('sms');
  it('--input sms: segments in any order -> wdp + wsp + body', () => {
    const r = run(['decode', '--input', 'sms'], [...mms.segments].reverse().join('\n') + '\n');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.wdp).toEqual({ sourcePort: 9200, destinationPort: 2948, segments: 2 });
    expect(out.wsp).toMatchObject({
      pduType: 'push',
      contentType: 'application/vnd.wap.mms-message',
      applicationId: 'x-wap-application:mms.ua',
    });
    // Read off the captured octets: 8c82 (m-notification-ind), 98 "1tid...", 8d91 (1.1),
    // 89 18 80 "+4857..." (From, address present), 8a80 (personal), 8e 03 030671, 88 04 81 02 a8be.
    expect(out.body).toEqual({
      type: 'mms',
      messageType: 'm-notification-ind',
      transactionId: '1tid48608394953_07ygg84bph',
      version: '1.1',
      from: { text: '+48572292736/TYPE=PLMN' },
      subject: { text: 'no subject' },
      messageClass: 'personal',
      messageSize: 0x030671,
      expiry: { relative: 0xa8be },
      contentLocation: 'http://10.74.183.55/mms/wapenc?location=48608394953_07ygg84bph&rid=137',
    });
  });
  it('--input sms with a segment missing: INCOMPLETE, exit 1', () => {
    const r = run(['decode', '--input', 'sms', '--hex', mms.segments[1]]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'INCOMPLETE', offset: 0 });
    expect(JSON.parse(r.stderr).error.message).toMatch(/missing 1/);
  });
  it('--input sms with a bad UDH names the segment and the offset', () => {
    const r = run(['decode', '--input', 'sms', '--hex', mms.segments[0], '--hex', '0b05040b84']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'BAD_LENGTH', offset: 0 });
    expect(JSON.parse(r.stderr).error.message).toMatch(/^segment 2:/);
  });
});

describe('wappush decode --pin / --imsi (provisioning authentication, docs/library.md)', () => {
  const ota = loadFixtures<{ file: string; segments: string[] }>('sms').find((f) => f.file.startsWith('ota-viettel'))!;
  const args = ota.segments.flatMap((s) => ['--hex', s]);
  it('reports verified true with the right PIN, false with a wrong one, null without one', () => {
    const auth = (extra: string[]) =>
      JSON.parse(run(['decode', '--input', 'sms', ...args, ...extra]).stdout).body.authentication;
    expect(auth(['--pin', '1111'])).toMatchObject({ sec: 'USERPIN', verified: true });
    expect(auth(['--pin', '0000'])).toMatchObject({ sec: 'USERPIN', verified: false });
    expect(auth([])).toMatchObject({ sec: 'USERPIN', verified: null });
  });
  it('refuses an IMSI that is not digits', () => {
    const r = run(['decode', '--input', 'sms', ...args, '--imsi', '12ab']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('BAD_INPUT');
  });
});

describe('wappush decode: warnings and --strict (issue 20)', () => {
  // 00 tid | 06 push | 03 | 83 text/plain | 8d Content-Length e4 (100) | "Hello": 5 octets, not 100.
  const odd = '000603838de448656c6c6f';
  it('a push with something odd: the JSON carries `warnings`, exit 0', () => {
    const r = run(['decode', '--hex', odd]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).warnings).toEqual([
      { code: 'CONTENT_LENGTH', message: 'Content-Length 100 but the body has 5 octets', offset: 5 },
    ]);
  });
  it('--strict: the same JSON on stdout, the first warning as the error on stderr, exit 1', () => {
    const r = run(['decode', '--strict', '--hex', odd]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).warnings).toHaveLength(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'CONTENT_LENGTH', offset: 5 });
  });
  it('--strict on a push with nothing odd exits 0 and the JSON has no `warnings`', () => {
    const r = run(['decode', '--strict', '--hex', '000601834869']);
    expect(r.status).toBe(0);
    expect('warnings' in JSON.parse(r.stdout)).toBe(false);
  });
  it('an SMS without port addressing: NOT_WDP, a warning when it reads as WSP, the error when not', () => {
    // UDHL 00: a UDH with no information element, so no ports; then a WSP push.
    const r = run(['decode', '--input', 'sms', '--hex', '00' + '000601834869']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.wdp).toEqual({ segments: 1 });
    expect(out.warnings).toEqual([{ code: 'NOT_WDP', message: 'not a WDP datagram (no port addressing)', offset: 0 }]);
    // "Hello" is no WSP PDU: the error says what the SMS is, not only what WSP makes of it.
    const bad = run(['decode', '--input', 'sms', '--hex', '00' + '48656c6c6f']);
    expect(bad.status).toBe(1);
    const e = JSON.parse(bad.stderr).error;
    expect(e.code).toBe('NOT_WDP');
    expect(e.message).toMatch(/^not a WDP datagram \(no port addressing\)/);
  });
});
