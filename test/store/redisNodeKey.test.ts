// A store opened with a nodeId whose liveness key is already live (another process with the same
// nodeId: a PPG refuses to start on it) must not delete that key when it closes, or the live one
// looks dead until its next beat and its pushes and claims are taken while it runs.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { redisServer, useRedis } from './backends.js';

useRedis();

describe('Redis node liveness key', () => {
  it('is left to the live process when a second store with its nodeId closes', async () => {
    const options = { prefix: 'nodekey:', nodeId: 'twin', nodeTtlMs: 60_000 };
    const live = await openStore(redisServer().url, options);
    try {
      expect(live.nodeWasLive).toBe(false);
      const second = await openStore(redisServer().url, options);
      expect(second.nodeWasLive).toBe(true);
      await second.close();
      // No beat of `live` falls in between (every nodeTtlMs / 3 = 20 s): the key is still there.
      expect([...(await live.liveNodes(['twin']))]).toEqual(['twin']);
    } finally {
      await live.close();
    }
    // The first store's own close deletes its key as before.
    const after = await openStore(redisServer().url, { ...options, nodeId: 'other' });
    try {
      expect([...(await after.liveNodes(['twin']))]).toEqual([]);
    } finally {
      await after.close();
    }
  });
});
