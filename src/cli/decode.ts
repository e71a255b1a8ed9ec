/**
 * `wappush decode` (docs/architecture.md contract): one JSON document per push on stdout, exit 0; bad
 * input exits 1 with {"error":{code,message,offset}} on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BodySecrets } from '../codec/body.js';
import { DecodeError } from '../codec/errors.js';
import { fromHex } from '../codec/hex.js';
import { pushToJson } from '../codec/json.js';
import { decodePushPdu } from '../codec/wsp/pushPdu.js';
import { collectDatagram, datagramJson } from '../wdp/collect.js';
import type { Segment } from '../wdp/datagram.js';
import { segmentFromSmpp } from '../wdp/smpp/carriage.js';
import { decodeShortMessagePdu } from '../wdp/smpp/shortMessage.js';
import { segmentFromUserData } from '../wdp/userData.js';
import type { Command } from './command.js';
import { fail } from './output.js';

const options = {
  hex: { type: 'string', multiple: true },
  input: { type: 'string', default: 'wsp' },
  pin: { type: 'string' },
  imsi: { type: 'string' },
  'syncml-password': { type: 'string' },
  'syncml-nonce': { type: 'string' },
} as const;

export const decode: Command = {
  name: 'decode',
  usage: `  wappush decode [--input wsp|sms|smpp] [--hex HEX ...]   decode pushes (hex from --hex or stdin lines)
`,
  flags: `decode:
  --input wsp         one WSP connectionless push PDU per hex (default)
  --input sms         each hex is one SMS TP-User-Data starting with its UDH; the segments
                      of one message, in any order (duplicates ignored)
  --input smpp        each hex is one whole submit_sm or deliver_sm PDU (UDH or sar_*/port
                      TLVs, short_message or message_payload); the segments of one message
  --hex HEX           repeatable; without it, hex lines are read from stdin
  --pin PIN           provisioning USERPIN / USERNETWPIN / USERPINMAC secret (body.authentication)
  --imsi IMSI         provisioning NETWPIN / USERNETWPIN secret, decimal digits
  --syncml-password P --syncml-nonce HEX   check a SyncML notification's digest
`,
  options,
  run(argv) {
    const { values } = parseArgs({ args: argv, options, strict: true });
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
    if (input === 'wsp') decodePdus(hexes, secrets);
    else decodeSegments(input, hexes, secrets);
  },
};

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
function decodePdus(hexes: string[], secrets: BodySecrets): void {
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
