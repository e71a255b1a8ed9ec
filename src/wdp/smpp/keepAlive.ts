/**
 * The ESME's keep-alive (SMPP v3.4 4.11 enquire_link, 7.2 enquire_link_timer), shared by the
 * receiving side's link (link.ts) and the PPG's transceiver: an enquire_link every period, one
 * at a time, so an idle session is not closed by the SMSC's inactivity timer and a dead SMSC is
 * found. One unanswered within the timeout, while no other PDU arrives either (any PDU shows
 * the SMSC is there), means the link is dead: the connection is destroyed and its owner's
 * 'close' handler reconnects.
 */
import { MAX_TIMER_MS, nonNegativeBound, positiveBound } from '../../bounds.js';
import { SmppCommand } from './commands.js';
import { ResponseTimeout, type EsmeSession } from './esmeSession.js';

/** enquire_link period when none is given, ms. */
export const DEFAULT_ENQUIRE_LINK_MS = 30_000;

export interface EnquireLinkTimes {
  /** enquire_link period, ms; 0 turns it off. */
  enquireLinkMs: number;
  /** How long one may go unanswered (with nothing else arriving) before the link is dead, ms. */
  enquireLinkTimeoutMs: number;
}

/** The period (default DEFAULT_ENQUIRE_LINK_MS) and timeout (default: the period), each checked by name. */
export function enquireLinkTimes(given: Partial<EnquireLinkTimes>): EnquireLinkTimes {
  const enquireLinkMs = nonNegativeBound(given.enquireLinkMs ?? DEFAULT_ENQUIRE_LINK_MS, 'enquireLinkMs', MAX_TIMER_MS);
  return {
    enquireLinkMs,
    enquireLinkTimeoutMs: positiveBound(
      given.enquireLinkTimeoutMs ?? (enquireLinkMs || DEFAULT_ENQUIRE_LINK_MS),
      'enquireLinkTimeoutMs',
      MAX_TIMER_MS,
    ),
  };
}

export interface KeepAliveHooks {
  /** An enquire_link went out. */
  sent?: () => void;
  /** One went unanswered for `unansweredMs`, nothing else came: the connection is being destroyed. */
  dead: (unansweredMs: number) => void;
}

/**
 * Starts the keep-alive on a bound session; returns its interval (clearInterval stops it), or
 * undefined when the period is 0. The interval does not hold the process open.
 */
export function keepAlive(
  session: EsmeSession,
  times: EnquireLinkTimes,
  hooks: KeepAliveHooks,
): NodeJS.Timeout | undefined {
  const { enquireLinkMs: period, enquireLinkTimeoutMs: timeoutMs } = times;
  if (period <= 0) return undefined;
  const timer = setInterval(() => {
    if (session.socket.destroyed) {
      clearInterval(timer);
      return;
    }
    if (session.awaiting(SmppCommand.enquire_link) > 0) return;
    const sentAt = Date.now();
    hooks.sent?.();
    session.request(SmppCommand.enquire_link, timeoutMs).then(
      () => {},
      (error: Error) => {
        if (!(error instanceof ResponseTimeout) || session.socket.destroyed) return;
        if (session.lastReceivedAt >= sentAt) return;
        hooks.dead(Date.now() - sentAt);
        session.destroy();
      },
    );
  }, period);
  timer.unref();
  return timer;
}
