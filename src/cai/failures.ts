/**
 * The reasons a registration's `completed` fails with (PushCAI 5.1: "an Application
 * Registration response indicating an applicable failure reason"). The specification names
 * no codes; these are this client's, one per cause an application can act on differently.
 */
export const REGISTRATION_FAILURE = Object.freeze({
  /** The SMPP link will not bind, or did not within bindTimeoutMs. */
  BEARER_UNAVAILABLE: 'bearer-unavailable',
  /** An OTA-HTTP receiver could not listen: its port busy. May pass: a restore retries it. */
  BIND_FAILED: 'bind-failed',
  /**
   * An OTA-HTTP receiver cannot take one push of the largest size: `otaHttp.maxBufferedOctets`
   * is below it. Only another configuration fixes it: never retried.
   */
  BUFFER_BUDGET_TOO_SMALL: 'buffer-budget-too-small',
  CONTACT_POINT_UNRESOLVED: 'contact-point-unresolved',
  PUSH_SERVER_REFUSED: 'push-server-refused',
  PUSH_SERVER_UNREACHABLE: 'push-server-unreachable',
  PUSH_SERVICE_REGISTRATION_FAILED: 'push-service-registration-failed',
  DUPLICATE_APPLICATION_ID: 'duplicate-application-id',
  STORE_FAILED: 'store-failed',
  CLOSED: 'closed',
  DEREGISTERED: 'deregistered',
} as const);

export type RegistrationFailureReason = (typeof REGISTRATION_FAILURE)[keyof typeof REGISTRATION_FAILURE];
