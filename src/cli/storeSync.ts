/**
 * `--store-sync always|everysec|no`, beside `--store` (docs/state.md, docs/cli.md): when a
 * stored change is on disk. The embedded store does as it says; a Redis server keeps its own
 * appendfsync, which is read and, when weaker than asked, a warning.
 */
import type { FlagValues } from '../ops/config/schema.js';
import type { Logger } from '../ops/log.js';
import { StoreError, StoreErrorCode } from '../store/errors.js';
import { isStoreSync, STORE_SYNC, syncAtLeast, type StoreSync } from '../store/options.js';
import type { Store } from '../store/types.js';

export const STORE_SYNC_OPTIONS = { 'store-sync': { type: 'string' } } as const;

export const STORE_SYNC_HELP = `  --store-sync MODE   when a stored change is on disk (docs/state.md): always (the default: before
                      it is acknowledged), everysec (within a second; a crash of the process loses
                      nothing, one of the machine at most the last commit), no (when the system
                      writes it; a crash of the machine may damage the file). Redis keeps its
                      server's appendfsync: a weaker one than asked is a warning`;

/** The flag's mode, or undefined when not given; anything else is BAD_SPEC. */
export function storeSyncFlag(values: FlagValues): StoreSync | undefined {
  const v = values['store-sync'];
  if (v === undefined) return undefined;
  if (!isStoreSync(v))
    throw new StoreError(StoreErrorCode.BAD_SPEC, `--store-sync takes ${STORE_SYNC.join(', ')}, not ${String(v)}`);
  return v;
}

/** A store that keeps less than asked (a Redis server's appendfsync) is a warning line. */
export function warnWeakSync(log: Logger, store: Store, asked: StoreSync | undefined): void {
  if (asked === undefined || store.backend !== 'redis') return;
  const server = store.sync;
  if (server !== undefined && syncAtLeast(server, asked)) return;
  log.warn(
    { event: 'store-sync', storeSync: { asked, server: server ?? 'unknown' } },
    server === undefined
      ? 'the Redis server does not say how it syncs (CONFIG GET refused)'
      : `the Redis server syncs ${server} (appendfsync), weaker than --store-sync ${asked}`,
  );
}
