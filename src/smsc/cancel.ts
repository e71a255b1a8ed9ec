/**
 * cancel_sm as the simulator reads it (SMPP v3.4 4.9.1): service_type, message_id, then the
 * source and destination address, each address a TON, an NPI and a C-Octet String.
 */
import { SMPP_HEADER_LENGTH } from '../wdp/smpp/shortMessage.js';

export interface CancelSm {
  serviceType: string;
  messageId: string;
  sourceAddr: string;
  destinationAddr: string;
}

/** C-Octet String sizes with their NUL (4.9.1). */
const SIZES = Object.freeze({ service_type: 6, message_id: 65, source_addr: 21, destination_addr: 21 } as const);

/** The fields of a cancel_sm frame; undefined when they do not fit it (a malformed PDU). */
export function readCancelSm(frame: Buffer): CancelSm | undefined {
  let p = SMPP_HEADER_LENGTH;
  const cString = (max: number): string | undefined => {
    const end = frame.indexOf(0, p);
    if (end < 0 || end - p >= max) return undefined;
    const s = frame.toString('latin1', p, end);
    p = end + 1;
    return s;
  };
  const serviceType = cString(SIZES.service_type);
  const messageId = cString(SIZES.message_id);
  p += 2; // source_addr_ton, source_addr_npi
  const sourceAddr = cString(SIZES.source_addr);
  p += 2; // dest_addr_ton, dest_addr_npi
  const destinationAddr = cString(SIZES.destination_addr);
  if (serviceType === undefined || messageId === undefined || sourceAddr === undefined || destinationAddr === undefined)
    return undefined;
  return { serviceType, messageId, sourceAddr, destinationAddr };
}
