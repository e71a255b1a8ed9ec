/**
 * The one error every decoder throws. `code` is stable (scripts and tests match on it),
 * `offset` is the byte offset in the input where decoding could not go on.
 */
export type DecodeErrorCode =
  | 'TRUNCATED' // the input ends inside a field
  | 'BAD_UINTVAR' // uintvar / mb_u_int32 longer than 5 octets or over 32 bits
  | 'BAD_LENGTH' // a length field points past its container or is out of range
  | 'BAD_VALUE' // a field holds a value its encoding does not allow
  | 'BAD_PDU_TYPE' // a WSP PDU that is not Push (0x06) or ConfirmedPush (0x07)
  | 'UNKNOWN_TOKEN' // a WBXML token with no meaning in the current state / code page
  | 'UNKNOWN_CHARSET' // a MIBenum with no known character set
  | 'BAD_STRING_TABLE_REF' // STR_T / LITERAL index outside the string table
  | 'BAD_STRUCTURE' // unbalanced END, missing root, content after the root element
  | 'BAD_DOCUMENT' // well-formed WBXML/XML that is not the document its content type says
  | 'BAD_XML' // XML that does not parse
  | 'LIMIT' // a documented limit was exceeded (see Limits)
  | 'UNSUPPORTED_DATA_CODING' // an SMS alphabet that cannot carry a WDP datagram (UCS2, ...)
  | 'NOT_WDP' // an SMS without port addressing that does not read as a WSP push either
  | 'INCOMPLETE'; // segments of a concatenated message are missing from the input

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { code: DecodeErrorCode; message: string; offset: number } {
    return { code: this.code, message: this.message, offset: this.offset };
  }
}

export type EncodeErrorCode = 'BAD_INPUT' | 'OUT_OF_RANGE' | 'LIMIT';

/** Thrown by encoders when asked to write something the wire format cannot carry. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(
    readonly code: EncodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
