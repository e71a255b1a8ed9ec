/**
 * What a PushClient tells its listeners, as a map of event name to listener arguments: the
 * client is an EventEmitter of this map, so a misspelled event name or a listener of the wrong
 * shape does not compile.
 */
import type { WdpDatagram } from '../wdp/datagram.js';
import type { PushEvent } from './pushEvent.js';
import type { Registration } from './registration.js';
import type { StoredRegistration } from './store.js';
import type {
  RegistrationCompletion,
  RegistrationFailure,
  RegistrationRejected,
  RegistrationRequest,
} from './types.js';

export type UnroutedReason =
  'no-registration' | 'content-type' | 'whitelist' | 'contact-point' | 'no-handler' | 'undecodable';

export interface UnroutedPush {
  reason: UnroutedReason;
  /** The push, when it could be read as one. */
  event?: PushEvent;
  datagram?: WdpDatagram;
  error?: unknown;
}

export interface PushClientEvents {
  /** A push for a registration without a handler. */
  push: [event: PushEvent, registration: Registration];
  /** A push no registration took (also handed to the fallback). */
  unrouted: [push: UnroutedPush];
  /** One registration refused a push by its whitelist or contact point. */
  refused: [refusal: { registration: Registration; event: PushEvent; reason: 'whitelist' | 'contact-point' }];
  /** A registration's queue was full (overflow 'report'). */
  overflow: [overflow: { registration: Registration; event: PushEvent }];
  /**
   * A push drained from the queue of a registration that withdrew as a duplicate across nodes,
   * which was queued at the same routing for an application read now (that one has it): the
   * withdrawn one's copy, dropped; neither 'unrouted' nor the fallback's.
   */
  'withdrawn-duplicate': [duplicate: { event: PushEvent }];
  /** A push handed back to its bearer for redelivery (overflow 'redeliver'). */
  deferred: [deferral: { event: PushEvent }];
  'handler-error': [failure: { registration: Registration | undefined; event: PushEvent | undefined; error: unknown }];
  'handler-timeout': [timeout: { registration: Registration; event: PushEvent }];
  /** A registration's binding completed, with success or failure. */
  registration: [outcome: { registration: Registration; result: RegistrationCompletion }];
  'registration-rejected': [rejection: { request: RegistrationRequest; response: RegistrationRejected }];
  deregistration: [outcome: { registration: Registration }];
  /** A stored registration could not be restored at start. */
  'restore-failed': [failure: { request: StoredRegistration; response: RegistrationRejected | RegistrationFailure }];
  /** A Push Server did not take a change of its CPI; it is sent again after `retryInMs`. */
  'push-server-pending': [pending: { contactPoint: string; reason: string; message: string; retryInMs: number }];
  /** The registration store could not be written, or the shared store failed (a queue, the followed table). */
  'store-error': [error: unknown];
  /**
   * A registration made (or removed) on another node sharing the store, now followed here: its
   * pushes are routed to its queue on the store, and it counts in this node's CPI.
   */
  'registration-followed': [change: { change: 'added' | 'removed'; registration: Registration }];
  /**
   * A push from an application's queue on the store handed out again (`deliveries` > 1): its
   * earlier consumer died or timed out, so the handler may have seen it before.
   */
  'queue-claimed': [claim: { registration: Registration; queue: string; event: PushEvent; deliveries: number }];
}
