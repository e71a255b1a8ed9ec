/**
 * The flags of the Push Client's OTA-HTTP receivers (`listen`): where they listen, HTTPS, and
 * the bounds over all their requests (OtaHttpLimits, docs/security.md). The names are those
 * the other servers use: --host, --tls-cert/--tls-key (ppg, smsc), --max-connections and
 * --max-connections-per-address (smsc).
 */
import { DEFAULT_OTA_HTTP_LIMITS, type OtaHttpLimits } from '../cai/otaHttpBudget.js';
import type { FlagValues } from '../ops/config/schema.js';
import { loadTlsServerFiles, type TlsServerSettings } from '../security/tlsOptions.js';
import { optionalNumber } from './args.js';

export const OTA_HTTP_OPTIONS = {
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'max-buffered': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'body-timeout': { type: 'string' },
} as const;

const d = DEFAULT_OTA_HTTP_LIMITS;
export const OTA_HTTP_HELP = `OTA-HTTP receivers (the ports registrations ask for; docs/security.md):
  --host H            the address they listen on (127.0.0.1)
  --tls-cert FILE --tls-key FILE   serve OTA-HTTP over HTTPS with this certificate and key (PEM)
  --max-connections N         connections open at once, over all receivers (${d.maxConnections})
  --max-connections-per-address N   connections open at once from one address (${d.maxConnectionsPerAddress})
  --max-buffered N    request-body octets held at once, over all requests (${d.maxBufferedOctets})
  --headers-timeout MS   time for a request's headers to arrive (${d.headersTimeoutMs})
  --body-timeout MS   time for a request's body to arrive after its headers (${d.bodyTimeoutMs})
`;

/** PushClientOptions.otaHttp from the flags; the library checks each bound and names the one out of range. */
export function otaHttpOptions(
  values: FlagValues,
): { host?: string; tls?: TlsServerSettings } & Partial<OtaHttpLimits> {
  const text = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const num = (name: string) => optionalNumber(text(name));
  return {
    host: text('host'),
    tls: loadTlsServerFiles(text('tls-cert'), text('tls-key')),
    maxConnections: num('max-connections'),
    maxConnectionsPerAddress: num('max-connections-per-address'),
    maxBufferedOctets: num('max-buffered'),
    headersTimeoutMs: num('headers-timeout'),
    bodyTimeoutMs: num('body-timeout'),
  };
}
