/**
 * The terminal's Capability and Preference Information as registrations shape it: the App IDs
 * (X-Wap-Push-Accept-AppID) and MIME types (X-Wap-Push-Accept) of Push OTA. Each is counted
 * per registration, so one leaves the CPI only when no other registration still needs it
 * (PushCAI 5.2: "only if the deregistering application is the sole registered application").
 */
import { createHash } from 'node:crypto';
import { cpiApplicationId } from './applicationId.js';

export interface Cpi {
  acceptAppIds: string[];
  accept: string[];
  headers: {
    'X-Wap-Push-Accept-AppID': string;
    'X-Wap-Push-Accept': string;
    /** A tag for this CPI, so a peer can tell whether it changed (Push OTA X-Wap-CPITag). */
    'X-Wap-CPITag': string;
  };
}

export interface CpiContribution {
  pushApplicationId: string | number;
  accept?: readonly string[];
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

/**
 * What an application without an Accept list contributes to X-Wap-Push-Accept: it takes any
 * content type (PushCAI 5.1 Accept is optional), and the CPI must not say otherwise.
 */
export const ANY_CONTENT_TYPE = '*/*';

function typesOf(c: CpiContribution): Set<string> {
  return c.accept ? new Set(c.accept.map((x) => x.toLowerCase())) : new Set([ANY_CONTENT_TYPE]);
}

export class CpiSet {
  private readonly appIds = new Map<string, number>();
  private readonly types = new Map<string, number>();

  add(c: CpiContribution): void {
    bump(this.appIds, cpiApplicationId(c.pushApplicationId), 1);
    for (const t of typesOf(c)) bump(this.types, t, 1);
  }

  remove(c: CpiContribution): void {
    bump(this.appIds, cpiApplicationId(c.pushApplicationId), -1);
    for (const t of typesOf(c)) bump(this.types, t, -1);
  }

  /** The CPI as it would be without `c`: what a deregistration would announce. */
  without(c: CpiContribution): Cpi {
    const copy = new CpiSet();
    for (const [k, v] of this.appIds) copy.appIds.set(k, v);
    for (const [k, v] of this.types) copy.types.set(k, v);
    copy.remove(c);
    return copy.snapshot();
  }

  snapshot(): Cpi {
    const acceptAppIds = [...this.appIds.keys()].sort();
    const accept = [...this.types.keys()].sort();
    const appIdHeader = acceptAppIds.join(', ');
    const acceptHeader = accept.join(', ');
    // The tag is opaque to the peer: the first 8 octets of SHA-1 over both header values.
    const tag = createHash('sha1').update(`${appIdHeader}\n${acceptHeader}`).digest().subarray(0, 8).toString('base64');
    return {
      acceptAppIds,
      accept,
      headers: { 'X-Wap-Push-Accept-AppID': appIdHeader, 'X-Wap-Push-Accept': acceptHeader, 'X-Wap-CPITag': tag },
    };
  }
}
