/**
 * Which push records a PPG takes up, when several PPGs share one store (two nodes behind a
 * load balancer on one Redis): only those whose owner node is dead (Store.liveNodes, the
 * liveness the Push Client's registrations use) or that were let go, and at start also its own
 * (a restart with a fixed nodeId) and an earlier version's (no owner). Two live PPGs that both find a dead node's record take it up once: each
 * first claims a lease on it in the store's duplicate memory (an atomic set-if-absent on Redis),
 * and only the one that got it takes the record up and writes itself its owner.
 */
import { FINAL_STATES } from './codes.js';
import { ownerOf, pushKey, type PushRecord } from './pushRecord.js';

/**
 * A receipt in the push table that no PPG claimed for this long is deleted (or after the
 * receipt timeout, when shorter): by then a live PPG has taken up any dead one's pushes
 * (nodeTtlMs + takeoverMs + at worst one lapsed lease).
 */
export const FOREIGN_RECEIPT_KEEP_MS = 600_000;

/**
 * How long a takeover lease holds: the taker writes itself the record's owner well within it
 * (the write waits statusWriteMs at most, or is retried); should the taker die before that
 * write, another PPG takes the record up once the lease has lapsed.
 */
export const TAKEOVER_LEASE_MS = 60_000;

/** Default period of the look for dead PPGs' pushes on a shared (Redis) store, ms. */
export const DEFAULT_TAKEOVER_MS = 10_000;

/** A push still to be worked on: a recipient not final, or final and not notified. */
export function unfinished(record: PushRecord): boolean {
  return !record.recipients.every((r) => FINAL_STATES.has(r.state) && (r.notified || !record.notifyTo));
}

/** The owners, other than `me`, whose liveness decides whether their records may be taken. */
export function otherOwners(records: readonly PushRecord[], me: string): string[] {
  const out = new Set<string>();
  for (const r of records) {
    const o = ownerOf(r);
    if (o !== undefined && o !== me && unfinished(r)) out.add(o);
  }
  return [...out];
}

/**
 * Whether `record` (unfinished) may be taken up by the PPG of node `me`:
 * - its owner is another node, dead: yes;
 * - `owner: ''`, let go at a clean close: yes;
 * - `me`'s own, or no owner (an earlier version's record: that version writes none): at start
 *   only. At a periodic look `me`'s own are in memory already, or were let go there; and an
 *   earlier version's PPG may still be running beside this one (it marks nothing), so its
 *   pushes are left to the next PPG that starts, as that version's restarts took them up.
 */
export function mayTake(record: PushRecord, me: string, live: ReadonlySet<string>, atStart: boolean): boolean {
  const o: unknown = record.owner;
  if (o === '') return true;
  if (typeof o !== 'string' || o === me) return atStart;
  return !live.has(o);
}

/**
 * The lease's key: per push and per owner it is taken from, so a push taken from a dead owner
 * by one PPG is a new lease when that PPG dies in turn. (A push let go at a clean close twice
 * within TAKEOVER_LEASE_MS waits for the first lease to lapse.)
 */
export function leaseKey(record: PushRecord): string {
  return `ppg-takeover\0${pushKey(record.initiator, record.pushId)}\0${ownerOf(record) ?? ''}`;
}
