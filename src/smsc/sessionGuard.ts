/**
 * What keeps the simulator's sessions bounded (docs/security.md):
 * - the session-init timer: a connection that has not bound within sessionInitTimeoutMs is
 *   closed (SMPP v3.4 7.2: "time lapse allowed between a network connection being established
 *   and a bind_transmitter or bind_receiver request being sent");
 * - the inactivity timer: a bound session from which nothing arrives for inactivityTimeoutMs
 *   is closed (7.2: "the resulting behavior is to either close the session or issue an unbind");
 * - caps on connections in total and per client address;
 * - the throttle on failed binds per client address (src/security/throttle.ts).
 */
import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../bounds.js';
import {
  checkConnectionLimits,
  clientAddress,
  ConnectionLimiter,
  type ConnectionLimits,
} from '../security/connectionLimiter.js';
import { GuessThrottle, type ThrottleEvent, type ThrottleLimits } from '../security/throttle.js';

export interface SessionLimits extends ConnectionLimits {
  /** A connection must bind within this, ms (a TLS handshake too). */
  sessionInitTimeoutMs: number;
  /** A bound session silent this long is closed, ms; 0 turns it off. */
  inactivityTimeoutMs: number;
}

export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = Object.freeze({
  sessionInitTimeoutMs: 30_000,
  inactivityTimeoutMs: 300_000,
  maxConnections: 1_000,
  maxConnectionsPerAddress: 100,
});

export interface SessionTimeout {
  address: string;
  timer: 'session-init' | 'inactivity';
}

export interface SessionGuardEvents {
  throttled: [ThrottleEvent];
  connectionRefused: [{ address: string }];
  sessionTimeout: [SessionTimeout];
}

/** One connection's timers, as the simulator drives them. */
export interface SessionWatch {
  readonly address: string;
  /** A PDU arrived: the inactivity timer starts again. */
  activity(): void;
  /** The bind succeeded: the session-init timer stops, the inactivity timer starts. */
  bound(): void;
  /** Runs `fn` after `ms` unless the connection has closed by then (a throttled bind's answer). */
  later(ms: number, fn: () => void): void;
}

export class SessionGuard extends EventEmitter<SessionGuardEvents> {
  readonly limits: SessionLimits;
  readonly throttle: GuessThrottle;
  readonly connections: ConnectionLimiter;
  readonly stats = { sessionInitTimeouts: 0, inactivityTimeouts: 0 };
  private readonly open = new Set<Socket>();

  constructor(limits: Partial<SessionLimits> = {}, throttle: Partial<ThrottleLimits> = {}) {
    super();
    const d = DEFAULT_SESSION_LIMITS;
    this.limits = {
      sessionInitTimeoutMs: positiveBound(
        limits.sessionInitTimeoutMs ?? d.sessionInitTimeoutMs,
        'sessions.sessionInitTimeoutMs',
        MAX_TIMER_MS,
      ),
      inactivityTimeoutMs: nonNegativeBound(
        limits.inactivityTimeoutMs ?? d.inactivityTimeoutMs,
        'sessions.inactivityTimeoutMs',
        MAX_TIMER_MS,
      ),
      ...checkConnectionLimits(
        {
          maxConnections: limits.maxConnections ?? d.maxConnections,
          maxConnectionsPerAddress: limits.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
        },
        'sessions.',
      ),
    };
    this.connections = new ConnectionLimiter(this.limits);
    this.throttle = new GuessThrottle(throttle);
    this.throttle.on('throttled', (e) => this.emit('throttled', e));
  }

  /** Holds a server's accepted connections to the caps. */
  limit(server: Server): void {
    this.connections.guard(server, (address) => this.emit('connectionRefused', { address }));
  }

  /** Starts the session-init timer of a new session's socket. */
  watch(socket: Socket): SessionWatch {
    const address = clientAddress(socket);
    const timers = new Set<NodeJS.Timeout>();
    let isBound = false;
    let idle: NodeJS.Timeout | undefined;
    const expire = (timer: SessionTimeout['timer']) => {
      if (timer === 'session-init') this.stats.sessionInitTimeouts++;
      else this.stats.inactivityTimeouts++;
      this.emit('sessionTimeout', { address, timer });
      socket.destroy();
    };
    const init = setTimeout(() => expire('session-init'), this.limits.sessionInitTimeoutMs);
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      clearTimeout(init);
      clearTimeout(idle);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    });
    const restartIdle = () => {
      const ms = this.limits.inactivityTimeoutMs;
      if (!isBound || ms === 0 || socket.destroyed) return;
      if (idle) idle.refresh();
      else idle = setTimeout(() => expire('inactivity'), ms);
    };
    return {
      address,
      activity: restartIdle,
      bound: () => {
        isBound = true;
        clearTimeout(init);
        restartIdle();
      },
      later: (ms, fn) => {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!socket.destroyed) fn();
        }, ms);
        timers.add(t);
      },
    };
  }

  /** Closes every connection still open (the simulator is closing). */
  closeAll(): void {
    for (const s of [...this.open]) s.destroy();
  }
}
