/**
 * One writing process per embedded store: its working copy decides, so a second writer would
 * decide on stale state. The writer keeps `owner.lock` (its pid, host and boot) in the store's
 * directory; a lock whose process is gone (killed, or the machine rebooted) is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreError, StoreErrorCode } from '../errors.js';

export const LOCK_FILE = 'owner.lock';

interface Owner {
  pid: number;
  host: string;
  boot: string;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock, or throws STORE_LOCKED naming the live owner. Returns its release. */
export function takeLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname(), boot: bootId() };
  let owner: Owner | undefined;
  try {
    owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
  } catch {
    owner = undefined; // none, or unreadable: nobody holds it
  }
  if (
    owner !== undefined &&
    typeof owner.pid === 'number' &&
    owner.host === me.host &&
    owner.boot === me.boot &&
    (owner.pid === me.pid || alive(owner.pid))
  ) {
    const who = owner.pid === me.pid ? 'this process' : `process ${owner.pid}`;
    throw new StoreError(
      StoreErrorCode.STORE_LOCKED,
      `${dir} is in use by ${who} (one writer per store; inspect with readOnly)`,
    );
  }
  writeFileSync(path, JSON.stringify(me) + '\n', { mode: 0o600 });
  return () => {
    try {
      const now = JSON.parse(readFileSync(path, 'utf8')) as Owner;
      if (now.pid === me.pid) unlinkSync(path);
    } catch {
      // gone already
    }
  };
}
