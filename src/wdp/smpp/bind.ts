import { SMPP_HEADER_LENGTH } from './shortMessage.js';

/** What an ESME says about itself when it binds (SMPP v3.4 4.1.1). */
export interface BindFields {
  systemId: string;
  password: string;
  systemType?: string;
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
}

/** C-Octet String sizes, NUL included (SMPP v3.4 4.1.1). */
export const BIND_FIELD_MAX = Object.freeze({
  system_id: 16,
  password: 9,
  system_type: 13,
  address_range: 41,
} as const);

/** interface_version 0x34: this ESME speaks SMPP v3.4 (5.2.4). */
export const INTERFACE_VERSION = 0x34;

/**
 * Refuses bind fields the SMSC could not read: too long for their C-Octet String, or with a
 * NUL or a character above 0xFF inside. Called when the link is made, not at the first bind.
 */
export function checkBindFields(f: BindFields): void {
  cString(f.systemId, BIND_FIELD_MAX.system_id, 'system_id');
  cString(f.password, BIND_FIELD_MAX.password, 'password');
  cString(f.systemType ?? '', BIND_FIELD_MAX.system_type, 'system_type');
  cString(f.addressRange ?? '', BIND_FIELD_MAX.address_range, 'address_range');
  for (const [name, v] of [
    ['addr_ton', f.addrTon],
    ['addr_npi', f.addrNpi],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 0xff))
      throw new RangeError(`${name} must be an octet (0-255), not ${String(v)}`);
  }
}

function cString(v: string, max: number, name: string): void {
  if (v.length > max - 1) throw new RangeError(`${name} is ${v.length} characters; SMPP allows ${max - 1}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000\u0100-\uffff]/.test(v)) throw new RangeError(`${name} holds a NUL or a character above 0xFF`);
}

/** bind_receiver / bind_transmitter / bind_transceiver: the same body (4.1.1, 4.1.3, 4.1.5). */
export function bindPdu(commandId: number, sequence: number, f: BindFields): Buffer {
  const strings = [f.systemId, f.password, f.systemType ?? ''];
  const range = f.addressRange ?? '';
  let length = SMPP_HEADER_LENGTH + 3 + range.length + 1;
  for (const s of strings) length += s.length + 1;
  const b = Buffer.alloc(length);
  b.writeUInt32BE(length, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  let p = SMPP_HEADER_LENGTH;
  for (const s of strings) p += b.write(s, p, 'latin1') + 1;
  b[p++] = INTERFACE_VERSION;
  b[p++] = f.addrTon ?? 0;
  b[p++] = f.addrNpi ?? 0;
  b.write(range, p, 'latin1');
  return b;
}
