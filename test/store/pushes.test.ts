// The push table (the PPG's pushes and outcomes): a record table of its own on every backend,
// apart from the registrations, kept across a restart.
import { describe, expect, it } from 'vitest';
import { HARNESSES, useRedis, type BackendName } from './backends.js';

useRedis();

describe.each(['memory', 'lmdb', 'redis'] as BackendName[])('%s push table', (name) => {
  const h = HARNESSES[name];

  it('keeps push records apart from the registrations, and across a restart', async () => {
    const a = await h.open();
    await a.registrations.put('app-1', { pushApplicationId: 2 });
    expect(await a.pushes.put('pi:p1', { pushId: 'p1', state: 'pending' })).toBe(1);
    expect(await a.pushes.put('pi:p2', { pushId: 'p2' })).toBe(2);
    expect(await a.pushes.put('pi:p1', { pushId: 'p1', state: 'delivered' })).toBe(3);
    expect(await a.pushes.get('pi:p1')).toEqual({ pushId: 'p1', state: 'delivered' });
    expect(await a.pushes.get('app-1')).toBeUndefined();
    expect(await a.registrations.get('pi:p1')).toBeUndefined();
    expect(await a.registrations.version()).toBe(1);
    expect(await a.pushes.delete('pi:p2')).toBe(4);
    expect(await a.pushes.delete('pi:p2')).toBe(4);
    const again = await h.reopen(a);
    expect(await again.pushes.list()).toEqual([{ id: 'pi:p1', value: { pushId: 'p1', state: 'delivered' } }]);
    expect(await again.pushes.version()).toBe(4);
    expect(await again.registrations.list()).toEqual([{ id: 'app-1', value: { pushApplicationId: 2 } }]);
  });

  it('refuses what a record table refuses: a bad id, a value that is not JSON', async () => {
    const s = await h.open();
    await expect(s.pushes.put('', { a: 1 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(s.pushes.put('x'.repeat(257), { a: 1 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(s.pushes.put('ok', { big: 'y'.repeat(70_000) })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
