/**
 * The segment steps (add, finish, release) a node asks for during one turn of its event loop,
 * sent to Redis as one call of the TURN script (scripts.ts) when the turn ends, not one call
 * each. With a window of 100 segments in flight, a turn carries tens of steps: one write, one
 * script run and one reply for all of them, where each call of its own cost the client a
 * socket write and Redis a script run. The steps run in the order asked, each atomic as before.
 *
 * Every step's promise settles with its own reply: a step the script answers with an error
 * fails alone; a call that fails (Redis away, a timeout) fails every step it carried, and none
 * of them is acknowledged. A step the script cannot read answers last; the steps after it fail
 * as not run (STORE_CORRUPT).
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import type { LostMessage } from '../types.js';
import { list, lostMessages, text } from './replies.js';

export type Arg = string | number | Buffer;

/**
 * Most steps in one script call; a turn with more sends several, back to back. Small enough that
 * a window of 100 segments goes as several calls: Redis runs the first while the client still
 * writes the next, and the first answers go out early. One call for a whole window had the
 * client and Redis wait on each other in turn (a 1-node cluster run kept the cores 50% busy).
 */
export const MAX_TURN_STEPS = 32;
/**
 * Most steps in one call when the steps past MAX_TURN_STEPS add to messages the call already
 * adds to: a message whose segments arrive together is cut across two calls no more (each call
 * would write it open, grow it and unlink it again, where one call holds it in the script's
 * memory and writes it once, complete; scripts.ts, TURN).
 */
export const MAX_TURN_STEPS_WHOLE = 2 * MAX_TURN_STEPS;
/** Most segment octets in one script call (a call blocks Redis for as long as it runs). */
export const MAX_TURN_OCTETS = 1024 * 1024;

/** Who waits for a step's reply: a promise's two ends (which cannot throw into settle()). */
interface Step {
  resolve(reply: number | unknown[]): void;
  reject(error: unknown): void;
}

const ADD = 0x61; // 'a'
const FINISH = 0x66; // 'f'
const RELEASE = 0x72; // 'r'

/**
 * The steps of one call, packed into one string argument as the TURN script reads them
 * (scripts.ts): a letter, then the fields, a string as its u16 length and its UTF-8 octets.
 * One argument, not seven a step: the client encodes one bulk string rather than hundreds.
 */
class Packer {
  private buf = Buffer.allocUnsafe(8192);
  at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  /** A string of at most 65,535 UTF-8 octets (keys and originators are far shorter, keys.ts). */
  string(s: string): void {
    this.room(2 + 3 * s.length);
    const n = this.buf.write(s, this.at + 2, 'utf8');
    this.buf.writeUInt16BE(n, this.at);
    this.at += 2 + n;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v, this.at);
    this.at += 4;
  }

  octets(data: Uint8Array): void {
    this.room(2 + data.length);
    this.buf.writeUInt16BE(data.length, this.at);
    this.buf.set(data, this.at + 2);
    this.at += 2 + data.length;
  }

  /** What was packed, copied out (the command may still be read after the next turn begins). */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    this.at = 0;
    return out;
  }
}

export class Turn {
  private readonly packer = new Packer();
  private steps: Step[] = [];
  private octets = 0;
  /** The messages this call adds to. */
  private readonly keys = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * `send` makes one script call of the packed steps and resolves with its reply, one entry a
   * step. `carry` takes the reports of messages a failed step (or call) dropped before it
   * failed: the drops stand, and no step's outcome will tell of them.
   */
  constructor(
    private readonly send: (steps: Buffer) => Promise<unknown>,
    private readonly carry: (lost: LostMessage[]) => void = () => {},
  ) {}

  /** A segment's add (sequence and total 1-255, data at most 65,535 octets: keys.ts checks). */
  add(
    key: string,
    originator: string,
    sequence: number,
    total: number,
    own: boolean,
    data: Uint8Array,
  ): Promise<number | unknown[]> {
    return new Promise((resolve, reject) =>
      this.addFor({ resolve, reject }, key, originator, sequence, total, own, data),
    );
  }

  private addFor(
    step: Step,
    key: string,
    originator: string,
    sequence: number,
    total: number,
    own: boolean,
    data: Uint8Array,
  ): void {
    this.room(data.length, key);
    this.keys.add(key);
    const p = this.packer;
    p.byte(ADD);
    p.string(key);
    p.string(originator);
    p.byte(sequence);
    p.byte(total);
    p.byte(own ? 1 : 0);
    p.octets(data);
    this.octets += data.length;
    this.step(step);
  }

  /** Finish: the message delivered, its segments forgotten. */
  finish(key: string, total: number): Promise<number | unknown[]> {
    return new Promise((resolve, reject) => this.finishFor({ resolve, reject }, key, total));
  }

  private finishFor(step: Step, key: string, total: number): void {
    this.room(0);
    this.packer.byte(FINISH);
    this.packer.string(key);
    this.packer.byte(total);
    this.step(step);
  }

  /**
   * Release: the handler failed, the message is another's to take; only while it is still the
   * claim of `handovers` (a stale release must not free a newer delivery's claim).
   */
  release(key: string, handovers: number): Promise<number | unknown[]> {
    return new Promise((resolve, reject) => {
      this.room(0);
      this.packer.byte(RELEASE);
      this.packer.string(key);
      this.packer.u32(handovers);
      this.step({ resolve, reject });
    });
  }

  /** Sends what is waiting now; resolves once every call sent so far has its reply. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /**
   * A call already full (steps or octets) goes before the next step is packed; an add to a
   * message the call already adds to stays with it, up to MAX_TURN_STEPS_WHOLE, and so does a
   * finish or release (`key` absent) while the call adds to any message: finishes come from the
   * replies of calls before, in the same turn as the reads that bring the next segments, and a
   * cut there would split a message whose next segment follows.
   */
  private room(octets: number, key?: string): void {
    const n = this.steps.length;
    if (this.octets + octets > MAX_TURN_OCTETS) this.flush();
    else if (n >= MAX_TURN_STEPS_WHOLE) this.flush();
    else if (n >= MAX_TURN_STEPS && (key === undefined ? this.keys.size === 0 : !this.keys.has(key))) this.flush();
  }

  private step(step: Step): void {
    this.steps.push(step);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    const { steps } = this;
    if (steps.length === 0) return;
    const packed = this.packer.take();
    this.steps = [];
    this.keys.clear();
    this.octets = 0;
    const call = this.send(packed).then(
      (reply) => settle(steps, reply, this.carry),
      (error: unknown) => {
        for (const s of steps) s.reject(error);
      },
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }
}

function settle(steps: Step[], reply: unknown, carry: (lost: LostMessage[]) => void): void {
  let replies: unknown[];
  try {
    replies = list(reply);
    if (replies.length === 3 && isTag(replies[0], BROKEN)) {
      // The call failed as a whole: no step is answered; what it dropped is reported all the same.
      const error = new Error(text(replies[1]));
      carryFrom(replies[2], carry);
      for (const s of steps) s.reject(error);
      return;
    }
    if (replies.length < steps.length && replies.length > 0 && isError(replies[replies.length - 1])) {
      // A step the script could not read answers last: those after it were not run.
      const error = new StoreError(
        StoreErrorCode.STORE_CORRUPT,
        `step not run: step ${replies.length} of the call could not be read by the TURN script`,
      );
      for (const s of steps.splice(replies.length)) s.reject(error);
    }
    if (replies.length !== steps.length)
      throw new StoreError(
        StoreErrorCode.STORE_CORRUPT,
        `unexpected reply from Redis: ${replies.length} replies for ${steps.length} steps`,
      );
  } catch (error) {
    for (const s of steps) s.reject(error);
    return;
  }
  for (let i = 0; i < steps.length; i++) {
    const r = replies[i];
    if (typeof r === 'number') {
      steps[i].resolve(r);
    } else if (!Array.isArray(r)) {
      steps[i].reject(
        new StoreError(StoreErrorCode.STORE_CORRUPT, 'unexpected reply from Redis: a step neither a number nor a list'),
      );
    } else if (isError(r)) {
      // A Redis error in this step alone (the others went on): what a call of its own would have thrown.
      let error: unknown;
      try {
        error = new Error(text(r[1]));
        carryFrom(r[2], carry);
      } catch (e) {
        error = e;
      }
      steps[i].reject(error);
    } else {
      steps[i].resolve(r);
    }
  }
}

/** The drops a failed step or call made, handed to `carry` (a report that does not parse is STORE_CORRUPT, thrown). */
function carryFrom(json: unknown, carry: (lost: LostMessage[]) => void): void {
  const lost = lostMessages(json);
  if (lost.length > 0) carry(lost);
}

const ERROR = Buffer.from('error');
const BROKEN = Buffer.from('broken');
const isTag = (v: unknown, tag: Buffer): boolean => Buffer.isBuffer(v) && v.equals(tag);
/** A step's { 'error', message, lost }. */
const isError = (r: unknown): r is unknown[] => Array.isArray(r) && r.length === 3 && isTag(r[0], ERROR);
