/**
 * What an SMPP data_coding value means for a WDP datagram. Values from SMPP v3.4 5.2.19;
 * 0xF0-0xFF are GSM 03.38 "data coding/message class" (bit 2 set: 8-bit data).
 */
export type Alphabet = 'binary' | 'text' | 'unsupported';

const NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'SMSC default alphabet',
  0x01: 'IA5 (CCITT T.50)/ASCII',
  0x02: 'octet unspecified (8-bit binary)',
  0x03: 'Latin 1 (ISO-8859-1)',
  0x04: 'octet unspecified (8-bit binary)',
  0x05: 'JIS (X 0208-1990)',
  0x06: 'Cyrillic (ISO-8859-5)',
  0x07: 'Latin/Hebrew (ISO-8859-8)',
  0x08: 'UCS2 (ISO/IEC-10646)',
  0x09: 'pictogram encoding',
  0x0a: 'ISO-2022-JP (music codes)',
  0x0d: 'extended Kanji JIS (X 0212-1990)',
  0x0e: 'KS C 5601',
});

/**
 * binary: the octets are the datagram (0x02, 0x04, 0xF4-0xF7).
 * text: one octet per character of a 7-bit or Latin alphabet (0x00, 0x01, 0x03, 0xF0-0xF3);
 *   it can carry a WDP datagram only behind a UDH or a "//SCK" text header.
 * unsupported: UCS2, the Asian and other alphabets, reserved values: no WDP datagram.
 */
export function alphabetOf(dataCoding: number): Alphabet {
  if (dataCoding === 0x02 || dataCoding === 0x04) return 'binary';
  if (dataCoding === 0x00 || dataCoding === 0x01 || dataCoding === 0x03) return 'text';
  if (dataCoding >= 0xf0) return dataCoding & 0x04 ? 'binary' : 'text';
  return 'unsupported';
}

export function dataCodingName(dataCoding: number): string {
  if (dataCoding >= 0xf0)
    return `GSM message class ${dataCoding & 3}, ${dataCoding & 4 ? '8-bit data' : 'default alphabet'}`;
  return NAMES[dataCoding] ?? 'reserved';
}
