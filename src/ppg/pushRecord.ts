/**
 * What the PPG keeps of each accepted push, in the state store's push table (`store.pushes`,
 * a table of its own: the Push Client's registrations never see it), so a restart loses no
 * accepted push and status queries still answer. Retention (retention.ts) removes old ones.
 */
import { createHash } from 'node:crypto';
import type { JsonValue, PlainTable, RecordTable } from '../store/types.js';
import type { MessageState, PapCode } from './codes.js';

// Type aliases, not interfaces, so that a record is a JsonValue as it is (strings, numbers,
// booleans, arrays and plain objects only).
export type RecipientRecord = {
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
};

export type PushRecord = {
  initiator: string;
  pushId: string;
  receivedTime: number;
  deliverBefore?: number;
  deliverAfter?: number;
  notifyTo?: string;
  /** source-reference of the push-message: the initiator's name for the content's source. */
  sourceReference?: string;
  deliveryMethod: string;
  /** The WSP push PDU, hex (kept so a restart can still submit what was accepted). */
  pdu: string;
  recipients: RecipientRecord[];
};

/** Longest record id the store takes (src/store/options.ts MAX_NAME_LENGTH). */
const MAX_KEY = 256;

/**
 * A push's id in the table: initiator and push-id, or, when that is longer than the store
 * takes, a hash of them (the record itself says whose it is).
 */
export function pushKey(initiator: string, pushId: string): string {
  const key = `${encodeURIComponent(initiator)}:${pushId}`;
  return key.length <= MAX_KEY ? key : `#${createHash('sha256').update(key).digest('base64url')}`;
}

/** A narrow typed view over the push table: the JSON goes in and comes back as written. */
export class PushRecords {
  constructor(private readonly table: PlainTable) {}

  async get(initiator: string, pushId: string): Promise<PushRecord | undefined> {
    const v = await this.table.get(pushKey(initiator, pushId));
    return isPushRecord(v) && v.initiator === initiator && v.pushId === pushId ? v : undefined;
  }

  async put(record: PushRecord): Promise<void> {
    // The store turns the value into JSON text before put returns: no copy is needed first.
    await this.table.put(pushKey(record.initiator, record.pushId), record);
  }

  async delete(initiator: string, pushId: string): Promise<void> {
    await this.table.delete(pushKey(initiator, pushId));
  }

  /** Every push record (for recovery after a restart). */
  async all(): Promise<PushRecord[]> {
    const out: PushRecord[] = [];
    for (const r of await this.table.list()) if (isPushRecord(r.value)) out.push(r.value);
    return out;
  }

  /**
   * Moves the records an earlier version kept in the registrations table (ids `ppg:push:...`,
   * with `ppg:sms:...` index entries) into the push table; returns how many pushes moved.
   */
  async adopt(registrations: RecordTable): Promise<number> {
    let moved = 0;
    for (const r of await registrations.list()) {
      if (!r.id.startsWith('ppg:')) continue;
      if (r.id.startsWith('ppg:push:') && isPushRecord(r.value)) {
        await this.put(r.value);
        moved++;
      }
      await registrations.delete(r.id);
    }
    return moved;
  }
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
