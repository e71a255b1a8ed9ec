/**
 * `wappush decode` (docs/architecture.md contract): one JSON document per push on stdout, exit 0; bad
 * input exits 1 with {"error":{code,message,offset}} on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BodySecrets } from '../codec/body.js';
import { DecodeError } from '../codec/errors.js';
import { fromHex } from '../codec/hex.js';
import { decodeBody } from '../codec/body.js';
import { bodyJson, pushToJson, type PushJson } from '../codec/json.js';
import { parseContentType } from '../codec/wsp/contentType.js';
import type { DecodeWarning } from '../codec/warnings.js';
import { decodePushPdu } from '../codec/wsp/pushPdu.js';
import { collectDatagram, datagramJson } from '../wdp/collect.js';
import type { Segment } from '../wdp/datagram.js';
import { segmentFromSmpp } from '../wdp/smpp/carriage.js';
import { decodeShortMessagePdu } from '../wdp/smpp/shortMessage.js';
import { segmentFromUserData, shiftError } from '../wdp/userData.js';
import { dissect, treeJson, type DissectInput } from '../dissect/index.js';
import { notWdpError, notWdpWarning } from '../dissect/notWdp.js';
import type { FlagValues } from '../ops/config/schema.js';
import type { Command } from './command.js';
import { fail } from './output.js';
import { resolveSecrets, secretFileHelp } from './secrets.js';
import { treeError, treeText, type TreeFormat } from './tree.js';

const options = {
  hex: { type: 'string', multiple: true },
  input: { type: 'string', default: 'wsp' },
  'content-type': { type: 'string' },
  pin: { type: 'string' },
  'pin-file': { type: 'string' },
  imsi: { type: 'string' },
  'syncml-password': { type: 'string' },
  'syncml-password-file': { type: 'string' },
  'syncml-nonce': { type: 'string' },
  strict: { type: 'boolean', default: false },
  tree: { type: 'boolean', default: false },
  'tree-format': { type: 'string' },
} as const;

export const decode: Command = {
  name: 'decode',
  usage: `  wappush decode [--input wsp|sms|smpp] [--hex HEX ...] [--tree]   decode pushes (hex from --hex or stdin lines)
  wappush decode --input wbxml --content-type TYPE [--hex HEX ...]   decode bare push bodies
`,
  flags: `decode:
  --input wsp         one WSP connectionless push PDU per hex (default)
  --input sms         each hex is one SMS TP-User-Data starting with its UDH; the segments
                      of one message, in any order (duplicates ignored)
  --input smpp        each hex is one whole submit_sm or deliver_sm PDU (UDH or sar_*/port
                      TLVs, short_message or message_payload); the segments of one message
  --input wbxml       each hex is one bare body (no WSP PDU around it) of --content-type:
                      prints {"body": ..., "warnings": [...]}
  --content-type T    the body's content type, with parameters if any
                      ("application/vnd.wap.sic; charset=utf-8"); --input wbxml only
  --hex HEX           repeatable; without it, hex lines are read from stdin
  --pin PIN           provisioning USERPIN / USERNETWPIN / USERPINMAC secret (body.authentication)
  --imsi IMSI         provisioning NETWPIN / USERNETWPIN secret, decimal digits
  --syncml-password P --syncml-nonce HEX   check a SyncML notification's digest
${secretFileHelp('pin', 'syncml-password')}  --strict            a decode with warnings (what is odd but decodes) exits 1: the JSON
                      on stdout as always, the first warning as the error on stderr
  --tree              print the dissection tree instead (docs/inspector.md): every octet
                      under the node that says what it is, with its offset and length; a
                      push that does not decode: the tree up to the error, exit 1
  --tree-format F     json or text (indented, with offsets); default text on a terminal,
                      json otherwise
`,
  options,
  run(argv) {
    const { values } = parseArgs({ args: argv, options, strict: true });
    let given: FlagValues;
    try {
      given = resolveSecrets('decode', argv, options, values);
    } catch (e) {
      fail(e);
    }
    const { pin, 'syncml-password': syncmlPassword } = given;
    const secrets: BodySecrets = {};
    if (typeof pin === 'string') secrets.pin = pin;
    if (values.imsi !== undefined) {
      if (!/^\d{1,15}$/.test(values.imsi)) fail(new Error(`--imsi takes 1-15 decimal digits, not ${values.imsi}`));
      secrets.imsi = values.imsi;
    }
    if (typeof syncmlPassword === 'string') {
      secrets.syncml = { password: syncmlPassword };
      if (values['syncml-nonce'] !== undefined) secrets.syncml.nonce = fromHex(values['syncml-nonce']);
    }
    const input = values.input;
    if (input !== 'wsp' && input !== 'sms' && input !== 'smpp' && input !== 'wbxml')
      fail(new Error(`unknown --input ${input}: wsp, sms, smpp or wbxml`));
    const contentType = values['content-type'];
    if (input === 'wbxml' && contentType === undefined)
      fail(new Error('--input wbxml needs --content-type TYPE: the body has no WSP PDU to say it'));
    if (input !== 'wbxml' && contentType !== undefined)
      fail(new Error('--content-type is for --input wbxml; a PDU says its own content type'));
    const hexes = values.hex?.length ? values.hex : readStdinLines();
    if (!hexes.length) fail(new Error('no input: give --hex HEX or hex lines on stdin'));
    const strict = values.strict;
    if (values.tree) {
      const format = values['tree-format'] ?? (process.stdout.isTTY ? 'text' : 'json');
      if (format !== 'json' && format !== 'text') fail(new Error(`unknown --tree-format ${format}: json or text`));
      return printTrees(input, hexes, contentType, format);
    }
    if (values['tree-format'] !== undefined) fail(new Error('--tree-format goes with --tree'));
    if (input === 'wsp') decodePdus(hexes, secrets, strict);
    else if (input === 'wbxml') decodeBodies(hexes, contentType!, secrets, strict);
    else decodeSegments(input, hexes, secrets, strict);
  },
};

/**
 * One tree per PDU or body, or one for all the segments of a message; the first tree that ends in
 * an error ends the command as a decode error does (its tree printed first).
 */
function printTrees(input: DissectInput, hexes: string[], contentType: string | undefined, format: TreeFormat): void {
  const octets = hexes.map((h, i) => {
    try {
      return fromHex(h);
    } catch (e) {
      fail(hexes.length > 1 ? new Error(`segment ${i + 1}: ${(e as Error).message}`) : e);
    }
  });
  const groups = input === 'sms' || input === 'smpp' ? [octets] : octets.map((o) => [o]);
  for (const group of groups) {
    const tree = dissect(group, { input, contentType });
    process.stdout.write(format === 'text' ? treeText(tree) : JSON.stringify(treeJson(tree), null, 2) + '\n');
    const error = treeError(tree);
    if (error) fail(new DecodeError(error.code, error.offset, error.message));
  }
}

/** Prints one decode JSON; under --strict a warning then ends the command as an error does. */
function emit(json: PushJson | { body: unknown; warnings?: DecodeWarning[] }, strict: boolean): void {
  process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  const first = json.warnings?.[0];
  if (!strict || !first) return;
  const n = json.warnings!.length;
  const more = n > 1 ? ` (and ${n - 1} more warning${n > 2 ? 's' : ''})` : '';
  process.stderr.write(
    JSON.stringify({
      error: { code: first.code, message: `--strict: ${first.message}${more}`, offset: first.offset },
    }) + '\n',
  );
  process.exit(1);
}

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

/** Each hex is one WSP push PDU: one JSON document each, stopping at the first bad one. */
function decodePdus(hexes: string[], secrets: BodySecrets, strict: boolean): void {
  for (const h of hexes) {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(h);
    } catch (e) {
      fail(e);
    }
    let json: PushJson;
    try {
      json = pushToJson(decodePushPdu(bytes), { secrets });
    } catch (e) {
      fail(e);
    }
    emit(json, strict);
  }
}

/** Each hex is one bare body of `contentType` (with its parameters): {body, warnings} each. */
function decodeBodies(hexes: string[], contentType: string, secrets: BodySecrets, strict: boolean): void {
  const ct = parseContentType(contentType);
  for (const h of hexes) {
    let out: { body: ReturnType<typeof bodyJson>; warnings?: DecodeWarning[] };
    try {
      const body = decodeBody(ct.type, ct.params, fromHex(h), { secrets });
      out = { body: bodyJson(body) };
      if (body.warnings) out.warnings = body.warnings;
    } catch (e) {
      fail(e);
    }
    emit(out, strict);
  }
}

/**
 * All hexes are segments of one message: reassemble, then decode the WSP PDU it carries. Offsets
 * count in the input as the tree's do: in the one segment given, or for several segments in the
 * datagram they make.
 */
function decodeSegments(input: 'sms' | 'smpp', hexes: string[], secrets: BodySecrets, strict: boolean): void {
  const segments: Segment[] = [];
  let dataAt = 0;
  hexes.forEach((h, i) => {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(h);
    } catch (e) {
      fail(new Error(`segment ${i + 1}: ${(e as Error).message}`));
    }
    try {
      const seg = input === 'sms' ? segmentFromUserData(bytes) : segmentFromSmpp(decodeShortMessagePdu(bytes));
      if (seg.data.buffer === bytes.buffer) dataAt = seg.data.byteOffset - bytes.byteOffset;
      segments.push(seg);
    } catch (e) {
      if (e instanceof DecodeError) fail(new DecodeError(e.code, e.offset, `segment ${i + 1}: ${e.message}`));
      fail(e);
    }
  });
  // The datagram of several segments is made anew: its offsets are its own.
  const base = segments.length === 1 ? dataAt : 0;
  let out: PushJson;
  try {
    const datagram = collectDatagram(segments);
    // Without port addressing an SMS is not a WDP datagram (WAP-259 6.5): it is read as WSP all the same.
    const portless = datagram.destinationPort === undefined;
    let json: PushJson;
    try {
      json = pushToJson(decodePushPdu(datagram.payload), { secrets });
    } catch (e) {
      const shifted = shiftError(e, base);
      if (portless && shifted instanceof DecodeError) throw notWdpError(shifted);
      throw shifted;
    }
    const warnings = (json.warnings ?? []).map((w) => ({ ...w, offset: w.offset + base }));
    if (portless) warnings.unshift(notWdpWarning(base));
    out = { wdp: datagramJson(datagram), ...json };
    if (warnings.length) out.warnings = warnings;
  } catch (e) {
    fail(e);
  }
  emit(out, strict);
}
