/**
 * The skim of a Push PDU: what routing reads (PushCAI 5.3: App ID, content type; TID and PDU
 * type; where the body starts), with every header checked by the readers the full decode uses,
 * and no header object made. It answers only for a PDU whose full decode it vouches for: when it
 * answers, decodePushPdu on the same octets and limits succeeds and gives the same values, so the
 * full decode can wait until something asks for the headers. Where it cannot vouch (a header kind
 * it does not check, a limit reached, anything a reader refuses), it answers undefined and the
 * caller decodes in full, which gives the value or the error: errors come from one place only.
 */
import { resolveLimits, type Limits } from '../limits.js';
import { ByteReader, EMPTY_OCTETS } from '../reader.js';
import { closeWarnings, openWarnings } from '../warnings.js';
import { applicationIds, DEFAULT_APPLICATION_ID } from './applicationIds.js';
import { codeName, readContentType } from './contentType.js';
import { headerKind, type HeaderKind } from './headerFields.js';
import { readGeneric } from './parameters.js';
import {
  DEFAULT_PAGE,
  pageShift,
  readIntegerValueChecked,
  readLongInteger,
  readQuotedString,
  readShortInteger,
  readTextString,
  readTokenText,
  valueEnd,
} from './primitives.js';
import { readFixedPart, X_WAP_APPLICATION_ID, type PushPduType } from './pushFixedPart.js';

export interface PushSkim {
  transactionId: number;
  pduType: PushPduType;
  contentType: string;
  /** As the full decode gives it: the URN for a registered code or a URI value, the integer for an unregistered code. */
  applicationId: string | number;
  /** Where the body starts in the input. */
  bodyOffset: number;
}

/**
 * The header kinds the skim checks, each read as the full decode reads it (headers.ts
 * readWellKnown). The kinds push PDUs carry; a header of any other kind sends the PDU to the
 * full decode.
 */
const CHECKED_KINDS: ReadonlySet<HeaderKind> = new Set<HeaderKind>([
  'text',
  'uri',
  'quoted',
  'integer',
  'short',
  'date',
  'appId',
]);

/** CHECKED_KINDS by field code (code page 1), from the one table the decoder and encoder share. */
const CHECKED: readonly boolean[] = Array.from({ length: 128 }, (_, code) => {
  const kind = headerKind(code);
  return kind !== undefined && CHECKED_KINDS.has(kind);
});

/** One reader for every skim, released after each. */
const reader = new ByteReader(EMPTY_OCTETS);

export function skimPushPdu(input: Uint8Array, options?: { limits?: Partial<Limits> }): PushSkim | undefined {
  // Warnings are the full decode's to give; a skim's go nowhere (not into an enclosing decode's).
  const outer = openWarnings();
  let skim: PushSkim | undefined;
  try {
    skim = skim1(reader.reset(input), resolveLimits(options?.limits));
  } catch {
    // Whatever a reader refused, the full decode refuses the same way: it says so, not the skim.
    skim = undefined;
  }
  reader.release();
  closeWarnings(outer);
  return skim;
}

function skim1(r: ByteReader, limits: Limits): PushSkim | undefined {
  const { tid, type, headersEnd } = readFixedPart(r, limits);
  const saveEnd = r.end;
  r.end = headersEnd;
  // A well-known code alone (what pushes carry) read here; every other form as the full decode reads it.
  const c = r.peek();
  const contentType = c & 0x80 ? (r.pos++, codeName(c & 0x7f)) : readContentType(r, limits).type;
  let applicationId: string | number = DEFAULT_APPLICATION_ID;
  let defaulted = true;
  let page = DEFAULT_PAGE;
  let count = 0;
  while (r.pos < headersEnd) {
    const b = r.u8();
    const shift = pageShift(r, b);
    if (shift >= 0) {
      page = shift;
      continue;
    }
    // The full decode's refusals (too many headers, an empty name): its own to give.
    if (count++ >= limits.maxHeaders || b === 0) return undefined;
    if (b & 0x80) {
      const code = b & 0x7f;
      const vEnd = valueEnd(r);
      const kind = page === DEFAULT_PAGE ? headerKind(code) : undefined;
      if (kind === undefined) readGeneric(r, vEnd);
      else if (!CHECKED[code]) return undefined;
      else {
        const v = readChecked(r, kind);
        if (r.pos !== vEnd) return undefined;
        if (code === X_WAP_APPLICATION_ID && defaulted) {
          applicationId = v;
          defaulted = false;
        }
      }
      r.pos = vEnd;
    } else {
      // An application header: Token-text name, then a value read as the full decode reads it.
      r.pos--;
      readTokenText(r);
      const vEnd = valueEnd(r);
      readGeneric(r, vEnd);
      r.pos = vEnd;
    }
  }
  r.end = saveEnd;
  return { transactionId: tid, pduType: type, contentType, applicationId, bodyOffset: headersEnd };
}

/**
 * A value of a CHECKED kind read as headers.ts reads it. Only X-Wap-Application-Id's is kept:
 * it is the value the full decode gives (Accept-Application, the other App ID kind, is read the
 * same way but its "*" is not told apart: its value is not kept).
 */
function readChecked(r: ByteReader, kind: HeaderKind): string | number {
  const b = r.peek();
  switch (kind) {
    case 'appId':
      if (b & 0x80 || b <= 30) {
        const id = readIntegerValueChecked(r);
        return applicationIds.name(id) ?? id;
      }
      return readTextString(r);
    case 'quoted':
      return b === 0x22 ? readQuotedString(r) : readTextString(r);
    case 'integer':
      return readIntegerValueChecked(r);
    case 'short':
      return readShortInteger(r);
    case 'date':
      return readLongInteger(r);
    default:
      return readTextString(r);
  }
}
