// `wappush ppg` as users run it (the built dist/cli.js): it binds, serves PAP with the
// initiators given by --user, prints its outcomes as JSON lines, and exits 0 on SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../cli/run.js';
import { freePort } from '../ops/service.js';
import { PpgProcess, ppgBehindSimulator, simulatorWithPhone } from './behindSimulator.js';
import { attr, basic, post, until } from './harness.js';
import { MULTIPART, pushBody } from './papFixtures.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

describe('wappush ppg', () => {
  it('serves PAP with --user credentials, prints outcomes, exits 0 on SIGTERM', async () => {
    const behind = await ppgBehindSimulator([
      '--user',
      'pi:pi-secret',
      '--user-prefix',
      'pi:+1555',
      '--user-address',
      'pi:127.0.0.1',
    ]);
    open.push(behind);
    const { ppg, url } = behind;
    const phone = behind.sim.phone;
    expect(behind.host).toBe('127.0.0.1');

    expect((await post(url, pushBody({ pushId: 'c1' }), MULTIPART, '')).status).toBe(401);
    const r = await post(url, pushBody({ pushId: 'c1' }), MULTIPART, basic('pi', 'pi-secret'));
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.stdout.length > 1, 'the outcome line');
    expect(ppg.stdout[1]).toEqual({
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
    expect((await ppg.stop()).code).toBe(0);
  });

  it('starts before its SMSC: listens not ready (/readyz 503), binds once the SMSC is up, delivers', async () => {
    // A port nothing listens on yet: taken and given back, for the simulator to take later.
    const smscPort = await freePort();
    const ppg = new PpgProcess([
      '--smsc',
      `smpp://ppg:secret@127.0.0.1:${smscPort}`,
      '--port',
      '0',
      '--store',
      'memory',
      '--metrics-port',
      '0',
    ]);
    open.push(ppg);
    const logs = ppg.logs;
    const { url } = await ppg.listening();
    const readyz = `http://127.0.0.1:${await ppg.metricsPort()}/readyz`;
    const notReady = await fetch(readyz);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, checks: { bound: false } });
    expect(logs.some((l) => l.event === 'connection-error')).toBe(true);

    const sim = await simulatorWithPhone({ port: smscPort });
    open.push(sim);
    const phone = sim.phone;
    // The reconnect backoff tops out at 5 s.
    await until(async () => (await fetch(readyz)).status === 200, 'ready once bound', 15_000);
    expect(logs.some((l) => l.event === 'bind')).toBe(true);
    const r = await post(url, pushBody({ pushId: 'late' }), MULTIPART, '');
    expect(attr(r.text, 'response-result', 'code')).toBe('1001');
    await until(() => ppg.stdout.length > 1, 'the outcome line');
    expect((ppg.stdout[1] as { outcome: unknown }).outcome).toMatchObject({ pushId: 'late', state: 'delivered' });
    expect(phone).toHaveLength(1);
    expect((await ppg.stop()).code).toBe(0);
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
