/**
 * Caps on connections a server holds at once: in total, and from one client address, so
 * that one peer opening sockets cannot take them all. A connection over either cap is closed
 * as soon as it is accepted, before a byte of it is read.
 */
import type { Server, Socket } from 'node:net';
import { positiveBound } from '../bounds.js';

export interface ConnectionLimits {
  /** Connections open at once. */
  maxConnections: number;
  /** Connections open at once from one client address. */
  maxConnectionsPerAddress: number;
}

/** Above any count a process can hold open; a bound past it is a mistake. */
const MAX_COUNT = 1_000_000;

export function checkConnectionLimits(l: ConnectionLimits, prefix = ''): ConnectionLimits {
  return {
    maxConnections: positiveBound(l.maxConnections, `${prefix}maxConnections`, MAX_COUNT),
    maxConnectionsPerAddress: positiveBound(l.maxConnectionsPerAddress, `${prefix}maxConnectionsPerAddress`, MAX_COUNT),
  };
}

/** The client address as compared: an IPv4-mapped IPv6 address as its IPv4 one. */
export function clientAddress(socket: { remoteAddress?: string }): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class ConnectionLimiter {
  private readonly perAddress = new Map<string, number>();
  private total = 0;
  /** Connections closed at once for being over a cap. */
  refused = 0;

  constructor(readonly limits: ConnectionLimits) {}

  get connections(): number {
    return this.total;
  }

  /** Takes a place for a connection from `address`; false when a cap is reached. */
  admit(address: string): boolean {
    const n = this.perAddress.get(address) ?? 0;
    if (this.total >= this.limits.maxConnections || n >= this.limits.maxConnectionsPerAddress) {
      this.refused++;
      return false;
    }
    this.perAddress.set(address, n + 1);
    this.total++;
    return true;
  }

  leave(address: string): void {
    const n = this.perAddress.get(address);
    if (n === undefined) return;
    if (n <= 1) this.perAddress.delete(address);
    else this.perAddress.set(address, n - 1);
    this.total--;
  }

  /**
   * Holds `server` to the caps: each accepted TCP connection (before any TLS handshake) takes
   * a place and gives it back when it closes; one over a cap is destroyed. `onRefused` hears of it.
   */
  guard(server: Server, onRefused?: (address: string) => void): void {
    server.on('connection', (socket: Socket) => {
      const address = clientAddress(socket);
      if (!this.admit(address)) {
        socket.destroy();
        onRefused?.(address);
        return;
      }
      socket.once('close', () => this.leave(address));
    });
  }
}
