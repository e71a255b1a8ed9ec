/**
 * What the bearer hands up: one WDP datagram (WAP-259 WDP 5.x, the T-DUnitdata primitive's
 * addresses and user data). `payload` is a view: of the SMS bytes for a single segment, or of
 * the one buffer a concatenated message is copied into when it completes.
 */
export interface WdpDatagram {
  /** Sender address as the bearer gives it (SMPP source_addr); '' when the input has none. */
  originator: string;
  /** Receiver address (SMPP destination_addr); '' when the input has none. */
  recipient: string;
  /** Originator port; undefined when the SMS carries no application port addressing. */
  sourcePort?: number;
  /** Destination port; undefined when the SMS carries no application port addressing. */
  destinationPort?: number;
  /** How many SMS segments the datagram arrived in (1 for a single SMS). */
  segments: number;
  payload: Uint8Array;
}

/**
 * One SMS as far as reassembly cares: who, which ports, where it sits in its message, and
 * its user data after any header (a view of the input). Produced from UDH, from the WDP text
 * header or from SMPP TLVs; all three give the same segment for the same facts.
 */
export interface Segment {
  originator: string;
  recipient: string;
  sourcePort?: number;
  destinationPort?: number;
  /** Concatenation reference; undefined for a message that is not concatenated. */
  reference?: number;
  /** 8 or 16: the width of the reference on the wire, part of the message's identity. */
  referenceBits?: 8 | 16;
  /** Number of segments in the message (1 when not concatenated). */
  total: number;
  /** This segment's position, 1-based (1 when not concatenated). */
  sequence: number;
  data: Uint8Array;
}
