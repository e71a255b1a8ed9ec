// The joint with the `smpp` package. src/wdp/smpp/framing.ts's takeOverIntake replaces private
// parts of the package's Session (its socket reader, `_extractPDUs`, `_callbacks`); the
// simulator and the submitter rely on it. These tests name what changed when another version
// of the package is installed, before anything subtler breaks.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { headerPdu, smppInternalsProblem, takeOverIntake } from '../../src/wdp/smpp/framing.js';

const PINNED = '0.5.1';
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** A package server on loopback and a package client session connected to it. */
async function pair(onServerSession?: (s: smpp.Session) => void): Promise<smpp.Session> {
  const server = smpp.createServer((s) => onServerSession?.(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({
    close: () => {
      for (const s of server.sessions) s.destroy();
      server.close();
    },
  });
  const { port } = server.address() as AddressInfo;
  const session = smpp.connect({ host: '127.0.0.1', port });
  open.push({ close: () => session.destroy() });
  await new Promise<void>((resolve) => session.once('connect', resolve));
  return session;
}

describe('the smpp package is the version framing.ts was written against', () => {
  it(`package.json pins smpp to exactly ${PINNED}, and that is what is installed`, () => {
    const wanted = readJson('../../package.json').dependencies.smpp;
    const installed = readJson('../../node_modules/smpp/package.json').version;
    expect(wanted, `package.json asks for smpp "${wanted}": pin it to the exact version "${PINNED}"`).toBe(PINNED);
    expect(
      installed,
      `smpp ${installed} is installed, not ${PINNED}: check takeOverIntake (framing.ts) and src/types/smpp.d.ts against it`,
    ).toBe(PINNED);
  });

  it('a new Session has the private members takeOverIntake replaces, and one socket reader', async () => {
    const session = await pair();
    expect(smppInternalsProblem(session), 'smpp Session internals changed').toBeUndefined();
  });

  it('resume() restarts reading through _extractPDUs (so a replaced reader resumes too)', async () => {
    const session = await pair();
    let called = 0;
    session._extractPDUs = () => {
      called++;
    };
    session.pause();
    expect(session.paused, 'Session.pause() no longer sets `paused`').toBe(true);
    session.resume();
    expect(called, 'Session.resume() no longer calls this._extractPDUs(): intake would stay paused').toBe(1);
  });

  it('send() numbers requests from `sequence` and files the response callback in _callbacks', async () => {
    const session = await pair();
    session.sequence = 41;
    const callback = () => {};
    expect(session.enquire_link(callback)).toBe(true);
    expect(session.sequence, 'Session.send() no longer numbers requests from `sequence`').toBe(42);
    expect(session._callbacks[42], 'Session.send() no longer files response callbacks in `_callbacks`').toBe(callback);
  });

  it('after takeOverIntake every frame reaches intake once, and responses still reach their callbacks', async () => {
    const session = await pair((server) => {
      server.on('enquire_link', (pdu: smpp.PDU) => {
        // an unknown command first, then the answer: both go through the replaced reader
        server.socket.write(headerPdu(0x00001234, 0, 7));
        server.send(pdu.response());
      });
    });
    const seen: number[] = [];
    takeOverIntake(session, smpp.PDU, (frame) => {
      seen.push(frame.readUInt32BE(4));
      return frame.readUInt32BE(4) === 0x00001234;
    });
    const answered = new Promise<smpp.PDU>((resolve) => session.enquire_link(resolve));
    const response = await answered;
    expect(response.command_id).toBe(0x80000015);
    expect(seen).toEqual([0x00001234, 0x80000015]);
    expect(session.socket.listenerCount('readable')).toBe(1);
  });

  it('takeOverIntake refuses a Session whose internals differ, naming the difference', async () => {
    const session = await pair();
    session.socket.on('data', () => {});
    expect(() => takeOverIntake(session, smpp.PDU, () => false)).toThrow(/'data' events/);
  });
});
