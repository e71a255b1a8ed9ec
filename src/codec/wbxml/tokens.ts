/** WBXML global tokens, valid on every code page (WBXML 1.3, WAP-192 section 7.1). */
export const GlobalToken = Object.freeze({
  /** SWITCH_PAGE: change the code page for the current token type; one octet page follows. */
  SWITCH_PAGE: 0x00,
  /** END: end of attribute list or of element. */
  END: 0x01,
  /** ENTITY: a character entity; mb_u_int32 code point follows. */
  ENTITY: 0x02,
  /** STR_I: inline string, NUL-terminated. */
  STR_I: 0x03,
  /** LITERAL: unknown tag or attribute name; mb_u_int32 string-table index follows. */
  LITERAL: 0x04,
  /** EXT_I_0..2: inline string extension. */
  EXT_I_0: 0x40,
  EXT_I_1: 0x41,
  EXT_I_2: 0x42,
  /** PI: processing instruction. */
  PI: 0x43,
  /** LITERAL_C: unknown tag with content. */
  LITERAL_C: 0x44,
  /** EXT_T_0..2: extension with an mb_u_int32 (string-table reference). */
  EXT_T_0: 0x80,
  EXT_T_1: 0x81,
  EXT_T_2: 0x82,
  /** STR_T: string-table reference; mb_u_int32 index follows. */
  STR_T: 0x83,
  /** LITERAL_A: unknown tag with attributes. */
  LITERAL_A: 0x84,
  /** EXT_0..2: single-octet extensions. */
  EXT_0: 0xc0,
  EXT_1: 0xc1,
  EXT_2: 0xc2,
  /** OPAQUE: mb_u_int32 length then that many octets of opaque data. */
  OPAQUE: 0xc3,
  /** LITERAL_AC: unknown tag with attributes and content. */
  LITERAL_AC: 0xc4,
} as const);
export type GlobalToken = (typeof GlobalToken)[keyof typeof GlobalToken];

/** Tag token bits (WBXML 1.3 section 5.8.2): attributes follow, content follows. */
export const TAG_HAS_ATTRIBUTES = 0x80;
export const TAG_HAS_CONTENT = 0x40;
export const TAG_ID_MASK = 0x3f;

/** Which octets are global tokens in every state (used to tell them from page tokens). */
export function isGlobal(b: number): boolean {
  const low = b & 0x3f;
  return low <= 0x04;
}

/** EXT_I_0..2 (0x40-0x42), EXT_T_0..2 (0x80-0x82), EXT_0..2 (0xC0-0xC2). */
export function isExtension(b: number): boolean {
  return b >= 0x40 && (b & 0x3f) <= 0x02;
}
