/**
 * What the PPG keeps of each accepted push, in the state store's record table (the one
 * `registrations` table the store offers, under keys of their own: `ppg:push:` and
 * `ppg:sms:`), so a restart loses no accepted push and status queries still answer.
 */
import type { JsonValue, RecordTable } from '../store/types.js';
import type { MessageState, PapCode } from './codes.js';

export interface RecipientRecord {
  /** address-value as the initiator wrote it. */
  address: string;
  number: string;
  state: MessageState;
  code: PapCode;
  desc: string;
  eventTime: number;
  /** SMSC message_id of each SMS, in segment order, once submitted. */
  messageIds: string[];
  /** Receipts by message_id: true delivered, false failed. */
  receipts: Record<string, boolean>;
  /** A result notification went out for this recipient. */
  notified: boolean;
}

export interface PushRecord {
  initiator: string;
  pushId: string;
  receivedTime: number;
  deliverBefore?: number;
  deliverAfter?: number;
  notifyTo?: string;
  deliveryMethod: string;
  /** The WSP push PDU, hex (kept so a restart can still submit what was accepted). */
  pdu: string;
  recipients: RecipientRecord[];
}

export const pushKey = (initiator: string, pushId: string) => `ppg:push:${encodeURIComponent(initiator)}:${pushId}`;
export const smsKey = (messageId: string) => `ppg:sms:${messageId}`;

/** A narrow typed view over the record table: the JSON goes in and comes back as written. */
export class PushRecords {
  constructor(private readonly table: RecordTable) {}

  async get(initiator: string, pushId: string): Promise<PushRecord | undefined> {
    const v = await this.table.get(pushKey(initiator, pushId));
    return isPushRecord(v) ? v : undefined;
  }

  async put(record: PushRecord): Promise<void> {
    await this.table.put(pushKey(record.initiator, record.pushId), toJson(record));
  }

  /** Which push and recipient an SMS belongs to. */
  async bySms(messageId: string): Promise<{ initiator: string; pushId: string; recipient: number } | undefined> {
    const v = await this.table.get(smsKey(messageId));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const { initiator, pushId, recipient } = v;
    if (typeof initiator !== 'string' || typeof pushId !== 'string' || typeof recipient !== 'number') return undefined;
    return { initiator, pushId, recipient };
  }

  async indexSms(messageId: string, initiator: string, pushId: string, recipient: number): Promise<void> {
    await this.table.put(smsKey(messageId), { initiator, pushId, recipient });
  }

  /** Every push record (for recovery after a restart). */
  async all(): Promise<PushRecord[]> {
    const out: PushRecord[] = [];
    for (const r of await this.table.list())
      if (r.id.startsWith('ppg:push:') && isPushRecord(r.value)) out.push(r.value);
    return out;
  }
}

function toJson(record: PushRecord): JsonValue {
  // A PushRecord holds only strings, numbers, booleans, arrays and plain objects: JSON as it is.
  const json: JsonValue = JSON.parse(JSON.stringify(record));
  return json;
}

function isPushRecord(v: JsonValue | undefined): v is JsonValue & PushRecord {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    typeof v.initiator === 'string' &&
    typeof v.pushId === 'string' &&
    typeof v.pdu === 'string' &&
    Array.isArray(v.recipients)
  );
}
