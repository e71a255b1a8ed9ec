/** Binds from a chosen loopback address (Linux routes all of 127/8 to lo), timed. */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { bindPdu } from '../../src/wdp/smpp/bind.js';
import { SmppCommand } from '../../src/wdp/smpp/commands.js';
import { EsmeSession } from '../../src/wdp/smpp/esmeSession.js';

export async function openFrom(port: number, localAddress: string): Promise<Socket> {
  return (await openTimed(port, localAddress)).socket;
}

/** A connection from `localAddress`, and when it was made (Date.now() at 'connect'). */
export async function openTimed(port: number, localAddress: string): Promise<{ socket: Socket; openedAt: number }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  await once(socket, 'connect');
  return { socket, openedAt: Date.now() };
}

/** One bind_transmitter on a new connection from `localAddress`: its status and how long the answer took. */
export async function bindFrom(
  port: number,
  localAddress: string,
  systemId: string,
  password: string,
): Promise<{ status: number; ms: number; session: EsmeSession }> {
  const session = new EsmeSession(await openFrom(port, localAddress), false);
  const t0 = performance.now();
  const resp = await session.request(SmppCommand.bind_transmitter, 10_000, (seq) =>
    bindPdu(SmppCommand.bind_transmitter, seq, { systemId, password }),
  );
  return { status: resp.readUInt32BE(8), ms: performance.now() - t0, session };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}
