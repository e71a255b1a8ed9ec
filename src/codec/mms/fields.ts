/**
 * MMS header fields (OMA-MMS-ENC 1.3 section 7.4, Table 25 "Field Name Assignments"): the
 * well-known code, the field name, the key it has in a decoded PDU, and how its value is
 * encoded. One table for decoder and encoder. Sources: OMA-TS-MMS-ENC-V1_3 Table 25;
 * cross-checked with Wireshark's packet-mmse.c and Android's PduHeaders.java (0x34-0x3F).
 */
import type { CodeTable } from '../table.js';
import {
  CANCEL_STATUSES,
  CONTENT_CLASSES,
  MESSAGE_CLASSES,
  MESSAGE_TYPES,
  MM_STATES,
  PRIORITIES,
  READ_STATUSES,
  REPLY_CHARGING,
  RESPONSE_STATUSES,
  RETRIEVAL_MODES,
  SENDER_VISIBILITY,
  STATUSES,
  YES_NO,
} from './values.js';

export type FieldKind =
  | { kind: 'enum'; table: CodeTable; tokenText?: boolean }
  | { kind: 'text' }
  | { kind: 'encodedString' }
  | { kind: 'address'; repeatable: true }
  | { kind: 'from' }
  | { kind: 'longInteger' }
  | { kind: 'integer' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'version' }
  | { kind: 'contentType' }
  | { kind: 'raw' };

export interface MmsField {
  code: number;
  name: string;
  key: string;
  value: FieldKind;
}

const e = (table: CodeTable, tokenText = false): FieldKind => ({ kind: 'enum', table, tokenText });
const k = (kind: Exclude<FieldKind['kind'], 'enum' | 'address'>): FieldKind => ({ kind }) as FieldKind;

const FIELDS: ReadonlyArray<readonly [number, string, string, FieldKind]> = [
  [0x01, 'Bcc', 'bcc', { kind: 'address', repeatable: true }],
  [0x02, 'Cc', 'cc', { kind: 'address', repeatable: true }],
  [0x03, 'X-Mms-Content-Location', 'contentLocation', k('text')],
  [0x04, 'Content-Type', 'contentType', k('contentType')],
  [0x05, 'Date', 'date', k('date')],
  [0x06, 'X-Mms-Delivery-Report', 'deliveryReport', e(YES_NO)],
  [0x07, 'X-Mms-Delivery-Time', 'deliveryTime', k('time')],
  [0x08, 'X-Mms-Expiry', 'expiry', k('time')],
  [0x09, 'From', 'from', k('from')],
  [0x0a, 'X-Mms-Message-Class', 'messageClass', e(MESSAGE_CLASSES, true)],
  [0x0b, 'Message-ID', 'messageId', k('text')],
  [0x0c, 'X-Mms-Message-Type', 'messageType', e(MESSAGE_TYPES)],
  [0x0d, 'X-Mms-MMS-Version', 'version', k('version')],
  [0x0e, 'X-Mms-Message-Size', 'messageSize', k('longInteger')],
  [0x0f, 'X-Mms-Priority', 'priority', e(PRIORITIES)],
  [0x10, 'X-Mms-Read-Report', 'readReport', e(YES_NO)],
  [0x11, 'X-Mms-Report-Allowed', 'reportAllowed', e(YES_NO)],
  [0x12, 'X-Mms-Response-Status', 'responseStatus', e(RESPONSE_STATUSES)],
  [0x13, 'X-Mms-Response-Text', 'responseText', k('encodedString')],
  [0x14, 'X-Mms-Sender-Visibility', 'senderVisibility', e(SENDER_VISIBILITY)],
  [0x15, 'X-Mms-Status', 'status', e(STATUSES)],
  [0x16, 'Subject', 'subject', k('encodedString')],
  [0x17, 'To', 'to', { kind: 'address', repeatable: true }],
  [0x18, 'X-Mms-Transaction-Id', 'transactionId', k('text')],
  [0x19, 'X-Mms-Retrieve-Status', 'retrieveStatus', e(RESPONSE_STATUSES)],
  [0x1a, 'X-Mms-Retrieve-Text', 'retrieveText', k('encodedString')],
  [0x1b, 'X-Mms-Read-Status', 'readStatus', e(READ_STATUSES)],
  [0x1c, 'X-Mms-Reply-Charging', 'replyCharging', e(REPLY_CHARGING)],
  [0x1d, 'X-Mms-Reply-Charging-Deadline', 'replyChargingDeadline', k('time')],
  [0x1e, 'X-Mms-Reply-Charging-ID', 'replyChargingId', k('text')],
  [0x1f, 'X-Mms-Reply-Charging-Size', 'replyChargingSize', k('longInteger')],
  [0x20, 'X-Mms-Previously-Sent-By', 'previouslySentBy', k('raw')],
  [0x21, 'X-Mms-Previously-Sent-Date', 'previouslySentDate', k('raw')],
  [0x22, 'X-Mms-Store', 'store', e(YES_NO)],
  [0x23, 'X-Mms-MM-State', 'mmState', e(MM_STATES)],
  [0x24, 'X-Mms-MM-Flags', 'mmFlags', k('raw')],
  [0x25, 'X-Mms-Store-Status', 'storeStatus', e(RESPONSE_STATUSES)],
  [0x26, 'X-Mms-Store-Status-Text', 'storeStatusText', k('encodedString')],
  [0x27, 'X-Mms-Stored', 'stored', e(YES_NO)],
  [0x28, 'X-Mms-Attributes', 'attributes', k('raw')],
  [0x29, 'X-Mms-Totals', 'totals', e(YES_NO)],
  [0x2a, 'X-Mms-Mbox-Totals', 'mboxTotals', k('raw')],
  [0x2b, 'X-Mms-Quotas', 'quotas', e(YES_NO)],
  [0x2c, 'X-Mms-Mbox-Quotas', 'mboxQuotas', k('raw')],
  [0x2d, 'X-Mms-Message-Count', 'messageCount', k('integer')],
  [0x2e, 'Content', 'content', k('raw')],
  [0x2f, 'X-Mms-Start', 'start', k('integer')],
  [0x30, 'Additional-headers', 'additionalHeaders', k('raw')],
  [0x31, 'X-Mms-Distribution-Indicator', 'distributionIndicator', e(YES_NO)],
  [0x32, 'X-Mms-Element-Descriptor', 'elementDescriptor', k('raw')],
  [0x33, 'X-Mms-Limit', 'limit', k('integer')],
  [0x34, 'X-Mms-Recommended-Retrieval-Mode', 'recommendedRetrievalMode', e(RETRIEVAL_MODES)],
  [0x35, 'X-Mms-Recommended-Retrieval-Mode-Text', 'recommendedRetrievalModeText', k('encodedString')],
  [0x36, 'X-Mms-Status-Text', 'statusText', k('encodedString')],
  [0x37, 'X-Mms-Applic-ID', 'applicId', k('text')],
  [0x38, 'X-Mms-Reply-Applic-ID', 'replyApplicId', k('text')],
  [0x39, 'X-Mms-Aux-Applic-Info', 'auxApplicInfo', k('text')],
  [0x3a, 'X-Mms-Content-Class', 'contentClass', e(CONTENT_CLASSES)],
  [0x3b, 'X-Mms-DRM-Content', 'drmContent', e(YES_NO)],
  [0x3c, 'X-Mms-Adaptation-Allowed', 'adaptationAllowed', e(YES_NO)],
  [0x3d, 'X-Mms-Replace-ID', 'replaceId', k('text')],
  [0x3e, 'X-Mms-Cancel-ID', 'cancelId', k('text')],
  [0x3f, 'X-Mms-Cancel-Status', 'cancelStatus', e(CANCEL_STATUSES)],
];

export const MMS_FIELDS: ReadonlyMap<number, MmsField> = new Map(
  FIELDS.map(([code, name, key, value]) => [code, Object.freeze({ code, name, key, value })]),
);
export const MMS_FIELDS_BY_KEY: ReadonlyMap<string, MmsField> = new Map(
  [...MMS_FIELDS.values()].map((f) => [f.key, f]),
);
