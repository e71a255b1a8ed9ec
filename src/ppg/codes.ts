/**
 * PAP result codes and message states. Values from WAP-247-PAP-20010429-a (PAP 2.0) 9.13/9.14
 * (codes) and 9.6 (message-state); the same numbers are in Kannel's wap_push_ppg.h.
 */
export const PapCode = Object.freeze({
  OK: 1000,
  ACCEPTED_FOR_PROCESSING: 1001,
  BAD_REQUEST: 2000,
  FORBIDDEN: 2001,
  ADDRESS_ERROR: 2002,
  ADDRESS_NOT_FOUND: 2003,
  PUSH_ID_NOT_FOUND: 2004,
  CAPABILITIES_MISMATCH: 2005,
  REQUIRED_CAPABILITIES_NOT_SUPPORTED: 2006,
  DUPLICATE_PUSH_ID: 2007,
  CANCELLATION_NOT_POSSIBLE: 2008,
  INTERNAL_SERVER_ERROR: 3000,
  NOT_IMPLEMENTED: 3001,
  VERSION_NOT_SUPPORTED: 3002,
  NOT_POSSIBLE: 3003,
  CAPABILITY_MATCHING_NOT_SUPPORTED: 3004,
  MULTIPLE_ADDRESSES_NOT_SUPPORTED: 3005,
  TRANSFORMATION_FAILURE: 3006,
  DELIVERY_METHOD_NOT_POSSIBLE: 3007,
  CAPABILITIES_NOT_AVAILABLE: 3008,
  REQUIRED_NETWORK_NOT_AVAILABLE: 3009,
  REQUIRED_BEARER_NOT_AVAILABLE: 3010,
  REPLACEMENT_NOT_SUPPORTED: 3011,
  SERVICE_FAILURE: 4000,
  SERVICE_UNAVAILABLE: 4001,
} as const);
export type PapCode = (typeof PapCode)[keyof typeof PapCode];

/** What a push became (PAP 9.6 message-state). */
export const MessageState = Object.freeze({
  rejected: 'rejected',
  pending: 'pending',
  delivered: 'delivered',
  undeliverable: 'undeliverable',
  expired: 'expired',
  aborted: 'aborted',
  timeout: 'timeout',
  cancelled: 'cancelled',
  unknown: 'unknown',
} as const);
export type MessageState = (typeof MessageState)[keyof typeof MessageState];

/** States a push does not leave. */
export const FINAL_STATES: ReadonlySet<MessageState> = new Set([
  'rejected',
  'delivered',
  'undeliverable',
  'expired',
  'aborted',
  'timeout',
  'cancelled',
]);

/** A refusal: the PAP code it is answered with, and why. */
export class PapError extends Error {
  constructor(
    readonly code: PapCode,
    message: string,
    /** Where in the request body, when known (octet offset). */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'PapError';
  }
}
