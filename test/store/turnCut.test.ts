// The TURN call's cut (src/store/redis/turn.ts): steps packed as the link asks for them, sent
// through a `send` that records each call's step count and answers every step. No Redis is
// needed for where the calls are cut; test/store/redisTurn.test.ts runs the script itself.
import { describe, expect, it } from 'vitest';
import { MAX_TURN_STEPS, MAX_TURN_STEPS_WHOLE, Turn } from '../../src/store/redis/turn.js';

/**
 * The steps of one packed call, read as the TURN script reads them (scripts.ts): a letter, then
 * its fields, a string or octets as a u16 length and its octets.
 */
function stepsOf(packed: Buffer): number {
  let at = 0;
  let n = 0;
  const field = () => (at += 2 + packed.readUInt16BE(at));
  while (at < packed.length) {
    const letter = String.fromCharCode(packed[at++]);
    field(); // the message's key
    if (letter === 'a') {
      field(); // originator
      at += 3; // sequence, total, own
      field(); // data
    } else if (letter === 'f')
      at += 1; // total
    else if (letter !== 'r') throw new Error(`no step ${letter}`);
    n++;
  }
  return n;
}

/** A Turn whose calls are counted in steps: each call answers 1 to each of its steps. */
function countedTurn() {
  const calls: number[] = [];
  const turn = new Turn(async (packed) => {
    const n = stepsOf(packed);
    calls.push(n);
    return Array.from({ length: n }, () => 1);
  });
  const add = (key: string, sequence: number, total: number) =>
    turn.add(key, '+1555', sequence, total, true, new Uint8Array([sequence]));
  const finish = (key: string) => turn.finish(key, 3);
  return { turn, calls, add, finish };
}

describe('TURN call cut', () => {
  it('keeps a message whole when a finish comes between its segments past 32 steps', async () => {
    const { turn, calls, add, finish } = countedTurn();
    const steps: Promise<unknown>[] = [];
    for (let m = 0; m < 10; m++) for (let s = 1; s <= 3; s++) steps.push(add(`m${m}`, s, 3));
    steps.push(add('m10', 1, 3), add('m10', 2, 3));
    // The reply of an earlier call finishes a message in the same turn as m10's last segment.
    steps.push(finish('old'));
    steps.push(add('m10', 3, 3));
    await turn.drain();
    await Promise.all(steps);
    expect(MAX_TURN_STEPS).toBe(32);
    expect(calls).toEqual([34]);
  });

  it('still cuts at 64 steps, and a finish past 32 cuts when the call adds to no message', async () => {
    const { turn, calls, add, finish } = countedTurn();
    const steps: Promise<unknown>[] = [];
    for (let m = 0; m < 40; m++) steps.push(finish(`f${m}`));
    for (let s = 1; s <= 70; s++) steps.push(add('long', s, 100));
    await turn.drain();
    await Promise.all(steps);
    // 32 finishes; then 8 finishes and the long message's adds up to 64 steps; then the rest.
    expect(calls).toEqual([32, MAX_TURN_STEPS_WHOLE, 14]);
  });
});
