/**
 * Registrations kept across a restart (PushCAI 5.1: details retained for deregistration).
 * One JSON file, replaced atomically: written to a temporary file beside it, flushed to disk,
 * then renamed over the old one, so a crash leaves the old file or the new, never half of one.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { JsonValue, RecordTable, StoredRecord } from '../store/types.js';
import { applicationRecordId, unnamedRecordIdBefore } from './recordId.js';
import { Registration } from './registration.js';
import type { BoundProfile, RegistrationRequest } from './types.js';
import { EVERYWHERE, validateRequest } from './validate.js';

/** Where the registrar keeps the active registrations: a file, or the state layer's record table. */
export interface RegistrationPersistence {
  load(): Promise<StoredRegistration[]>;
  save(registrations: RegistrationRecord[]): Promise<void>;
}

export type StoredRegistration = Omit<RegistrationRequest, 'handler'>;

/**
 * What is stored of a registration: its request and, when its binding came from a Push
 * Service Registration answer, that binding (`boundProfiles`), so the nodes that follow it
 * route it as its own node does. A load gives the request alone: a restore asks again.
 */
export type RegistrationRecord = StoredRegistration & { boundProfiles?: readonly BoundProfile[] };

/** The request of a stored record, without the binding kept beside it. */
export function requestOf(record: RegistrationRecord): StoredRegistration {
  const { boundProfiles: _bound, ...request } = record;
  return request;
}

interface StoreFile {
  version: 1;
  registrations: RegistrationRecord[];
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
    return data.registrations.map(requestOf);
  }

  /** Replaces the file's content; saves queue, so the last one called is the one that stays. */
  save(registrations: RegistrationRecord[]): Promise<void> {
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

/**
 * An application's id in the shared store (recordId.ts): its delivery queue's name
 * (storeQueues.ts) and the first part of each holder's record id. The same application
 * registered again, on any node, has the same id; two unnamed applications of one App ID on
 * bindings of their own have two. A request that does not validate (a record no registrar
 * wrote) keeps the id of its App ID and name alone.
 */
export function registrationRecordId(record: RegistrationRecord): string {
  // The request alone: the binding a Push Server's answer gave, kept beside it, is no field of
  // a request (validateRequest refuses it), and the address names that binding already.
  const r = requestOf(record);
  if (r.applicationId !== undefined) return applicationRecordId(r.pushApplicationId, r.applicationId, undefined);
  const checked = validateRequest(r as RegistrationRequest, EVERYWHERE);
  if ('status' in checked) return unnamedRecordIdBefore(r.pushApplicationId);
  return new Registration(0, r as RegistrationRequest, checked.profiles).recordId;
}

/**
 * The application a stored record is of: the id its request gives, whatever id it is stored
 * under (an older form); undefined when its value is no registration a registrar wrote (not
 * an object), which is then skipped.
 */
export function recordApplication(record: StoredRecord): string | undefined {
  const value = record.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  // Records are JSON a registrar wrote; parse returns them as the registrar's own shape.
  return registrationRecordId(JSON.parse(JSON.stringify(value)) as RegistrationRecord);
}

/**
 * The ids a record of `r` written before holders were recorded may have: its own and, unnamed,
 * the one every unnamed application of its App ID had then.
 */
function holderlessRecordIds(r: RegistrationRecord): string[] {
  const id = registrationRecordId(r);
  const before = r.applicationId === undefined ? unnamedRecordIdBefore(r.pushApplicationId) : id;
  return before === id ? [id] : [id, before];
}

/**
 * The record of one node's holding of an application: `APPLICATION.NODE`. Each node that hosts
 * the application writes its own, so the application stays registered until its last holder
 * leaves (or its node's liveness lapses: follower.ts).
 */
export function holderRecordId(r: RegistrationRecord, nodeId: string): string {
  return `${registrationRecordId(r)}.${nodeId}`;
}

/**
 * The application and the holding node a record id names. A record without a node (written
 * before holders were recorded) names none: on a shared store it lapses at once (follower.ts),
 * on one a single process owns it is restored and written again under that process's node.
 */
export function parseRecordId(id: string): { application: string; node: string | undefined } {
  // The application part is base64url, which has no '.'.
  const dot = id.indexOf('.');
  return dot < 0 ? { application: id, node: undefined } : { application: id.slice(0, dot), node: id.slice(dot + 1) };
}

/**
 * Registrations as records of the state layer (docs/state.md): one record per application and
 * holding node, so every node sharing a Redis store sees the same table and an application
 * registered on two nodes stays while either holds it. An old registrations file (the
 * `--store FILE` days) is read once, when the table is still empty, and its registrations move
 * into the table with the next save.
 */
export class StoredRegistrations implements RegistrationPersistence {
  private writing: Promise<void> = Promise.resolve();
  /** Records this instance loaded or wrote: the only ones a save may delete (other nodes own the rest). */
  private readonly known = new Set<string>();

  constructor(
    readonly table: RecordTable,
    /** This node's name in the store (Store.nodeId): its records' holder. */
    readonly nodeId: string,
    private readonly legacyFile?: string,
  ) {}

  /**
   * Every stored registration, one per application whoever held it (a store one process owns,
   * lmdb or memory, restores them all as its own; the next save writes them under this node).
   */
  async load(): Promise<StoredRegistration[]> {
    const records = await this.table.list();
    for (const r of records) this.known.add(r.id);
    if (records.length === 0 && this.legacyFile !== undefined) {
      const old = await new RegistrationStore(this.legacyFile).load();
      if (old.length > 0) await this.save(old);
      return old;
    }
    const byApplication = new Map<string, StoredRegistration>();
    for (const r of records) {
      // By the id its request gives, not the one it is stored under: a record written before
      // unnamed applications were told apart names every one of its App ID alike.
      const application = recordApplication(r);
      if (application !== undefined && !byApplication.has(application))
        byApplication.set(application, requestOf(JSON.parse(JSON.stringify(r.value)) as RegistrationRecord));
    }
    return [...byApplication.values()];
  }

  /**
   * Writes this node's holding of each of these, deletes what this instance held before and no
   * longer does, and the holder-less record of each application written before holders were
   * recorded; records other nodes wrote are left alone. Saves queue, so the last one called is
   * the one that stays.
   */
  save(registrations: RegistrationRecord[]): Promise<void> {
    const run = async () => {
      const wanted = new Map(registrations.map((r) => [holderRecordId(r, this.nodeId), r]));
      for (const [id, r] of wanted) {
        await this.table.put(id, JSON.parse(JSON.stringify(r)) as JsonValue);
        this.known.add(id);
        for (const legacy of holderlessRecordIds(r))
          if (!this.known.has(legacy) && (await this.table.get(legacy)) !== undefined) this.known.add(legacy);
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
