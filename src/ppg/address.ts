/**
 * PAP client addresses (WAP-249-PPGService 7.1): `WAPPUSH=` client address `/TYPE=` type `@`
 * PPG specifier. Over SMS only the PLMN type (a phone number) can be reached.
 */
import { PapCode, PapError } from './codes.js';

export interface ClientAddress {
  /** As the initiator wrote it (the key it queries and is notified by). */
  value: string;
  /** The number, `+` and digits (international) or digits. */
  number: string;
}

/** E.164 allows 15 digits; some networks address with a few more. */
const NUMBER = /^\+?[0-9]{1,20}$/;
const ADDRESS = /^WAPPUSH=([^/]+)\/TYPE=([A-Za-z0-9]+)@(.*)$/;

export function parseClientAddress(value: string): ClientAddress {
  const m = ADDRESS.exec(value);
  if (!m)
    throw new PapError(PapCode.ADDRESS_ERROR, `not a WAPPUSH=ADDRESS/TYPE=TYPE@PPG address: ${value.slice(0, 100)}`);
  const [, client, type] = m;
  if (type.toUpperCase() !== 'PLMN')
    throw new PapError(PapCode.ADDRESS_ERROR, `address type ${type} cannot be reached over SMS (PLMN only)`);
  // PPG Service 7.1 escapes reserved characters as %XX; a phone number needs none, but '+' may come so.
  let number: string;
  try {
    number = decodeURIComponent(client);
  } catch {
    throw new PapError(PapCode.ADDRESS_ERROR, `bad %-escape in address ${value.slice(0, 100)}`);
  }
  if (!NUMBER.test(number))
    throw new PapError(PapCode.ADDRESS_ERROR, `PLMN address ${number.slice(0, 40)} is not + and 1-20 digits`);
  return { value, number };
}
