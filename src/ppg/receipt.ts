/**
 * SMSC delivery receipts as a PPG reads them: a deliver_sm whose esm_class message type is
 * "SMSC delivery receipt" (SMPP v3.4 5.2.12: bits 5-2 = 0001), with the receipted_message_id
 * and message_state TLVs (5.3.2.12, 5.3.2.35) and/or the text form of SMPP v3.4 Appendix B
 * (`id:IIII sub:SSS dlvrd:DDD submit date:... done date:... stat:DDDDDDD err:E text:...`).
 */
import type { ShortMessagePdu } from '../wdp/smpp/shortMessage.js';
import { TlvTag } from '../wdp/smpp/tlv.js';

/** esm_class bits 5-2 (mask 0x3c) = 0001: SMSC delivery receipt. */
export const ESM_CLASS_DELIVERY_RECEIPT = 0x04;
const MESSAGE_TYPE_MASK = 0x3c;

/** message_state values (SMPP v3.4 5.2.28) and the Appendix B stat words. */
export const SmppMessageState = Object.freeze({
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
} as const);
export type SmppMessageState = (typeof SmppMessageState)[keyof typeof SmppMessageState];

const STATES: readonly SmppMessageState[] = Object.values(SmppMessageState);

const STAT_WORDS: Readonly<Record<string, SmppMessageState>> = Object.freeze({
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
});

export const STAT_WORD_OF: Readonly<Record<SmppMessageState, string>> = Object.freeze({
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
});

export interface DeliveryReceipt {
  messageId: string;
  state: SmppMessageState;
  /** The err: field of the text form, when present. */
  error?: string;
}

export function isDeliveryReceipt(pdu: ShortMessagePdu): boolean {
  return (pdu.esmClass & MESSAGE_TYPE_MASK) === ESM_CLASS_DELIVERY_RECEIPT;
}

/** The receipt a deliver_sm carries; TLVs win over the text where both are present. Undefined when it says neither. */
export function readDeliveryReceipt(pdu: ShortMessagePdu): DeliveryReceipt | undefined {
  const text = Buffer.from(pdu.shortMessage).toString('latin1');
  const textId = /(?:^|\s)id:(\S{1,65})/i.exec(text)?.[1];
  const textStat = /(?:^|\s)stat:([A-Z]{7})/i.exec(text)?.[1]?.toUpperCase();
  const error = /(?:^|\s)err:(\S{1,8})/i.exec(text)?.[1];
  let messageId = textId;
  let state = textStat !== undefined && Object.hasOwn(STAT_WORDS, textStat) ? STAT_WORDS[textStat] : undefined;
  for (const t of pdu.tlvs) {
    if (t.tag === TlvTag.receipted_message_id) {
      const end = t.value.indexOf(0);
      messageId = Buffer.from(t.value.subarray(0, end < 0 ? t.value.length : end)).toString('latin1');
    } else if (t.tag === TlvTag.message_state && t.value.length === 1) {
      state = STATES.find((s) => s === t.value[0]) ?? state;
    }
  }
  if (!messageId || state === undefined) return undefined;
  return error === undefined ? { messageId, state } : { messageId, state, error };
}
