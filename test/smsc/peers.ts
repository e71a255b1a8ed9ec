import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { SmscSimulator, type SmscOptions } from '../../src/smsc/simulator.js';
import { CommandId, decodeShortMessagePdu, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';

/** SMPP peers written from the octets up, so that the simulator is tested by something it does not share code with. */

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

export function closeLater<T extends { close(): Promise<void> }>(x: T): T {
  open.push(x);
  return x;
}

/** A simulator on an ephemeral loopback port, closed after the test. */
export async function smsc(options: SmscOptions = {}) {
  const s = closeLater(new SmscSimulator(options));
  const port = await s.listen();
  return { s, port };
}

export const BIND_RECEIVER = 0x00000001;
export const BIND_TRANSMITTER = 0x00000002;
export const BIND_TRANSCEIVER = 0x00000009;
export const status = (pdu: Buffer) => pdu.readUInt32BE(8);
export const command = (pdu: Buffer) => pdu.readUInt32BE(4);
export const sequenceOf = (pdu: Buffer) => pdu.readUInt32BE(12);

/** A header-only PDU. */
export function header(commandId: number, commandStatus: number, sequence: number, body = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(16 + body.length);
  b.writeUInt32BE(b.length, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(commandStatus >>> 0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  body.copy(b, 16);
  return b;
}

/** bind_* (SMPP v3.4 4.1): system_id, password, system_type, interface_version 0x34, addr_ton, addr_npi, address_range. */
export function bindPdu(
  commandId: number,
  systemId: string,
  password: string,
  sequence = 1,
  addressRange = '',
): Buffer {
  const body = Buffer.concat([
    Buffer.from(systemId + '\0' + password + '\0' + '\0', 'latin1'),
    Buffer.from([0x34, 0, 0]),
    Buffer.from(addressRange + '\0', 'latin1'),
  ]);
  return header(commandId, 0, sequence, body);
}

/** A raw TCP peer: write octets, read whole PDUs back (bounded wait). */
export function rawPeer(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  const waiting: Array<() => void> = [];
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiting.splice(0)) w();
  });
  socket.on('error', () => {
    /* the test sees the missing PDU */
  });
  const take = (): Buffer | undefined => {
    if (buf.length < 16 || buf.length < buf.readUInt32BE(0)) return undefined;
    const n = buf.readUInt32BE(0);
    const pdu = buf.subarray(0, n);
    buf = buf.subarray(n);
    return pdu;
  };
  const next = async (timeoutMs = 2_000): Promise<Buffer> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pdu = take();
      if (pdu) return pdu;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no PDU within the timeout');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiting.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  return closeLater({
    socket,
    next,
    take,
    close: async () => {
      socket.destroy();
    },
  });
}

export interface Delivered {
  destination: string;
  text: string;
}

/**
 * A receiver (bind_receiver) that records each deliver_sm's destination and text and, while
 * `ack` is true, answers it with ESME_ROK; a receiver that does not answer keeps its window full.
 */
export async function receiver(port: number, systemId: string, password: string, addressRange = '') {
  const peer = rawPeer(port);
  peer.socket.write(bindPdu(BIND_RECEIVER, systemId, password, 1, addressRange));
  const resp = await peer.next();
  const got: Delivered[] = [];
  const state = { ack: true, bindStatus: status(resp), got, close: () => peer.socket.destroy() };
  if (state.bindStatus !== 0) return state;
  const drain = () => {
    for (let pdu = peer.take(); pdu; pdu = peer.take()) {
      if (command(pdu) !== CommandId.deliver_sm) continue;
      const sm = decodeShortMessagePdu(pdu);
      got.push({ destination: sm.destinationAddr, text: Buffer.from(sm.shortMessage).toString('latin1') });
      if (state.ack) peer.socket.write(header(0x80000005, 0, sequenceOf(pdu), Buffer.from([0])));
    }
  };
  peer.socket.on('data', drain);
  drain(); // what came in the same read as bind_resp
  return state;
}

/** A transmitter (bind_transmitter) that submits one short message at a time and returns submit_sm_resp's status. */
export async function transmitter(port: number, systemId: string, password: string) {
  const peer = rawPeer(port);
  peer.socket.write(bindPdu(BIND_TRANSMITTER, systemId, password, 1));
  const resp = await peer.next();
  if (status(resp) !== 0) throw new Error(`bind_transmitter refused: 0x${status(resp).toString(16)}`);
  let sequence = 1;
  return {
    async submit(destination: string, text: string): Promise<number> {
      const seq = ++sequence;
      const pdu = encodeShortMessagePdu({
        commandId: CommandId.submit_sm,
        sequenceNumber: seq,
        sourceAddr: '9200',
        destinationAddr: destination,
        shortMessage: Buffer.from(text, 'latin1'),
      });
      peer.socket.write(pdu);
      const r = await peer.next();
      if (sequenceOf(r) !== seq) throw new Error(`submit_sm_resp for ${sequenceOf(r)}, not ${seq}`);
      return status(r);
    },
  };
}

/** Waits for `cond` (polled every 10 ms) up to `timeoutMs`, then throws naming `what`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets the simulator run its queue for `ms`: for asserting that something did NOT arrive. */
export const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));
