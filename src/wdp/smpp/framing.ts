import type smpp from 'smpp';
import { MAX_SHORT_MESSAGE_PDU, SMPP_HEADER_LENGTH } from './shortMessage.js';
import { CommandStatus } from './status.js';

/** Largest PDU either end reads; a longer command_length cannot be resynchronised from. */
export const MAX_PDU_LENGTH = MAX_SHORT_MESSAGE_PDU;

/**
 * SMPP framing over a byte stream, in the manner of pg-protocol's reader: chunks go in,
 * whole PDUs (each its own Buffer, header included) come out, partial ones wait. Frames are
 * copied out of the chunks so that a held segment never pins a socket chunk.
 */
export class PduFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(readonly maxLength = MAX_PDU_LENGTH) {}

  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /**
   * The next whole PDU, or null when more octets are needed. A command_length below 16 or
   * above maxLength throws: the stream cannot be resynchronised after it.
   */
  next(): Buffer | null {
    const b = this.buf;
    if (b.length < 4) return null;
    const length = b.readUInt32BE(0);
    if (length < SMPP_HEADER_LENGTH || length > this.maxLength) {
      throw new RangeError(`command_length ${length} outside ${SMPP_HEADER_LENGTH}..${this.maxLength}`);
    }
    if (b.length < length) return null;
    const frame = Buffer.from(b.subarray(0, length));
    this.buf = b.length === length ? Buffer.alloc(0) : b.subarray(length);
    return frame;
  }
}

/** A header-only PDU (generic_nack, unbind, enquire_link, their responses). */
export function headerPdu(commandId: number, status: number, sequence: number): Buffer {
  const b = Buffer.allocUnsafe(SMPP_HEADER_LENGTH);
  b.writeUInt32BE(SMPP_HEADER_LENGTH, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  return b;
}

/** submit_sm_resp / deliver_sm_resp: header + message_id C-string. */
export function messageIdResponse(commandId: number, status: number, sequence: number, messageId = ''): Buffer {
  const length = SMPP_HEADER_LENGTH + messageId.length + 1;
  const b = Buffer.alloc(length);
  b.writeUInt32BE(length, 0);
  b.writeUInt32BE((commandId | 0x80000000) >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  b.write(messageId, SMPP_HEADER_LENGTH, 'latin1');
  return b;
}

export const GENERIC_NACK = 0x80000000;

/**
 * An `smpp` package Session (declared in src/types/smpp.d.ts); the name the simulator and the
 * submitter use for it.
 */
export type SmppSession = smpp.Session;

/**
 * What takeOverIntake relies on in the package's Session, checked on the session it is given:
 * a package other than the pinned one fails here, by name, instead of reading PDUs twice or
 * never. test/wdp/smppInternals.test.ts checks the same and the behaviour behind it.
 */
export function smppInternalsProblem(session: smpp.Session): string | undefined {
  const socket = session.socket;
  if (typeof session._extractPDUs !== 'function') return 'Session._extractPDUs is not a function';
  if (typeof session._callbacks !== 'object' || session._callbacks === null)
    return 'Session._callbacks is not an object';
  if (typeof session.sequence !== 'number') return 'Session.sequence is not a number';
  if (typeof session.paused !== 'boolean') return 'Session.paused is not a boolean';
  if (socket.listenerCount('data') !== 0) return "the Session listens to its socket's 'data' events";
  if (socket.listenerCount('readable') !== 1)
    return `the Session has ${socket.listenerCount('readable')} 'readable' listeners on its socket, not 1`;
  return undefined;
}

/**
 * Takes over a Session's intake. The package's own reader leaves the session wedged after a
 * PDU it cannot parse (it emits 'error' and never clears its busy flag) and decodes
 * short_message through text filters. Here every frame is offered to `intake` first, raw;
 * what it does not take is parsed by the package (session logic unchanged: 'pdu' and
 * per-command events, response callbacks); a PDU the package cannot parse gets a
 * generic_nack (ESME_RINVCMDLEN) and the session goes on. A command_length no framer can
 * trust gets a generic_nack and the connection is closed.
 */
export function takeOverIntake(session: smpp.Session, PDU: typeof smpp.PDU, intake: (frame: Buffer) => boolean): void {
  const problem = smppInternalsProblem(session);
  if (problem !== undefined) {
    throw new Error(`the smpp package is not the version wappush was built against (0.5.1): ${problem}`);
  }
  const socket = session.socket;
  const framer = new PduFramer();
  let busy = false;
  const extract = () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        if (session.paused) break;
        let frame: Buffer | null;
        try {
          frame = framer.next();
        } catch {
          socket.write(headerPdu(GENERIC_NACK, CommandStatus.ESME_RINVCMDLEN, 0));
          socket.destroy();
          break;
        }
        if (frame === null) {
          const chunk = socket.read() as Buffer | null;
          if (chunk === null) break;
          framer.push(chunk);
          continue;
        }
        if (intake(frame)) continue;
        let pdu: smpp.PDU;
        try {
          pdu = new PDU(frame);
        } catch {
          socket.write(headerPdu(GENERIC_NACK, CommandStatus.ESME_RINVCMDLEN, frame.readUInt32BE(12)));
          continue;
        }
        session.emit('pdu', pdu);
        session.emit(pdu.command, pdu);
        const callback = pdu.isResponse() ? session._callbacks[pdu.sequence_number] : undefined;
        if (callback) {
          delete session._callbacks[pdu.sequence_number];
          callback(pdu);
        }
      }
    } finally {
      busy = false;
    }
  };
  socket.removeAllListeners('readable');
  socket.on('readable', extract);
  session._extractPDUs = extract;
}

/** The next sequence number of a session, shared with the package's own numbering. */
export function nextSequence(session: smpp.Session): number {
  if (session.sequence >= 0x7fffffff) session.sequence = 0;
  return ++session.sequence;
}
