import { CommandStatus } from '../wdp/smpp/status.js';
import { AddressRange, AddressRangeError } from './addressRange.js';

export interface SmscAccount {
  systemId: string;
  password: string;
  /**
   * The destinations this account's receivers are given, in the address_range grammar
   * (docs/simulator.md). An account without one is given the destinations no account claims.
   */
  addressRange?: string;
}

interface Account {
  password: string;
  range: AddressRange | undefined;
}

/**
 * Who may bind, and which account's receivers may be given a message for a destination (the
 * SMSC's own routing, which a bind's address_range can only narrow):
 * - no accounts configured: any credentials bind and every receiver may be given anything;
 * - otherwise a destination that some account's `addressRange` matches goes only to receivers
 *   of the accounts that match it; one that no account claims goes only to receivers of the
 *   accounts that have no `addressRange`.
 * The account that submitted a message plays no part.
 */
export class Accounts {
  private readonly byId = new Map<string, Account>();
  private readonly claims: Array<{ systemId: string; range: AddressRange }> = [];

  /** Throws AddressRangeError (naming the account) for a range outside the grammar, RangeError for a systemId given twice. */
  constructor(accounts: readonly SmscAccount[] = []) {
    for (const a of accounts) {
      if (this.byId.has(a.systemId)) throw new RangeError(`account ${JSON.stringify(a.systemId)} is given twice`);
      let range: AddressRange | undefined;
      if (a.addressRange) {
        try {
          range = AddressRange.compile(a.addressRange);
        } catch (e) {
          if (!(e instanceof AddressRangeError)) throw e;
          throw new AddressRangeError(e.code, e.offset, `account ${JSON.stringify(a.systemId)}: ${e.message}`);
        }
        this.claims.push({ systemId: a.systemId, range });
      }
      this.byId.set(a.systemId, { password: a.password, range });
    }
  }

  /** The bind_resp status for these credentials (SMPP v3.4 5.1.3). */
  check(systemId: string, password: string): number {
    if (!this.byId.size) return CommandStatus.ESME_ROK;
    const account = this.byId.get(systemId);
    if (!account) return CommandStatus.ESME_RINVSYSID;
    return account.password === password ? CommandStatus.ESME_ROK : CommandStatus.ESME_RINVPASWD;
  }

  /**
   * Whether receivers bound as `systemId` may be given a message for `destination`, as a test
   * over systemIds: the claims are looked at once per destination, not once per receiver.
   */
  receiversOf(destination: string): (systemId: string) => boolean {
    if (!this.byId.size) return () => true;
    const claimants = new Set<string>();
    for (const c of this.claims) if (c.range.matches(destination)) claimants.add(c.systemId);
    if (claimants.size) return (systemId) => claimants.has(systemId);
    return (systemId) => this.byId.get(systemId)?.range === undefined;
  }
}
