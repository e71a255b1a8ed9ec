import { describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import {
  BIND_RECEIVER,
  BIND_TRANSCEIVER,
  BIND_TRANSMITTER,
  bindPdu,
  command,
  rawPeer,
  receiver,
  smsc,
  status,
  transmitter,
  settle,
  until,
} from './peers.js';

const ESME_RBINDFAIL = 0x0d;

describe('address_range at bind (real SMPP on 127.0.0.1)', () => {
  it('a range outside the grammar or over 41 octets gets ESME_RBINDFAIL; a valid one binds', async () => {
    const { s, port } = await smsc();
    const refusals: string[] = [];
    s.on('bindRefused', (r) => refusals.push(r.reason ?? ''));
    const peer = rawPeer(port);
    const cases: Array<[number, string, number]> = [
      [BIND_RECEIVER, '(?=1)2', ESME_RBINDFAIL], // a JavaScript lookahead, not a UNIX regular expression
      [BIND_TRANSCEIVER, '1'.repeat(41), ESME_RBINDFAIL], // 41 characters + NUL = 42 octets
      [BIND_RECEIVER, '[0-9', ESME_RBINDFAIL],
      [BIND_RECEIVER, '\\w+', ESME_RBINDFAIL],
      [BIND_TRANSMITTER, '(?=1)2', 0], // a transmitter's address_range is not used (SMPP v3.4 5.2.7)
    ];
    let sequence = 1;
    for (const [commandId, range, expected] of cases) {
      peer.socket.write(bindPdu(commandId, 'esme', 'pw', ++sequence, range));
      const r = await peer.next();
      expect([command(r), status(r), range]).toEqual([(commandId | 0x80000000) >>> 0, expected, range]);
    }
    expect(s.stats.bindFailures).toBe(4);
    expect(refusals).toHaveLength(4);
    expect(refusals[1]).toMatch(/at most 40/);
    const ok = rawPeer(port);
    ok.socket.write(bindPdu(BIND_RECEIVER, 'esme', 'pw', 1, '^\\+44(77|78)[0-9]{6,}$'));
    expect(status(await ok.next())).toBe(0);
  });

  it('a range a backtracking engine chokes on routes at once: (\\d+)+y against 28-digit destinations', async () => {
    const { port } = await smsc();
    const choke = await receiver(port, 'a', 'pw', '(\\d+)+y');
    const digits = await receiver(port, 'b', 'pw', '^1+$');
    expect([choke.bindStatus, digits.bindStatus]).toEqual([0, 0]);
    const tx = await transmitter(port, 'ppg', 'pw');
    for (let i = 0; i < 5; i++) {
      expect(await tx.submit('1'.repeat(28), `digits ${i}`)).toBe(0);
      expect(await tx.submit('1'.repeat(27) + 'y', `y ${i}`)).toBe(0);
    }
    await until(() => choke.got.length + digits.got.length === 10, 'all 10 deliveries');
    expect(choke.got.map((d) => d.text)).toEqual(['y 0', 'y 1', 'y 2', 'y 3', 'y 4']);
    expect(digits.got.map((d) => d.text)).toEqual(['digits 0', 'digits 1', 'digits 2', 'digits 3', 'digits 4']);
  });
});

describe('routing by account as well as range (real SMPP on 127.0.0.1)', () => {
  const accounts = [
    { systemId: 'ppg', password: 'pw' },
    { systemId: 'alice', password: 'pw', addressRange: '^\\+4477' },
    { systemId: 'bob', password: 'pw', addressRange: '^\\+4478' },
    { systemId: 'carol', password: 'pw' },
  ];

  it("a receiver of another account gets none of an account's destinations; unclaimed ones go to accounts without a range", async () => {
    const { port } = await smsc({ accounts });
    const alice = await receiver(port, 'alice', 'pw');
    const bob = await receiver(port, 'bob', 'pw');
    const carol = await receiver(port, 'carol', 'pw');
    const tx = await transmitter(port, 'ppg', 'pw');
    for (let i = 0; i < 20; i++) {
      expect(await tx.submit(`+447700900${i}`, `a${i}`)).toBe(0);
      expect(await tx.submit(`+447800900${i}`, `b${i}`)).toBe(0);
    }
    for (let i = 0; i < 5; i++) expect(await tx.submit(`+447900900${i}`, `c${i}`)).toBe(0);
    await until(() => alice.got.length + bob.got.length + carol.got.length === 45, 'all 45 deliveries');
    expect(alice.got.map((d) => d.text)).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    expect(bob.got.map((d) => d.text)).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
    expect(carol.got.map((d) => d.text)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it("within an account the binds' address_range route; an empty one takes all of the account's", async () => {
    const { port } = await smsc({ accounts });
    const odd = await receiver(port, 'alice', 'pw', '[13579]$');
    const even = await receiver(port, 'alice', 'pw', '[02468]$');
    const bob = await receiver(port, 'bob', 'pw', '');
    const tx = await transmitter(port, 'ppg', 'pw');
    for (let i = 0; i < 10; i++) expect(await tx.submit(`+44770090000${i}`, `${i}`)).toBe(0);
    for (let i = 0; i < 3; i++) expect(await tx.submit(`+44780090000${i}`, `b${i}`)).toBe(0);
    await until(() => odd.got.length + even.got.length + bob.got.length === 13, 'all 13 deliveries');
    expect(odd.got.map((d) => d.text)).toEqual(['1', '3', '5', '7', '9']);
    expect(even.got.map((d) => d.text)).toEqual(['0', '2', '4', '6', '8']);
    expect(bob.got.map((d) => d.text)).toEqual(['b0', 'b1', 'b2']);
  });

  it('with no accounts configured any receiver may be given any message', async () => {
    const { port } = await smsc();
    const one = await receiver(port, 'one', 'x');
    const two = await receiver(port, 'two', 'y');
    const tx = await transmitter(port, 'anyone', 'z');
    for (let i = 0; i < 20; i++) expect(await tx.submit('+447700900123', `${i}`)).toBe(0);
    await until(() => one.got.length + two.got.length === 20, 'all 20 deliveries');
    expect(one.got.length).toBeGreaterThan(0);
    expect(two.got.length).toBeGreaterThan(0);
  });

  it('an account range outside the grammar is refused when the simulator is made, naming the account', () => {
    expect(() => new SmscSimulator({ accounts: [{ systemId: 'x', password: 'y', addressRange: '(?=1)' }] })).toThrow(
      /account "x".*\(\?/,
    );
  });
});

describe('no head-of-line blocking (real SMPP on 127.0.0.1)', () => {
  it('a message no receiver matches holds up none behind it, and goes out when a receiver for it binds', async () => {
    const { s, port } = await smsc();
    const ones = await receiver(port, 'esme', 'pw', '^1');
    const tx = await transmitter(port, 'ppg', 'pw');
    expect(await tx.submit('999', 'stuck 0')).toBe(0);
    for (let i = 0; i < 10; i++) expect(await tx.submit(`10${i}`, `ok ${i}`)).toBe(0);
    expect(await tx.submit('999', 'stuck 1')).toBe(0);
    await until(() => ones.got.length === 10, '10 deliveries behind the unmatched one');
    expect(ones.got.map((d) => d.text)).toEqual(Array.from({ length: 10 }, (_, i) => `ok ${i}`));
    expect(s.unrouted).toBe(2);
    const nines = await receiver(port, 'esme', 'pw', '^9');
    await until(() => nines.got.length === 2, 'the unmatched ones once a receiver binds for them');
    expect(nines.got.map((d) => d.text)).toEqual(['stuck 0', 'stuck 1']);
    await until(() => s.backlog === 0, 'their deliver_sm_resp');
    expect([s.unrouted, s.stats.delivered, s.stats.droppedNoReceiver]).toEqual([0, 12, 0]);
  });

  it('an unmatched message waits unroutedTimeoutMs, then is dropped with a counted reason', async () => {
    const { s, port } = await smsc({ unroutedTimeoutMs: 50 });
    const dropped: Array<{ id: string; reason: string; to: string }> = [];
    s.on('dropped', (d) => dropped.push({ id: d.id, reason: d.reason, to: d.pdu.destinationAddr }));
    const tx = await transmitter(port, 'ppg', 'pw');
    expect(await tx.submit('999', 'nobody')).toBe(0);
    await until(() => dropped.length === 1, 'the drop');
    expect(dropped).toEqual([{ id: '00000001', reason: 'no-receiver', to: '999' }]);
    expect([s.stats.droppedNoReceiver, s.unrouted, s.backlog]).toEqual([1, 0, 0]);
    const late = await receiver(port, 'esme', 'pw');
    expect(await tx.submit('123', 'after')).toBe(0);
    await until(() => late.got.length === 1, 'a later message');
    expect(late.got.map((d) => d.text)).toEqual(['after']);
  });

  it("a receiver whose window is full holds up no other receiver's messages", async () => {
    const { s, port } = await smsc({ window: 2 });
    const slow = await receiver(port, 'slow', 'pw', '^1');
    slow.ack = false;
    const fast = await receiver(port, 'fast', 'pw', '^2');
    const tx = await transmitter(port, 'ppg', 'pw');
    for (let i = 0; i < 5; i++) expect(await tx.submit(`1${i}`, `slow ${i}`)).toBe(0);
    for (let i = 0; i < 5; i++) expect(await tx.submit(`2${i}`, `fast ${i}`)).toBe(0);
    await until(() => fast.got.length === 5, "the fast receiver's 5");
    expect(fast.got.map((d) => d.text)).toEqual(['fast 0', 'fast 1', 'fast 2', 'fast 3', 'fast 4']);
    expect(slow.got.map((d) => d.text)).toEqual(['slow 0', 'slow 1']);
    expect(s.backlog).toBe(5);
  });

  it('what was in flight to a receiver that went comes back first, in order, to the next one', async () => {
    const { port } = await smsc({ window: 3 });
    const first = await receiver(port, 'esme', 'pw');
    first.ack = false;
    const tx = await transmitter(port, 'ppg', 'pw');
    for (let i = 0; i < 6; i++) expect(await tx.submit('123', `${i}`)).toBe(0);
    await until(() => first.got.length === 3, 'a full window');
    first.close();
    const second = await receiver(port, 'esme', 'pw');
    await until(() => second.got.length === 6, 'all six again');
    expect(second.got.map((d) => d.text)).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});

describe('close()', () => {
  it('sets no timer as its receivers go: nothing is dropped or sent after it', async () => {
    const { s, port } = await smsc({ unroutedTimeoutMs: 100 });
    const dropped: string[] = [];
    s.on('dropped', (d) => dropped.push(d.id));
    await receiver(port, 'esme', 'pw', '^1');
    const tx = await transmitter(port, 'ppg', 'pw');
    expect(await tx.submit('999', 'unrouted')).toBe(0);
    expect(s.unrouted).toBe(1);
    await s.close();
    await settle(300); // the sessions' close events, the unbinds they cause, and past the 100 ms
    expect(dropped).toEqual([]);
  });
});
