/**
 * An application's id in the shared store (docs/state.md): its delivery queue's name
 * (storeQueues.ts), the first part of each holder's record id (store.ts), and the order racing
 * duplicates settle by (registrar.ts). PushCAI 5.1 tells applications of one App ID apart by
 * their name or, unnamed, by their binding (registration.ts sameApplicationAs): the id is made
 * of the same parts, so two registrations have one id exactly when they are the same
 * application, on whatever node.
 */
import { createHash } from 'node:crypto';

/**
 * The id of the application of App ID `pushApplicationId` named `applicationId`; an unnamed one
 * gives its `binding` (Registration.bindingKey). A named one hashes as every id did before
 * unnamed ones were told apart: its records and queue keep their names.
 */
export function applicationRecordId(
  pushApplicationId: string | number | undefined,
  applicationId: string | undefined,
  binding: string | undefined,
): string {
  const parts: unknown[] = [pushApplicationId ?? null, applicationId ?? null];
  if (applicationId === undefined && binding !== undefined) parts.push(binding);
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/**
 * The id every unnamed application of App ID `pushApplicationId` had before they were told
 * apart by binding: what records written then are named by (store.ts reads them still).
 */
export function unnamedRecordIdBefore(pushApplicationId: string | number | undefined): string {
  return applicationRecordId(pushApplicationId, undefined, undefined);
}
