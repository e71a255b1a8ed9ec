/**
 * The fixed part of a WSP connectionless Push or ConfirmedPush PDU (WAP-230 8.2.4.1):
 *   TID(1) Type(1) HeadersLen(uintvar)
 * and the field code both push readers look for. The full decode (pushPdu.ts) and the skim
 * (pushSkim.ts) read it with the one function here, so they refuse the same PDUs the same way.
 */
import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ByteReader } from '../reader.js';
import { readUintvar } from './primitives.js';

/** PDU type codes (WAP-230 Table 34). */
export const PduType = Object.freeze({
  /** Push */
  Push: 0x06,
  /** ConfirmedPush */
  ConfirmedPush: 0x07,
} as const);
export type PduType = (typeof PduType)[keyof typeof PduType];
// Read once into module constants: each decode compares against them (src/codec/wbxml/tokenizer.ts says why).
const { Push: PUSH, ConfirmedPush: CONFIRMED_PUSH } = PduType;

export type PushPduType = 'push' | 'confirmed-push';

/** X-Wap-Application-Id field code (WAP-230 Table 39). */
export const X_WAP_APPLICATION_ID = 0x2f;

/** TID, PDU type and HeadersLen, checked; where the header block ends. */
export function readFixedPart(r: ByteReader, limits: Limits): { tid: number; type: PushPduType; headersEnd: number } {
  if (r.buf.length > limits.maxDocumentSize) {
    throw new DecodeError(
      'LIMIT',
      0,
      `PDU of ${r.buf.length} octets exceeds maxDocumentSize (${limits.maxDocumentSize})`,
    );
  }
  const tid = r.u8();
  const typeAt = r.pos;
  const t = r.u8();
  if (t !== PUSH && t !== CONFIRMED_PUSH) {
    throw new DecodeError(
      'BAD_PDU_TYPE',
      typeAt,
      `PDU type 0x${t.toString(16).padStart(2, '0')} is not Push (0x06) or ConfirmedPush (0x07)`,
    );
  }
  const lenAt = r.pos;
  const headersLen = readUintvar(r, 'HeadersLen');
  if (headersLen === 0) throw new DecodeError('BAD_LENGTH', lenAt, 'HeadersLen is 0: the content type is missing');
  if (headersLen > r.remaining) {
    throw new DecodeError('BAD_LENGTH', lenAt, `HeadersLen ${headersLen} runs past the end (${r.remaining} left)`);
  }
  return { tid, type: t === PUSH ? 'push' : 'confirmed-push', headersEnd: r.pos + headersLen };
}
