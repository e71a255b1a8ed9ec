/**
 * MMS header value assignments (OMA-MMS-ENC 1.3 section 7.3), as two-way tables: the octet on
 * the wire and the spec's name. Sources: OMA-TS-MMS-ENC-V1_3 7.3; cross-checked with
 * Wireshark's packet-mmse.c value_strings and Android's PduHeaders.java.
 */
import { codeTable, type CodeTable } from '../table.js';

/** X-Mms-Message-Type (7.3.30). */
export const MESSAGE_TYPES: CodeTable = codeTable([
  [0x80, 'm-send-req'],
  [0x81, 'm-send-conf'],
  [0x82, 'm-notification-ind'],
  [0x83, 'm-notifyresp-ind'],
  [0x84, 'm-retrieve-conf'],
  [0x85, 'm-acknowledge-ind'],
  [0x86, 'm-delivery-ind'],
  [0x87, 'm-read-rec-ind'],
  [0x88, 'm-read-orig-ind'],
  [0x89, 'm-forward-req'],
  [0x8a, 'm-forward-conf'],
  [0x8b, 'm-mbox-store-req'],
  [0x8c, 'm-mbox-store-conf'],
  [0x8d, 'm-mbox-view-req'],
  [0x8e, 'm-mbox-view-conf'],
  [0x8f, 'm-mbox-upload-req'],
  [0x90, 'm-mbox-upload-conf'],
  [0x91, 'm-mbox-delete-req'],
  [0x92, 'm-mbox-delete-conf'],
  [0x93, 'm-mbox-descr'],
  [0x94, 'm-cancel-req'],
  [0x95, 'm-cancel-conf'],
]);

export const YES_NO: CodeTable = codeTable([
  [0x80, 'yes'],
  [0x81, 'no'],
]);

/** X-Mms-Message-Class (7.3.27): Class-identifier; a Token-text is taken as is. */
export const MESSAGE_CLASSES: CodeTable = codeTable([
  [0x80, 'personal'],
  [0x81, 'advertisement'],
  [0x82, 'informational'],
  [0x83, 'auto'],
]);

export const PRIORITIES: CodeTable = codeTable([
  [0x80, 'low'],
  [0x81, 'normal'],
  [0x82, 'high'],
]);

/** X-Mms-Status (7.3.54), what m-delivery-ind reports. */
export const STATUSES: CodeTable = codeTable([
  [0x80, 'expired'],
  [0x81, 'retrieved'],
  [0x82, 'rejected'],
  [0x83, 'deferred'],
  [0x84, 'unrecognised'],
  [0x85, 'indeterminate'],
  [0x86, 'forwarded'],
  [0x87, 'unreachable'],
]);

/** X-Mms-Read-Status (7.3.40), what m-read-orig-ind reports. */
export const READ_STATUSES: CodeTable = codeTable([
  [0x80, 'read'],
  [0x81, 'deleted-without-being-read'],
]);

export const REPLY_CHARGING: CodeTable = codeTable([
  [0x80, 'requested'],
  [0x81, 'requested-text-only'],
  [0x82, 'accepted'],
  [0x83, 'accepted-text-only'],
]);

export const SENDER_VISIBILITY: CodeTable = codeTable([
  [0x80, 'hide'],
  [0x81, 'show'],
]);

/** X-Mms-Content-Class (7.3.9, MMS 1.3). */
export const CONTENT_CLASSES: CodeTable = codeTable([
  [0x80, 'text'],
  [0x81, 'image-basic'],
  [0x82, 'image-rich'],
  [0x83, 'video-basic'],
  [0x84, 'video-rich'],
  [0x85, 'megapixel'],
  [0x86, 'content-basic'],
  [0x87, 'content-rich'],
]);

export const RETRIEVAL_MODES: CodeTable = codeTable([[0x80, 'manual']]);

export const MM_STATES: CodeTable = codeTable([
  [0x80, 'draft'],
  [0x81, 'sent'],
  [0x82, 'new'],
  [0x83, 'retrieved'],
  [0x84, 'forwarded'],
]);

export const CANCEL_STATUSES: CodeTable = codeTable([
  [0x80, 'cancel-request-successfully-received'],
  [0x81, 'cancel-request-corrupted'],
]);

/** X-Mms-Response-Status (7.3.48), X-Mms-Retrieve-Status (7.3.50), X-Mms-Store-Status (7.3.58): shown by code. */
export const RESPONSE_STATUSES: CodeTable = codeTable([
  [0x80, 'ok'],
  [0x81, 'error-unspecified'],
  [0x82, 'error-service-denied'],
  [0x83, 'error-message-format-corrupt'],
  [0x84, 'error-sending-address-unresolved'],
  [0x85, 'error-message-not-found'],
  [0x86, 'error-network-problem'],
  [0x87, 'error-content-not-accepted'],
  [0x88, 'error-unsupported-message'],
  [0xc0, 'error-transient-failure'],
  [0xc1, 'error-transient-sending-address-unresolved'],
  [0xc2, 'error-transient-message-not-found'],
  [0xc3, 'error-transient-network-problem'],
  [0xc4, 'error-transient-partial-success'],
  [0xe0, 'error-permanent-failure'],
  [0xe1, 'error-permanent-service-denied'],
  [0xe2, 'error-permanent-message-format-corrupt'],
  [0xe3, 'error-permanent-sending-address-unresolved'],
  [0xe4, 'error-permanent-message-not-found'],
  [0xe5, 'error-permanent-content-not-accepted'],
  [0xe6, 'error-permanent-reply-charging-limitations-not-met'],
  [0xe7, 'error-permanent-reply-charging-request-not-accepted'],
  [0xe8, 'error-permanent-reply-charging-forwarding-denied'],
  [0xe9, 'error-permanent-reply-charging-not-supported'],
  [0xea, 'error-permanent-address-hiding-not-supported'],
  [0xeb, 'error-permanent-lack-of-prepaid'],
]);

/** Expiry, Delivery-Time, Reply-Charging-Deadline: Absolute-token / Relative-token (7.3.20). */
export const ABSOLUTE_TOKEN = 0x80;
export const RELATIVE_TOKEN = 0x81;
/** From (7.3.21): Address-present-token / Insert-address-token. */
export const ADDRESS_PRESENT_TOKEN = 0x80;
export const INSERT_ADDRESS_TOKEN = 0x81;
