// Helpers for the tests of a link whose intake pauses (linkPaused, linkHeld): deliver_sm built
// by hand, a handler that waits for the test, a store that can be taken away, bounded waits.
import { MemoryStore } from '../../src/store/memory.js';
import type { EsmeLinkOptions } from '../../src/wdp/smpp/link.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { segmentPayload } from '../../src/wdp/segmenter.js';
import { SmppCommand } from '../../src/wdp/smpp/commands.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { linkAtRawSmsc, startBound } from './linkAtRawSmsc.js';
import { header, pdu, type RawPeer } from './rawSmsc.js';

const opened: Array<() => unknown> = [];

/** Closed by closeOpened(), last first: each test file runs it after each test. */
export function later(close: () => unknown): void {
  opened.push(close);
}

export async function closeOpened(): Promise<void> {
  while (opened.length) await opened.pop()!();
}

/** A link bound to a raw SMSC on 127.0.0.1, closed by closeOpened(). */
export async function boundLink(options: Partial<EsmeLinkOptions>) {
  const { smsc, link, close } = await linkAtRawSmsc(options);
  later(close);
  const { peer } = await startBound(smsc, link);
  return { smsc, peer, link };
}

export const DELIVER_SM_RESP = 0x80000005;
export const ENQUIRE_LINK_RESP = 0x80000015;

/** How long an answer the link owes at once may take here (a loaded 2-core machine). */
export const PROMPT_MS = 1_000;

/** A memory store whose backend can be taken away (and given back by a probe). */
export class FlakyStore extends MemoryStore {
  goDown(): void {
    this.fail(new Error('backend gone'), 'write');
  }
}

export function payloadOf(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 11 + seed) & 0xff);
}

/** deliver_sm of each SMS of `payload`, sequence numbers from `first`. */
export function deliverSms(payload: Uint8Array, reference: number, first: number, originator = '9200'): Buffer[] {
  return segmentPayload(payload, { reference, referenceBits: 8 }).map((ud, i) =>
    Buffer.from(
      encodeShortMessagePdu({
        commandId: CommandId.deliver_sm,
        sequenceNumber: first + i,
        sourceAddr: originator,
        destinationAddr: '+447700900123',
        esmClass: 0x40,
        dataCoding: 0x04,
        shortMessage: ud,
      }),
    ),
  );
}

/** One single-SMS deliver_sm with sequence `sequence`. */
export const single = (seed: number, sequence: number): Buffer => {
  const [one] = deliverSms(payloadOf(60, seed), seed, sequence, `92${seed}`);
  return one;
};

export const enquireLink = (sequence: number): Buffer => pdu(SmppCommand.enquire_link, 0, sequence);

/** [command_id, command_status, sequence] of the next `n` PDUs, each due within `ms`. */
export async function nextHeaders(peer: RawPeer, n: number, ms = PROMPT_MS): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(header(await peer.next(ms)).slice(0, 3));
  return out;
}

/** True if the link sends nothing more within `ms`. */
export async function quiet(peer: RawPeer, ms = 150): Promise<boolean> {
  return peer.next(ms).then(
    () => false,
    () => true,
  );
}

export async function until(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A handler whose first `hang` calls wait for the test to settle them; later ones return at once. */
export function hangingHandler(hang = 1) {
  const got: WdpDatagram[] = [];
  const settle: Array<() => void> = [];
  let calls = 0;
  const onDatagram = (d: WdpDatagram): void | Promise<void> => {
    got.push(d);
    if (calls++ < hang) return new Promise<void>((resolve) => settle.push(resolve));
  };
  return { got, settle, onDatagram };
}

/** Every deliver_sm_resp by sequence: each must be there once. */
export function answersBySequence(headers: number[][]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const [id, status, seq] of headers) {
    if (id !== DELIVER_SM_RESP) continue;
    out.set(seq, [...(out.get(seq) ?? []), status]);
  }
  return out;
}
