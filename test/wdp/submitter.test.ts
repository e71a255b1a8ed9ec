// The submitter over its own SMPP session, against a raw SMSC on loopback (rawSmsc.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { acceptBound, header, pdu, rawSmsc } from './rawSmsc.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

describe('SmppSubmitter', () => {
  it('binds as transmitter, reads message_ids, refuses deliver_sm, rejects a nack and a silence', async () => {
    const smsc = await rawSmsc();
    open.push(smsc);
    const tx = new SmppSubmitter(`smpp://ppg:secret@127.0.0.1:${smsc.port}`, { responseTimeoutMs: 150 });
    open.push({ close: () => tx.close(100) });
    const started = tx.start();
    const { peer, bind } = await acceptBound(smsc);
    await started;
    expect(header(bind)[0]).toBe(0x00000002); // bind_transmitter
    expect(bind.subarray(16).toString('latin1')).toBe('ppg\0secret\0\0\x34\0\0\0');

    const one = tx.submit(new Uint8Array([1, 2, 3]), { to: '+447700900123' });
    const sm = await peer.next();
    expect(header(sm)[0]).toBe(0x00000004);
    peer.write(pdu(0x80000004, 0, sm.readUInt32BE(12), Buffer.from('abc123\0', 'latin1')));
    expect(await one).toEqual(['abc123']);

    // A transmitter may not receive deliver_sm (SMPP v3.4 2.3): ESME_RINVBNDSTS.
    peer.write(pdu(0x00000005, 0, 9, Buffer.alloc(17)));
    expect(header(await peer.next())).toEqual([0x80000005, 0x04, 9, 17]);

    const nacked = tx.submit(new Uint8Array([4]), { to: '+447700900123' });
    const sm2 = await peer.next();
    peer.write(pdu(0x80000000, 0x08, sm2.readUInt32BE(12))); // generic_nack ESME_RSYSERR
    await expect(nacked).rejects.toThrow(/command_status 0x8/);

    const unanswered = tx.submit(new Uint8Array([5]), { to: '+447700900123' });
    await peer.next();
    await expect(unanswered).rejects.toThrow(/within 150 ms/);
  });

  it('a refused bind rejects start() with its status', async () => {
    const smsc = await rawSmsc();
    open.push(smsc);
    const tx = new SmppSubmitter(`smpp://ppg:wrong@127.0.0.1:${smsc.port}`);
    const started = tx.start();
    const peer = await smsc.accept();
    const bind = await peer.next();
    peer.write(pdu(0x80000002, 0x0e, bind.readUInt32BE(12)));
    await expect(started).rejects.toThrow(/command_status 0xe/);
  });
});
