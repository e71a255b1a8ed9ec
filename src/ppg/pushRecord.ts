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
  /**
   * The store node (Store.nodeId) of the PPG holding the push in memory: no other PPG on the
   * store takes it up while that node is live (takeover.ts). `''`: let go at a clean close, for
   * any PPG to take up. Absent: an earlier version's record, taken up by a PPG that starts.
   */
  owner?: string;
};

/**
 * A delivery receipt that came over a PPG's bind for a message_id it does not know (the SMSC
 * gave it to another PPG of the account than the one that submitted): kept in the push table,
 * under a key no push has, till the PPG holding that message_id settles with it.
 */
export type ForeignReceipt = {
  receipt: { messageId: string; state: number; error?: string };
  /** When it came, ms: one no PPG claims within the receipt timeout is dropped. */
  at: number;
  /**
   * The SMSC account (system_id) whose bind it came over: only a PPG bound with that account
   * settles with it (message_ids are the SMSC's; another SMSC's may coincide). Absent in rows
   * of the version before: taken as any account's.
   */
  account?: string;
};

/** Longest record id the store takes (src/store/options.ts MAX_NAME_LENGTH). */
const MAX_KEY = 256;

/**
 * Foreign receipts' keys begin with `@`, which pushKey never writes first (encodeURIComponent
 * escapes it; a hashed key begins with `#`): no push's key, and an earlier version's isPushRecord
 * passes their records by.
 */
const RECEIPT_KEY = '@receipt:';

export function receiptKey(messageId: string): string {
  return RECEIPT_KEY + messageId;
}

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

  /** Every push record, and every foreign receipt with its key (one listing of the table). */
  async scan(): Promise<{ pushes: PushRecord[]; receipts: Array<{ key: string; value: ForeignReceipt }> }> {
    const pushes: PushRecord[] = [];
    const receipts: Array<{ key: string; value: ForeignReceipt }> = [];
    for (const r of await this.table.list()) {
      if (isPushRecord(r.value)) pushes.push(r.value);
      else if (r.id.startsWith(RECEIPT_KEY) && isForeignReceipt(r.value)) receipts.push({ key: r.id, value: r.value });
    }
    return { pushes, receipts };
  }

  async putReceipt(value: ForeignReceipt): Promise<void> {
    await this.table.put(receiptKey(value.receipt.messageId), value);
  }

  async deleteKey(key: string): Promise<void> {
    await this.table.delete(key);
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

function isForeignReceipt(v: JsonValue | undefined): v is JsonValue & ForeignReceipt {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof v.at !== 'number') return false;
  const r = v.receipt;
  return (
    r !== null &&
    typeof r === 'object' &&
    !Array.isArray(r) &&
    typeof r.messageId === 'string' &&
    typeof r.state === 'number' &&
    (r.error === undefined || typeof r.error === 'string') &&
    (v.account === undefined || typeof v.account === 'string')
  );
}

/** Whose a push is: its owner node, or undefined when no one's (or the field is not a string). */
export function ownerOf(record: PushRecord): string | undefined {
  const o: unknown = record.owner;
  return typeof o === 'string' && o.length > 0 ? o : undefined;
}
