// A crash (SIGKILL of `wappush ppg`, the built dist/cli.js, on an lmdb store) takes back
// nothing an initiator was told: a push answered 1001 is in the store, and an outcome a status
// query answered is in the store as answered (docs/ppg.md, State: what survives a crash).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { openStore } from '../../src/store/open.js';
import type { JsonValue } from '../../src/store/types.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { cli } from '../cli/run.js';
import { attr, post, until } from './harness.js';
import { MULTIPART, pushBody, queryXml } from './papFixtures.js';

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** push-id -> the message-state of its one recipient, as stored. */
function statesById(records: Array<{ value: JsonValue }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { value } of records) {
    if (!isObject(value) || typeof value.pushId !== 'string' || !Array.isArray(value.recipients)) continue;
    const r = value.recipients[0];
    out[value.pushId] = isObject(r) && typeof r.state === 'string' ? r.state : '?';
  }
  return out;
}

describe('wappush ppg killed', () => {
  it('keeps every push it answered 1001 and every outcome a status query told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-ppg-crash-'));
    open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const smsc = new SmscSimulator({
      accounts: [
        { systemId: 'ppg', password: 'secret' },
        { systemId: 'phone', password: 'pw', addressRange: '^\\+1555' },
      ],
    });
    const port = await smsc.listen();
    open.push(smsc);
    const link = new EsmeLink({ smsc: `smpp://phone:pw@127.0.0.1:${port}`, onDatagram: () => {} });
    await link.start();
    open.push(link);

    const state = join(dir, 'state');
    const child = spawn(process.execPath, [
      cli,
      'ppg',
      '--smsc',
      `smpp://ppg:secret@127.0.0.1:${port}`,
      '--port',
      '0',
      '--store',
      state,
    ]);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    open.push({
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    await until(() => lines.length > 0, 'the listening line', 10_000);
    const url = `http://127.0.0.1:${JSON.parse(lines[0]).listening.port}/wappush`;

    // Accepted and waiting for its deliver-after time.
    const later = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19) + 'Z';
    const waiting = await post(
      url,
      pushBody({ pushId: 'waiting', attributes: ` deliver-after-timestamp="${later}"` }),
      MULTIPART,
      '',
    );
    expect(attr(waiting.text, 'response-result', 'code')).toBe('1001');
    // Sent and delivered; its outcome told by a status query, then the kill at once (well
    // within the 100 ms an outcome may wait to be written when no other write carries it).
    const told = await post(url, pushBody({ pushId: 'told' }), MULTIPART, '');
    expect(attr(told.text, 'response-result', 'code')).toBe('1001');
    await until(() => lines.some((l) => l.includes('"pushId":"told"')), 'the outcome of told');
    const q = await post(url, queryXml('statusquery-message', 'told'), 'application/xml', '');
    expect(attr(q.text, 'statusquery-result', 'message-state')).toBe('delivered');
    child.kill('SIGKILL');
    await exited;

    const store = await openStore(state);
    try {
      expect(statesById(await store.pushes.list())).toEqual({ told: 'delivered', waiting: 'pending' });
    } finally {
      await store.close();
    }
  });
});
