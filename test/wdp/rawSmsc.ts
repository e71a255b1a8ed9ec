// A raw SMSC for testing the ESME link: a net.Server on 127.0.0.1 (ephemeral port) that hands
// each connection to the test as a peer that writes octets and reads whole PDUs, with bounded
// waits. Nothing of wappush's SMPP code is used to read what the link sends.
import { createServer, type Server, type Socket } from 'node:net';

export interface RawPeer {
  socket: Socket;
  /** The next whole PDU from the link; throws after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Buffer>;
  /** Resolves true if the link closes the connection within `timeoutMs`, else false. */
  closed(timeoutMs?: number): Promise<boolean>;
  write(bytes: Uint8Array): void;
}

export interface RawSmsc {
  port: number;
  /** The next connection the link makes; throws after `timeoutMs`. */
  accept(timeoutMs?: number): Promise<RawPeer>;
  close(): Promise<void>;
}

export async function rawSmsc(): Promise<RawSmsc> {
  const waiting: RawPeer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    waiting.push(peer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return {
    port: address.port,
    accept: (timeoutMs = 3_000) => poll(() => waiting.shift(), timeoutMs, 'no connection from the link'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function peer(socket: Socket): RawPeer {
  let buf = Buffer.alloc(0);
  let ended = false;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
  });
  socket.on('close', () => {
    ended = true;
  });
  socket.on('error', () => {});
  return {
    socket,
    next: (timeoutMs = 2_000) =>
      poll(
        () => {
          if (buf.length < 16 || buf.length < buf.readUInt32BE(0)) return undefined;
          const n = buf.readUInt32BE(0);
          const pdu = Buffer.from(buf.subarray(0, n));
          buf = buf.subarray(n);
          return pdu;
        },
        timeoutMs,
        'no PDU from the link',
      ),
    closed: (timeoutMs = 2_000) => poll(() => (ended ? true : undefined), timeoutMs, '').catch(() => false),
    write: (bytes) => {
      socket.write(bytes);
    },
  };
}

async function poll<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = take();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A PDU from its header fields and body, written out here by hand (SMPP v3.4 3.2). */
export function pdu(commandId: number, status: number, sequence: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.alloc(16 + body.length);
  b.writeUInt32BE(16 + body.length, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  b.set(body, 16);
  return b;
}

/** [command_id, command_status, sequence_number, command_length] of a PDU. */
export const header = (p: Buffer): number[] => [p.readUInt32BE(4), p.readUInt32BE(8), p.readUInt32BE(12), p.length];

/** The link's bind answered ESME_ROK with system_id "SMSC" (4.1.2). */
export async function acceptBound(smsc: RawSmsc): Promise<{ peer: RawPeer; bind: Buffer }> {
  const peer = await smsc.accept();
  const bind = await peer.next();
  peer.write(pdu((bind.readUInt32BE(4) | 0x80000000) >>> 0, 0, bind.readUInt32BE(12), Buffer.from('SMSC\0', 'latin1')));
  return { peer, bind };
}
