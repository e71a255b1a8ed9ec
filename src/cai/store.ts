/**
 * Registrations kept across a restart (PushCAI 5.1: details retained for deregistration).
 * One JSON file, replaced atomically: written to a temporary file beside it, flushed to disk,
 * then renamed over the old one, so a crash leaves the old file or the new, never half of one.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { RegistrationRequest } from './types.js';

export type StoredRegistration = Omit<RegistrationRequest, 'handler'>;

interface StoreFile {
  version: 1;
  registrations: StoredRegistration[];
}

export class RegistrationStoreError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'RegistrationStoreError';
  }
}

export class RegistrationStore {
  private writing: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(readonly path: string) {}

  /** The stored registrations; none when the file does not exist. A corrupt file is an error, not an empty store. */
  async load(): Promise<StoredRegistration[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    let data: StoreFile;
    try {
      data = JSON.parse(text) as StoreFile;
    } catch (e) {
      throw new RegistrationStoreError(this.path, `not JSON: ${(e as Error).message}`);
    }
    if (data?.version !== 1 || !Array.isArray(data.registrations))
      throw new RegistrationStoreError(this.path, 'not a version 1 registration store');
    return data.registrations;
  }

  /** Replaces the file's content; saves queue, so the last one called is the one that stays. */
  save(registrations: StoredRegistration[]): Promise<void> {
    const body = JSON.stringify({ version: 1, registrations } satisfies StoreFile, null, 2) + '\n';
    const run = async () => {
      const tmp = `${this.path}.${process.pid}.${++this.sequence}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await rename(tmp, this.path);
      } catch (e) {
        await unlink(tmp).catch(() => {});
        throw e;
      }
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}
