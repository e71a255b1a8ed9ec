import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ESME_INBOUND, HEADER_ONLY, responseId, SmppCommand } from './commands.js';
import { headerPdu, MAX_PDU_LENGTH, messageIdResponse } from './framing.js';
import { HeldFrames } from './heldFrames.js';
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
  /**
   * A deliver_sm while bound (a Buffer of its own); the owner answers it (respond) once it is
   * taken. Not emitted when the session was given an `onDeliverSm` receiver.
   */
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

/**
 * Takes each deliver_sm read while bound: `frame` is a view of the socket chunk, valid to
 * read during the call (whatever is kept beyond it must be copied); `now` is the clock read
 * once for the whole chunk (Date.now()).
 */
export type DeliverSmReceiver = (frame: Uint8Array, now: number) => void;

/**
 * Told, before PDUs are read from `input` starting at `at`, of the octets about to be read (and
 * told by a FramesRead when that read ends: all read, paused, or the socket gone): the link
 * reads a chunk's deliver_sm ahead, so the reassembler sees a whole message at once. The PDUs
 * are then given to the DeliverSmReceiver one by one as before, each a view of `input`.
 */
export type FramesAhead = (input: Uint8Array, at: number) => void;
export type FramesRead = () => void;

/**
 * A deliver_sm read while intake is paused, with no room to hold it (`expired` false), or held
 * past maxHoldMs (`expired` true): the owner answers it (deliver_sm_resp for `sequence`) at
 * once, with a temporary error.
 */
export type PausedRefusal = (sequence: number, expired: boolean) => void;

/**
 * Octets written to the socket and not yet sent, at most, before the session stops reading it
 * (socket.pause()) until they drain. Every PDU the SMSC sends may be answered (enquire_link,
 * deliver_sm refused while paused, generic_nack), so an SMSC that sends and does not read would
 * otherwise have the session read all it sends and keep every answer in memory. Checked once a
 * socket chunk; a chunk (64 KiB at most) of answers may go past it.
 */
export const MAX_UNSENT_OCTETS = 1024 * 1024;

/** deliver_sm_resp with an empty message_id: 17 octets. */
const DELIVER_SM_RESP_LENGTH = SMPP_HEADER_LENGTH + 1;

interface Outstanding {
  commandId: number;
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
  timeoutMs: number;
  /**
   * performance.now() past which it has gone unanswered too long: a monotonic clock, as each
   * request's own setTimeout had, so a step of the wall clock neither delays nor fires it.
   */
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
  /** Octets read and not yet taken: a view of the last chunk (or of a partial PDU joined to it). */
  private input: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** The clock of the chunk being read. */
  private chunkAt = 0;
  /**
   * deliver_sm_resp answered while a chunk is being read, written together once it is read
   * (or, answered outside a read, at the end of the tick): one socket write per chunk or turn
   * rather than one per PDU.
   */
  private batch: Uint8Array = new Uint8Array(64 * DELIVER_SM_RESP_LENGTH);
  private batched = 0;
  /** A write of the batch is due at the end of this tick (answers given outside a read). */
  private flushDue = false;
  private reading = false;
  private readonly outstanding = new Map<number, Outstanding>();
  private sequence = 0;
  private pausedIntake = false;
  /** deliver_sm read while intake is paused, for resume(); at most `holdLimit` of them. */
  private readonly held = new HeldFrames();
  private holdLimit = 0;
  /** How long a deliver_sm may stay held, ms, before it is refused (the link's maxHoldMs). */
  maxHoldMs = Infinity;
  /** The timer refusing held deliver_sm that reach maxHoldMs; set while any is held. */
  private holdTimer: NodeJS.Timeout | undefined;
  /** Reading stopped (socket.pause()) until what was written drains: maxUnsentOctets. */
  private readStopped = false;
  /**
   * Octets written and not sent past which reading stops until they drain. Off (Infinity) by
   * default: a sending session (the PPG's, inject) writes its own submits, whose size says
   * nothing of the peer, and must keep reading their responses; the receiving link sets
   * MAX_UNSENT_OCTETS, where what is written is answers to what the SMSC sends.
   */
  maxUnsentOctets = Infinity;
  /** The timer for the earliest deadline of what is outstanding, and that deadline. */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Writes of this tick are corked and go out together (one syscall for a turn's submits). */
  private corked = false;
  /** Where deliver_sm goes (the link); without one, the 'deliver_sm' event. */
  onDeliverSm: DeliverSmReceiver | undefined = undefined;
  /** Who reads ahead of onDeliverSm (the link, in memory mode), and is told when the read ends. */
  onFramesAhead: FramesAhead | undefined = undefined;
  onFramesRead: FramesRead | undefined = undefined;
  /** Who answers a deliver_sm read while paused that cannot be held; without one, ESME_RX_T_APPN here. */
  onPausedRefusal: PausedRefusal | undefined = undefined;
  /** Told as a bind_resp ESME_ROK is read, before the PDUs behind it in its chunk. */
  onBound: (() => void) | undefined = undefined;

  /**
   * `receives`: bound as receiver or transceiver (deliver_sm is taken); a transmitter answers
   * deliver_sm ESME_RINVBNDSTS, as it may not receive one (2.3).
   */
  constructor(
    readonly socket: Socket,
    private readonly receives = true,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      // Never answered, so never acknowledged: the SMSC sends them again on the next bind.
      this.held.clear();
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
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

  /** deliver_sm held while intake is paused, not yet taken. */
  get heldCount(): number {
    return this.held.size;
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
      const deadline = performance.now() + timeoutMs;
      this.outstanding.set(sequence, { commandId, resolve, reject, timeoutMs, deadline });
      if (deadline < this.timerAt) this.arm(deadline);
      // Answers already given go first: an unbind must not overtake the deliver_sm_resp of
      // segments stored before it (the SMSC would resend them).
      if (this.batched > 0) this.flushAnswers();
      this.write(build(sequence));
    });
  }

  /** Sets the one timer for `deadline` (the earliest of what is outstanding). */
  private arm(deadline: number): void {
    clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - performance.now()));
    // The socket keeps the process alive while it is open; the timer may outlive its request.
    this.timer.unref();
  }

  /** Rejects what went unanswered past its deadline; the timer is set again for the next. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
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
    if (this.batched > 0) this.flushAnswers();
    if (this.socket.writable) this.write(bytes);
  }

  /**
   * deliver_sm_resp (empty message_id) for `sequence`, encoded into the session's batch: while
   * a chunk is being read, written with the chunk's other answers after it; otherwise (a store's
   * commit or a handler settled it) with every other answer of this turn at the end of the tick,
   * so a commit that settles a hundred segments costs one socket write, not a hundred.
   */
  answerDeliverSm(status: number, sequence: number): void {
    if (!this.reading && !this.flushDue) {
      this.flushDue = true;
      process.nextTick(this.flushLater);
    }
    let b = this.batch;
    const p = this.batched;
    if (p + DELIVER_SM_RESP_LENGTH > b.length) {
      const grown = new Uint8Array(b.length * 2);
      grown.set(b.subarray(0, p));
      this.batch = b = grown;
    }
    writeU32(b, p, DELIVER_SM_RESP_LENGTH);
    writeU32(b, p + 4, DELIVER_SM_RESP);
    writeU32(b, p + 8, status);
    writeU32(b, p + 12, sequence);
    b[p + 16] = 0;
    this.batched = p + DELIVER_SM_RESP_LENGTH;
  }

  /**
   * Stops handing deliver_sm to the owner, and keeps reading: the SMSC's enquire_link, unbind
   * and whatever else the session answers by itself are answered as ever (an SMSC drops a bind
   * whose enquire_link goes unanswered, and TCP delivers one only behind the deliver_sm sent
   * before it). Up to `hold` deliver_sm read meanwhile are held, unanswered, for resume(); any
   * more go to onPausedRefusal. Called while paused, it sets the limit anew: held frames past
   * a lower one are refused now, oldest first.
   */
  pause(hold: number): void {
    this.holdLimit = hold;
    if (this.held.size > hold)
      for (const f of this.held.dropBeyond(hold)) this.refuseWhilePaused(readU32(f, 12), false);
    this.pausedIntake = true;
  }

  resume(): void {
    if (!this.pausedIntake) return;
    this.pausedIntake = false;
    // Resumed from inside the read of a chunk (a handler that settled at once): that read goes
    // on by itself (what was held first), and a second one would read its PDUs again from
    // where it began.
    if (this.reading) return;
    // What waited is read now: its clock is now's, not its chunk's (the clock must not run back).
    this.chunkAt = Date.now();
    this.drain();
  }

  destroy(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    if (this.batched > 0) this.flushAnswers();
    this.flush();
    this.socket.destroy();
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  /**
   * One socket chunk: the clock read once for all its PDUs, each PDU read in place (a view,
   * no copy), the answers to its deliver_sm written together after it. A PDU cut by the last
   * chunk's end is completed from this one's first octets, into a buffer of its own; the rest
   * of this chunk is then read in place (a steady stream seldom ends a read on a PDU's end, so
   * joining the whole chunk would copy nearly every chunk).
   */
  private receive(chunk: Buffer): void {
    this.readChunk(chunk);
    // Once a chunk, not once a PDU: the hot path pays one comparison for it.
    if (this.socket.writableLength > this.maxUnsentOctets) this.stopReading();
  }

  /**
   * The SMSC is not reading what it is answered: reading stops until it does ('drain'), so
   * neither what it sends nor its answers pile up here. Its deliver_sm wait in TCP, unanswered.
   */
  private stopReading(): void {
    if (this.readStopped || this.socket.destroyed) return;
    this.readStopped = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.readStopped = false;
      if (!this.socket.destroyed) this.socket.resume();
    });
  }

  /** Whether reading is stopped for MAX_UNSENT_OCTETS (tests, diagnostics). */
  get readingStopped(): boolean {
    return this.readStopped;
  }

  private readChunk(chunk: Buffer): void {
    const now = Date.now();
    this.lastReceivedAt = now;
    this.chunkAt = now;
    const c = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const left = this.input.length - this.at;
    if (left === 0) {
      this.input = c;
      this.at = 0;
      this.drain();
      return;
    }
    const head = this.input.subarray(this.at);
    const length = left >= 4 ? readU32(head, 0) : 0;
    const need = length - left;
    if (length < SMPP_HEADER_LENGTH || length > MAX_PDU_LENGTH || need <= 0 || need > c.length) {
      // The cut PDU's length is not known yet, is bad (refused when read), or goes on past this chunk.
      const joined = new Uint8Array(left + c.length);
      joined.set(head);
      joined.set(c, left);
      this.input = joined;
      this.at = 0;
      this.drain();
      return;
    }
    const whole = new Uint8Array(length);
    whole.set(head);
    whole.set(c.subarray(0, need), left);
    this.input = whole;
    this.at = 0;
    this.reading = true;
    try {
      this.readFrames();
      if (this.input === EMPTY) {
        this.input = c;
        this.at = need;
      } else {
        // Not read (the socket gone; a paused intake reads on): it waits, with the rest of this chunk after it.
        const rest = this.input.subarray(this.at);
        const joined = new Uint8Array(rest.length + c.length - need);
        joined.set(rest);
        joined.set(c.subarray(need), rest.length);
        this.input = joined;
        this.at = 0;
      }
      this.readFrames();
    } finally {
      this.reading = false;
      if (this.batched > 0) this.flushAnswers();
    }
  }

  private drain(): void {
    this.reading = true;
    try {
      this.readFrames();
    } finally {
      this.reading = false;
      if (this.batched > 0) this.flushAnswers();
    }
  }

  /**
   * What there is to read. Not paused and nothing held (the hot path): the input in turn, as
   * before intake read on while paused. Otherwise readHeldAndPaused.
   */
  private readFrames(): void {
    if (this.pausedIntake || this.held.size !== 0) {
      this.readHeldAndPaused();
      return;
    }
    this.readInTurn();
    if (this.pausedIntake) this.readHeldAndPaused();
  }

  /**
   * The deliver_sm held while paused first, in order, then the input; while intake is paused,
   * the rest of the input as readWhilePaused reads it. Each pass takes at least one PDU or
   * ends, so the loop ends.
   */
  private readHeldAndPaused(): void {
    for (;;) {
      if (!this.pausedIntake) {
        if (this.held.size !== 0) this.takeHeld();
        if (!this.pausedIntake) this.readInTurn();
      }
      if (!this.pausedIntake || this.socket.destroyed) return;
      this.readWhilePaused();
      // Still paused (all read but a cut PDU), or resumed from inside that read: then round again.
      if (this.pausedIntake || this.socket.destroyed) return;
    }
  }

  /** The held deliver_sm, oldest first, to the owner, until intake pauses again. */
  private takeHeld(): void {
    const receiver = this.onDeliverSm;
    while (!this.pausedIntake && !this.socket.destroyed && this.bound) {
      const frame = this.held.take();
      if (frame === undefined) break;
      if (receiver !== undefined) receiver(frame, this.chunkAt);
      else this.emit('deliver_sm', Buffer.from(frame.buffer, frame.byteOffset, frame.length));
    }
    // Unbound meanwhile: left unanswered, sent again after the next bind.
    if (!this.bound) this.held.clear();
    // The owner lets go of what it read them into, as after a read.
    this.onFramesRead?.();
  }

  /**
   * The rest of the input while intake is paused: framed as readFramesNow frames it (that loop
   * is left as it is: it is the hot path), every PDU but a deliver_sm dispatched as ever; a
   * deliver_sm held (copied) up to the limit pause() was given, or refused past it.
   */
  private readWhilePaused(): void {
    const b = this.input;
    const n = b.length;
    const heldBefore = this.held.size;
    const now = performance.now();
    while (this.pausedIntake && !this.socket.destroyed) {
      const at = this.at;
      if (n - at < 4) break;
      const length = readU32(b, at);
      if (length < SMPP_HEADER_LENGTH || length > MAX_PDU_LENGTH) {
        this.at = n;
        this.refuse(0, 0, CommandStatus.ESME_RINVCMDLEN);
        this.destroy();
        return;
      }
      if (n - at < length) break;
      this.at = at + length;
      const frame = b.subarray(at, at + length);
      if (readU32(frame, 4) !== SmppCommand.deliver_sm || !this.bound || !this.receives) this.dispatch(frame);
      else if (!this.held.hold(frame, this.holdLimit, now)) this.refuseWhilePaused(readU32(frame, 12), false);
    }
    if (this.at === n && n > 0) {
      this.input = EMPTY;
      this.at = 0;
    }
    if (heldBefore === 0 && this.held.size !== 0) this.armHoldTimer();
  }

  /** Sets the hold timer for when the oldest held deliver_sm reaches maxHoldMs (none if none is held). */
  private armHoldTimer(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const oldest = this.held.oldestHeldAt();
    if (oldest === undefined || this.maxHoldMs === Infinity || this.socket.destroyed) return;
    this.holdTimer = setTimeout(() => this.expireHeld(), Math.max(0, oldest + this.maxHoldMs - performance.now()));
    this.holdTimer.unref();
  }

  /**
   * Held deliver_sm that reached maxHoldMs are refused, oldest first: an SMSC whose response
   * timer runs out on an unanswered deliver_sm may drop the bind or count it failed, while an
   * ESME_RX_T_APPN only has it sent again later.
   */
  private expireHeld(): void {
    this.holdTimer = undefined;
    // Gone (destroyed, its 'close' not yet emitted): nothing is answered any more.
    if (this.socket.destroyed) return;
    const limit = performance.now() - this.maxHoldMs;
    for (let oldest = this.held.oldestHeldAt(); oldest !== undefined && oldest <= limit;) {
      const frame = this.held.take()!;
      this.refuseWhilePaused(readU32(frame, 12), true);
      oldest = this.held.oldestHeldAt();
    }
    this.armHoldTimer();
  }

  private refuseWhilePaused(sequence: number, expired: boolean): void {
    const owner = this.onPausedRefusal;
    if (owner !== undefined) owner(sequence, expired);
    else this.answerDeliverSm(CommandStatus.ESME_RX_T_APPN, sequence);
  }

  /** The input in turn: read ahead by the owner (memory mode), then PDU by PDU until paused. */
  private readInTurn(): void {
    const ahead = this.onFramesAhead;
    if (ahead === undefined || !this.bound || !this.receives || this.pausedIntake) {
      this.readFramesNow();
      return;
    }
    ahead(this.input, this.at);
    try {
      this.readFramesNow();
    } finally {
      this.onFramesRead?.();
    }
  }

  private readFramesNow(): void {
    const b = this.input;
    const n = b.length;
    while (!this.pausedIntake && !this.socket.destroyed) {
      const at = this.at;
      if (n - at < 4) break;
      const length = readU32(b, at);
      if (length < SMPP_HEADER_LENGTH || length > MAX_PDU_LENGTH) {
        // command_id unread: reported as 0. Nothing after it can be framed.
        this.at = n;
        this.refuse(0, 0, CommandStatus.ESME_RINVCMDLEN);
        this.destroy();
        return;
      }
      if (n - at < length) break;
      this.at = at + length;
      this.dispatch(b.subarray(at, at + length));
    }
    // All read: let go of the chunk.
    if (this.at === n && n > 0) {
      this.input = EMPTY;
      this.at = 0;
    }
  }

  /** Answers given outside a read, written once the turn that gave them is over. */
  private readonly flushLater = (): void => {
    this.flushDue = false;
    if (this.batched === 0) return;
    // The turn is over: nothing else joins this write, so it needs no cork of its own.
    if (this.corked) this.flushAnswers();
    else this.flushAnswers(true);
  };

  /** The answers kept while a chunk was read, in one write. */
  private flushAnswers(uncorked = false): void {
    const n = this.batched;
    this.batched = 0;
    if (!this.socket.writable) return;
    const out = Buffer.allocUnsafe(n);
    out.set(this.batch.subarray(0, n));
    if (uncorked) this.socket.write(out);
    else this.write(out);
  }

  private dispatch(frame: Uint8Array): void {
    const commandId = readU32(frame, 4);
    const sequence = readU32(frame, 12);
    if (commandId === SmppCommand.deliver_sm && this.bound && this.receives) {
      const receiver = this.onDeliverSm;
      if (receiver !== undefined) receiver(frame, this.chunkAt);
      else this.emit('deliver_sm', Buffer.from(frame));
      return;
    }
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
          this.emit('deliver_sm', Buffer.from(frame));
        }
        return;
      case 'enquire_link_resp':
        this.respond(headerPdu(responseId(commandId), CommandStatus.ESME_ROK, sequence));
        this.emit('enquire_link');
        return;
      case 'unbind_resp':
        this.respond(headerPdu(responseId(commandId), CommandStatus.ESME_ROK, sequence));
        this.bound = false;
        this.held.clear();
        clearTimeout(this.holdTimer);
        this.holdTimer = undefined;
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

  private onResponse(frame: Uint8Array, commandId: number, sequence: number): void {
    const o = this.outstanding.get(sequence);
    // A generic_nack answers whatever it names by sequence; any other response must match its request.
    if (o === undefined || (commandId !== SmppCommand.generic_nack && commandId !== responseId(o.commandId))) {
      this.emit('ignored', { commandId, sequence, reason: 'unexpected-response' });
      return;
    }
    this.outstanding.delete(sequence);
    if (BINDS.has(o.commandId) && commandId !== SmppCommand.generic_nack && readU32(frame, 8) === 0) {
      this.bound = true;
      this.onBound?.();
    }
    o.resolve(Buffer.from(frame));
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

const EMPTY: Uint8Array = new Uint8Array(0);
const DELIVER_SM_RESP = (SmppCommand.deliver_sm | 0x80000000) >>> 0;

function readU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

function writeU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

const headerOnly = (commandId: number) => (sequence: number) => headerPdu(commandId, 0, sequence);
