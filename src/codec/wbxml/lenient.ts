/**
 * The one policy for documents that lack what their DTD requires (docs/decoding.md): decode what
 * is there and say what is missing (MISSING_REQUIRED), as long as the decoded object can still
 * hold everything its type promises. Where the missing part is a field the object cannot be
 * without (SL href, EMN mailbox, a CO entry's uri, a characteristic's type, a parm's name), the
 * document is refused with BAD_DOCUMENT.
 */
import { warn, WarningCode } from '../warnings.js';

export function missing(offset: number, message: string): void {
  warn(WarningCode.MISSING_REQUIRED, offset, message);
}
