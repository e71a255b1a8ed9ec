/**
 * The Application Registration and Deregistration requests and responses of
 * OMA-TS-PushCAI-V1_1 sections 5.1 and 5.2, as plain data. Parameter names follow the
 * specification (pushApplicationID, Application ID, Whitelist, Push Service Registration
 * URI, Connection Profile, Accept) in this API's camel case.
 */
import type { ApplicationKey } from './applicationId.js';
import type { RegistrationFailureReason } from './failures.js';
import type { PushEvent } from './pushEvent.js';

/** A Push MO style whitelist entry: an address Push events are accepted from. */
export interface WhitelistEntry {
  /** MSISDN, short code, SMSC or PPG address, IP address or host; a trailing `*` matches a prefix. */
  address: string;
}

/** PushCAI 5.1 "Connection Profile": one set of options for Push event delivery. */
export interface ConnectionProfile {
  /** 'OTA-WSP', 'OTA-HTTP', 'OTA-SIP', 'OTA-PTM' or an implementation value; default OTA-WSP. */
  protocol?: string;
  /** A UAProf Push-SupportedBearers value, e.g. 'GSM/SMS'; default: the protocol's own. */
  bearerType?: string;
  /** Port for the protocol and bearer (a string in the specification; a number is taken too). */
  port?: number | string;
  /** Expected source of Push messages: the PPG's address (an SMS originator; for OTA-HTTP a URL). */
  contactPoint?: string;
  /** OTA-PTM over CBS. Not served by this client: naming it gets the registration rejected. */
  cellBroadcastMessageId?: string;
  /** OTA-PTM over MBMS. Not served. */
  mbmsUserServiceDescription?: unknown;
  /** OTA-PTM over BCAST. Not served. */
  bcastAccessInfo?: unknown;
}

/** A connection profile after defaults: what the client binds. */
export interface BoundProfile {
  protocol: 'OTA-WSP' | 'OTA-HTTP';
  bearerType: string;
  port: number;
  contactPoint?: string;
}

export type RegistrationState = 'pending' | 'active' | 'failed' | 'deregistered';

export interface RegistrationStats {
  delivered: number;
  refused: number;
  overflowed: number;
  handlerErrors: number;
  handlerTimeouts: number;
}

/**
 * A registration as its handler and listeners see it (a Registration is one). Declared here so
 * the request's handler type need not import the Registration class that holds the request.
 */
export interface RegistrationView {
  readonly id: number;
  readonly pushApplicationId: string | number;
  readonly key: ApplicationKey;
  readonly applicationId: string | undefined;
  readonly accept: readonly string[] | undefined;
  readonly whitelist: readonly WhitelistEntry[];
  readonly profiles: readonly BoundProfile[];
  readonly pushServiceRegistrationUri: string | undefined;
  readonly request: Readonly<Omit<RegistrationRequest, 'handler'>>;
  readonly registeredAt: Date;
  readonly state: RegistrationState;
  readonly restored: boolean;
  readonly stats: RegistrationStats;
}

export type PushHandler = (event: PushEvent, registration: RegistrationView) => void | Promise<void>;

/** The Application Registration request (PushCAI 5.1). */
export interface RegistrationRequest {
  /** Required: an OMNA registered or unregistered Push Application ID, as URN/URI or code. */
  pushApplicationId: string | number;
  /** The application's own name, a URI; identifies "the same Push application" on re-registration. */
  applicationId?: string;
  /** Where Push events go; without it they are emitted as the client's 'push' event. */
  handler?: PushHandler;
  whitelist?: WhitelistEntry[];
  /** One of: connection profiles, or a Push Service Registration URI. */
  connectionProfiles?: ConnectionProfile[];
  pushServiceRegistrationUri?: string;
  /** MIME types the application subscribes to; without it, any content type. */
  accept?: string[];
}

export type RegistrationRejectReason =
  'invalid-request' | 'duplicate-application-id' | 'unsupported-option' | 'unavailable-option' | 'policy';

export interface RegistrationRejected {
  status: 'rejected';
  reason: RegistrationRejectReason;
  /** The option that caused it, as a path into the request, e.g. `connectionProfiles[0].protocol`. */
  option?: string;
  message: string;
}

export interface RegistrationFailure {
  status: 'failure';
  /** One of REGISTRATION_FAILURE (failures.ts): the client makes these; an application only reads them. */
  reason: RegistrationFailureReason;
  message: string;
}

export type RegistrationCompletion = { status: 'success' } | RegistrationFailure;

export interface DeregistrationOptions {
  /** The application's name, when several applications share the App ID given as target. */
  applicationId?: string;
  /**
   * Deregister here even when a Push Server cannot be told now: the registration is removed,
   * and each Push Server not told is listed in the response and told later, with backoff.
   */
  force?: boolean;
}

export type DeregistrationResponse =
  | {
      status: 'success';
      /** With `force`: the Push Servers not told yet; each is told in the background until it takes it. */
      pushServersPending?: string[];
    }
  | { status: 'rejected'; reason: 'not-registered' | 'ambiguous'; message: string }
  | { status: 'failure'; reason: string; message: string };

/**
 * PushCAI section 6: a policy may refuse a registration. Return true (or nothing) to allow,
 * false or a string (the reason) to refuse.
 */
export type RegistrationPolicy = (
  request: Readonly<RegistrationRequest>,
) => boolean | string | void | Promise<boolean | string | void>;
