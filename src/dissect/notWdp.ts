/**
 * What an SMS without application port addressing is said to be, by the decode and by the tree
 * alike: not a WDP datagram (WAP-259 6.5), read as WSP all the same. A warning when it reads as
 * a push; when it does not, the error is NOT_WDP at the octet where WSP reading stopped, and its
 * message carries what WSP made of it.
 */
import { DecodeError } from '../codec/errors.js';
import { WarningCode, type DecodeWarning } from '../codec/warnings.js';

export const NOT_WDP_MESSAGE = 'not a WDP datagram (no port addressing)';

/** The warning on a port-less datagram that reads as WSP; `offset` is its first octet. */
export function notWdpWarning(offset: number): DecodeWarning {
  return { code: WarningCode.NOT_WDP, message: NOT_WDP_MESSAGE, offset };
}

/** The error for a port-less datagram that does not read as WSP: `wsp` is what WSP said. */
export function notWdpError(wsp: DecodeError): DecodeError {
  return new DecodeError(
    'NOT_WDP',
    wsp.offset,
    `${NOT_WDP_MESSAGE}; read as WSP it fails: ${wsp.code}: ${wsp.message}`,
  );
}
