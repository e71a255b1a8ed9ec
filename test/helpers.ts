import { readdirSync, readFileSync } from 'node:fs';
import { fromHex } from '../src/codec/hex.js';
import { decodePushPdu, type PushMessage } from '../src/codec/wsp/pushPdu.js';
import { collectDatagram } from '../src/wdp/collect.js';
import type { WdpDatagram } from '../src/wdp/datagram.js';
import { segmentFromUserData } from '../src/wdp/userData.js';

export const hex = (s: string): Uint8Array => fromHex(s);

export function loadFixtures<T>(dir: string): Array<T & { file: string }> {
  const base = new URL(`./fixtures/${dir}/`, import.meta.url);
  return readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(new URL(f, base), 'utf8')) as T), file: f }));
}

/** Runs fn and returns the thrown error (fails the test when nothing is thrown). */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

export interface SmsFixture {
  file: string;
  segments: string[];
  expect: { contentType: string; applicationId: string; segments: number };
}

/** Each concatenated-SMS fixture (test/fixtures/sms) reassembled: the datagram and its WSP push. */
export function smsFixturePushes(): Array<SmsFixture & { datagram: WdpDatagram; push: PushMessage }> {
  return loadFixtures<Omit<SmsFixture, 'file'>>('sms').map((f) => {
    const datagram = collectDatagram(f.segments.map((s) => segmentFromUserData(fromHex(s))));
    return { ...f, datagram, push: decodePushPdu(datagram.payload) };
  });
}

/** The fixture whose file name starts with `prefix`. */
export function smsFixturePush(prefix: string): SmsFixture & { datagram: WdpDatagram; push: PushMessage } {
  const f = smsFixturePushes().find((x) => x.file.startsWith(prefix));
  if (!f) throw new Error(`no sms fixture ${prefix}`);
  return f;
}

/** Waits for `cond` (polled every 20 ms) up to `timeoutMs`: tests on sockets and processes stop by themselves. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 3_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
