import { describe, expect, it } from 'vitest';
import type { SmscOptions } from '../../src/smsc/simulator.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { decodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { decodeSi } from '../../src/codec/wbxml/si.js';
import { bindPdu, closeLater, command, header, rawPeer, smsc as startSmsc, status, until } from './peers.js';

/** The simulator with the two accounts these tests bind with. */
const smsc = (options: SmscOptions = {}) =>
  startSmsc({
    accounts: [
      { systemId: 'ppg', password: 'secret' },
      { systemId: 'client', password: 'pw' },
    ],
    ...options,
  });

describe('SMSC simulator: sessions (real TCP on 127.0.0.1)', () => {
  it('binds with the right credentials; refuses a wrong password and an unknown system_id', async () => {
    const { port } = await smsc();
    const peer = rawPeer(port);
    peer.socket.write(bindPdu(0x00000001, 'ppg', 'wrong', 1)); // bind_receiver
    let r = await peer.next();
    expect([command(r), status(r)]).toEqual([0x80000001, 0x0e]); // ESME_RINVPASWD
    peer.socket.write(bindPdu(0x00000009, 'nobody', 'x', 2)); // bind_transceiver
    r = await peer.next();
    expect([command(r), status(r)]).toEqual([0x80000009, 0x0f]); // ESME_RINVSYSID
    peer.socket.write(bindPdu(0x00000002, 'ppg', 'secret', 3)); // bind_transmitter
    r = await peer.next();
    expect([command(r), status(r), r.readUInt32BE(12)]).toEqual([0x80000002, 0, 3]);
  });
  it('a malformed PDU gets generic_nack and the session survives; unknown commands too; enquire_link; unbind', async () => {
    const { s, port } = await smsc();
    const peer = rawPeer(port);
    peer.socket.write(bindPdu(0x00000009, 'ppg', 'secret', 1));
    expect(status(await peer.next())).toBe(0);
    // submit_sm whose body stops inside source_addr: a known command that cannot be parsed
    const broken = Buffer.concat([header(0x00000004, 0, 7), Buffer.from('WAP\0\x01\x01+4477', 'latin1')]);
    broken.writeUInt32BE(broken.length, 0);
    peer.socket.write(broken);
    let r = await peer.next();
    expect(command(r)).toBe(0x80000004);
    expect(status(r)).not.toBe(0);
    expect(r.readUInt32BE(12)).toBe(7);
    peer.socket.write(header(0x00001234, 0, 8)); // no such command
    r = await peer.next();
    expect([command(r), status(r), r.readUInt32BE(12)]).toEqual([0x80000000, 0x03, 8]);
    peer.socket.write(header(0x00000015, 0, 9)); // enquire_link
    r = await peer.next();
    expect([command(r), status(r), r.readUInt32BE(12)]).toEqual([0x80000015, 0, 9]);
    peer.socket.write(header(0x00000006, 0, 10)); // unbind
    r = await peer.next();
    expect([command(r), status(r)]).toEqual([0x80000006, 0]);
    expect(s.stats.genericNacks).toBe(1);
  });
  it('an impossible command_length gets generic_nack and the connection is closed', async () => {
    const { port } = await smsc();
    const peer = rawPeer(port);
    const closed = new Promise((r) => peer.socket.once('close', r));
    peer.socket.write(Buffer.from([0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1]));
    const r = await peer.next();
    expect([command(r), status(r)]).toEqual([0x80000000, 0x02]);
    await closed;
  });
});

describe('SMSC simulator + ESME link: pushes end to end', () => {
  it('a submitted push reaches the bound receiver as deliver_sm, octets unchanged', async () => {
    const { port } = await smsc();
    const got: WdpDatagram[] = [];
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${port}`,
      onDatagram: (d) => {
        got.push(d);
      },
    });
    await link.start();
    closeLater(link);
    const tx = new SmppSubmitter(`smpp://ppg:secret@127.0.0.1:${port}`);
    await tx.start();
    closeLater(tx);
    const pdu = encodePushPdu({
      transactionId: 1,
      contentType: 'application/vnd.wap.sic',
      body: encodeSi({ href: 'http://a.example/', text: 'x'.repeat(300) }),
    });
    for (const carriage of ['udh', 'sar', 'payload'] as const) {
      const ids = await tx.submit(pdu, { to: '+447700900123', from: '9200', carriage });
      expect(ids.every((id) => /^[0-9a-f]{8}$/.test(id))).toBe(true);
    }
    await until(() => got.length >= 3, 'the three datagrams', 2_000);
    expect(got).toHaveLength(3);
    for (const d of got) {
      expect(d).toMatchObject({
        originator: '9200',
        recipient: '+447700900123',
        sourcePort: 9200,
        destinationPort: 2948,
      });
      expect(Buffer.from(d.payload).equals(Buffer.from(pdu))).toBe(true);
    }
    expect(got.map((d) => d.segments)).toEqual([3, 3, 1]);
  });
  it('a bind with wrong credentials is refused and not retried', async () => {
    const { port } = await smsc();
    const link = new EsmeLink({ smsc: `smpp://client:nope@127.0.0.1:${port}`, onDatagram: () => {} });
    await expect(link.start()).rejects.toThrow(/0xe/);
    closeLater(link);
  });
  it('10,000 pushes while the SMSC drops connections, reorders and duplicates: each delivered exactly once', async () => {
    const { s, port } = await smsc({
      window: 50,
      responseTimeoutMs: 500,
      retry: { initialMs: 5, maxMs: 100 },
      faults: { dropProbability: 0.0005, duplicateProbability: 0.02, reorderProbability: 0.05 },
    });
    const seen = new Map<string, number>();
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${port}`,
      reconnect: { initialMs: 5, maxMs: 50 },
      onDatagram: (d) => {
        const si = decodeSi(decodePushPdu(d.payload).body);
        seen.set(si.siId!, (seen.get(si.siId!) ?? 0) + 1);
      },
    });
    await link.start();
    closeLater(link);
    const tx = new SmppSubmitter(`smpp://ppg:secret@127.0.0.1:${port}`);
    await tx.start();
    closeLater(tx);
    const N = 10_000;
    for (let i = 0; i < N; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, N - i) }, (_, k) => {
          const n = i + k;
          // every 4th push is long enough for 2-3 segments
          const text = n % 4 === 0 ? 'long push '.repeat(20) : 'short';
          const body = encodeSi({ href: `http://a.example/${n}`, siId: `id-${n}`, text });
          return tx.submit(encodePushPdu({ transactionId: n & 0xff, contentType: 'application/vnd.wap.sic', body }), {
            to: `+4477009${n % 7}`,
            from: '9200',
            referenceBits: 16,
          });
        }),
      );
    }
    await until(() => seen.size === N, `all ${N} pushes`, 60_000);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(s.stats.dropsInjected).toBeGreaterThan(0);
    expect(s.stats.duplicatesInjected).toBeGreaterThan(0);
    expect(link.stats.connects).toBeGreaterThan(1);
    expect(link.reassembler.stats.duplicates + link.stats.duplicateSingles).toBeGreaterThan(0);
  }, 90_000);
});

describe('a handler that fails gets the push again (ESME_RX_T_APPN, then the SMSC retries)', () => {
  it('redelivers single and multi-segment pushes whose handler threw, once each, and none twice after success', async () => {
    const { port } = await smsc({ retry: { initialMs: 10, maxMs: 20 } });
    const calls = new Map<string, number>();
    const link = new EsmeLink({
      smsc: `smpp://client:pw@127.0.0.1:${port}`,
      enquireLinkMs: 0,
      onDatagram: (d) => {
        const id = decodeSi(decodePushPdu(d.payload).body).siId!;
        const n = (calls.get(id) ?? 0) + 1;
        calls.set(id, n);
        if (n === 1 && id.startsWith('fail')) throw new Error('application not ready');
      },
    });
    await link.start();
    closeLater(link);
    const tx = new SmppSubmitter(`smpp://ppg:secret@127.0.0.1:${port}`);
    await tx.start();
    closeLater(tx);
    const push = (siId: string, text: string) =>
      encodePushPdu({
        contentType: 'application/vnd.wap.sic',
        body: encodeSi({ href: 'http://x.example/', siId, text }),
      });
    await tx.submit(push('fail-single', 'short'), { to: '1' });
    await tx.submit(push('fail-multi', 'long '.repeat(60)), { to: '1' });
    await tx.submit(push('ok-single', 'short'), { to: '1' });
    await until(
      () => (calls.get('fail-single') ?? 0) >= 2 && (calls.get('fail-multi') ?? 0) >= 2,
      'both failed pushes again',
    );
    // Waits for something that must NOT happen: a push delivered a third time, or ok-single twice.
    await new Promise((r) => setTimeout(r, 100));
    expect(Object.fromEntries(calls)).toEqual({ 'fail-single': 2, 'fail-multi': 2, 'ok-single': 1 });
    expect(link.stats.handlerErrors).toBe(2);
  });
});
