/**
 * A pull tokenizer for WBXML 1.0-1.3 (WAP-192-WBXML). One instance is reused across
 * documents; `next()` returns an event code and leaves the event's data in fields, so
 * walking a document allocates nothing but the strings it decodes.
 */
import type { Charset } from '../charset/mibenum.js';
import { DecodeError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { ByteReader, EMPTY_OCTETS } from '../reader.js';
import { readWbxmlHeader, type WbxmlHeader } from './header.js';
import { decodeText } from '../charset/text.js';
import { inlineStringEnd, readTableString } from './strings.js';
import { GlobalToken, TAG_HAS_ATTRIBUTES, TAG_HAS_CONTENT, TAG_ID_MASK, isExtension, isGlobal } from './tokens.js';
import type { Vocabulary } from './vocabulary.js';
import { warn, WarningCode } from '../warnings.js';

export const WbxmlEvent = Object.freeze({
  /** tagName, hasAttributes, hasContent */
  StartTag: 1,
  /** attributeName, and the value prefix its start token stands for in `text` */
  Attribute: 2,
  /** a piece of the current attribute's value in `text` */
  AttributeValue: 3,
  /** an OPAQUE piece of the current attribute's value in `opaque` */
  AttributeOpaque: 4,
  AttributesEnd: 5,
  /** character data in `text` (STR_I, STR_T or ENTITY) */
  Text: 6,
  /** OPAQUE content in `opaque` */
  Opaque: 7,
  EndTag: 8,
  /** extension token: extIndex 0-2, extForm 'i' | 't' | '0', extValue */
  Extension: 9,
  /** processing instruction: target in attributeName, value in text */
  ProcessingInstruction: 10,
  /** end of the document (after the root element) */
  End: 11,
} as const);
export type WbxmlEvent = (typeof WbxmlEvent)[keyof typeof WbxmlEvent];

// The codes the hot loop compares and returns, read once from the frozen objects into module
// constants. With `GlobalToken.END` and the like in its switches and returns, the SL push decode
// (tokenizer and tree) took a median 7% more CPU than with the const enums those objects
// replaced (72 pairs of alternating processes, bench/ab.ts); with these constants 2% (48 pairs),
// within the noise of that machine. The SI push mostly takes siBytes.ts instead of this path.
const { END, ENTITY, LITERAL, OPAQUE, PI, STR_I, STR_T, SWITCH_PAGE } = GlobalToken;
const {
  StartTag,
  Attribute,
  AttributeValue,
  AttributeOpaque,
  AttributesEnd,
  Text,
  Opaque,
  EndTag,
  Extension,
  ProcessingInstruction,
  End,
} = WbxmlEvent;

export interface TokenizeOptions {
  /** Names tags and attributes; without one they get synthetic names (tag-P-0xTT). */
  vocabulary?: Vocabulary;
  /** With a vocabulary: a token it does not define is an UNKNOWN_TOKEN error. Default true. */
  strict?: boolean;
  /** Charset when the document says 0 (unknown), e.g. from the content type. Default UTF-8. */
  defaultCharset?: Charset;
  limits?: Partial<Limits>;
}

export class WbxmlTokenizer {
  readonly r = new ByteReader(EMPTY_OCTETS);
  header!: WbxmlHeader;
  /** Offset of the token that produced the current event. */
  tokenAt = 0;
  tagName = '';
  hasAttributes = false;
  hasContent = false;
  attributeName = '';
  text = '';
  opaque: Uint8Array = EMPTY_OCTETS;
  extIndex = 0;
  extForm: 'i' | 't' | '0' = '0';
  extValue: string | number = '';
  /** Octets after the root element, ignored (some senders pad with NUL). */
  trailing = 0;

  private vocab: Vocabulary | undefined;
  private strict = true;
  private limits: Readonly<Limits> = resolveLimits();
  private tagPage = 0;
  private attrPage = 0;
  private depth = 0;
  private nodes = 0;
  private attrCount = 0;
  private inAttributes = false;
  private pendingEnd = false;
  private rootSeen = false;
  private done = false;

  start(input: Uint8Array, options: TokenizeOptions = {}): WbxmlHeader {
    this.limits = resolveLimits(options.limits);
    if (input.length > this.limits.maxDocumentSize) {
      throw new DecodeError(
        'LIMIT',
        0,
        `document of ${input.length} octets exceeds maxDocumentSize (${this.limits.maxDocumentSize})`,
      );
    }
    this.r.reset(input);
    this.vocab = options.vocabulary;
    this.strict = options.strict ?? true;
    this.tagPage = this.attrPage = 0;
    this.depth = this.nodes = this.attrCount = this.trailing = 0;
    this.inAttributes = this.pendingEnd = this.rootSeen = this.done = false;
    this.header = readWbxmlHeader(this.r, this.limits, options.defaultCharset);
    return this.header;
  }

  /**
   * Lets go of the input and of the last OPAQUE (a view of it): a tokenizer kept between decodes
   * would otherwise keep the last document, and whatever larger buffer it is a view of, alive
   * until the next one. The event's strings are copies, not views. Until the next `start`,
   * `next` gives End.
   */
  release(): void {
    this.r.release();
    this.opaque = EMPTY_OCTETS;
    this.done = true;
  }

  next(): WbxmlEvent {
    if (this.pendingEnd) {
      this.pendingEnd = false;
      return this.endElement();
    }
    const r = this.r;
    for (;;) {
      if (this.done) return End;
      if (this.rootSeen && this.depth === 0 && !this.inAttributes) {
        // Only processing instructions may follow the root (WBXML 1.3 5.3); anything else is ignored.
        if (r.pos < r.end && r.buf[r.pos] === PI) {
          this.tokenAt = r.pos++;
          return this.readPi();
        }
        this.trailing = r.end - r.pos;
        this.done = true;
        return End;
      }
      if (r.pos >= r.end) {
        throw new DecodeError(
          'TRUNCATED',
          r.pos,
          this.rootSeen ? 'document ends inside an element' : 'document has no root element',
        );
      }
      this.tokenAt = r.pos;
      const b = r.buf[r.pos++];
      const ev = this.inAttributes ? this.attributeToken(b) : this.contentToken(b);
      if (ev !== 0) return ev;
    }
  }

  private endElement(): WbxmlEvent {
    this.depth--;
    return EndTag;
  }

  private contentToken(b: number): WbxmlEvent | 0 {
    const r = this.r;
    switch (b) {
      case SWITCH_PAGE:
        this.tagPage = r.u8();
        return 0;
      case END:
        if (this.depth === 0) throw new DecodeError('BAD_STRUCTURE', this.tokenAt, 'END with no open element');
        return this.endElement();
      case STR_I:
      case STR_T:
      case ENTITY:
        this.requireOpen();
        this.countNode();
        this.text = this.readString(b);
        return Text;
      case OPAQUE:
        this.requireOpen();
        this.countNode();
        this.opaque = this.readOpaque();
        return Opaque;
      case PI:
        return this.readPi();
      default:
        if (isExtension(b)) {
          this.requireOpen();
          this.readExtension(b);
          return Extension;
        }
        return this.startTag(b);
    }
  }

  private startTag(b: number): WbxmlEvent {
    if (this.rootSeen && this.depth === 0) throw new DecodeError('BAD_STRUCTURE', this.tokenAt, 'second root element');
    const id = b & TAG_ID_MASK;
    if (id === LITERAL) {
      this.tagName = this.tableString(this.mbUint32('LITERAL tag'));
    } else if (id <= 0x04) {
      throw new DecodeError('UNKNOWN_TOKEN', this.tokenAt, `token 0x${hex(b)} is not valid in content`);
    } else {
      const name = this.vocab?.tagName(this.tagPage, id);
      if (name !== undefined) this.tagName = name;
      else if (this.vocab && this.strict) {
        throw new DecodeError(
          'UNKNOWN_TOKEN',
          this.tokenAt,
          `unknown tag token 0x${hex(id)} on code page ${this.tagPage}`,
        );
      } else this.tagName = `tag-${this.tagPage}-0x${hex(id)}`;
    }
    this.countNode();
    this.rootSeen = true;
    this.hasAttributes = (b & TAG_HAS_ATTRIBUTES) !== 0;
    this.hasContent = (b & TAG_HAS_CONTENT) !== 0;
    if (++this.depth > this.limits.maxDepth) {
      throw new DecodeError('LIMIT', this.tokenAt, `elements nested deeper than maxDepth (${this.limits.maxDepth})`);
    }
    if (this.hasAttributes) {
      this.inAttributes = true;
      this.attrCount = 0;
    } else if (!this.hasContent) this.pendingEnd = true;
    return StartTag;
  }

  private attributeToken(b: number): WbxmlEvent | 0 {
    const r = this.r;
    switch (b) {
      case SWITCH_PAGE:
        this.attrPage = r.u8();
        return 0;
      case END:
        this.inAttributes = false;
        if (!this.hasContent) this.pendingEnd = true;
        return AttributesEnd;
      case LITERAL:
        this.countAttribute();
        this.attributeName = this.tableString(this.mbUint32('LITERAL attribute'));
        this.text = '';
        return Attribute;
      case STR_I:
      case STR_T:
      case ENTITY:
        this.text = this.readString(b);
        return AttributeValue;
      case OPAQUE:
        this.opaque = this.readOpaque();
        return AttributeOpaque;
    }
    if (isExtension(b)) {
      this.readExtension(b);
      return Extension;
    }
    if (isGlobal(b))
      throw new DecodeError('UNKNOWN_TOKEN', this.tokenAt, `token 0x${hex(b)} is not valid in an attribute list`);
    if (b < 0x80) {
      this.countAttribute();
      const start = this.vocab?.attributeStart(this.attrPage, b);
      if (start) {
        this.attributeName = start[0];
        this.text = start[1];
      } else if (this.vocab && this.strict) {
        throw new DecodeError(
          'UNKNOWN_TOKEN',
          this.tokenAt,
          `unknown attribute start token 0x${hex(b)} on code page ${this.attrPage}`,
        );
      } else {
        this.attributeName = `attr-${this.attrPage}-0x${hex(b)}`;
        this.text = '';
      }
      return Attribute;
    }
    const value = this.vocab?.attributeValue(this.attrPage, b);
    if (value !== undefined) this.text = value;
    else if (this.vocab && this.strict) {
      throw new DecodeError(
        'UNKNOWN_TOKEN',
        this.tokenAt,
        `unknown attribute value token 0x${hex(b)} on code page ${this.attrPage}`,
      );
    } else this.text = `[0x${hex(b)}]`;
    return AttributeValue;
  }

  private readPi(): WbxmlEvent {
    // PI: attribute start (the target), attribute values, END.
    const saved = this.inAttributes;
    this.inAttributes = true;
    let target = '';
    let value = '';
    for (;;) {
      const r = this.r;
      this.tokenAt = r.pos;
      const ev = this.attributeToken(r.u8());
      if (ev === AttributesEnd) break;
      if (ev === Attribute) {
        target = this.attributeName;
        value = this.text;
      } else if (ev === AttributeValue) value += this.text;
    }
    this.inAttributes = saved;
    this.pendingEnd = false;
    this.attributeName = target;
    this.text = value;
    return ProcessingInstruction;
  }

  private readString(b: number): string {
    const r = this.r;
    if (b === STR_I) {
      const cs = this.header.charset;
      const stop = inlineStringEnd(r.buf, r.pos, r.end, cs, this.limits);
      const s = decodeText(r.buf, r.pos, stop, cs);
      r.pos = stop + cs.unit;
      return s;
    }
    if (b === STR_T) return this.tableString(this.mbUint32('STR_T index'));
    const at = r.pos;
    const cp = this.mbUint32('ENTITY');
    if (cp > 0x10ffff)
      throw new DecodeError('BAD_VALUE', at, `ENTITY code point 0x${cp.toString(16)} is not a character`);
    return String.fromCodePoint(cp);
  }

  private readOpaque(): Uint8Array {
    const r = this.r;
    const at = r.pos;
    const len = this.mbUint32('OPAQUE length');
    if (len > r.remaining) throw new DecodeError('BAD_LENGTH', at, `OPAQUE length ${len} runs past the end`);
    return r.view(len);
  }

  private readExtension(b: number): void {
    this.extIndex = b & 0x03;
    if ((b & 0xc0) === 0x40) {
      this.extForm = 'i';
      this.extValue = this.readString(STR_I);
    } else if ((b & 0xc0) === 0x80) {
      this.extForm = 't';
      this.extValue = this.mbUint32('EXT_T value');
    } else {
      this.extForm = '0';
      this.extValue = '';
    }
  }

  /** An mb_u_int32 (WBXML 1.3 5.1); one starting with 0x80 is not the shortest, and is said, as in the header. */
  private mbUint32(what: string): number {
    const r = this.r;
    if (r.buf[r.pos] === LEADING_ZERO_SEPTET && r.pos < r.end) sayLeadingZeroSeptet(r.pos, what);
    return r.uintvar();
  }

  private tableString(index: number): string {
    return readTableString(this.r.buf, this.header.stringTable, index, this.header.charset, this.limits, this.tokenAt);
  }

  private requireOpen(): void {
    if (this.depth === 0) throw new DecodeError('BAD_STRUCTURE', this.tokenAt, 'content outside the root element');
  }

  private countNode(): void {
    if (++this.nodes > this.limits.maxNodes) {
      throw new DecodeError('LIMIT', this.tokenAt, `more than maxNodes (${this.limits.maxNodes}) nodes`);
    }
  }

  private countAttribute(): void {
    if (++this.attrCount > this.limits.maxAttributes) {
      throw new DecodeError(
        'LIMIT',
        this.tokenAt,
        `more than maxAttributes (${this.limits.maxAttributes}) attributes on one element`,
      );
    }
  }
}

const LEADING_ZERO_SEPTET = 0x80;

// Out of line, so the reader above stays small.
function sayLeadingZeroSeptet(at: number, what: string): void {
  warn(WarningCode.NON_MINIMAL, at, `${what}: mb_u_int32 starts with 0x80 (a leading zero septet)`);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
