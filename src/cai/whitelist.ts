/**
 * The Push whitelist (PushCAI 5.1/5.2, entries in the style of the Push MO): addresses Push
 * events are accepted from, each owned by the registrations that brought it. An entry goes
 * when its last owner deregisters. Entries given to the client itself (the default whitelist)
 * have no registration owner and never go.
 */
import type { WhitelistEntry } from './types.js';

/** Addresses compare without spaces, dashes, brackets or a leading '+': SMPP source_addr often lacks the '+'. */
export function normalizeAddress(address: string): string {
  // Fast path for the usual case, an MSISDN or short code of digits with or without '+'.
  const start = address.charCodeAt(0) === 0x2b ? 1 : 0;
  let i = start;
  while (i < address.length) {
    const c = address.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i === address.length) return start ? address.slice(1) : address;
  let a = address.replace(/[\s\-()]/g, '');
  if (a.startsWith('+')) a = a.slice(1);
  return a.toLowerCase();
}

interface Entry {
  address: string;
  /**
   * The registrations that brought it: one id while there is one (nearly always: each
   * application lists its own Push Servers), a Set only once a second shares the address.
   */
  owners: number | Set<number> | undefined;
  clientDefault: boolean;
}

function owns(e: Entry, owner: number): boolean {
  return typeof e.owners === 'number' ? e.owners === owner : e.owners !== undefined && e.owners.has(owner);
}

function addOwner(e: Entry, owner: number): void {
  if (e.owners === undefined) e.owners = owner;
  else if (typeof e.owners !== 'number') e.owners.add(owner);
  else if (e.owners !== owner) e.owners = new Set([e.owners, owner]);
}

/** Takes `owner` off `e`; false when it was not one. */
function removeOwner(e: Entry, owner: number): boolean {
  if (typeof e.owners === 'number') {
    if (e.owners !== owner) return false;
    e.owners = undefined;
    return true;
  }
  if (!e.owners?.delete(owner)) return false;
  if (e.owners.size === 1) e.owners = e.owners.values().next().value;
  return true;
}

function ownersOf(e: Entry): number[] {
  return e.owners === undefined ? [] : typeof e.owners === 'number' ? [e.owners] : [...e.owners];
}

export class Whitelist {
  private readonly exact = new Map<string, Entry>();
  private readonly prefixes = new Map<string, Entry>();
  private defaults = 0;

  /** Entries of the client's own default whitelist. */
  addDefault(entries: readonly WhitelistEntry[]): void {
    for (const e of entries) {
      const entry = this.entry(e.address);
      if (!entry.clientDefault) this.defaults++;
      entry.clientDefault = true;
    }
  }

  add(owner: number, entries: readonly WhitelistEntry[]): void {
    for (const e of entries) addOwner(this.entry(e.address), owner);
  }

  /** Removes `owner` from its entries; returns the addresses that left the whitelist. */
  remove(owner: number): string[] {
    const gone: string[] = [];
    for (const table of [this.exact, this.prefixes]) {
      for (const [key, e] of table) {
        if (!removeOwner(e, owner)) continue;
        if (e.owners === undefined && !e.clientDefault) {
          table.delete(key);
          gone.push(e.address);
        }
      }
    }
    return gone;
  }

  /**
   * Whether `address` may push to `owner`: to an owner with entries of its own, its entries
   * and the client's defaults; to an owner without, the client's defaults; with no defaults
   * either, anyone (PushCAI 5.1: with no whitelist the default one, if any, applies).
   */
  allows(owner: number, ownsEntries: boolean, address: string): boolean {
    if (!ownsEntries && !this.hasDefaults()) return true;
    const key = normalizeAddress(address);
    const e = this.exact.get(key);
    if (e && (e.clientDefault || owns(e, owner))) return true;
    for (const [prefix, p] of this.prefixes) {
      if (key.startsWith(prefix) && (p.clientDefault || owns(p, owner))) return true;
    }
    return false;
  }

  hasDefaults(): boolean {
    return this.defaults > 0;
  }

  /** Every entry with its owners (registration ids; 'client' for the default whitelist). */
  entries(): Array<{ address: string; owners: Array<number | 'client'> }> {
    const out: Array<{ address: string; owners: Array<number | 'client'> }> = [];
    for (const table of [this.exact, this.prefixes]) {
      for (const e of table.values())
        out.push({ address: e.address, owners: [...(e.clientDefault ? ['client' as const] : []), ...ownersOf(e)] });
    }
    return out;
  }

  private entry(address: string): Entry {
    const prefix = address.endsWith('*');
    const key = normalizeAddress(prefix ? address.slice(0, -1) : address);
    const table = prefix ? this.prefixes : this.exact;
    let e = table.get(key);
    if (!e) table.set(key, (e = { address, owners: undefined, clientDefault: false }));
    return e;
  }
}
