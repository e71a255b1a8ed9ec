/**
 * The Push Service Registration procedure (PushCAI 5.1, [PushOTA]): the Push Client registers
 * at the Push Service Registration URI and receives the connection profile(s) of the Push
 * service, which then give the registration its binding.
 *
 * What is sent: the terminal's CPI for that Push Server, as for any OTA-HTTP Push Server
 * (otaHttp.ts `sendCpi`: OPTIONS with X-Wap-Push-Accept-AppID and X-Wap-Push-Accept).
 *
 * What is read back: the PushOTA text of the procedure could not be consulted (docs/pushcai.md
 * says what was looked for), so the answer is read in the one form PushCAI itself defines:
 * the Connection Profile structure of 5.1, with its own field names (protocol, bearerType,
 * port, contactPoint, ...), as JSON: `{ "connectionProfiles": [ { ... }, ... ] }`. A 2xx answer
 * without a body gives no profile, and the registration gets the client's default profile
 * (5.1: unspecified options take the defaults). Any other body is refused, naming its type,
 * rather than bound to a guess. This function is the one place to change when the PushOTA
 * encoding can be read.
 */
import type { ConnectionProfile } from './types.js';

/** Octets of a Push Server's answer read at most; a longer answer fails the procedure. */
export const MAX_SERVICE_REGISTRATION_ANSWER_OCTETS = 16 * 1024;
/** Connection profiles one answer may give. */
export const MAX_SERVICE_REGISTRATION_PROFILES = 8;

/** What an answer gives: its connection profiles (none: the client's defaults), or why it cannot be read. */
export type ServiceRegistrationAnswer = { profiles: ConnectionProfile[] } | { error: string };

export function readServiceRegistrationAnswer(
  contentType: string | undefined,
  body: Uint8Array,
): ServiceRegistrationAnswer {
  if (body.length === 0) return { profiles: [] };
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json')
    return { error: `the answer carries ${type || 'a body without Content-Type'}, not connection profiles` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (e) {
    return { error: `the answer is not JSON: ${(e as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { error: 'the answer is not an object with connectionProfiles' };
  const profiles = (parsed as { connectionProfiles?: unknown }).connectionProfiles;
  if (profiles === undefined) return { profiles: [] };
  if (!Array.isArray(profiles)) return { error: 'connectionProfiles in the answer is not an array' };
  if (profiles.length > MAX_SERVICE_REGISTRATION_PROFILES)
    return {
      error: `the answer gives ${profiles.length} connection profiles, more than ${MAX_SERVICE_REGISTRATION_PROFILES}`,
    };
  // Each profile is checked as a request's would be (validate.ts validateProfiles).
  return { profiles: profiles as ConnectionProfile[] };
}
