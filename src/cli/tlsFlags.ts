/**
 * The TLS flags of the commands that bind to an SMSC (listen, inject, ppg): --ca, --cert,
 * --key and the lab's --insecure, which is said on stderr every time it is used.
 */
import { loadTlsClientFiles } from '../security/tlsOptions.js';
import { parseSmscUrl, type SmscUrl } from '../wdp/smpp/link.js';

export const TLS_CLIENT_OPTIONS = {
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

export const TLS_CLIENT_HELP = `  --ca FILE           smpps://: CA certificate(s) (PEM) the SMSC's certificate must chain to
                      (default: the system's CAs)
  --cert FILE --key FILE   smpps://: a client certificate and its key, for SMSCs that ask for one
  --insecure          smpps://: do not verify the SMSC's certificate (lab use only; warned on stderr)
`;

export interface TlsClientValues {
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

/** The TLS flags out of a command's values (flags over a config file). */
export function tlsClientValues(values: Readonly<Record<string, unknown>>): TlsClientValues {
  const text = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  return { ca: text('ca'), cert: text('cert'), key: text('key'), insecure: values.insecure === true };
}

/** `url` with the TLS flags applied; the files are read once, here. */
export function smscWithTls(url: string, values: TlsClientValues): SmscUrl {
  const tls = loadTlsClientFiles(values);
  const smsc = parseSmscUrl(url, tls);
  if (tls?.insecure)
    process.stderr.write(
      JSON.stringify({
        warning: `--insecure: the certificate of ${smsc.host}:${smsc.port} is not verified; for lab use only`,
      }) + '\n',
    );
  return smsc;
}
