// Issue 17's crash test: multi-segment pushes through the SMSC simulator into
// `wappush listen --store DIR`, the listener killed with SIGKILL at 20 random points and
// restarted each time. Every push reaches the output at least once, each exactly as sent
// (never assembled from two pushes' segments, though 8-bit references are reused); the
// duplicates are counted and printed. Needs dist/ (npm run build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { Listener, pushPdu, sleep, tally, until } from './pushes.js';

/** Pushes sent (about 10 s for 500 on the shared 2-core machine). */
const PUSHES = Number(process.env.WAPPUSH_CRASH_PUSHES ?? 500);
const KILLS = 20;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('listen --store DIR killed with SIGKILL 20 times', () => {
  it(`delivers each of ${PUSHES} three-segment pushes at least once, each exactly as sent`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wappush-crash-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(smppShortMessages(pushPdu(0), { reference: 1 })).toHaveLength(3);
    const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 200 }, responseTimeoutMs: 2_000 });
    const port = await smsc.listen();
    cleanup.push(() => smsc.close());
    let acknowledged = 0;
    smsc.on('delivered', () => acknowledged++);
    const lines: unknown[] = [];
    const listener = new Listener(
      ['--smsc', `smpp://client:pw@127.0.0.1:${port}`, '--store', join(dir, 'state')],
      lines,
    );
    cleanup.push(() => listener.stop());
    listener.start();

    const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
    await submitter.start();
    cleanup.push(() => submitter.close());
    const sending = (async () => {
      for (let i = 0; i < PUSHES; i += 20) {
        const batch = Array.from({ length: Math.min(20, PUSHES - i) }, (_, k) => i + k);
        await Promise.all(batch.map((n) => submitter.submit(pushPdu(n), { to: '+447700900123', from: '9200' })));
      }
    })();

    // Kill points: random counts of segments the SMSC has seen acknowledged, a random delay after.
    const points = Array.from({ length: KILLS }, () => Math.floor(Math.random() * PUSHES * 3)).sort((a, b) => a - b);
    const seenCount = () => tally(lines).seen.size;
    for (const point of points) {
      await until(
        () => acknowledged >= point || seenCount() === PUSHES,
        120_000,
        () => `${acknowledged} segments acknowledged, waiting for ${point}; stderr ${listener.stderr.slice(-500)}`,
      );
      await sleep(Math.random() * 50);
      await listener.kill();
      listener.start();
    }
    await sending;
    await until(
      () => seenCount() === PUSHES,
      120_000,
      () => `${seenCount()} of ${PUSHES} pushes out; stderr ${listener.stderr.slice(-500)}`,
    );
    const { seen, wrong } = tally(lines);
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(PUSHES);
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    console.log(`crash test: ${PUSHES} pushes, ${KILLS} SIGKILLs, ${duplicates} delivered twice or more`);
  }, 240_000);
});
