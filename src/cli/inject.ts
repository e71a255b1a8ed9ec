/**
 * `wappush inject`: bind as transmitter, submit one push (a WSP PDU in hex, or an XML document
 * encoded here) segmented per the carriage, unbind; prints {"submitted":[message ids]}.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compilePushXml } from '../codec/compile.js';
import { EncodeError } from '../codec/errors.js';
import { fromHex } from '../codec/hex.js';
import { encodePushPdu } from '../codec/wsp/pushPdu.js';
import { SmppSubmitter } from '../wdp/smpp/submitter.js';
import { carriage } from './args.js';
import type { Command } from './command.js';
import { fail } from './output.js';
import { resolveSecrets, secretFileHelp } from './secrets.js';
import { str } from './service.js';
import { smscWithTls, TLS_CLIENT_HELP, TLS_CLIENT_OPTIONS } from './tlsFlags.js';

const options = {
  smsc: { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
  hex: { type: 'string' },
  carriage: { type: 'string' },
  'smsc-file': { type: 'string' },
  ...TLS_CLIENT_OPTIONS,
} as const;

export const inject: Command = {
  name: 'inject',
  usage: `  wappush inject --smsc smpp[s]://ID:PASSWORD@HOST:PORT --to ADDRESS (--hex WSP_PDU | FILE.xml) [--from A] [--carriage C]
`,
  flags: `inject:
  --from A            SMPP source_addr (default: empty)
  --carriage udh|sar|payload   how the WDP ports and segments travel (default udh)
${secretFileHelp('smsc')}${TLS_CLIENT_HELP}`,
  options,
  run(argv) {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true });
    const { positionals } = parsed;
    (async () => {
      const values = { ...parsed.values, smsc: str(resolveSecrets('inject', argv, options, parsed.values), 'smsc') };
      if (!values.smsc || !values.to) throw new EncodeError('BAD_INPUT', 'inject needs --smsc URL and --to ADDRESS');
      let pdu: Uint8Array;
      if (values.hex) pdu = fromHex(values.hex);
      else if (positionals[0]) {
        const { contentType, body } = compilePushXml(readFileSync(positionals[0], 'utf8'));
        pdu = encodePushPdu({ transactionId: 0, contentType, body });
      } else throw new EncodeError('BAD_INPUT', 'give --hex WSP_PDU or an SI/SL/CO XML file');
      const mode = carriage(values.carriage);
      const tx = new SmppSubmitter(smscWithTls(values.smsc, values));
      await tx.start();
      const ids = await tx.submit(pdu, {
        to: values.to,
        from: values.from,
        carriage: mode,
      });
      await tx.close();
      process.stdout.write(JSON.stringify({ submitted: ids }) + '\n');
    })().catch(fail);
  },
};
