import { codeTable } from '../table.js';

/**
 * WBXML public identifiers (WBXML 1.3 section 7.2.1 and the OMNA "WBXML Public Identifiers"
 * registry). Source: WAP-192-WBXML-20010725-a Table 2; OMNA registry as listed in the
 * libwbxml sources (wbxml_tables.c).
 */
export const publicIds = codeTable([
  [0x01, 'unknown'],
  [0x02, '-//WAPFORUM//DTD WML 1.0//EN'],
  [0x03, '-//WAPFORUM//DTD WTA 1.0//EN'],
  [0x04, '-//WAPFORUM//DTD WML 1.1//EN'],
  [0x05, '-//WAPFORUM//DTD SI 1.0//EN'],
  [0x06, '-//WAPFORUM//DTD SL 1.0//EN'],
  [0x07, '-//WAPFORUM//DTD CO 1.0//EN'],
  [0x08, '-//WAPFORUM//DTD CHANNEL 1.1//EN'],
  [0x09, '-//WAPFORUM//DTD WML 1.2//EN'],
  [0x0a, '-//WAPFORUM//DTD WML 1.3//EN'],
  [0x0b, '-//WAPFORUM//DTD PROV 1.0//EN'],
  [0x0c, '-//WAPFORUM//DTD WTA-WML 1.2//EN'],
  // OMA-Push-EMN-V1_0 names it -//OMA//...; the WAPFORUM spelling is accepted as an alias.
  [0x0d, '-//OMA//DTD EMN 1.0//EN'],
  [0x0d, '-//WAPFORUM//DTD EMN 1.0//EN'],
  [0x0e, '-//OMA//DTD DRMREL 1.0//EN'],
]);

export const PUBLIC_ID_UNKNOWN = 0x01;
/** publicid 0 means: the identifier is a string in the string table at the index that follows. */
export const PUBLIC_ID_IN_STRING_TABLE = 0x00;
