// The single-SMS repeat window on the store (issue 17): a single SMS sent again within the
// window is acknowledged and not handed over again, after a restart (lmdb) and when the copy
// arrives on another node (Redis). Real SMPP through the simulator on 127.0.0.1, a real
// redis-server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSl } from '../../src/codec/wbxml/sl.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { SmscSimulator } from '../../src/smsc/simulator.js';
import { LmdbStore } from '../../src/store/lmdb/lmdbStore.js';
import { openStore } from '../../src/store/open.js';
import type { WdpDatagram } from '../../src/wdp/datagram.js';
import { EsmeLink } from '../../src/wdp/smpp/link.js';
import { smppShortMessages } from '../../src/wdp/smpp/submit.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { RedisServer } from '../helpers/redisServer.js';
import { until } from './pushes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A push short enough for one SMS. */
const single = encodePushPdu({
  contentType: 'application/vnd.wap.slc',
  body: encodeSl({ href: 'http://a.example/1' }),
});
const target = { to: '+447700900123', from: '9200' };

async function simulator() {
  const smsc = new SmscSimulator({ retry: { initialMs: 20, maxMs: 100 } });
  const port = await smsc.listen();
  cleanup.push(() => smsc.close());
  let delivered = 0;
  smsc.on('delivered', () => delivered++);
  const submitter = new SmppSubmitter(`smpp://ppg:pw@127.0.0.1:${port}`);
  await submitter.start();
  cleanup.push(() => submitter.close());
  return { smsc, port, submitter, delivered: () => delivered };
}

describe('the single-SMS repeat window on the store', () => {
  it('lmdb: a single SMS sent again after the link and store restarted is a repeat, not a new push', async () => {
    expect(smppShortMessages(single)).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'wappush-singles-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'state');
    const s = await simulator();
    const got: WdpDatagram[] = [];
    const open = async () => {
      const store = new LmdbStore(path);
      const link = new EsmeLink({
        smsc: `smpp://client:pw@127.0.0.1:${s.port}`,
        store,
        onDatagram: (d) => void got.push(d),
      });
      await link.start();
      return { store, link };
    };
    let node = await open();
    await s.submitter.submit(single, target);
    await until(
      () => s.delivered() === 1,
      5_000,
      () => 'the first copy acknowledged',
    );
    expect(got).toHaveLength(1);
    await node.link.close(100);
    await node.store.close();

    node = await open();
    const last = node;
    cleanup.push(async () => {
      await last.link.close(100);
      await last.store.close();
    });
    await s.submitter.submit(single, target);
    await until(
      () => s.delivered() === 2,
      5_000,
      () => 'the second copy acknowledged',
    );
    expect(got).toHaveLength(1);
    expect(node.link.stats.duplicateSingles).toBe(1);
  }, 30_000);

  it('Redis: a copy that arrives on another node within the window is a repeat there', async () => {
    const redis = new RedisServer();
    await redis.start();
    cleanup.push(() => redis.close());
    const s = await simulator();
    const got: string[] = [];
    const nodes = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const store = await openStore(redis.url);
        const link = new EsmeLink({
          smsc: `smpp://client:pw@127.0.0.1:${s.port}`,
          store,
          onDatagram: () => void got.push(name),
        });
        cleanup.push(async () => {
          await link.close(100);
          await store.close();
        });
        await link.start();
        return link;
      }),
    );
    // One account, two binds: the simulator hands the two copies to the two nodes in turn.
    await s.submitter.submit(single, target);
    await until(
      () => s.delivered() === 1,
      5_000,
      () => 'the first copy acknowledged',
    );
    await s.submitter.submit(single, target);
    await until(
      () => s.delivered() === 2,
      5_000,
      () => 'the second copy acknowledged',
    );
    expect(nodes.map((l) => l.stats.deliverSm)).toEqual([1, 1]);
    expect(got).toHaveLength(1);
    expect(nodes.map((l) => l.stats.duplicateSingles).sort()).toEqual([0, 1]);
  }, 30_000);
});
