/**
 * The simulator's sessions are bounded (docs/security.md): connections that never bind are
 * closed by the session-init timer, idle bound sessions by the inactivity timer (SMPP v3.4
 * 7.2), and connections over the caps at once; a real bind goes through meanwhile.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { SmppCommand } from '../../src/wdp/smpp/commands.js';
import { bindFrom, openFrom, openTimed, sleep, waitFor } from './peers.js';

const ACCOUNTS = [{ systemId: 'ppg', password: 'tx-pw-1' }];

describe('session bounds of the simulator', () => {
  it('closes 1,000 connections that never bind after the session-init timer; a real bind still succeeds', async () => {
    const TIMER = 2_000;
    const s = new SmscSimulator({
      accounts: ACCOUNTS,
      sessions: { sessionInitTimeoutMs: TIMER, maxConnections: 2_000, maxConnectionsPerAddress: 2_000 },
    });
    const port = await s.listen();
    const idle: Array<{ socket: Socket; openedAt: number; closedAt?: number }> = [];
    try {
      for (let batch = 0; batch < 10; batch++) {
        const opened = await Promise.all(Array.from({ length: 100 }, () => openTimed(port, '127.0.0.1')));
        for (const { socket, openedAt } of opened) {
          const entry: { socket: Socket; openedAt: number; closedAt?: number } = { socket, openedAt };
          socket.on('close', () => (entry.closedAt = Date.now()));
          socket.on('error', () => {});
          idle.push(entry);
        }
      }
      const bound = await bindFrom(port, '127.0.0.2', 'ppg', 'tx-pw-1');
      expect(bound.status).toBe(0);
      const early = idle.filter((e) => e.closedAt !== undefined && e.closedAt - e.openedAt < TIMER - 100);
      expect(early.length).toBe(0);
      expect(await waitFor(() => idle.every((e) => e.closedAt !== undefined), TIMER + 10_000)).toBe(true);
      expect(s.guard.stats.sessionInitTimeouts).toBe(1_000);
      for (const e of idle) expect(e.closedAt! - e.openedAt).toBeGreaterThanOrEqual(TIMER - 100);
      // The bound session outlived them all and still answers.
      expect(bound.session.socket.destroyed).toBe(false);
      const resp = await bound.session.request(SmppCommand.enquire_link, 2_000);
      expect(resp.readUInt32BE(8)).toBe(0);
      bound.session.destroy();
    } finally {
      for (const e of idle) e.socket.destroy();
      await s.close();
    }
  });

  it('closes a bound session silent past its inactivity timer; one that keeps talking stays', async () => {
    const s = new SmscSimulator({ accounts: ACCOUNTS, sessions: { inactivityTimeoutMs: 300 } });
    const port = await s.listen();
    const timeouts: string[] = [];
    s.on('sessionTimeout', (t) => timeouts.push(`${t.timer} ${t.address}`));
    const quiet = await bindFrom(port, '127.0.0.1', 'ppg', 'tx-pw-1');
    const chatty = await bindFrom(port, '127.0.0.2', 'ppg', 'tx-pw-1');
    try {
      // The chatty one talks every 50 ms until the quiet one is closed, and for at least eight
      // rounds (over the timer's period): waiting for the close, not a fixed time, so a loaded
      // machine that fires the timer late does not fail the test (bounded by the deadline).
      const deadline = Date.now() + 10_000;
      for (let i = 0; (i < 8 || !quiet.session.socket.destroyed) && Date.now() < deadline; i++) {
        await sleep(50);
        await chatty.session.request(SmppCommand.enquire_link, 1_000);
      }
      expect(quiet.session.socket.destroyed).toBe(true);
      expect(chatty.session.socket.destroyed).toBe(false);
      expect(timeouts).toEqual(['inactivity 127.0.0.1']);
    } finally {
      quiet.session.destroy();
      chatty.session.destroy();
      await s.close();
    }
  });

  it('closes connections over the per-address and total caps at once; other addresses still connect', async () => {
    const s = new SmscSimulator({ accounts: ACCOUNTS, sessions: { maxConnectionsPerAddress: 3, maxConnections: 5 } });
    const port = await s.listen();
    const refused: string[] = [];
    s.on('connectionRefused', (r) => refused.push(r.address));
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 4; i++) sockets.push(await openFrom(port, '127.0.0.1'));
      expect(await waitFor(() => sockets[3].destroyed || sockets[3].readableEnded, 2_000)).toBe(true);
      const other = await bindFrom(port, '127.0.0.2', 'ppg', 'tx-pw-1');
      expect(other.status).toBe(0);
      sockets.push(other.session.socket);
      sockets.push(await openFrom(port, '127.0.0.3'));
      // Five open now (3 + 1 + 1): a sixth from a fresh address is over the total.
      const sixth = await openFrom(port, '127.0.0.4');
      sockets.push(sixth);
      expect(await waitFor(() => sixth.destroyed || sixth.readableEnded, 2_000)).toBe(true);
      expect(refused).toEqual(['127.0.0.1', '127.0.0.4']);
      expect(s.guard.connections.refused).toBe(2);
    } finally {
      for (const x of sockets) x.destroy();
      await s.close();
    }
  });

  it('session bounds out of range are refused by name', () => {
    expect(() => new SmscSimulator({ sessions: { sessionInitTimeoutMs: 0 } })).toThrow(/sessionInitTimeoutMs/);
    expect(() => new SmscSimulator({ sessions: { maxConnectionsPerAddress: Number.NaN } })).toThrow(
      /maxConnectionsPerAddress/,
    );
    expect(() => new SmscSimulator({ throttle: { refuseAfter: -1 } })).toThrow(/throttle\.refuseAfter/);
    expect(() => new SmscSimulator({ plain: false })).toThrow(/needs tls/);
  });
});
