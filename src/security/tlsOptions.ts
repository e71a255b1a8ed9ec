/**
 * TLS settings as files name them (the CLI's --ca, --cert, --key, --tls-cert, --tls-key),
 * read once into what Node's `tls` takes. A client verifies the server's certificate against
 * the system's CAs, or `ca` when given; `insecure` turns verification off, for the lab only,
 * and whoever sets it is told so (TlsClientSettings.insecure is there to be logged).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { SecurityError, SecurityErrorCode } from './errors.js';
import { checkSecretFileMode } from './fileMode.js';

/** A client's TLS settings: files by path, or their contents. */
export interface TlsClientSettings {
  /** CA certificate(s) (PEM) the server's certificate must chain to; default: Node's bundled CAs. */
  ca?: string | Buffer;
  /** Client certificate and its key (PEM), for servers that ask for one. Both or neither. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Do not verify the server's certificate. For lab use only; log that it is set. */
  insecure?: boolean;
  /** The name the certificate must carry, when not the host connected to. */
  servername?: string;
}

/** A server's certificate and key (PEM). */
export interface TlsServerSettings {
  cert: string | Buffer;
  key: string | Buffer;
  /** CA of client certificates to ask for and verify; none asked for when absent. */
  ca?: string | Buffer;
}

/** The paths the CLI takes. */
export interface TlsClientFiles {
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

function read(path: string, flag: string, secret = false): Buffer {
  // A private key others may read is refused, as ssh refuses one.
  if (secret) checkSecretFileMode(path);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SecurityError(SecurityErrorCode.TLS_FILE, `${flag} ${path}: ${(e as Error).message}`);
  }
}

/** Reads the client's files; undefined when no TLS flag was given. */
export function loadTlsClientFiles(files: TlsClientFiles): TlsClientSettings | undefined {
  if (!files.ca && !files.cert && !files.key && !files.insecure) return undefined;
  if (Boolean(files.cert) !== Boolean(files.key))
    throw new SecurityError(SecurityErrorCode.TLS_OPTIONS, '--cert and --key go together: give both or neither');
  return {
    ca: files.ca ? read(files.ca, '--ca') : undefined,
    cert: files.cert ? read(files.cert, '--cert') : undefined,
    key: files.key ? read(files.key, '--key', true) : undefined,
    insecure: files.insecure === true,
  };
}

/** Reads a server's certificate and key (--tls-cert, --tls-key); undefined when neither is given. */
export function loadTlsServerFiles(cert: string | undefined, key: string | undefined): TlsServerSettings | undefined {
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new SecurityError(SecurityErrorCode.TLS_OPTIONS, '--tls-cert and --tls-key go together: give both');
  return { cert: read(cert, '--tls-cert'), key: read(key, '--tls-key', true) };
}

/** What tls.connect takes for `host`: verification on unless `insecure`. */
export function tlsConnectOptions(host: string, port: number, s: TlsClientSettings = {}): ConnectionOptions {
  return {
    host,
    port,
    servername: s.servername ?? (isIpLiteral(host) ? undefined : host),
    ca: s.ca,
    cert: s.cert,
    key: s.key,
    rejectUnauthorized: s.insecure !== true,
  };
}

/** What tls.createServer / https.createServer take. */
export function tlsServerOptions(s: TlsServerSettings): TlsOptions {
  if (!s.cert || !s.key) throw new SecurityError(SecurityErrorCode.TLS_OPTIONS, 'a TLS server needs cert and key');
  return {
    cert: s.cert,
    key: s.key,
    ...(s.ca ? { ca: s.ca, requestCert: true, rejectUnauthorized: true } : {}),
    minVersion: 'TLSv1.2',
  };
}

/** SNI carries host names only (RFC 6066 3): an IP address is not sent as one. */
function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
