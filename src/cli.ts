#!/usr/bin/env node
/**
 * The `wappush` command. Contracts (DESIGN.md): `decode` prints one JSON document per push
 * on stdout and exits 0; bad input exits 1 with {"error":{code,message,offset}} on stderr.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compilePushXml } from './codec/compile.js';
import { DecodeError, EncodeError } from './codec/errors.js';
import { fromHex, toHex } from './codec/hex.js';
import { pushToJson } from './codec/json.js';
import { encodeCo } from './codec/wbxml/co.js';
import { encodeSi, type SiAction } from './codec/wbxml/si.js';
import { encodeSl, type SlAction } from './codec/wbxml/sl.js';
import { decodePushPdu, encodePushPdu } from './codec/wsp/pushPdu.js';

const HELP = `wappush - WAP/OMA Push engine for SMS gateways

Usage:
  wappush decode [--input wsp] [--hex HEX ...]     decode push PDUs (hex from --hex or stdin lines)
  wappush encode FILE.xml | --xml XML | --type si|sl|co [document flags] [PDU flags]
  wappush demo                                      decode and print the sample pushes
  wappush --help

decode:
  --input wsp         one WSP connectionless push PDU per hex (default)
  --input sms|smpp    SMS TP-User-Data / SMPP PDUs (not yet: arrives with the WDP layer)
  --hex HEX           repeatable; without it, hex lines are read from stdin

encode document flags:
  --href URL --text TEXT --action ACTION --created ISO --expires ISO --si-id ID --class C=TEXT
  --uri URI (co: invalidate-object, repeatable) --service URI (co: invalidate-service, repeatable)
encode PDU flags:
  --app-id ID         X-Wap-Application-Id (URN, URI or number); default: none (wml.ua applies)
  --tid N             transaction id (default 0)
  --confirmed         ConfirmedPush instead of Push
  --body-only         print the WBXML body, not the WSP PDU
  --wbxml-version V   1.1, 1.2 (default) or 1.3
`;

function fail(err: unknown): never {
  if (err instanceof DecodeError) {
    process.stderr.write(JSON.stringify({ error: err.toJSON() }) + '\n');
  } else if (err instanceof EncodeError) {
    process.stderr.write(JSON.stringify({ error: { code: err.code, message: err.message, offset: null } }) + '\n');
  } else {
    process.stderr.write(JSON.stringify({ error: { code: 'BAD_INPUT', message: (err as Error).message, offset: null } }) + '\n');
  }
  process.exit(1);
}

function readStdinLines(): string[] {
  let text = '';
  try {
    text = readFileSync(0, 'utf8');
  } catch {
    return [];
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function decode(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: { hex: { type: 'string', multiple: true }, input: { type: 'string', default: 'wsp' } },
    strict: true,
  });
  if (values.input !== 'wsp') {
    fail(new Error(`--input ${values.input} is not available yet (the WDP layer brings sms and smpp)`));
  }
  const hexes = values.hex?.length ? values.hex : readStdinLines();
  if (!hexes.length) fail(new Error('no input: give --hex HEX or hex lines on stdin'));
  for (const h of hexes) {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(h);
    } catch (e) {
      fail(e);
    }
    try {
      process.stdout.write(JSON.stringify(pushToJson(decodePushPdu(bytes)), null, 2) + '\n');
    } catch (e) {
      fail(e);
    }
  }
}

function encode(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      xml: { type: 'string' },
      type: { type: 'string' },
      href: { type: 'string' },
      text: { type: 'string' },
      action: { type: 'string' },
      created: { type: 'string' },
      expires: { type: 'string' },
      'si-id': { type: 'string' },
      class: { type: 'string', multiple: true },
      uri: { type: 'string', multiple: true },
      service: { type: 'string', multiple: true },
      'app-id': { type: 'string' },
      tid: { type: 'string' },
      confirmed: { type: 'boolean' },
      'body-only': { type: 'boolean' },
      'wbxml-version': { type: 'string' },
      sms: { type: 'boolean' },
    },
  });
  if (values.sms) fail(new Error('--sms is not available yet (the WDP layer brings segmentation)'));
  const version = ({ '1.1': 0x01, '1.2': 0x02, '1.3': 0x03 } as const)[values['wbxml-version'] ?? '1.2'];
  if (!version) fail(new Error(`unknown --wbxml-version ${values['wbxml-version']}`));
  const opts = { version };
  try {
    let contentType: string;
    let body: Uint8Array;
    if (positionals[0] || values.xml !== undefined) {
      const xml = values.xml ?? readFileSync(positionals[0], 'utf8');
      ({ contentType, body } = compilePushXml(xml, opts));
    } else if (values.type === 'si') {
      contentType = 'application/vnd.wap.sic';
      body = encodeSi(
        {
          href: values.href,
          text: values.text ?? '',
          action: values.action as SiAction | undefined,
          created: values.created,
          expires: values.expires,
          siId: values['si-id'],
          items: values.class?.map((c) => ({ class: c.split('=')[0], text: c.split('=').slice(1).join('=') })),
        },
        opts,
      );
    } else if (values.type === 'sl') {
      if (!values.href) throw new EncodeError('BAD_INPUT', 'SL needs --href');
      contentType = 'application/vnd.wap.slc';
      body = encodeSl({ href: values.href, action: values.action as SlAction | undefined }, opts);
    } else if (values.type === 'co') {
      contentType = 'application/vnd.wap.coc';
      body = encodeCo({ objects: values.uri, services: values.service }, opts);
    } else {
      throw new EncodeError('BAD_INPUT', 'give an XML file, --xml, or --type si|sl|co');
    }
    if (values['body-only']) {
      process.stdout.write(toHex(body) + '\n');
      return;
    }
    const appId = values['app-id'];
    const pdu = encodePushPdu({
      transactionId: values.tid !== undefined ? Number(values.tid) : 0,
      pduType: values.confirmed ? 'confirmed-push' : 'push',
      contentType,
      applicationId: appId === undefined ? undefined : /^\d+$/.test(appId) ? Number(appId) : appId,
      body,
    });
    process.stdout.write(toHex(pdu) + '\n');
  } catch (e) {
    fail(e);
  }
}

/** Until the loopback demo exists (CAI issue): decode and show the sample pushes. */
function demo(): void {
  const dir = new URL('../test/fixtures/wsp/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const fixture = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { description: string; source: string; pdu: string };
    const json = pushToJson(decodePushPdu(fromHex(fixture.pdu)));
    process.stdout.write(`# ${fixture.description}\n#   source: ${fixture.source}\n${JSON.stringify(json, null, 2)}\n\n`);
  }
}

const [cmd, ...rest] = process.argv.slice(2);
switch (cmd) {
  case 'decode':
    decode(rest);
    break;
  case 'encode':
    encode(rest);
    break;
  case 'demo':
    demo();
    break;
  case undefined:
  case '-h':
  case '--help':
  case 'help':
    process.stdout.write(HELP);
    break;
  default:
    process.stderr.write(`unknown command ${cmd}\n\n${HELP}`);
    process.exit(2);
}
