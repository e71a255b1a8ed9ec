import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ESME_INBOUND, HEADER_ONLY, responseId, SmppCommand } from './commands.js';
import { headerPdu, messageIdResponse, PduFramer } from './framing.js';
import { SMPP_HEADER_LENGTH } from './shortMessage.js';
import { CommandStatus } from './status.js';

/** How long the connection may linger after the SMSC's unbind has been answered, ms. */
export const UNBIND_LINGER_MS = 1_000;

/** A PDU the session answered with an error status itself (generic_nack, or ESME_RINVBNDSTS). */
export interface RefusedPdu {
  commandId: number;
  sequence: number;
  status: number;
}

/** A PDU the session read and let go without an answer. */
export interface IgnoredPdu {
  commandId: number;
  sequence: number;
  /** 'unexpected-response': a response to nothing outstanding; 'no-response': SMPP defines none. */
  reason: 'unexpected-response' | 'no-response';
}

export interface EsmeSessionEvents {
  /** A deliver_sm while bound; the owner answers it (respond) once it is taken. */
  deliver_sm: [Buffer];
  /** The SMSC unbound; unbind_resp went out and the connection is ending. */
  unbind: [];
  /** An enquire_link from the SMSC, answered. */
  enquire_link: [];
  refused: [RefusedPdu];
  ignored: [IgnoredPdu];
}

/** A request of ours that got no response within its time. */
export class ResponseTimeout extends Error {
  constructor(
    readonly commandId: number,
    readonly timeoutMs: number,
  ) {
    super(`no response to command_id 0x${commandId.toString(16).padStart(8, '0')} within ${timeoutMs} ms`);
  }
}

interface Outstanding {
  commandId: number;
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
  timeoutMs: number;
  /** Date.now() past which it has gone unanswered too long. */
  deadline: number;
}

/**
 * One SMPP connection from the ESME side, over a plain socket: framing, sequence numbers, the
 * requests it has sent waiting for their responses (one timer for all, set for the earliest
 * deadline: a timer each costs more than the submit), and the answers SMPP
 * v3.4 requires of an ESME for what the SMSC sends (commands.ts ESME_INBOUND). It binds and
 * unbinds through request(); the link above decides when.
 *
 * Responses are matched by sequence_number to what is outstanding; one that matches nothing is
 * ignored and reported, never answered (a generic_nack to a response invites one back, and so
 * on). A command_length no framing can trust gets generic_nack ESME_RINVCMDLEN and the
 * connection is closed: nothing after it can be found.
 */
export class EsmeSession extends EventEmitter<EsmeSessionEvents> {
  /**
   * Set when a bind_resp says ESME_ROK, before the next PDU is read (the SMSC may send
   * deliver_sm in the same TCP segment); deliver_sm before that is refused.
   */
  bound = false;
  /** When a PDU last arrived (Date.now()): any PDU shows the SMSC is there. */
  lastReceivedAt = 0;
  private readonly framer = new PduFramer();
  private readonly outstanding = new Map<number, Outstanding>();
  private sequence = 0;
  private pausedIntake = false;
  /** The timer for the earliest deadline of what is outstanding, and that deadline. */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Writes of this tick are corked and go out together (one syscall for a turn's submits). */
  private corked = false;

  /**
   * `receives`: bound as receiver or transceiver (deliver_sm is taken); a transmitter answers
   * deliver_sm ESME_RINVBNDSTS, as it may not receive one (2.3).
   */
  constructor(
    readonly socket: Socket,
    private readonly receives = true,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk);
      this.drain();
    });
    socket.on('close', () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      for (const [seq, o] of this.outstanding) {
        this.outstanding.delete(seq);
        o.reject(new Error('the connection closed'));
      }
    });
  }

  get paused(): boolean {
    return this.pausedIntake;
  }

  /** Sends a request; resolves with its response (or a generic_nack of it), rejects on timeout or close. */
  request(
    commandId: number,
    timeoutMs: number,
    build: (sequence: number) => Uint8Array = headerOnly(commandId),
  ): Promise<Buffer> {
    const sequence = this.nextSequence();
    return new Promise((resolve, reject) => {
      if (!this.socket.writable) {
        reject(new Error('the connection is not writable'));
        return;
      }
      const deadline = Date.now() + timeoutMs;
      this.outstanding.set(sequence, { commandId, resolve, reject, timeoutMs, deadline });
      if (deadline < this.timerAt) this.arm(deadline);
      this.write(build(sequence));
    });
  }

  /** Sets the one timer for `deadline` (the earliest of what is outstanding). */
  private arm(deadline: number): void {
    clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - Date.now()));
    // The socket keeps the process alive while it is open; the timer may outlive its request.
    this.timer.unref();
  }

  /** Rejects what went unanswered past its deadline; the timer is set again for the next. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [seq, o] of this.outstanding) {
      if (o.deadline <= now) {
        this.outstanding.delete(seq);
        o.reject(new ResponseTimeout(o.commandId, o.timeoutMs));
      } else if (o.deadline < next) next = o.deadline;
    }
    if (next < Infinity && this.timer === undefined) this.arm(next);
  }

  /** Writes now, corked till the end of this tick: a turn's PDUs leave in one write. */
  private write(bytes: Uint8Array): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => this.flush());
    }
    this.socket.write(bytes);
  }

  /** What is corked goes out now (before the socket is destroyed, which would drop it). */
  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** Requests of a command still waiting for their response. */
  awaiting(commandId: number): number {
    let n = 0;
    for (const o of this.outstanding.values()) if (o.commandId === commandId) n++;
    return n;
  }

  respond(bytes: Buffer): void {
    if (this.socket.writable) this.write(bytes);
  }

  /** Stops reading PDUs (back-pressure reaches the SMSC through TCP). */
  pause(): void {
    if (this.pausedIntake) return;
    this.pausedIntake = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.pausedIntake) return;
    this.pausedIntake = false;
    this.socket.resume();
    this.drain();
  }

  destroy(): void {
    this.flush();
    this.socket.destroy();
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  private drain(): void {
    while (!this.pausedIntake && !this.socket.destroyed) {
      let frame: Buffer | null;
      try {
        frame = this.framer.next();
      } catch {
        // command_id unread: reported as 0
        this.refuse(0, 0, CommandStatus.ESME_RINVCMDLEN);
        this.destroy();
        return;
      }
      if (frame === null) return;
      this.lastReceivedAt = Date.now();
      this.dispatch(frame);
    }
  }

  private dispatch(frame: Buffer): void {
    const commandId = frame.readUInt32BE(4);
    const sequence = frame.readUInt32BE(12);
    if (commandId & 0x80000000) {
      this.onResponse(frame, commandId, sequence);
      return;
    }
    const action = ESME_INBOUND.get(commandId);
    if (action === undefined) {
      this.refuse(commandId, sequence, CommandStatus.ESME_RINVCMDID);
      return;
    }
    if (HEADER_ONLY.has(commandId) && frame.length !== SMPP_HEADER_LENGTH) {
      this.refuse(commandId, sequence, CommandStatus.ESME_RINVCMDLEN);
      return;
    }
    switch (action) {
      case 'deliver':
        // A deliver_sm before the bind is through: the command is fine, the state is not (5.1.3).
        if (!this.bound || !this.receives) {
          this.refused(commandId, sequence, CommandStatus.ESME_RINVBNDSTS);
          this.respond(messageIdResponse(commandId, CommandStatus.ESME_RINVBNDSTS, sequence));
        } else {
          this.emit('deliver_sm', frame);
        }
        return;
      case 'enquire_link_resp':
        this.respond(headerPdu(responseId(commandId), CommandStatus.ESME_ROK, sequence));
        this.emit('enquire_link');
        return;
      case 'unbind_resp':
        this.respond(headerPdu(responseId(commandId), CommandStatus.ESME_ROK, sequence));
        this.bound = false;
        this.emit('unbind');
        this.socket.end();
        // The SMSC closes after unbind_resp; one that does not is not waited for long.
        setTimeout(() => this.socket.destroy(), UNBIND_LINGER_MS).unref();
        return;
      case 'no-response':
        this.emit('ignored', { commandId, sequence, reason: 'no-response' });
        return;
    }
  }

  private onResponse(frame: Buffer, commandId: number, sequence: number): void {
    const o = this.outstanding.get(sequence);
    // A generic_nack answers whatever it names by sequence; any other response must match its request.
    if (o === undefined || (commandId !== SmppCommand.generic_nack && commandId !== responseId(o.commandId))) {
      this.emit('ignored', { commandId, sequence, reason: 'unexpected-response' });
      return;
    }
    this.outstanding.delete(sequence);
    if (BINDS.has(o.commandId) && commandId !== SmppCommand.generic_nack && frame.readUInt32BE(8) === 0) {
      this.bound = true;
    }
    o.resolve(frame);
  }

  /** generic_nack (4.3) for a request the session will not take. */
  private refuse(commandId: number, sequence: number, status: number): void {
    this.refused(commandId, sequence, status);
    this.respond(headerPdu(SmppCommand.generic_nack, status, sequence));
  }

  private refused(commandId: number, sequence: number, status: number): void {
    this.emit('refused', { commandId, sequence, status });
  }
}

const BINDS: ReadonlySet<number> = new Set([
  SmppCommand.bind_receiver,
  SmppCommand.bind_transmitter,
  SmppCommand.bind_transceiver,
]);

const headerOnly = (commandId: number) => (sequence: number) => headerPdu(commandId, 0, sequence);
