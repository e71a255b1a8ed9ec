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
    // Offset 1: the datagram's first octet, after the UDHL, counted in the user data given.
    expect(out.warnings).toEqual([{ code: 'NOT_WDP', message: 'not a WDP datagram (no port addressing)', offset: 1 }]);
    // "Hello" is no WSP PDU: the error says what the SMS is, not only what WSP makes of it.
    const bad = run(['decode', '--input', 'sms', '--hex', '00' + '48656c6c6f']);
    expect(bad.status).toBe(1);
    const e = JSON.parse(bad.stderr).error;
    expect(e.code).toBe('NOT_WDP');
    expect(e.message).toMatch(/^not a WDP datagram \(no port addressing\)/);
  });
});

describe('decode and decode --tree say the same error for the same SMS', () => {
  // A plain-text SMS: "Hello" with no port addressing, so no WDP datagram, and no WSP PDU either
  // (its second octet, 0x65, is no PDU type).
  const notWdp = 'not a WDP datagram (no port addressing); read as WSP it fails: BAD_PDU_TYPE: ';
  const pduType = 'PDU type 0x65 is not Push (0x06) or ConfirmedPush (0x07)';
  // deliver_sm (SMPP 3.4 4.6.1) from 123 to 456, esm_class 0 (no UDHI), data_coding 4, "Hello".
  const deliverSm = '0000002c00000005000000000000000100010131323300010134353600000000000000000400' + '0548656c6c6f';
  const cases: [string, string, string[], { code: string; message: string; offset: number }][] = [
    // UDHL 00, then the text: the PDU type would be octet 2 of the user data.
    ['sms, one segment', 'sms', ['00' + '48656c6c6f'], { code: 'NOT_WDP', message: notWdp + pduType, offset: 2 }],
    // short_message starts at octet 39 of the PDU: its second octet is 40.
    ['smpp, no UDHI', 'smpp', [deliverSm], { code: 'NOT_WDP', message: notWdp + pduType, offset: 40 }],
    // Two segments (8-bit reference 1, no ports): offsets count in the datagram they make, "Hee" "llo".
    [
      'sms, two segments',
      'sms',
      ['050003010201486565', '0500030102026c6c6f'],
      { code: 'NOT_WDP', message: notWdp + pduType, offset: 1 },
    ],
    // With ports (2948 -> 9200) the same text is a WDP datagram that WSP refuses, at octet 8.
    ['sms with ports', 'sms', ['0605040b8423f0' + '48656c6c6f'], { code: 'BAD_PDU_TYPE', message: pduType, offset: 8 }],
  ];
  for (const [name, input, hexes, error] of cases) {
    it(name, () => {
      const args = ['decode', '--input', input, ...hexes.flatMap((h) => ['--hex', h])];
      const decoded = run(args);
      const tree = run([...args, '--tree', '--tree-format', 'json']);
      expect(decoded.status).toBe(1);
      expect(tree.status).toBe(1);
      expect(JSON.parse(decoded.stderr).error).toEqual(error);
      expect(JSON.parse(tree.stderr).error).toEqual(error);
    });
  }
});

describe('wappush decode --input wbxml --content-type TYPE: a bare body (issue 20)', () => {
  // The issue 20 SL (Gecko's sl.json body) with a second <sl> (45 01) after the root.
  const sl = '03066a00850a036f7265696c6c790085014501';
  it('prints {body, warnings}, offsets counted in the body', () => {
    const r = run(['decode', '--input', 'wbxml', '--content-type', 'application/vnd.wap.slc', '--hex', sl]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      body: { type: 'sl', href: 'http://www.oreilly.com/', action: 'execute-low' },
      warnings: [{ code: 'TRAILING_DATA', message: '2 octets after the root element, ignored', offset: 17 }],
    });
  });
  it('hex lines on stdin, one document each; no `warnings` for a body with nothing odd', () => {
    const r = run(
      ['decode', '--input', 'wbxml', '--content-type', 'application/vnd.wap.slc'],
      `${sl.slice(0, -4)}\n${sl}\n`,
    );
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/\n(?=\{)/).map((d) => JSON.parse(d));
    expect(docs).toHaveLength(2);
    expect(docs[0]).toEqual({ body: { type: 'sl', href: 'http://www.oreilly.com/', action: 'execute-low' } });
    expect(docs[1].warnings).toHaveLength(1);
  });
  it('the content type may carry parameters: an XML body in the charset it names', () => {
    // <sl href="http://a/é"/> in iso-8859-1: é is the one octet e9.
    const xml = Buffer.concat([Buffer.from('<sl href="http://a/'), Buffer.from([0xe9]), Buffer.from('"/>')]);
    const r = run([
      'decode',
      '--input',
      'wbxml',
      '--content-type',
      'text/vnd.wap.sl; charset=iso-8859-1',
      '--hex',
      xml.toString('hex'),
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).body.href).toBe('http://a/\u00e9');
  });
  it('a bad body exits 1 with the error at its offset in the body; --strict turns a warning into exit 1', () => {
    const bad = run([
      'decode',
      '--input',
      'wbxml',
      '--content-type',
      'application/vnd.wap.sic',
      '--hex',
      '02056a0045c60c0378797a000ac30720080230152315010101',
    ]);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stderr).error).toMatchObject({ code: 'BAD_VALUE', offset: 18 });
    const strict = run([
      'decode',
      '--strict',
      '--input',
      'wbxml',
      '--content-type',
      'application/vnd.wap.slc',
      '--hex',
      sl,
    ]);
    expect(strict.status).toBe(1);
    expect(JSON.parse(strict.stderr).error).toMatchObject({ code: 'TRAILING_DATA', offset: 17 });
  });
  it('--input wbxml without --content-type, or --content-type with another input, is refused', () => {
    const r = run(['decode', '--input', 'wbxml', '--hex', sl]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.message).toMatch(/--content-type/);
    expect(run(['decode', '--content-type', 'text/plain', '--hex', '000601834869']).status).toBe(1);
  });
});
