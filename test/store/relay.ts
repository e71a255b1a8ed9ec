// A TCP relay on loopback to the test's redis-server that the test can hold up or cut: it
// passes both ways, holds the client's octets (a call never reaches Redis), drops Redis' replies
// (a call runs there and its reply is lost), drops only the replies that are lists (a script's:
// a PEXPIRE sent before it is still answered), defers the client's octets (a call that reaches
// Redis later, on its old connection, after the client gave it up: `cutClients`, then
// `release`), or refuses new connections.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Whether RESP octets hold a reply that is a list (one begins with '*'); others with it go too. */
const holdsList = (d: Buffer): boolean => d[0] === 0x2a || d.includes('\r\n*');

export type Mode = 'pass' | 'hold' | 'defer' | 'swallow' | 'swallowLists' | 'refuse';

/** A relay to the redis-server: passes both ways, holds the client's octets, or drops (some of) Redis' replies. */
export async function relay(port: number): Promise<{
  port: number;
  mode: Mode;
  /** The octets deferred so far (the commands, in RESP). */
  readonly deferred: Buffer;
  cut(): void;
  /** Closes the client sides only: the Redis connections of pairs with deferred octets stay open. */
  cutClients(): void;
  /** Sends the deferred octets to Redis on their own connections (the replies go nowhere). */
  release(): void;
  close(): Promise<void>;
}> {
  const pairs = new Set<[Socket, Socket]>();
  const state = { mode: 'pass' as Mode };
  const deferred = new Map<Socket, Buffer[]>();

  const server: Server = createServer((client) => {
    if (state.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (d) => {
      if (state.mode === 'defer') {
        deferred.set(upstream, [...(deferred.get(upstream) ?? []), d]);
      } else if (state.mode !== 'hold') upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (state.mode === 'swallow' || (state.mode === 'swallowLists' && holdsList(d))) return;
      if (!client.destroyed) client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('close', () => {
      if (!deferred.has(upstream)) end();
    });
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return {
    port: address.port,
    get mode() {
      return state.mode;
    },
    set mode(m: Mode) {
      state.mode = m;
    },
    get deferred() {
      return Buffer.concat([...deferred.values()].flat());
    },
    cut: () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    cutClients: () => {
      for (const [a] of pairs) a.destroy();
    },
    release: () => {
      for (const [upstream, chunks] of deferred) for (const c of chunks) upstream.write(c);
      deferred.clear();
    },
    close: async () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
