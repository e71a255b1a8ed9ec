import { codeTable } from '../table.js';

/**
 * How a well-known header's value is encoded (WAP-230 8.4.2.x). One kind per field; the
 * decoder and the encoder both dispatch on it.
 */
export type HeaderKind =
  | 'text' // Text-string
  | 'uri' // Uri-value (Text-string)
  | 'quoted' // Quoted-string (Content-ID)
  | 'integer' // Integer-value / Delta-seconds-value
  | 'short' // Short-integer (Push-Flag)
  | 'date' // Date-value
  | 'dateOrText' // If-Range
  | 'contentType' // Content-type-value / Accept-value
  | 'charset' // Accept-charset-value
  | 'language' // Content-language-value / Accept-language-value
  | 'encoding' // Content-encoding-value / Accept-encoding-value
  | 'appId' // X-Wap-Application-Id / Accept-Application
  | 'fieldName' // Vary, Trailer: Well-known-header-field | Token-text
  | 'method' // Allow, Public: Well-known-method | Token-text
  | 'token' // one of a few Short-integer tokens, else Token-text (see HEADER_TOKENS)
  | 'cacheControl'
  | 'contentDisposition'
  | 'encodingVersion'
  | 'md5' // Value-length Digest (16 octets), shown base64 as in HTTP
  | 'contentRange'
  | 'retryAfter'
  | 'warning'
  | 'credentials' // Authorization, Proxy-Authorization (authHeaders.ts)
  | 'challenge' // WWW-Authenticate, Proxy-Authenticate (authHeaders.ts)
  | 'range' // Range (rangeHeader.ts)
  | 'profileDiff' // a UAProf document, octets (profileHeaders.ts)
  | 'profileWarning' // (profileHeaders.ts)
  | 'location' // X-Wap-Loc-Invocation, X-Wap-Loc-Delivery: text or octets (profileHeaders.ts)
  | 'setCookie' // (cookieHeaders.ts)
  | 'cookie' // (cookieHeaders.ts)
  | 'expect' // 100-continue or an Expect-expression (directiveHeaders.ts)
  | 'te' // Trailers or a transfer coding with a Q-value (directiveHeaders.ts)
  | 'pragma'; // No-cache or one parameter (directiveHeaders.ts)

/**
 * Header field codes, code page 1 (WAP-230 Table 39, encoding versions 1.1-1.5).
 * Sources: WAP-230-WSP-20010705-a Table 39 and WAP-230 8.4.2; cross-checked against
 * Wireshark packet-wsp.c (FN_* and vals_field_names). Codes that a later encoding version
 * replaced (e.g. Cache-Control 0x08 -> 0x3D -> 0x47) decode to the same name.
 */
export const HEADER_FIELDS: ReadonlyArray<readonly [number, string, HeaderKind]> = [
  [0x00, 'Accept', 'contentType'],
  [0x01, 'Accept-Charset', 'charset'],
  [0x02, 'Accept-Encoding', 'encoding'],
  [0x03, 'Accept-Language', 'language'],
  [0x04, 'Accept-Ranges', 'token'],
  [0x05, 'Age', 'integer'],
  [0x06, 'Allow', 'method'],
  [0x07, 'Authorization', 'credentials'],
  [0x08, 'Cache-Control', 'cacheControl'],
  [0x09, 'Connection', 'token'],
  [0x0a, 'Content-Base', 'uri'],
  [0x0b, 'Content-Encoding', 'encoding'],
  [0x0c, 'Content-Language', 'language'],
  [0x0d, 'Content-Length', 'integer'],
  [0x0e, 'Content-Location', 'uri'],
  [0x0f, 'Content-MD5', 'md5'],
  [0x10, 'Content-Range', 'contentRange'],
  [0x11, 'Content-Type', 'contentType'],
  [0x12, 'Date', 'date'],
  [0x13, 'ETag', 'text'],
  [0x14, 'Expires', 'date'],
  [0x15, 'From', 'text'],
  [0x16, 'Host', 'text'],
  [0x17, 'If-Modified-Since', 'date'],
  [0x18, 'If-Match', 'text'],
  [0x19, 'If-None-Match', 'text'],
  [0x1a, 'If-Range', 'dateOrText'],
  [0x1b, 'If-Unmodified-Since', 'date'],
  [0x1c, 'Location', 'uri'],
  [0x1d, 'Last-Modified', 'date'],
  [0x1e, 'Max-Forwards', 'integer'],
  [0x1f, 'Pragma', 'pragma'],
  [0x20, 'Proxy-Authenticate', 'challenge'],
  [0x21, 'Proxy-Authorization', 'credentials'],
  [0x22, 'Public', 'method'],
  [0x23, 'Range', 'range'],
  [0x24, 'Referer', 'uri'],
  [0x25, 'Retry-After', 'retryAfter'],
  [0x26, 'Server', 'text'],
  [0x27, 'Transfer-Encoding', 'token'],
  [0x28, 'Upgrade', 'text'],
  [0x29, 'User-Agent', 'text'],
  [0x2a, 'Vary', 'fieldName'],
  [0x2b, 'Via', 'text'],
  [0x2c, 'Warning', 'warning'],
  [0x2d, 'WWW-Authenticate', 'challenge'],
  [0x2e, 'Content-Disposition', 'contentDisposition'],
  [0x2f, 'X-Wap-Application-Id', 'appId'],
  [0x30, 'X-Wap-Content-URI', 'uri'],
  [0x31, 'X-Wap-Initiator-URI', 'uri'],
  [0x32, 'Accept-Application', 'appId'],
  [0x33, 'Bearer-Indication', 'integer'],
  [0x34, 'Push-Flag', 'short'],
  [0x35, 'Profile', 'uri'],
  [0x36, 'Profile-Diff', 'profileDiff'],
  [0x37, 'Profile-Warning', 'profileWarning'],
  [0x38, 'Expect', 'expect'],
  [0x39, 'TE', 'te'],
  [0x3a, 'Trailer', 'fieldName'],
  [0x3b, 'Accept-Charset', 'charset'],
  [0x3c, 'Accept-Encoding', 'encoding'],
  [0x3d, 'Cache-Control', 'cacheControl'],
  [0x3e, 'Content-Range', 'contentRange'],
  [0x3f, 'X-Wap-Tod', 'date'],
  [0x40, 'Content-ID', 'quoted'],
  [0x41, 'Set-Cookie', 'setCookie'],
  [0x42, 'Cookie', 'cookie'],
  [0x43, 'Encoding-Version', 'encodingVersion'],
  [0x44, 'Profile-Warning', 'profileWarning'],
  [0x45, 'Content-Disposition', 'contentDisposition'],
  [0x46, 'X-Wap-Security', 'token'],
  [0x47, 'Cache-Control', 'cacheControl'],
  [0x48, 'Expect', 'expect'],
  [0x49, 'X-Wap-Loc-Invocation', 'location'],
  [0x4a, 'X-Wap-Loc-Delivery', 'location'],
];

const kinds: HeaderKind[] = [];
for (const [code, , kind] of HEADER_FIELDS) kinds[code] = kind;

/**
 * Names and codes. For names with several codes the encoder uses the one of the highest
 * encoding version it emits (1.2 unless a field needs later: see preferredCode).
 */
export const headerFields = codeTable(HEADER_FIELDS.map(([c, n]) => [c, n] as const));

/** Codes the encoder writes for names that have more than one: the WSP 1.2 code where one exists. */
const PREFERRED: Record<string, number> = {
  'accept-charset': 0x01,
  'accept-encoding': 0x02,
  'cache-control': 0x08,
  'content-range': 0x10,
  'content-disposition': 0x2e,
  'profile-warning': 0x37,
  expect: 0x38,
};

export function headerCode(name: string): number | undefined {
  const key = name.toLowerCase();
  return PREFERRED[key] ?? headerFields.code(key);
}

export function headerKind(code: number): HeaderKind | undefined {
  return kinds[code];
}

/** The Short-integer tokens of 'token'-kind headers (WAP-230 8.4.2.x), keyed by field code. */
export const HEADER_TOKENS: Readonly<Record<number, ReadonlyArray<readonly [number, string]>>> = {
  0x04: [
    [0, 'none'],
    [1, 'bytes'],
  ], // Accept-Ranges
  0x09: [[0, 'close']], // Connection
  0x27: [[0, 'chunked']], // Transfer-Encoding
  0x46: [[0, 'close-subordinate']], // X-Wap-Security
};
