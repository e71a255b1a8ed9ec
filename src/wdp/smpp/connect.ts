/**
 * The ESME's connection to an SMSC: plain TCP for smpp://, TLS for smpps:// (the server's
 * certificate verified unless the lab's `insecure` is set). The bind waits for `ready`: the
 * handshake for TLS, so no credential leaves before the server has been checked.
 */
import net from 'node:net';
import tls from 'node:tls';
import { tlsConnectOptions } from '../../security/tlsOptions.js';
import type { SmscUrl } from './link.js';

export function connectSmsc(smsc: SmscUrl): { socket: net.Socket; ready: 'connect' | 'secureConnect' } {
  if (smsc.tls) {
    const socket = tls.connect(tlsConnectOptions(smsc.host, smsc.port, smsc.tls));
    socket.setNoDelay(true);
    return { socket, ready: 'secureConnect' };
  }
  const socket = net.connect({ host: smsc.host, port: smsc.port });
  socket.setNoDelay(true);
  return { socket, ready: 'connect' };
}
