#!/usr/bin/env node
/**
 * The `wappush` command. Contracts (docs/architecture.md): `decode` prints one JSON document per push
 * on stdout and exits 0; bad input exits 1 with {"error":{code,message,offset}} on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compilePushXml } from './codec/compile.js';
import { DecodeError, EncodeError } from './codec/errors.js';
import { fromHex, toHex } from './codec/hex.js';
import { pushToJson } from './codec/json.js';
import type { BodySecrets } from './codec/body.js';
import { encodeMmsPdu, type MmsPduInit } from './codec/mms/pdu.js';
import { provisioningMac, SEC_METHODS } from './codec/wbxml/provisioningSecurity.js';
import type { Parameters } from './codec/wsp/parameters.js';
import { encodeCo } from './codec/wbxml/co.js';
import { encodeSi, type SiAction } from './codec/wbxml/si.js';
import { encodeSl, type SlAction } from './codec/wbxml/sl.js';
import { decodePushPdu, encodePushPdu } from './codec/wsp/pushPdu.js';
import { collectDatagram, datagramJson } from './wdp/collect.js';
import type { Segment } from './wdp/datagram.js';
import { ReferenceAllocator, segmentPayload, type SegmentOptions } from './wdp/segmenter.js';
import { segmentFromSmpp } from './wdp/smpp/carriage.js';
import { CommandId, decodeShortMessagePdu, encodeShortMessagePdu } from './wdp/smpp/shortMessage.js';
import { smppShortMessages, type SmppCarriageMode } from './wdp/smpp/submit.js';
import { segmentFromUserData } from './wdp/userData.js';
import { SmscSimulator } from './smsc/simulator.js';
import { SmppSubmitter } from './wdp/smpp/submitter.js';
import { fail } from './cli/output.js';
import { listenCommand } from './cli/listen.js';
import { demo } from './cli/demo.js';

const HELP = `wappush - WAP/OMA Push engine for SMS gateways

Usage:
  wappush decode [--input wsp|sms|smpp] [--hex HEX ...]   decode pushes (hex from --hex or stdin lines)
  wappush encode FILE.xml | --xml XML | --type si|sl|co|mms [document flags] [PDU flags] [--sms|--smpp ...]
                      XML roots: si, sl, co, wap-provisioningdoc (OMA provisioning), emn
  wappush smsc --port N [--host 127.0.0.1] [--account ID:PASSWORD ...] [--window N] [fault flags]
  wappush inject --smsc smpp://ID:PASSWORD@HOST:PORT --to ADDRESS (--hex WSP_PDU | FILE.xml) [--from A] [--carriage C]
  wappush listen --smsc smpp://ID:PASSWORD@HOST:PORT [--register apps.json] [--store FILE]
                                                    bind as receiver; print each push received, one JSON line
  wappush demo                                      simulator + Push Client + sample traffic on loopback
  wappush --help

decode:
  --input wsp         one WSP connectionless push PDU per hex (default)
  --input sms         each hex is one SMS TP-User-Data starting with its UDH; the segments
                      of one message, in any order (duplicates ignored)
  --input smpp        each hex is one whole submit_sm or deliver_sm PDU (UDH or sar_*/port
                      TLVs, short_message or message_payload); the segments of one message
  --hex HEX           repeatable; without it, hex lines are read from stdin
  --pin PIN           provisioning USERPIN / USERNETWPIN / USERPINMAC secret (body.authentication)
  --imsi IMSI         provisioning NETWPIN / USERNETWPIN secret, decimal digits
  --syncml-password P --syncml-nonce HEX   check a SyncML notification's digest

encode document flags:
  --href URL --text TEXT --action ACTION --created ISO --expires ISO --si-id ID --class C=TEXT
  --uri URI (co: invalidate-object, repeatable) --service URI (co: invalidate-service, repeatable)
  --content-location URL --message-size N [--expiry SECONDS|ISO] [--mms-from A] [--subject S]
  [--transaction-id ID] [--message-class C]   (mms: an m-notification-ind; App ID mms.ua)
  --sec NETWPIN|USERPIN|USERNETWPIN --pin PIN --imsi IMSI   (provisioning: SEC and MAC parameters)
encode PDU flags:
  --app-id ID         X-Wap-Application-Id (URN, URI or number); default: none (wml.ua applies)
  --tid N             transaction id (default 0)
  --confirmed         ConfirmedPush instead of Push
  --body-only         print the WBXML body, not the WSP PDU
  --wbxml-version V   1.1, 1.2 (default) or 1.3
smsc fault flags (rehearsing outages):
  --drop-after N      close a receiver's connection after every N deliver_sm
  --drop-probability P   --duplicate-probability P   --reorder-probability P
  --response-delay MS  --throttle N (submit_sm per second per session)

encode SMS flags:
  --sms               print the SMS TP-User-Data segments (UDH + data), hex, one a line
  --smpp              print whole submit_sm PDUs instead, hex, one a line
  --source-port N     default 9200          --destination-port N   default 2948
  --port-bits 8|16|none   port addressing element (default 16)
  --reference-bits 8|16   concatenation element (default 8)
  --reference N       concatenation reference (default: allocated)
  --from ADDR --to ADDR   SMPP source_addr / destination_addr (--smpp)
  --carriage udh|sar|payload   SMPP carriage (--smpp; default udh)
  --data-coding N     SMPP data_coding (--smpp; default 0x04)
`;

function readStdinLines(): string[] {
  let text = '';
  try {
    text = readFileSync(0, 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function decode(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      hex: { type: 'string', multiple: true },
      input: { type: 'string', default: 'wsp' },
      pin: { type: 'string' },
      imsi: { type: 'string' },
      'syncml-password': { type: 'string' },
      'syncml-nonce': { type: 'string' },
    },
    strict: true,
  });
  const secrets: BodySecrets = {};
  if (values.pin !== undefined) secrets.pin = values.pin;
  if (values.imsi !== undefined) {
    if (!/^\d{1,15}$/.test(values.imsi)) fail(new Error(`--imsi takes 1-15 decimal digits, not ${values.imsi}`));
    secrets.imsi = values.imsi;
  }
  if (values['syncml-password'] !== undefined) {
    secrets.syncml = { password: values['syncml-password'] };
    if (values['syncml-nonce'] !== undefined) secrets.syncml.nonce = fromHex(values['syncml-nonce']);
  }
  const input = values.input;
  if (input !== 'wsp' && input !== 'sms' && input !== 'smpp')
    fail(new Error(`unknown --input ${input}: wsp, sms or smpp`));
  const hexes = values.hex?.length ? values.hex : readStdinLines();
  if (!hexes.length) fail(new Error('no input: give --hex HEX or hex lines on stdin'));
  if (input !== 'wsp') {
    decodeSegments(input, hexes, secrets);
    return;
  }
  for (const h of hexes) {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(h);
    } catch (e) {
      fail(e);
    }
    try {
      process.stdout.write(JSON.stringify(pushToJson(decodePushPdu(bytes), { secrets }), null, 2) + '\n');
    } catch (e) {
      fail(e);
    }
  }
}

/** All hexes are segments of one message: reassemble, then decode the WSP PDU it carries. */
function decodeSegments(input: 'sms' | 'smpp', hexes: string[], secrets: BodySecrets): void {
  const segments: Segment[] = [];
  hexes.forEach((h, i) => {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(h);
    } catch (e) {
      fail(new Error(`segment ${i + 1}: ${(e as Error).message}`));
    }
    try {
      segments.push(input === 'sms' ? segmentFromUserData(bytes) : segmentFromSmpp(decodeShortMessagePdu(bytes)));
    } catch (e) {
      if (e instanceof DecodeError) fail(new DecodeError(e.code, e.offset, `segment ${i + 1}: ${e.message}`));
      fail(e);
    }
  });
  try {
    const datagram = collectDatagram(segments);
    const json = pushToJson(decodePushPdu(datagram.payload), { secrets });
    process.stdout.write(JSON.stringify({ wdp: datagramJson(datagram), ...json }, null, 2) + '\n');
  } catch (e) {
    fail(e);
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
      smpp: { type: 'boolean' },
      'source-port': { type: 'string' },
      'destination-port': { type: 'string' },
      'port-bits': { type: 'string' },
      'reference-bits': { type: 'string' },
      reference: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      carriage: { type: 'string' },
      'data-coding': { type: 'string' },
      sec: { type: 'string' },
      pin: { type: 'string' },
      imsi: { type: 'string' },
      'content-location': { type: 'string' },
      'message-size': { type: 'string' },
      expiry: { type: 'string' },
      'mms-from': { type: 'string' },
      subject: { type: 'string' },
      'transaction-id': { type: 'string' },
      'message-class': { type: 'string' },
    },
  });
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
    } else if (values.type === 'mms') {
      contentType = 'application/vnd.wap.mms-message';
      body = mmsNotificationFromFlags(values);
    } else {
      throw new EncodeError(
        'BAD_INPUT',
        'give an XML file (si, sl, co, wap-provisioningdoc, emn), --xml, or --type si|sl|co|mms',
      );
    }
    const contentTypeParameters =
      values.sec === undefined ? undefined : secParameters(values.sec, body, { pin: values.pin, imsi: values.imsi });
    if (values['body-only']) {
      process.stdout.write(toHex(body) + '\n');
      return;
    }
    const appId = values['app-id'] ?? (values.type === 'mms' ? 'x-wap-application:mms.ua' : undefined);
    const pdu = encodePushPdu({
      transactionId: values.tid !== undefined ? Number(values.tid) : 0,
      pduType: values.confirmed ? 'confirmed-push' : 'push',
      contentType,
      contentTypeParameters,
      applicationId: appId === undefined ? undefined : /^\d+$/.test(appId) ? Number(appId) : appId,
      body,
    });
    if (values.sms || values.smpp) {
      writeSegments(pdu, values);
      return;
    }
    process.stdout.write(toHex(pdu) + '\n');
  } catch (e) {
    fail(e);
  }
}

/** SEC and MAC content-type parameters for a provisioning document (OMA-WAP-ProvBoot 5). */
function secParameters(sec: string, body: Uint8Array, secrets: { pin?: string; imsi?: string }): Parameters {
  const method = sec.toUpperCase();
  const code = SEC_METHODS.code(method);
  if (code === undefined) throw new EncodeError('BAD_INPUT', `--sec takes NETWPIN, USERPIN or USERNETWPIN, not ${sec}`);
  if (method === 'USERPINMAC')
    throw new EncodeError(
      'BAD_INPUT',
      'USERPINMAC: the PIN itself carries the MAC (library: userPinMacPin); encode sends NETWPIN, USERPIN or USERNETWPIN',
    );
  if (secrets.imsi !== undefined && !/^\d{1,15}$/.test(secrets.imsi))
    throw new EncodeError('BAD_INPUT', `--imsi takes 1-15 decimal digits, not ${secrets.imsi}`);
  try {
    return { sec: code, mac: provisioningMac(method as 'NETWPIN' | 'USERPIN' | 'USERNETWPIN', body, secrets) };
  } catch (e) {
    throw new EncodeError('BAD_INPUT', (e as Error).message);
  }
}

/** An m-notification-ind from flags (OMA-MMS-ENC 1.3 6.2: the mandatory fields, and From/Subject when given). */
function mmsNotificationFromFlags(values: Record<string, string | boolean | string[] | undefined>): Uint8Array {
  const str = (k: string) => values[k] as string | undefined;
  if (!str('content-location') || str('message-size') === undefined)
    throw new EncodeError('BAD_INPUT', 'an MMS notification needs --content-location URL and --message-size N');
  const expiry = str('expiry') ?? '604800';
  const pdu: MmsPduInit = {
    messageType: 'm-notification-ind',
    transactionId: str('transaction-id') ?? `T${Date.now().toString(36)}`,
    version: '1.2',
  };
  if (str('mms-from') !== undefined) pdu.from = { text: str('mms-from')! };
  if (str('subject') !== undefined) pdu.subject = { text: str('subject')!, charset: 'utf-8' };
  pdu.messageClass = str('message-class') ?? 'personal';
  pdu.messageSize = Number(str('message-size'));
  pdu.expiry = /^\d+$/.test(expiry) ? { relative: Number(expiry) } : { absolute: expiry };
  pdu.contentLocation = str('content-location');
  return encodeMmsPdu(pdu);
}

function integer(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new EncodeError('BAD_INPUT', `${name} takes a non-negative integer, not ${v}`);
  return n;
}

function writeSegments(pdu: Uint8Array, values: Record<string, string | boolean | string[] | undefined>): void {
  const str = (k: string) => values[k] as string | undefined;
  const portBits = str('port-bits') ?? '16';
  const referenceBits = str('reference-bits') ?? '8';
  if (!['8', '16', 'none'].includes(portBits)) throw new EncodeError('BAD_INPUT', '--port-bits takes 8, 16 or none');
  if (!['8', '16'].includes(referenceBits)) throw new EncodeError('BAD_INPUT', '--reference-bits takes 8 or 16');
  const carriage = (str('carriage') ?? 'udh') as SmppCarriageMode;
  if (!['udh', 'sar', 'payload'].includes(carriage))
    throw new EncodeError('BAD_INPUT', '--carriage takes udh, sar or payload');
  const bits = (carriage === 'sar' ? 16 : Number(referenceBits)) as 8 | 16;
  const options: SegmentOptions = {
    sourcePort: integer(str('source-port'), '--source-port'),
    destinationPort: integer(str('destination-port'), '--destination-port'),
    portBits: portBits === 'none' ? false : (Number(portBits) as 8 | 16),
    referenceBits: bits,
    reference: integer(str('reference'), '--reference') ?? new ReferenceAllocator().next(str('to') ?? '', bits),
  };
  if (!values.smpp) {
    for (const seg of segmentPayload(pdu, options)) process.stdout.write(toHex(seg) + '\n');
    return;
  }
  const dataCoding = integer(str('data-coding'), '--data-coding');
  smppShortMessages(pdu, { ...options, carriage, dataCoding }).forEach((fields, i) => {
    const bytes = encodeShortMessagePdu({
      ...fields,
      commandId: CommandId.submit_sm,
      sequenceNumber: i + 1,
      serviceType: 'WAP',
      sourceAddr: str('from') ?? '',
      destinationAddr: str('to') ?? '',
      sourceAddrTon: 0,
      destAddrTon: 1,
      destAddrNpi: 1,
    });
    process.stdout.write(toHex(bytes) + '\n');
  });
}

function smscCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '2775' },
      host: { type: 'string', default: '127.0.0.1' },
      account: { type: 'string', multiple: true },
      window: { type: 'string' },
      'drop-after': { type: 'string' },
      'drop-probability': { type: 'string' },
      'duplicate-probability': { type: 'string' },
      'reorder-probability': { type: 'string' },
      'response-delay': { type: 'string' },
      throttle: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const accounts = (values.account ?? []).map((a) => {
    const i = a.indexOf(':');
    if (i < 0) fail(new Error(`--account takes ID:PASSWORD, not ${a}`));
    return { systemId: a.slice(0, i), password: a.slice(i + 1) };
  });
  let sim: SmscSimulator;
  try {
    sim = new SmscSimulator({
      host: values.host,
      port: Number(values.port),
      accounts,
      window: num(values.window),
      throttlePerSecond: num(values.throttle),
      faults: {
        dropAfterDeliveries: num(values['drop-after']),
        dropProbability: num(values['drop-probability']),
        duplicateProbability: num(values['duplicate-probability']),
        reorderProbability: num(values['reorder-probability']),
        responseDelayMs: num(values['response-delay']),
      },
    });
  } catch (e) {
    // A flag out of its range (--window abc, --drop-probability 3): the error line, not a stack.
    fail(e);
  }
  sim.on('bind', (b) => process.stderr.write(`bind ${b.mode} ${b.systemId}\n`));
  sim.listen().then((port) => {
    process.stdout.write(JSON.stringify({ listening: { host: values.host, port } }) + '\n');
  }, fail);
  process.on('SIGINT', () => void sim.close().then(() => process.exit(0)));
}

function injectCommand(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      smsc: { type: 'string' },
      to: { type: 'string' },
      from: { type: 'string' },
      hex: { type: 'string' },
      carriage: { type: 'string' },
    },
  });
  (async () => {
    if (!values.smsc || !values.to) throw new EncodeError('BAD_INPUT', 'inject needs --smsc URL and --to ADDRESS');
    let pdu: Uint8Array;
    if (values.hex) pdu = fromHex(values.hex);
    else if (positionals[0]) {
      const { contentType, body } = compilePushXml(readFileSync(positionals[0], 'utf8'));
      pdu = encodePushPdu({ transactionId: 0, contentType, body });
    } else throw new EncodeError('BAD_INPUT', 'give --hex WSP_PDU or an SI/SL/CO XML file');
    const tx = new SmppSubmitter(values.smsc);
    await tx.start();
    const ids = await tx.submit(pdu, {
      to: values.to,
      from: values.from,
      carriage: (values.carriage ?? 'udh') as SmppCarriageMode,
    });
    await tx.close();
    process.stdout.write(JSON.stringify({ submitted: ids }) + '\n');
  })().catch(fail);
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  run(cmd, rest);
} catch (e) {
  // A flag Node's parseArgs refuses (unknown, or missing its value) is a usage error, exit 2 as
  // for an unknown command; anything else thrown while starting is the error line, exit 1.
  if ((e as { code?: unknown } | undefined)?.code?.toString().startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(
      JSON.stringify({ error: { code: 'BAD_INPUT', message: (e as Error).message, offset: null } }) + '\n',
    );
    process.exit(2);
  }
  fail(e);
}

function run(cmd: string | undefined, rest: string[]): void {
  switch (cmd) {
    case 'decode':
      decode(rest);
      break;
    case 'encode':
      encode(rest);
      break;
    case 'demo':
      demo().then((code) => process.exit(code), fail);
      break;
    case 'smsc':
      smscCommand(rest);
      break;
    case 'inject':
      injectCommand(rest);
      break;
    case 'listen':
      listenCommand(rest);
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
}
