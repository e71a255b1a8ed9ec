/**
 * The routing table: Push Application ID x port -> registrations. App ID code and URN are one
 * key (applicationKey); OTA-WSP ports (WDP) and OTA-HTTP ports (TCP) are separate spaces.
 * A lookup is two Map gets; x-wap-application:* registrations take what no exact one does.
 */
import { WILDCARD_APPLICATION, type ApplicationKey } from './applicationId.js';

/** What the table keys an entry by: its App ID key and its route numbers (a Registration). */
export interface Routed {
  readonly key: ApplicationKey;
  readonly routes: readonly number[];
}

export class RoutingTable<T extends Routed> {
  private readonly byApplication = new Map<ApplicationKey, Map<number, T[]>>();

  add(r: T): void {
    let ports = this.byApplication.get(r.key);
    if (!ports) this.byApplication.set(r.key, (ports = new Map()));
    for (const route of r.routes) {
      const list = ports.get(route);
      if (list) list.push(r);
      else ports.set(route, [r]);
    }
  }

  remove(r: T): void {
    const ports = this.byApplication.get(r.key);
    if (!ports) return;
    for (const route of r.routes) {
      const list = ports.get(route);
      if (!list) continue;
      const i = list.indexOf(r);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) ports.delete(route);
    }
    if (ports.size === 0) this.byApplication.delete(r.key);
  }

  lookup(key: ApplicationKey, route: number): readonly T[] | undefined {
    return this.byApplication.get(key)?.get(route) ?? this.byApplication.get(WILDCARD_APPLICATION)?.get(route);
  }
}

/** Route numbers: an OTA-WSP (WDP) port as is, an OTA-HTTP (TCP) port above 0xFFFF. */
export function routeOf(protocol: 'OTA-WSP' | 'OTA-HTTP', port: number): number {
  return protocol === 'OTA-HTTP' ? 0x1_0000 + port : port;
}
