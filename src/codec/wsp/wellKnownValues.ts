import { codeTable } from '../table.js';

/** Cache-directive tokens (WAP-230 8.4.2.15), sent as Short-integer (0x80 | code). */
export const cacheDirectives = codeTable([
  [0x00, 'no-cache'],
  [0x01, 'no-store'],
  [0x02, 'max-age'],
  [0x03, 'max-stale'],
  [0x04, 'min-fresh'],
  [0x05, 'only-if-cached'],
  [0x06, 'public'],
  [0x07, 'private'],
  [0x08, 'no-transform'],
  [0x09, 'must-revalidate'],
  [0x0a, 'proxy-revalidate'],
  [0x0b, 's-maxage'],
]);

/** Content-coding tokens (WAP-230 8.4.2.18). */
export const contentEncodings = codeTable([
  [0x00, 'gzip'],
  [0x01, 'compress'],
  [0x02, 'deflate'],
]);

/** Disposition tokens (WAP-230 8.4.2.53; 1.4 adds inline). */
export const dispositions = codeTable([
  [0x00, 'form-data'],
  [0x01, 'attachment'],
  [0x02, 'inline'],
]);

/** Well-known methods (WAP-230 Table 34, the PDU type codes of the method PDUs). */
export const methods = codeTable([
  [0x40, 'GET'],
  [0x41, 'OPTIONS'],
  [0x42, 'HEAD'],
  [0x43, 'DELETE'],
  [0x44, 'TRACE'],
  [0x60, 'POST'],
  [0x61, 'PUT'],
]);

/** Warn-codes (WAP-230 8.4.2.51): the Short-integer carries the HTTP code's last two digits. */
export const warnCodes = codeTable([
  [10, '110'],
  [11, '111'],
  [12, '112'],
  [13, '113'],
  [14, '214'],
  [99, '199'],
]);

/**
 * Profile-warning codes (WAP-230 8.4.2.x, from the CC/PP exchange protocol): the Short-integer
 * carries the code's two digits in its nibbles (0x10 -> 100).
 */
export const profileWarnCodes = codeTable([
  [0x10, '100'],
  [0x11, '101'],
  [0x12, '102'],
  [0x20, '200'],
  [0x21, '201'],
  [0x22, '202'],
  [0x23, '203'],
]);

/** Well-known-TE (WAP-230 8.4.2.x, TE header, WSP 1.4): transfer codings as Short-integers. */
export const transferCodings = codeTable([
  [0x02, 'chunked'],
  [0x03, 'identity'],
  [0x04, 'gzip'],
  [0x05, 'compress'],
  [0x06, 'deflate'],
]);
