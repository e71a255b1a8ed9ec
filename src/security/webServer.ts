/** An HTTP server, or an HTTPS one when given a certificate: the PPG and the OTA-HTTP receiver serve either. */
import http from 'node:http';
import https from 'node:https';
import { tlsServerOptions, type TlsServerSettings } from './tlsOptions.js';

export type WebServer = http.Server | https.Server;

export function createWebServer(
  tls: TlsServerSettings | undefined,
  options: http.ServerOptions,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): WebServer {
  if (!tls) return http.createServer(options, handler);
  // A handshake is held to the header timeout: a peer that opens and stalls is cut as one
  // that sends no request.
  const handshakeTimeout = options.headersTimeout;
  return https.createServer(
    { ...options, ...tlsServerOptions(tls), ...(handshakeTimeout ? { handshakeTimeout } : {}) },
    handler,
  );
}
