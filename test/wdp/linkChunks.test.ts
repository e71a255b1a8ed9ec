// How the link reads deliver_sm as TCP delivers them: several PDUs in one chunk, one PDU cut
// across chunks at any octet. Each PDU is read in place from its chunk (no copy per PDU), so
// what the link keeps must be copied: the reassembler's held parts, a single SMS's payload.
// References: SMPP v3.4 4.6 deliver_sm / deliver_sm_resp; 3GPP TS 23.040 9.2.3.24.1.
import { afterEach, describe, expect, it } from 'vitest';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { Reassembler } from '../../src/wdp/reassembler.js';
import { segmentPayload } from '../../src/wdp/segmenter.js';
import type { EsmeLinkOptions } from '../../src/wdp/smpp/link.js';
import { CommandId, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { CommandStatus } from '../../src/wdp/smpp/status.js';
import { linkAtRawSmsc, startBound } from './linkAtRawSmsc.js';
import { header } from './rawSmsc.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** A payload whose octets say where they sit, so a splice or an overwrite shows. */
function payloadOf(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
}

/** deliver_sm of each SMS of `payload` (8-bit reference, 16-bit ports), sequence numbers from `first`. */
function deliverSms(payload: Uint8Array, reference: number, first: number, originator = '9200'): Buffer[] {
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

/** A link bound to a raw SMSC (no keep-alive), collecting what it delivers; its SMSC-side peer. */
async function boundLink(options: Partial<EsmeLinkOptions> = {}) {
  const { smsc, link, got, close } = await linkAtRawSmsc(options);
  open.push({ close });
  const { peer } = await startBound(smsc, link);
  return { peer, link, got };
}

describe('EsmeLink reading deliver_sm from TCP chunks', () => {
  it('takes PDUs many to a chunk and cut at every octet, answering each ESME_ROK by its sequence', async () => {
    const { peer, link, got } = await boundLink();

    const a = payloadOf(300, 1); // 3 SMS
    const b = payloadOf(80, 2); // 1 SMS
    const c = payloadOf(250, 3); // 2 SMS
    const pdus = [...deliverSms(a, 11, 1), ...deliverSms(b, 12, 4, '9201'), ...deliverSms(c, 13, 5, '9202')];
    const all = Buffer.concat(pdus);
    // All in one write, then the same pushes again from new originators cut into 1..29-octet pieces.
    peer.write(all);
    for (let i = 0; i < pdus.length; i++) expect(header(await peer.next())).toEqual([0x80000005, 0, i + 1, 17]);
    const again = Buffer.concat([
      ...deliverSms(a, 11, 101, '9300'),
      ...deliverSms(b, 12, 104, '9301'),
      ...deliverSms(c, 13, 105, '9302'),
    ]);
    for (let at = 0, step = 1; at < again.length; at += step, step = (step % 29) + 1) {
      peer.write(again.subarray(at, Math.min(again.length, at + step)));
      await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < pdus.length; i++) expect(header(await peer.next())).toEqual([0x80000005, 0, 101 + i, 17]);

    expect(got.map((d) => [d.originator, d.segments, Buffer.from(d.payload).toString('hex')])).toEqual(
      [
        ['9200', 3, a],
        ['9201', 1, b],
        ['9202', 2, c],
        ['9300', 3, a],
        ['9301', 1, b],
        ['9302', 2, c],
      ].map(([o, n, p]) => [o, n, Buffer.from(p as Uint8Array).toString('hex')]),
    );
    expect(link.stats).toMatchObject({ deliverSm: 12, datagrams: 6, undecodable: 0 });
    expect(link.responses.get(0)).toBe(12);
  });

  it('pieces longer than a PDU: the cut PDU completed, the rest of each piece read, in order', async () => {
    const { peer, got } = await boundLink();
    // 12 SMS of 4 pushes, written in pieces of 150 to 410 octets: most pieces finish the PDU the
    // last one cut, hold whole PDUs, and cut another at their end.
    const pushes = [payloadOf(300, 4), payloadOf(60, 5), payloadOf(400, 6), payloadOf(250, 7)];
    const pdus = pushes.flatMap((p, k) => deliverSms(p, 20 + k, 1 + 3 * k, `95${k}`));
    const all = Buffer.concat(pdus);
    for (let at = 0, step = 150; at < all.length; at += step, step = step >= 410 ? 150 : step + 37) {
      peer.write(all.subarray(at, Math.min(all.length, at + step)));
      await new Promise((r) => setTimeout(r, 1));
    }
    const sequences = pushes.flatMap((p, k) => deliverSms(p, 20 + k, 1 + 3 * k).map((_, i) => 1 + 3 * k + i));
    const answers: number[][] = [];
    for (let i = 0; i < pdus.length; i++) answers.push(header(await peer.next()));
    expect(answers).toEqual(sequences.map((n) => [0x80000005, 0, n, 17]));
    expect(got.map((d) => [d.originator, Buffer.from(d.payload).toString('hex')])).toEqual(
      pushes.map((p, k) => [`95${k}`, Buffer.from(p).toString('hex')]),
    );
  });
});

describe("EsmeLink reading a chunk's deliver_sm ahead (memory mode)", () => {
  it('two pushes interleaved in one chunk, a segment resent: each delivered once, every PDU answered in order', async () => {
    // Read ahead, neither push is ever pending: none is when the first of them is handed up.
    const pendingAtHandler: number[] = [];
    const got: WdpDatagram[] = [];
    const { peer, link } = await boundLink({
      onDatagram: (d) => {
        got.push(d);
        pendingAtHandler.push(link.reassembler.pendingMessages);
      },
    });
    const a = payloadOf(300, 11); // 3 SMS
    const b = payloadOf(250, 12); // 2 SMS
    const [a1, a2, a3] = deliverSms(a, 31, 1, '9500');
    const [b1, b2] = deliverSms(b, 32, 4, '9501');
    const again = deliverSms(b, 32, 6, '9501')[0]; // b1 resent once B is complete, under its own sequence number
    peer.write(Buffer.concat([a1, b1, a2, b2, a3, again]));
    const answers: number[][] = [];
    for (let i = 0; i < 6; i++) answers.push(header(await peer.next()));
    expect(answers).toEqual([1, 4, 2, 5, 3, 6].map((n) => [0x80000005, 0, n, 17]));
    expect(got.map((d) => [d.originator, d.segments, Buffer.from(d.payload).toString('hex')])).toEqual([
      ['9501', 2, Buffer.from(b).toString('hex')],
      ['9500', 3, Buffer.from(a).toString('hex')],
    ]);
    expect(link.reassembler.stats).toMatchObject({ segments: 6, datagrams: 2, duplicates: 1, lateDuplicates: 1 });
    expect(link.reassembler.pendingMessages).toBe(0);
    expect(pendingAtHandler).toEqual([0, 0]);
  });

  it('pushes cut between two chunks: held after the first, completed by the second', async () => {
    const { peer, link, got } = await boundLink();
    const a = payloadOf(300, 13);
    const b = payloadOf(250, 14);
    const [a1, a2, a3] = deliverSms(a, 33, 1, '9502');
    const [b1, b2] = deliverSms(b, 34, 4, '9503');
    peer.write(Buffer.concat([a1, a2, b1]));
    for (const n of [1, 2, 4]) expect(header(await peer.next())).toEqual([0x80000005, 0, n, 17]);
    expect(link.reassembler.pendingMessages).toBe(2);
    peer.write(Buffer.concat([b2, a3]));
    for (const n of [5, 3]) expect(header(await peer.next())).toEqual([0x80000005, 0, n, 17]);
    expect(got.map((d) => Buffer.from(d.payload).toString('hex'))).toEqual(
      [b, a].map((p) => Buffer.from(p).toString('hex')),
    );
  });

  it('maxInFlight 1 and a handler that settles later: a push taken in part before intake paused is held, and completes', async () => {
    // A1 B1 A2 A3 B2 B3 in one chunk: A completes at its third PDU and pauses intake with B1
    // taken; the rest of the chunk is read once A's handler settles.
    const settle: (() => void)[] = [];
    const { peer, link, got } = await boundLink({
      maxInFlight: 1,
      onDatagram: (d) => {
        got.push(d);
        return new Promise<void>((resolve) => settle.push(resolve));
      },
    });
    const a = payloadOf(300, 15);
    const b = payloadOf(300, 16);
    const [a1, a2, a3] = deliverSms(a, 35, 1, '9504');
    const [b1, b2, b3] = deliverSms(b, 36, 4, '9505');
    peer.write(Buffer.concat([a1, b1, a2, a3, b2, b3]));
    for (const n of [1, 4, 2]) expect(header(await peer.next())).toEqual([0x80000005, 0, n, 17]);
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(got.length).toBe(1);
    expect(link.reassembler.pendingMessages).toBe(1); // B, holding B1
    settle.shift()!();
    expect(header(await peer.next())).toEqual([0x80000005, 0, 3, 17]);
    expect(header(await peer.next())).toEqual([0x80000005, 0, 5, 17]);
    for (let i = 0; i < 100 && got.length === 1; i++) await new Promise((r) => setTimeout(r, 5));
    settle.shift()!();
    expect(header(await peer.next())).toEqual([0x80000005, 0, 6, 17]);
    expect(got.map((d) => [d.originator, Buffer.from(d.payload).toString('hex')])).toEqual([
      ['9504', Buffer.from(a).toString('hex')],
      ['9505', Buffer.from(b).toString('hex')],
    ]);
  });

  it('an undecodable PDU after a push read whole: answered ESME_RX_P_APPN, the pushes around it completed', async () => {
    // B1 A1 B2 read ahead, then the bad PDU (the read ahead stops there), then A2 A3. B is whole
    // in what was read ahead: it never becomes pending, so with room for one pending message it
    // does not evict A (read one by one, B1 would).
    const { peer, link, got } = await boundLink({ reassembly: { maxPendingMessages: 1 } });
    const a = payloadOf(300, 17);
    const b = payloadOf(250, 18);
    const [a1, a2, a3] = deliverSms(a, 37, 1, '9506');
    const [b1, b2] = deliverSms(b, 38, 4, '9507');
    const bad = Buffer.from(a2);
    bad[bad.length - 1 - 134 - 6] = 0xff; // sm_length: runs past the PDU's end
    bad.writeUInt32BE(9, 12);
    peer.write(Buffer.concat([b1, a1, b2, bad, a2, a3]));
    const answers: number[][] = [];
    for (let i = 0; i < 6; i++) answers.push(header(await peer.next()));
    expect(answers).toEqual(
      [4, 1, 5, 9, 2, 3].map((n) => [0x80000005, n === 9 ? CommandStatus.ESME_RX_P_APPN : 0, n, 17]),
    );
    expect(got.map((d) => Buffer.from(d.payload).toString('hex'))).toEqual(
      [b, a].map((p) => Buffer.from(p).toString('hex')),
    );
    expect(link.stats).toMatchObject({ deliverSm: 6, undecodable: 1, datagrams: 2, lostEvicted: 0 });
  });
});

describe("EsmeLink when the application's listeners throw (memory mode)", () => {
  // A listener's bug must not become the link's: before, a throwing 'undecodable',
  // 'handler-error' or 'handler-settled' listener left its deliver_sm unanswered (counted in
  // flight, so intake could stay paused) and threw out of the socket's read.
  it('each deliver_sm is answered as without the listeners, each throw a warning', async () => {
    let fail = true;
    const { peer, link } = await boundLink({
      onDatagram: () => {
        if (fail) {
          fail = false;
          throw new Error('handler');
        }
      },
    });
    for (const event of ['undecodable', 'handler-error', 'handler-settled'] as const)
      link.on(event, () => {
        throw new Error(event);
      });
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'WAPPUSH_LISTENER_ERROR') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const [single] = deliverSms(payloadOf(100, 30), 50, 1, '9520');
      const bad = Buffer.from(single);
      // sm_length (the octet before short_message, which ends the PDU) made to run past the end.
      let at = bad.length - 1;
      while (bad[at] !== bad.length - 1 - at) at--;
      bad[at] = 0xff;
      bad.writeUInt32BE(2, 12);
      const again = Buffer.from(single);
      again.writeUInt32BE(3, 12);
      // One PDU a write: each is read on its own, not read ahead with the others.
      const answers: number[][] = [];
      for (const pdu of [single, bad, again]) {
        peer.write(pdu);
        answers.push(header(await peer.next()));
      }
      expect(answers).toEqual([
        [0x80000005, CommandStatus.ESME_RX_T_APPN, 1, 17],
        [0x80000005, CommandStatus.ESME_RX_P_APPN, 2, 17],
        [0x80000005, 0, 3, 17],
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => /'([a-z-]+)' listener/.exec(w)?.[1])).toEqual(
        expect.arrayContaining(['handler-error', 'undecodable', 'handler-settled']),
      );
      expect(link.stats).toMatchObject({ deliverSm: 3, undecodable: 1, handlerErrors: 1 });
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe("EsmeLink reading ahead when a 'lost' listener throws (memory mode)", () => {
  it('a throw at the segments of a push read whole: every segment answered, the push delivered once', async () => {
    let t = 1_000_000;
    const reassembler = new Reassembler({ now: () => t, timeoutMs: 60_000 });
    const { peer, link, got } = await boundLink({ reassembler });
    // Two first segments held, then past their timeout: the next two pushes each expire one.
    for (const [pdu, n] of [
      [deliverSms(payloadOf(250, 20), 40, 1, '9510')[0], 1],
      [deliverSms(payloadOf(250, 21), 41, 2, '9511')[0], 2],
    ] as const) {
      peer.write(pdu);
      expect(header(await peer.next())).toEqual([0x80000005, 0, n, 17]);
    }
    expect(reassembler.pendingMessages).toBe(2);
    let throwing = true;
    link.on('lost', () => {
      if (throwing) throw new Error('listener');
    });
    t += 60_001;
    const x = payloadOf(250, 22);
    // As an SMSC does: what is answered with an error is sent again, until answered ESME_ROK.
    let todo = deliverSms(x, 42, 10, '9512');
    for (let round = 0; round < 4 && todo.length > 0; round++) {
      peer.write(Buffer.concat(todo));
      const failed: Buffer[] = [];
      for (const pdu of todo) {
        const [, status, sequence] = header(await peer.next());
        expect(sequence).toBe(pdu.readUInt32BE(12));
        if (status !== 0) failed.push(pdu);
      }
      todo = failed;
    }
    throwing = false;
    expect(todo).toEqual([]);
    expect(got.map((d) => [d.originator, Buffer.from(d.payload).toString('hex')])).toEqual([
      ['9512', Buffer.from(x).toString('hex')],
    ]);
    expect(link.stats).toMatchObject({ lostExpired: 2, datagrams: 1 });
  });

  it('a throw as a read stopped early ends: every segment answered ESME_ROK is held, the throw a warning', async () => {
    // maxPendingMessages 1, maxInFlight 1: A1 B1 S B2 A2 in one chunk, A and B read whole; the
    // single SMS S pauses intake, so the read stops after it. Ending the read holds A1, then
    // B1 evicts A, and the 'lost' listener throws: B1 must be held all the same.
    const settle: (() => void)[] = [];
    const got: WdpDatagram[] = [];
    const { peer, link } = await boundLink({
      reassembly: { maxPendingMessages: 1 },
      maxInFlight: 1,
      onDatagram: (d) => {
        got.push(d);
        return new Promise<void>((resolve) => settle.push(resolve));
      },
    });
    let throws = 1;
    link.on('lost', () => {
      if (throws-- > 0) throw new Error('listener');
    });
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    try {
      const a = payloadOf(250, 23);
      const b = payloadOf(250, 24);
      const s = payloadOf(60, 25);
      const [a1, a2] = deliverSms(a, 43, 1, '9513');
      const [b1, b2] = deliverSms(b, 44, 3, '9514');
      const [single] = deliverSms(s, 45, 5, '9515');
      peer.write(Buffer.concat([a1, b1, single, b2, a2]));
      const answers: number[][] = [];
      for (const handed of [0, 1, 2]) {
        // S, then B, each answered once its handler settles; intake goes on after each.
        for (let j = 0; j < 200 && got.length < handed; j++) await new Promise((r) => setTimeout(r, 5));
        settle.shift()?.();
        answers.push(header(await peer.next()));
        if (handed !== 1) answers.push(header(await peer.next()));
      }
      expect(answers.map(([, status, sequence]) => [status, sequence])).toEqual([1, 3, 5, 4, 2].map((n) => [0, n]));
      expect(got.map((d) => [d.originator, Buffer.from(d.payload).toString('hex')])).toEqual([
        ['9515', Buffer.from(s).toString('hex')],
        ['9514', Buffer.from(b).toString('hex')],
      ]);
      expect(link.reassembler.pendingMessages).toBe(1); // A, holding A2
      expect(link.stats).toMatchObject({ lostEvicted: 1 });
      expect(warnings).toContain('WAPPUSH_LISTENER_ERROR');
    } finally {
      settle.forEach((f) => f());
      process.off('warning', onWarning);
    }
  });
});

describe('EsmeLink pausing and resuming inside the read of a chunk', () => {
  it('maxInFlight 1 and a handler that settles at once: each PDU of a chunk is read and answered once', async () => {
    // A handler that returns no promise: the link's in-flight count falls back at once, inside the read.
    const { peer, got } = await boundLink({ maxInFlight: 1 });
    const single = (originator: string, sequence: number) =>
      deliverSms(payloadOf(20, sequence), 0, sequence, originator);
    peer.write(Buffer.concat([...single('9400', 1), ...single('9401', 2), ...single('9402', 3)]));
    // Then one more on its own: the answer after the first three must be its, not a repeat.
    const answers = [header(await peer.next()), header(await peer.next()), header(await peer.next())];
    peer.write(single('9403', 4)[0]);
    answers.push(header(await peer.next()));
    expect(answers).toEqual([1, 2, 3, 4].map((n) => [0x80000005, 0, n, 17]));
    expect(got.map((d) => d.originator)).toEqual(['9400', '9401', '9402', '9403']);
  });
});

describe('Reassembler and the buffers it is given', () => {
  it('keeps no view of a held segment: the caller may write over its buffer', () => {
    const r = new Reassembler();
    const payload = payloadOf(300, 5);
    const parts = segmentPayload(payload, { reference: 9, referenceBits: 8 });
    const scratch = new Uint8Array(200);
    const pushPart = (k: number) => {
      // The user data after its UDH (UDHL and the elements it counts), read into the one scratch buffer.
      const data = parts[k].subarray(1 + parts[k][0]);
      scratch.set(data);
      return r.push({
        originator: '1',
        recipient: '2',
        reference: 9,
        referenceBits: 8,
        total: parts.length,
        sequence: k + 1,
        data: scratch.subarray(0, data.length),
      });
    };
    expect(pushPart(0)).toBeUndefined();
    expect(pushPart(1)).toBeUndefined();
    const d = pushPart(2);
    expect(Buffer.from(d!.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it('takes the arrival time from its caller when given (one clock read per socket chunk)', () => {
    const lost: number[] = [];
    const r = new Reassembler({ timeoutMs: 1_000, now: () => 0 });
    r.on('expired', (m) => lost.push(m.reference));
    const seg = (reference: number) => ({
      originator: '1',
      recipient: '2',
      reference,
      referenceBits: 8 as const,
      total: 2,
      sequence: 1,
      data: Uint8Array.of(reference),
    });
    r.push(seg(1), undefined, 5_000);
    r.push(seg(2), undefined, 5_999);
    expect(lost).toEqual([]);
    r.push(seg(3), undefined, 6_000); // 1 is 1,000 ms old at 6,000
    expect(lost).toEqual([1]);
    expect(r.pendingMessages).toBe(2);
  });
});
