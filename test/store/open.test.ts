// openStore(spec): what each spec opens, and the clear error for one that opens nothing.
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { openStore, parseStoreSpec } from '../../src/store/open.js';
import { until } from '../helpers.js';
import { afterTest, tempDir } from './backends.js';

async function refusal(p: Promise<unknown>): Promise<StoreError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof StoreError)) throw new Error(`expected a StoreError, got ${String(e)}`);
  return e;
}

describe('parseStoreSpec', () => {
  it('takes memory, a path, and Redis URLs with their defaults', () => {
    expect(parseStoreSpec('memory')).toEqual({ backend: 'memory' });
    expect(parseStoreSpec('./wappush-state')).toEqual({ backend: 'lmdb', path: './wappush-state' });
    expect(parseStoreSpec('/var/lib/wappush')).toEqual({ backend: 'lmdb', path: '/var/lib/wappush' });
    expect(parseStoreSpec('redis://10.0.0.5')).toEqual({
      backend: 'redis',
      host: '10.0.0.5',
      port: 6379,
      db: 0,
      tls: false,
      display: 'redis://10.0.0.5:6379/0',
    });
    expect(parseStoreSpec('rediss://user:s3cret@redis.example:6380/3')).toEqual({
      backend: 'redis',
      host: 'redis.example',
      port: 6380,
      db: 3,
      tls: true,
      username: 'user',
      password: 's3cret',
      display: 'rediss://redis.example:6380/3',
    });
    expect(parseStoreSpec('redis://[::1]:7000/')).toMatchObject({ host: '::1', port: 7000, db: 0 });
  });

  it.each([
    ['', 'empty store spec'],
    ['  ', 'empty store spec'],
    ['redis://', 'no host'],
    ['redis:/', 'no host'],
    ['redis://h:99999', 'not a valid URL'],
    ['redis://h/abc', 'the path of a Redis URL is /DB'],
    ['redis://h/1/2', 'the path of a Redis URL is /DB'],
    ['redis://h/5000', 'the path of a Redis URL is /DB'],
    ['redis://h/1?timeout=3', 'no query or fragment'],
    ['mysql://h/db', 'unknown store scheme mysql:'],
    ['memory\0', 'may not hold NUL'],
  ])('refuses %j with BAD_SPEC (%s)', (spec, message) => {
    let error: unknown;
    try {
      parseStoreSpec(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('BAD_SPEC');
    expect((error as StoreError).message).toContain(message);
    expect((error as StoreError).message).toContain('redis://HOST[:PORT][/DB]');
  });

  it.each([
    ['redis://:Rs5ecret@h:99999', 'not a valid URL'],
    ['redis://u:Rs5ecret/x@h', 'not a valid URL'],
    ['redis://:Rs5ecret@h/1?timeout=3', 'no query or fragment is taken in redis://h/1'],
    ['rediss://u:Rs5ecret@h/1#x', 'no query or fragment is taken in rediss://h/1'],
    ['redis://u:Rs5ecret@h/abc', 'the path of a Redis URL is /DB'],
  ])('refuses %j without showing its password (%s)', (spec, message) => {
    let error: unknown;
    try {
      parseStoreSpec(spec);
    } catch (e) {
      error = e;
    }
    expect((error as StoreError).code).toBe('BAD_SPEC');
    expect((error as StoreError).message).toContain(message);
    expect((error as StoreError).message).not.toContain('Rs5ecret');
  });
});

describe('openStore', () => {
  it('opens memory and a directory, creating it', async () => {
    const memory = await openStore('memory');
    expect(memory.backend).toBe('memory');
    await memory.close();
    const lmdb = await openStore(join(tempDir(), 'new', 'state'));
    expect(lmdb.backend).toBe('lmdb');
    await lmdb.close();
  });

  it('refuses a path that is a file (an old registrations file is not a store)', async () => {
    const file = join(tempDir(), 'registrations.json');
    writeFileSync(file, '{"version":1,"registrations":[]}\n');
    const e = await refusal(openStore(file));
    expect(e.code).toBe('BAD_SPEC');
    expect(e.message).toContain('is a file');
  });

  it('refuses bounds out of range by name', async () => {
    await expect(openStore('memory', { reassembly: { timeoutMs: -1 } })).rejects.toThrow(/timeoutMs/);
    await expect(openStore('memory', { maxQueued: Number.NaN })).rejects.toThrow(/maxQueued/);
    await expect(openStore('memory', { queueReclaimMs: 2 ** 31 })).rejects.toThrow(/queueReclaimMs/);
  });

  it('answers STORE_UNAVAILABLE within commandTimeoutMs when nothing answers at a Redis URL', async () => {
    // A port that accepts and never speaks: the connect times out, then it is refused.
    const sockets = new Set<Socket>();
    let accepted = 0;
    const silent = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.resume(); // reads (and drops) what comes, so the client's FIN is seen
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    afterTest(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    const e = await refusal(openStore(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 300 }));
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.message).toContain(`redis://127.0.0.1:${port}/0`);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Given up: the connection it made is closed, and it does not reconnect in the background.
    await until(() => sockets.size === 0, 3_000, 'the connection to close');
    const after = accepted;
    await new Promise((r) => setTimeout(r, 500));
    expect(accepted).toBe(after);
  });

  it('answers STORE_UNAVAILABLE when nothing listens at a Redis URL', async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const { port } = free.address() as { port: number };
    await new Promise<void>((r) => free.close(() => r()));
    const e = await refusal(openStore(`redis://:pw@127.0.0.1:${port}/2`, { commandTimeoutMs: 500 }));
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.message).not.toContain('pw');
  });
});
