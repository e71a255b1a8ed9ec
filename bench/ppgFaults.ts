// The PPG fault run: N pushes through a PPG (lmdb store) to the SMSC simulator while things go
// wrong: receipts that say UNDELIV, a phone link the SMSC drops, the PPG's SMPP connection cut
// by a relay (and refused for a while), and the PPG itself stopped and started again on the
// same store. Every push must end with one final state and exactly one result notification.
// test/ppg/faults.test.ts runs it small; `npm run bench:ppg-faults` runs 1,000.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FINAL_STATES, type MessageState } from '../src/ppg/codes.js';
import { Ppg } from '../src/ppg/ppg.js';
import { SmscSimulator } from '../src/smsc/simulator.js';
import { LmdbStore } from '../src/store/lmdb/lmdbStore.js';
import { EsmeLink } from '../src/wdp/smpp/link.js';

export interface FaultRunOptions {
  pushes: number;
  /** Requests in flight at once. Default 20. */
  concurrency?: number;
  /** Probability a receipt says UNDELIV although delivered. Default 0.1. */
  receiptFailureProbability?: number;
  /** Probability the SMSC drops the phone's connection after a deliver_sm. Default 0.01. */
  dropProbability?: number;
  /** Cut the PPG's SMPP connection after every this many accepted pushes. Default pushes / 5. */
  cutEvery?: number;
  /** Restart the PPG after this many accepted pushes (once). Default pushes / 2. */
  restartAfter?: number;
  /** The PPG gives a sent push this long for its receipts (a lost receipt ends as timeout). Default 3,000 ms. */
  receiptTimeoutMs?: number;
  /** The whole run may take this long. Default 120,000 ms. */
  deadlineMs?: number;
}

export interface FaultRunResult {
  pushes: number;
  /** Answered 1001 (or 2007 to a retry whose first answer was lost). */
  accepted: number;
  /** Final state of each push, counted, as its notification said. */
  states: Partial<Record<MessageState, number>>;
  /** Pushes with no notification by the deadline. */
  missing: string[];
  /** Pushes notified more than once. */
  doubled: string[];
  /** Notifications that named a state that is not final. */
  notFinal: number;
  cuts: number;
  restarts: number;
  ms: number;
  smsc: {
    submitted: number;
    delivered: number;
    receipts: number;
    receiptFailuresInjected: number;
    dropsInjected: number;
  };
}

const TO = (i: number) => `WAPPUSH=+1555${String(i).padStart(7, '0')}/TYPE=PLMN@ppg.example.com`;
const BOUNDARY = 'fault-run';
const MULTIPART = `multipart/related; boundary=${BOUNDARY}; type="application/xml"`;

function pushBody(pushId: string, address: string, notifyTo: string): string {
  return (
    `--${BOUNDARY}\r\nContent-Type: application/xml\r\n\r\n` +
    `<?xml version="1.0"?>\n<pap><push-message push-id="${pushId}" ppg-notify-requested-to="${notifyTo}">` +
    `<address address-value="${address}"/><quality-of-service delivery-method="unconfirmed"/></push-message></pap>\r\n` +
    `--${BOUNDARY}\r\nContent-Type: text/vnd.wap.si\r\n\r\n` +
    `<si><indication href="http://www.example.com/${pushId}" si-id="${pushId}">fault run</indication></si>\r\n` +
    `--${BOUNDARY}--\r\n`
  );
}

/** Relays TCP to `port`; cut() drops every connection and refuses new ones until heal(). */
export async function relay(port: number) {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      down = false;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function faultRun(o: FaultRunOptions): Promise<FaultRunResult> {
  const started = Date.now();
  const deadline = started + (o.deadlineMs ?? 120_000);
  const cutEvery = o.cutEvery ?? Math.max(1, Math.floor(o.pushes / 5));
  const restartAfter = o.restartAfter ?? Math.floor(o.pushes / 2);
  const dir = mkdtempSync(join(tmpdir(), 'wappush-ppg-faults-'));
  const smsc = new SmscSimulator({
    accounts: [
      { systemId: 'ppg', password: 'secret' },
      { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
    ],
    faults: {
      receiptFailureProbability: o.receiptFailureProbability ?? 0.1,
      dropProbability: o.dropProbability ?? 0.01,
    },
  });
  const smscPort = await smsc.listen();
  const phone = new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${smscPort}`, onDatagram: () => {} });
  await phone.start();
  const link = await relay(smscPort);

  // The initiator's notification endpoint: every notification, by push-id.
  const notified = new Map<string, string[]>();
  const notify = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const xml = Buffer.concat(chunks).toString('utf8');
      const id = /push-id="([^"]*)"/.exec(xml)?.[1] ?? '?';
      const state = /message-state="([^"]*)"/.exec(xml)?.[1] ?? '?';
      notified.set(id, [...(notified.get(id) ?? []), state]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => notify.listen(0, '127.0.0.1', () => resolve()));
  const notifyTo = `http://127.0.0.1:${(notify.address() as AddressInfo).port}/notify`;

  let store = new LmdbStore(join(dir, 'state'));
  const open = () =>
    new Ppg({
      smsc: `smpp://ppg:secret@127.0.0.1:${link.port}`,
      store,
      receiptTimeoutMs: o.receiptTimeoutMs ?? 3_000,
      notifyTimeoutMs: 2_000,
      notifyAttempts: 5,
    });
  let ppg = open();
  let url = `http://127.0.0.1:${await ppg.start()}/wappush`;
  let restarting: Promise<void> | undefined;
  let restarts = 0;
  let cuts = 0;
  let accepted = 0;

  const restart = async () => {
    await ppg.close();
    await store.close();
    store = new LmdbStore(join(dir, 'state'));
    ppg = open();
    url = `http://127.0.0.1:${await startAgain()}/wappush`;
    restarts++;
  };

  /**
   * Starts the new PPG. One started while its SMSC is unreachable (a restart inside a cut of
   * the relay) fails to bind, as a real one does; its supervisor starts it again.
   */
  const startAgain = async (): Promise<number> => {
    for (;;) {
      try {
        return await ppg.start();
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await ppg.close().catch(() => {});
        ppg = open();
        await sleep(100);
      }
    }
  };

  /** Posts one push until it is answered; a connection refused (a restart) is tried again. */
  const push = async (i: number): Promise<void> => {
    const id = `f${i}`;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`push ${id} not accepted by the deadline`);
      await restarting;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': MULTIPART },
          body: pushBody(id, TO(i), notifyTo),
          signal: AbortSignal.timeout(10_000),
        });
        const code = /response-result[^>]*code="(\d+)"/.exec(await res.text())?.[1];
        if (code === '1001' || code === '2007') break;
        throw new Error(`push ${id} answered ${code}`);
      } catch (e) {
        if (e instanceof Error && /answered/.test(e.message)) throw e;
        await sleep(50);
      }
    }
    accepted++;
    // A restart may still fall inside a cut made just before it: startAgain() covers that.
    if (accepted % cutEvery === 0 && !restarting) {
      cuts++;
      link.cut();
      setTimeout(() => link.heal(), 200);
    }
    if (accepted === restartAfter && !restarting) {
      restarting = restart();
      await restarting;
      restarting = undefined;
    }
  };

  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: o.concurrency ?? 20 }, async () => {
        while (next < o.pushes) await push(next++);
      }),
    );
    // Every push notified, or the deadline.
    while (notified.size < o.pushes && Date.now() < deadline) await sleep(50);
    // A little longer: a doubled notification would come now.
    await sleep(300);
  } finally {
    await ppg.close();
    await store.close();
    await phone.close();
    await link.close();
    notify.closeAllConnections();
    await new Promise<void>((resolve) => notify.close(() => resolve()));
    await smsc.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const states: Partial<Record<MessageState, number>> = {};
  const missing: string[] = [];
  const doubled: string[] = [];
  let notFinal = 0;
  for (let i = 0; i < o.pushes; i++) {
    const got = notified.get(`f${i}`);
    if (!got) {
      missing.push(`f${i}`);
      continue;
    }
    if (got.length > 1) doubled.push(`f${i}`);
    const s = got[0] as MessageState;
    if (!FINAL_STATES.has(s)) notFinal++;
    states[s] = (states[s] ?? 0) + 1;
  }
  const s = smsc.stats;
  return {
    pushes: o.pushes,
    accepted,
    states,
    missing,
    doubled,
    notFinal,
    cuts,
    restarts,
    ms: Date.now() - started,
    smsc: {
      submitted: s.submitted,
      delivered: s.delivered,
      receipts: s.receipts,
      receiptFailuresInjected: s.receiptFailuresInjected,
      dropsInjected: s.dropsInjected,
    },
  };
}
