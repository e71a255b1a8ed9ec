// `wappush ppg` as users run it (the built dist/cli.js): it binds, serves PAP with the
// initiators given by --user, prints its outcomes as JSON lines, and exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { cli, run } from '../cli/run.js';
import { attr, basic, post, until } from './harness.js';
import { MULTIPART, pushBody } from './papFixtures.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

describe('wappush ppg', () => {
  it('serves PAP with --user credentials, prints outcomes, exits 0 on SIGTERM', async () => {
    const smsc = new SmscSimulator({
      accounts: [
        { systemId: 'ppg', password: 'secret' },
        { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
      ],
    });
    const port = await smsc.listen();
    open.push(smsc);
    const phone: WdpDatagram[] = [];
    const link = new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${port}`, onDatagram: (d) => void phone.push(d) });
    await link.start();
    open.push(link);

    const child = spawn(process.execPath, [
      cli,
      'ppg',
      '--smsc',
      `smpp://ppg:secret@127.0.0.1:${port}`,
      '--port',
      '0',
      '--store',
      'memory',
      '--user',
      'pi:pi-secret',
      '--user-prefix',
      'pi:+1555',
      '--user-address',
      'pi:127.0.0.1',
    ]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    open.push({
      close: async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
      },
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    await until(() => lines.length > 0, 'the listening line', 10_000);
    const listening = JSON.parse(lines[0]).listening;
    expect(listening.host).toBe('127.0.0.1');
    const url = `http://127.0.0.1:${listening.port}/wappush`;

    expect((await post(url, pushBody({ pushId: 'c1' }), MULTIPART, '')).status).toBe(401);
    const r = await post(url, pushBody({ pushId: 'c1' }), MULTIPART, basic('pi', 'pi-secret'));
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => lines.length > 1, 'the outcome line');
    expect(JSON.parse(lines[1])).toEqual({
      outcome: {
        initiator: 'pi',
        pushId: 'c1',
        address: 'WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com',
        state: 'delivered',
        code: 1000,
      },
    });
    expect(phone).toHaveLength(1);
    // --user-prefix pi:+1555: another number is forbidden.
    const far = await post(
      url,
      pushBody({ pushId: 'c2', addresses: ['WAPPUSH=+447700900123/TYPE=PLMN@x'] }),
      MULTIPART,
      basic('pi', 'pi-secret'),
    );
    expect(attr(far.text, 'response-result', 'code')).toBe('2001');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('starts before its SMSC: listens not ready (/readyz 503), binds once the SMSC is up, delivers', async () => {
    // A port nothing listens on yet: taken and given back, for the simulator to take later.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const smscPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const child = spawn(process.execPath, [
      cli,
      'ppg',
      '--smsc',
      `smpp://ppg:secret@127.0.0.1:${smscPort}`,
      '--port',
      '0',
      '--store',
      'memory',
      '--metrics-port',
      '0',
    ]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    open.push({
      close: async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
      },
    });
    const lines: string[] = [];
    const logs: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    createInterface({ input: child.stderr }).on('line', (l) => logs.push(JSON.parse(l)));
    await until(() => lines.length > 0, 'the listening line', 10_000);
    const url = `http://127.0.0.1:${JSON.parse(lines[0]).listening.port}/wappush`;
    await until(() => logs.some((l) => l.event === 'metrics'), 'the metrics port');
    const readyz = `http://127.0.0.1:${logs.find((l) => l.event === 'metrics')!.port}/readyz`;
    const notReady = await fetch(readyz);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, checks: { bound: false } });
    expect(logs.some((l) => l.event === 'connection-error')).toBe(true);

    const smsc = new SmscSimulator({
      port: smscPort,
      accounts: [
        { systemId: 'ppg', password: 'secret' },
        { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
      ],
    });
    await smsc.listen();
    open.push(smsc);
    const phone: WdpDatagram[] = [];
    const link = new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${smscPort}`, onDatagram: (d) => void phone.push(d) });
    await link.start();
    open.push(link);
    // The reconnect backoff tops out at 5 s.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(readyz)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(logs.some((l) => l.event === 'bind')).toBe(true);
    const r = await post(url, pushBody({ pushId: 'late' }), MULTIPART, '');
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => lines.length > 1, 'the outcome line');
    expect(JSON.parse(lines[1]).outcome).toMatchObject({ pushId: 'late', state: 'delivered' });
    expect(phone).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('without --smsc, or with a --user-prefix for no --user: the error line, exit 1', () => {
    const r = run(['ppg', '--port', '0']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr).error.message).toMatch(/--smsc/);
    const p = run(['ppg', '--smsc', 'smpp://a:b@127.0.0.1:1', '--store', 'memory', '--user-prefix', 'nobody:+1']);
    expect(p.status).toBe(1);
    // The last line: a warning about the password in argv comes first.
    expect(JSON.parse(p.stderr.trim().split('\n').pop()!).error.message).toMatch(/--user-prefix takes NAME:VALUE/);
  });
});
