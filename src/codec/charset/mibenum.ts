/**
 * Character sets by IANA MIBenum, as WSP (Well-known-charset) and WBXML (charset field)
 * identify them. Source of the numbers: the IANA "Character Sets" registry
 * (https://www.iana.org/assignments/character-sets). `iconv` is the iconv-lite name used to
 * convert; `unit` is the width of the NUL that terminates a string in that charset
 * (WBXML 1.3 section 5.8.4.1: termination is a NUL character of the document encoding).
 */
export interface Charset {
  readonly mib: number;
  /** IANA preferred name, lower-case as the decode JSON shows it. */
  readonly name: string;
  readonly iconv: string;
  readonly unit: 1 | 2 | 4;
}

const TABLE: ReadonlyArray<readonly [number, string, string, (1 | 2 | 4)?]> = [
  [3, 'us-ascii', 'ascii'],
  [4, 'iso-8859-1', 'latin1'],
  [5, 'iso-8859-2', 'iso-8859-2'],
  [6, 'iso-8859-3', 'iso-8859-3'],
  [7, 'iso-8859-4', 'iso-8859-4'],
  [8, 'iso-8859-5', 'iso-8859-5'],
  [9, 'iso-8859-6', 'iso-8859-6'],
  [10, 'iso-8859-7', 'iso-8859-7'],
  [11, 'iso-8859-8', 'iso-8859-8'],
  [12, 'iso-8859-9', 'iso-8859-9'],
  [13, 'iso-8859-10', 'iso-8859-10'],
  [17, 'shift_jis', 'shift_jis'],
  [18, 'euc-jp', 'euc-jp'],
  [36, 'ks_c_5601-1987', 'cp949'],
  [38, 'euc-kr', 'euc-kr'],
  [106, 'utf-8', 'utf8'],
  [109, 'iso-8859-13', 'iso-8859-13'],
  [110, 'iso-8859-14', 'iso-8859-14'],
  [111, 'iso-8859-15', 'iso-8859-15'],
  [112, 'iso-8859-16', 'iso-8859-16'],
  [113, 'gbk', 'gbk'],
  [114, 'gb18030', 'gb18030'],
  [1000, 'iso-10646-ucs-2', 'utf16be', 2],
  [1013, 'utf-16be', 'utf16be', 2],
  [1014, 'utf-16le', 'utf16le', 2],
  [1015, 'utf-16', 'utf16be', 2],
  [1017, 'utf-32', 'utf32be', 4],
  [1018, 'utf-32be', 'utf32be', 4],
  [1019, 'utf-32le', 'utf32le', 4],
  [2009, 'ibm850', 'cp850'],
  [2011, 'ibm437', 'cp437'],
  [2025, 'gb2312', 'gb2312'],
  [2026, 'big5', 'big5'],
  [2027, 'macintosh', 'macintosh'],
  [2084, 'koi8-r', 'koi8-r'],
  [2086, 'ibm866', 'cp866'],
  [2088, 'koi8-u', 'koi8-u'],
  [2101, 'big5-hkscs', 'big5hkscs'],
  [2250, 'windows-1250', 'windows-1250'],
  [2251, 'windows-1251', 'windows-1251'],
  [2252, 'windows-1252', 'windows-1252'],
  [2253, 'windows-1253', 'windows-1253'],
  [2254, 'windows-1254', 'windows-1254'],
  [2255, 'windows-1255', 'windows-1255'],
  [2256, 'windows-1256', 'windows-1256'],
  [2257, 'windows-1257', 'windows-1257'],
  [2258, 'windows-1258', 'windows-1258'],
  [2259, 'tis-620', 'tis620'],
];

const byMib = new Map<number, Charset>();
/** MIBenums below 256 (every Short-integer charset, UTF-8 among them) also by index: no Map probe per decode. */
const DENSE_MIBS = 256;
const byMibDense: (Charset | undefined)[] = new Array<Charset | undefined>(DENSE_MIBS).fill(undefined);
const byName = new Map<string, Charset>();
for (const [mib, name, iconv, unit = 1] of TABLE) {
  const cs: Charset = Object.freeze({ mib, name, iconv, unit });
  byMib.set(mib, cs);
  if (mib < DENSE_MIBS) byMibDense[mib] = cs;
  byName.set(name, cs);
}
// Common aliases a push initiator may write in a charset parameter or XML declaration.
for (const [alias, name] of [
  ['utf8', 'utf-8'],
  ['ascii', 'us-ascii'],
  ['latin1', 'iso-8859-1'],
  ['iso_8859-1', 'iso-8859-1'],
  ['ucs-2', 'iso-10646-ucs-2'],
  ['sjis', 'shift_jis'],
  ['cp1252', 'windows-1252'],
] as const) {
  byName.set(alias, byName.get(name)!);
}

export const UTF8_MIB = 106;
/** WSP Any-charset (WAP-230 8.4.2.8): the Short-integer 0 on the wire, shown as "*". */
export const ANY_CHARSET = 0;

export function charsetByMib(mib: number): Charset | undefined {
  return mib >= 0 && mib < DENSE_MIBS ? byMibDense[mib] : byMib.get(mib);
}

export function charsetByName(name: string): Charset | undefined {
  // The exact name first: WSP decoding already writes well-known charsets in lower case.
  return byName.get(name) ?? byName.get(name.toLowerCase());
}
