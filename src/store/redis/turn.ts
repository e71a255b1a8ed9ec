/**
 * The segment steps (add, finish, release) a node asks for during one turn of its event loop,
 * sent to Redis as one call of the TURN script (scripts.ts) when the turn ends, not one call
 * each. With a window of 100 segments in flight, a turn carries tens of steps: one write, one
 * script run and one reply for all of them, where each call of its own cost the client a
 * socket write and Redis a script run. The steps run in the order asked, each atomic as before.
 *
 * Every step's promise settles with its own reply: a step the script answers with an error
 * fails alone; a call that fails (Redis away, a timeout) fails every step it carried, and none
 * of them is acknowledged.
 */
import { StoreError, StoreErrorCode } from '../errors.js';
import { list, text } from './replies.js';

export type Arg = string | number | Buffer;

/**
 * Most steps in one script call; a turn with more sends several, back to back. Small enough that
 * a window of 100 segments goes as several calls: Redis runs the first while the client still
 * writes the next, and the first answers go out early. One call for a whole window had the
 * client and Redis wait on each other in turn (a 1-node cluster run kept the cores 50% busy).
 */
export const MAX_TURN_STEPS = 32;
/** Most segment octets in one script call (a call blocks Redis for as long as it runs). */
export const MAX_TURN_OCTETS = 1024 * 1024;

interface Step {
  resolve(reply: number | unknown[]): void;
  reject(error: unknown): void;
}

export class Turn {
  private args: Arg[] = [];
  private steps: Step[] = [];
  private octets = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  /** `send` makes one script call of the steps' arguments and resolves with its reply, one entry a step. */
  constructor(private readonly send: (args: Arg[]) => Promise<unknown>) {}

  /** A step, its arguments as the TURN script reads them; resolves with its reply (a number or a list). */
  step(args: Arg[], octets = 0): Promise<number | unknown[]> {
    if (this.steps.length >= MAX_TURN_STEPS || this.octets + octets > MAX_TURN_OCTETS) this.flush();
    for (const a of args) this.args.push(a);
    this.octets += octets;
    const p = new Promise<number | unknown[]>((resolve, reject) => this.steps.push({ resolve, reject }));
    this.scheduled ??= setImmediate(() => this.flush());
    return p;
  }

  /** Sends what is waiting now; resolves once every call sent so far has its reply. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    const { args, steps } = this;
    if (steps.length === 0) return;
    this.args = [];
    this.steps = [];
    this.octets = 0;
    const call = this.send(args).then(
      (reply) => settle(steps, reply),
      (error: unknown) => {
        for (const s of steps) s.reject(error);
      },
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }
}

function settle(steps: Step[], reply: unknown): void {
  let replies: unknown[];
  try {
    replies = list(reply);
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
    } else if (r.length === 2 && isError(r[0])) {
      // A Redis error in this step alone (the others went on): what a call of its own would have thrown.
      steps[i].reject(new Error(text(r[1])));
    } else {
      steps[i].resolve(r);
    }
  }
}

const ERROR = Buffer.from('error');
const isError = (v: unknown): boolean => Buffer.isBuffer(v) && v.equals(ERROR);
