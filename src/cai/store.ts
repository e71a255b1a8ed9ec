/**
 * Registrations kept across a restart (PushCAI 5.1: details retained for deregistration).
 * One JSON file, replaced atomically: written to a temporary file beside it, flushed to disk,
 * then renamed over the old one, so a crash leaves the old file or the new, never half of one.
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { JsonValue, RecordTable } from '../store/types.js';
import type { RegistrationRequest } from './types.js';

/** Where the registrar keeps the active registrations: a file, or the state layer's record table. */
export interface RegistrationPersistence {
  load(): Promise<StoredRegistration[]>;
  save(registrations: StoredRegistration[]): Promise<void>;
}

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

export class RegistrationStore implements RegistrationPersistence {
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

/** One registration's record id: the same application registered again (on any node) replaces its record. */
export function registrationRecordId(r: StoredRegistration): string {
  const key = JSON.stringify([r.pushApplicationId ?? null, r.applicationId ?? null]);
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * Registrations as records of the state layer (docs/state.md): one record per registration, so
 * every node sharing a Redis store sees the same table. An old registrations file (the
 * `--store FILE` days) is read once, when the table is still empty, and its registrations move
 * into the table with the next save.
 */
export class StoredRegistrations implements RegistrationPersistence {
  private writing: Promise<void> = Promise.resolve();
  /** Records this instance loaded or wrote: the only ones a save may delete (other nodes own the rest). */
  private readonly known = new Set<string>();

  constructor(
    readonly table: RecordTable,
    private readonly legacyFile?: string,
  ) {}

  async load(): Promise<StoredRegistration[]> {
    const records = await this.table.list();
    for (const r of records) this.known.add(r.id);
    if (records.length === 0 && this.legacyFile !== undefined) {
      const old = await new RegistrationStore(this.legacyFile).load();
      if (old.length > 0) await this.save(old);
      return old;
    }
    // Records are JSON the registrar wrote; parse returns them as the registrar's own shape.
    return records.map((r) => JSON.parse(JSON.stringify(r.value)) as StoredRegistration);
  }

  /**
   * Writes these and deletes what this instance held before and no longer does; records other
   * nodes wrote are left alone. Saves queue, so the last one called is the one that stays.
   */
  save(registrations: StoredRegistration[]): Promise<void> {
    const run = async () => {
      const wanted = new Map(registrations.map((r) => [registrationRecordId(r), r]));
      for (const [id, r] of wanted) {
        await this.table.put(id, JSON.parse(JSON.stringify(r)) as JsonValue);
        this.known.add(id);
      }
      for (const id of [...this.known]) {
        if (wanted.has(id)) continue;
        await this.table.delete(id);
        this.known.delete(id);
      }
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}
