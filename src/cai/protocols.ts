/**
 * What a connection profile may ask for, as data: the Push OTA protocol variants of PushCAI
 * 5.1 ("OTA-WSP", "OTA-HTTP", "OTA-SIP", "OTA-PTM") and the bearers each is served over here.
 * Bearer names are UAProf Push-SupportedBearers values, which use the WDP bearer names
 * (WAP-259 WDP Appendix C: "GSM/SMS", "GSM/GPRS", ...). The SMSC hides the air interface, so
 * any network's SMS bearer is the same SMPP link to this client.
 */

export interface ProtocolSupport {
  /** Served by this client; false means a registration naming it is rejected as unsupported. */
  readonly served: boolean;
  /** The bearer a profile without bearerType gets. */
  readonly defaultBearer?: string;
  /** Port a profile without one gets (PushCAI 5.1: "the default/standard port should be used"). */
  readonly defaultPort?: number;
  readonly bearer?: RegExp;
  /** Why it is not served, for the rejection message. */
  readonly note?: string;
}

export const PROTOCOLS: Readonly<Record<string, ProtocolSupport>> = Object.freeze({
  // Connectionless WSP push over WDP; 2948 is the IANA wap-push port (WAP-259 Appendix B).
  'OTA-WSP': { served: true, defaultBearer: 'GSM/SMS', defaultPort: 2948, bearer: /^(?:[A-Za-z0-9 .-]+\/)?SMS$/i },
  // PO-TCP push over HTTP; 4035 is the IANA wap-push-http port.
  'OTA-HTTP': {
    served: true,
    defaultBearer: 'IPv4',
    defaultPort: 4035,
    bearer: /^(?:IPv4|IPv6|[A-Za-z0-9 .-]+\/(?:GPRS|EGPRS|PS|LTE|WLAN))$/i,
  },
  'OTA-SIP': { served: false, note: 'Push over SIP needs a SIP/IP core registration this client does not make' },
  'OTA-PTM': {
    served: false,
    note: 'point-to-multipoint push needs a CBS, MBMS or BCAST receiver this client does not have',
  },
});

export const DEFAULT_PROTOCOL = 'OTA-WSP';

/** Connection profile fields only OTA-PTM uses (PushCAI 5.1). */
export const PTM_FIELDS = ['cellBroadcastMessageId', 'mbmsUserServiceDescription', 'bcastAccessInfo'] as const;
