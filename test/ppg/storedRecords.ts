// Reading the PPG's push records as the store holds them (src/ppg/pushRecord.ts writes them as
// JSON), for tests that check what was written, not what the PPG answers.
import type { JsonValue, Store } from '../../src/store/types.js';

export const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The message-state of each recipient of a stored push record ('?' for one without). */
export function statesOf(record: JsonValue | undefined): string[] {
  const recipients = isObject(record) ? record.recipients : undefined;
  if (!Array.isArray(recipients)) return [];
  return recipients.map((r) => (isObject(r) && typeof r.state === 'string' ? r.state : '?'));
}

/** The first recipient's state in the record stored as `id`. */
export const stateIn = async (store: Store, id: string): Promise<string | undefined> =>
  statesOf(await store.pushes.get(id))[0];
