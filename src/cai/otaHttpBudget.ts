/**
 * What the OTA-HTTP receivers may hold at once, summed over every request: each push is
 * bounded by itself (maxContentOctets), and these bound their sum, so many slow or large
 * requests together cannot take the process's memory or its sockets. One budget is shared by
 * all the receivers of a client.
 */
import { MAX_TIMER_MS, positiveBound } from '../bounds.js';

export interface OtaHttpLimits {
  /** Connections open at once, over all receivers. */
  maxConnections: number;
  /** Connections open at once from one client address. */
  maxConnectionsPerAddress: number;
  /** Request-body octets held at once, over all requests (a request's Content-Length is reserved when it starts). */
  maxBufferedOctets: number;
  /** Time for a request's headers to arrive, from the connection (or the end of its last response). */
  headersTimeoutMs: number;
  /** Time for a request's body to arrive, from the end of its headers. */
  bodyTimeoutMs: number;
}

export const DEFAULT_OTA_HTTP_LIMITS: Readonly<OtaHttpLimits> = Object.freeze({
  maxConnections: 256,
  maxConnectionsPerAddress: 16,
  maxBufferedOctets: 32 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
});

/** The largest count a connection bound may be: more sockets than a process can have open. */
const MAX_CONNECTIONS = 1_000_000;

/** The limits with defaults for what is not given; a bound that is not a number in range is refused by name. */
export function resolveOtaHttpLimits(given: Partial<OtaHttpLimits> = {}): OtaHttpLimits {
  const d = DEFAULT_OTA_HTTP_LIMITS;
  return {
    maxConnections: positiveBound(given.maxConnections ?? d.maxConnections, 'maxConnections', MAX_CONNECTIONS),
    maxConnectionsPerAddress: positiveBound(
      given.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
      'maxConnectionsPerAddress',
      MAX_CONNECTIONS,
    ),
    maxBufferedOctets: positiveBound(given.maxBufferedOctets ?? d.maxBufferedOctets, 'maxBufferedOctets'),
    headersTimeoutMs: positiveBound(given.headersTimeoutMs ?? d.headersTimeoutMs, 'headersTimeoutMs', MAX_TIMER_MS),
    bodyTimeoutMs: positiveBound(given.bodyTimeoutMs ?? d.bodyTimeoutMs, 'bodyTimeoutMs', MAX_TIMER_MS),
  };
}

export interface OtaHttpStats {
  /** Connections open now, and the most at once. */
  connections: number;
  peakConnections: number;
  /** Connections closed at once because of maxConnections or maxConnectionsPerAddress. */
  refusedConnections: number;
  /** Body octets held (reserved) now, and the most at once. */
  bufferedOctets: number;
  peakBufferedOctets: number;
  /** Requests answered 503 because maxBufferedOctets was spent. */
  refusedForMemory: number;
  /** Requests answered 413: larger than one push may be. */
  tooLarge: number;
  /** Connections closed because headers, or a body, did not arrive in time. */
  headerTimeouts: number;
  bodyTimeouts: number;
}

export class OtaHttpBudget {
  readonly limits: OtaHttpLimits;
  readonly stats: OtaHttpStats = {
    connections: 0,
    peakConnections: 0,
    refusedConnections: 0,
    bufferedOctets: 0,
    peakBufferedOctets: 0,
    refusedForMemory: 0,
    tooLarge: 0,
    headerTimeouts: 0,
    bodyTimeouts: 0,
  };
  private readonly perAddress = new Map<string, number>();

  constructor(limits: Partial<OtaHttpLimits> = {}) {
    this.limits = resolveOtaHttpLimits(limits);
  }

  /** Takes a connection from `address`, or refuses it (counted) when a connection bound is reached. */
  admit(address: string): boolean {
    const held = this.perAddress.get(address) ?? 0;
    if (this.stats.connections >= this.limits.maxConnections || held >= this.limits.maxConnectionsPerAddress) {
      this.stats.refusedConnections++;
      return false;
    }
    this.perAddress.set(address, held + 1);
    this.stats.peakConnections = Math.max(this.stats.peakConnections, ++this.stats.connections);
    return true;
  }

  leave(address: string): void {
    const held = this.perAddress.get(address) ?? 0;
    if (held <= 1) this.perAddress.delete(address);
    else this.perAddress.set(address, held - 1);
    this.stats.connections--;
  }

  /** Reserves `octets` of body buffer, or refuses (counted) when that would pass maxBufferedOctets. */
  reserve(octets: number): boolean {
    if (this.stats.bufferedOctets + octets > this.limits.maxBufferedOctets) {
      this.stats.refusedForMemory++;
      return false;
    }
    this.stats.bufferedOctets += octets;
    this.stats.peakBufferedOctets = Math.max(this.stats.peakBufferedOctets, this.stats.bufferedOctets);
    return true;
  }

  release(octets: number): void {
    this.stats.bufferedOctets -= octets;
  }
}
