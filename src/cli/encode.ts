/**
 * `wappush encode`: an SI/SL/CO/provisioning/EMN XML document, or SI/SL/CO/MMS from flags,
 * to a WSP push PDU in hex (or its WBXML body, or its SMS segments: encodeSegments.ts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compilePushXml } from '../codec/compile.js';
import { EncodeError } from '../codec/errors.js';
import { toHex } from '../codec/hex.js';
import { encodeMmsPdu, type MmsPduInit } from '../codec/mms/pdu.js';
import { encodeCo } from '../codec/wbxml/co.js';
import type { WbxmlEncodeOptions } from '../codec/wbxml/encoder.js';
import { provisioningMac, SEC_METHODS } from '../codec/wbxml/provisioningSecurity.js';
import { encodeSi, type SiAction } from '../codec/wbxml/si.js';
import { encodeSl, type SlAction } from '../codec/wbxml/sl.js';
import type { Parameters } from '../codec/wsp/parameters.js';
import { encodePushPdu } from '../codec/wsp/pushPdu.js';
import type { Command } from './command.js';
import { writeSegments } from './encodeSegments.js';
import { fail } from './output.js';

const options = {
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
} as const;

/** `--wbxml-version`: the version octet of the WBXML header (WAP-192 5.4). */
const WBXML_VERSIONS: ReadonlyMap<string, WbxmlEncodeOptions['version']> = new Map([
  ['1.1', 0x01],
  ['1.2', 0x02],
  ['1.3', 0x03],
]);

const parse = (argv: string[]) => parseArgs({ args: argv, options, allowPositionals: true });
type Values = ReturnType<typeof parse>['values'];

export const encode: Command = {
  name: 'encode',
  usage: `  wappush encode FILE.xml | --xml XML | --type si|sl|co|mms [document flags] [PDU flags] [--sms|--smpp ...]
                      XML roots: si, sl, co, wap-provisioningdoc (OMA provisioning), emn
`,
  flags: `encode document flags:
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
`,
  options,
  run(argv) {
    const { values, positionals } = parse(argv);
    const version = WBXML_VERSIONS.get(values['wbxml-version'] ?? '1.2');
    if (!version) fail(new Error(`unknown --wbxml-version ${values['wbxml-version']}`));
    try {
      const { contentType, body } = document(values, positionals[0], { version });
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
  },
};

/** The WBXML body and its content type, from the XML (a file or --xml) or from --type and its flags. */
function document(
  values: Values,
  file: string | undefined,
  opts: WbxmlEncodeOptions,
): { contentType: string; body: Uint8Array } {
  if (values.xml !== undefined) return compilePushXml(values.xml, opts);
  if (file) return compilePushXml(readFileSync(file, 'utf8'), opts);
  // The encoders check --action against their spec's list; their error is the one printed.
  switch (values.type) {
    case 'si':
      return {
        contentType: 'application/vnd.wap.sic',
        body: encodeSi(
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
        ),
      };
    case 'sl':
      if (!values.href) throw new EncodeError('BAD_INPUT', 'SL needs --href');
      return {
        contentType: 'application/vnd.wap.slc',
        body: encodeSl({ href: values.href, action: values.action as SlAction | undefined }, opts),
      };
    case 'co':
      return {
        contentType: 'application/vnd.wap.coc',
        body: encodeCo({ objects: values.uri, services: values.service }, opts),
      };
    case 'mms':
      return { contentType: 'application/vnd.wap.mms-message', body: mmsNotification(values) };
    default:
      throw new EncodeError(
        'BAD_INPUT',
        'give an XML file (si, sl, co, wap-provisioningdoc, emn), --xml, or --type si|sl|co|mms',
      );
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
function mmsNotification(values: Values): Uint8Array {
  const contentLocation = values['content-location'];
  const messageSize = values['message-size'];
  if (!contentLocation || messageSize === undefined)
    throw new EncodeError('BAD_INPUT', 'an MMS notification needs --content-location URL and --message-size N');
  const expiry = values.expiry ?? '604800';
  const pdu: MmsPduInit = {
    messageType: 'm-notification-ind',
    transactionId: values['transaction-id'] ?? `T${Date.now().toString(36)}`,
    version: '1.2',
  };
  if (values['mms-from'] !== undefined) pdu.from = { text: values['mms-from'] };
  if (values.subject !== undefined) pdu.subject = { text: values.subject, charset: 'utf-8' };
  pdu.messageClass = values['message-class'] ?? 'personal';
  pdu.messageSize = Number(messageSize);
  pdu.expiry = /^\d+$/.test(expiry) ? { relative: Number(expiry) } : { absolute: expiry };
  pdu.contentLocation = contentLocation;
  return encodeMmsPdu(pdu);
}
