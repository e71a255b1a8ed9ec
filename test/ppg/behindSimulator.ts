// A PPG behind the SMSC simulator, as most PPG tests need it: the simulator on a loopback port
// with the PPG's account and a phone's (an EsmeLink receiver claiming +1555...), and `wappush ppg`
// (the built dist/cli.js) run against it with its stdout and log records collected. Each part
// closes itself if its start fails, and has close() for the test's afterEach.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmscSimulator, type SmscFaults } from '../../src/smsc/simulator.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { Service } from '../ops/service.js';

export interface SimulatorOptions {
  /** The PPG account's password (system_id `ppg`); 'secret' by default. */
  password?: string;
  /** Bind a phone (system_id `phone`, address range ^\+1555); true by default. */
  phone?: boolean;
  /** The port to listen on; 0 (the kernel's pick) by default. */
  port?: number;
  faults?: SmscFaults;
}

export interface SimulatorWithPhone {
  smsc: SmscSimulator;
  port: number;
  /** The --smsc URL of the PPG's account, password included. */
  smscUrl: string;
  /** What the phone received, each payload copied out of the link's read buffer. */
  phone: WdpDatagram[];
  close(): Promise<void>;
}

/** The simulator listening on loopback with the PPG's account, and the phone bound to it. */
export async function simulatorWithPhone(options: SimulatorOptions = {}): Promise<SimulatorWithPhone> {
  const password = options.password ?? 'secret';
  const withPhone = options.phone ?? true;
  const smsc = new SmscSimulator({
    port: options.port,
    // The phone's account claims +1555...: the PPG's transceiver is never given a push.
    accounts: [
      { systemId: 'ppg', password },
      ...(withPhone ? [{ systemId: 'phone', password: 'pw', addressRange: '^\\+1555' }] : []),
    ],
    faults: options.faults,
  });
  const port = await smsc.listen();
  const phone: WdpDatagram[] = [];
  const link = withPhone
    ? new EsmeLink({
        smsc: `smpp://phone:pw@127.0.0.1:${port}`,
        onDatagram: (d) => void phone.push({ ...d, payload: Uint8Array.from(d.payload) }),
      })
    : undefined;
  try {
    await link?.start();
  } catch (e) {
    await link?.close();
    await smsc.close();
    throw e;
  }
  return {
    smsc,
    port,
    smscUrl: `smpp://ppg:${password}@127.0.0.1:${port}`,
    phone,
    async close() {
      try {
        await link?.close();
      } finally {
        await smsc.close();
      }
    },
  };
}

/** Where a `wappush ppg` listens, from its first stdout line. */
export interface Listening {
  host: string;
  port: number;
  /** Its PAP URL. */
  url: string;
}

/** A `wappush ppg` process: Service's collected output, and its listening line waited for. */
export class PpgProcess extends Service {
  constructor(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    super(['ppg', ...args], options);
  }

  /** Its first stdout line (bounded wait); an error with its stderr if it exits first. */
  async listening(timeoutMs = 10_000): Promise<Listening> {
    const deadline = Date.now() + timeoutMs;
    while (this.stdout.length === 0) {
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline)
        throw new Error(`no listening line from ppg; stderr: ${this.stderr.slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const { host, port } = (this.stdout[0] as { listening: { host: string; port: number } }).listening;
    return { host, port, url: `http://127.0.0.1:${port}/wappush` };
  }

  /** SIGKILL unless it has exited; for afterEach. */
  async close(): Promise<void> {
    await this.stop('SIGKILL');
  }
}

export interface PpgBehindSimulator extends Listening {
  sim: SimulatorWithPhone;
  ppg: PpgProcess;
  /** The lmdb store's path, with `store: 'lmdb'`. */
  storePath: string | undefined;
  close(): Promise<void>;
}

/**
 * The simulator with its phone, and `wappush ppg --smsc <its URL> --port 0 --store <store>
 * ...args` against it, listening: `store` 'memory' (the default), or 'lmdb' for one in a
 * temporary directory that close() removes. `listeningMs` bounds the wait for it to listen.
 */
export async function ppgBehindSimulator(
  args: string[] = [],
  options: SimulatorOptions & { store?: 'memory' | 'lmdb'; listeningMs?: number } = {},
): Promise<PpgBehindSimulator> {
  const sim = await simulatorWithPhone(options);
  const dir = options.store === 'lmdb' ? mkdtempSync(join(tmpdir(), 'wappush-ppg-')) : undefined;
  const storePath = dir && join(dir, 'state');
  const ppg = new PpgProcess(['--smsc', sim.smscUrl, '--port', '0', '--store', storePath ?? 'memory', ...args]);
  const close = async () => {
    try {
      await ppg.close();
    } finally {
      await sim.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    return { ...(await ppg.listening(options.listeningMs)), sim, ppg, storePath, close };
  } catch (e) {
    await close();
    throw e;
  }
}
