/**
 * The origin of a WBXML document's tree: the tokenizer run again over the same input, counting
 * start tags in document order (the order the tree was built in) until it reaches the element,
 * then the element's attributes and the value tokens of the one asked for.
 *
 * One object is both the tokenizer's options for the decode and the origin of its tree, so a
 * decode allocates nothing more for it than the options it always needed.
 */
import type { Charset } from '../charset/mibenum.js';
import { encodeText } from '../charset/text.js';
import type { Limits } from '../limits.js';
import { GlobalToken } from './tokens.js';
import { WbxmlEvent, WbxmlTokenizer, type TokenizeOptions } from './tokenizer.js';
import { elementIndex, type Origin } from './origin.js';
import type { WbxmlElement } from './tree.js';
import type { Vocabulary } from './vocabulary.js';

export class WbxmlOrigin implements Origin, TokenizeOptions {
  /** The tree decoded from `input` with these options; set once it is built. */
  root: WbxmlElement | undefined;
  constructor(
    readonly input: Uint8Array,
    readonly vocabulary: Vocabulary | undefined,
    readonly defaultCharset: Charset | undefined,
    readonly limits: Partial<Limits> | undefined,
    readonly strict?: boolean,
  ) {}

  at(el: WbxmlElement, attribute?: number, char = 0): number {
    const input = this.input;
    const target = this.root ? elementIndex(this.root, el) : -1;
    if (target < 0) return 0;
    const t = new WbxmlTokenizer();
    let tagAt = 0;
    try {
      t.start(input, this);
      let index = -1;
      let attr = -1;
      /** Characters of the asked attribute's value before the current part. */
      let before = 0;
      for (;;) {
        const ev = t.next();
        if (ev === WbxmlEvent.End) return tagAt;
        if (ev === WbxmlEvent.StartTag) {
          if (++index > target) return tagAt;
          if (index === target) {
            tagAt = t.tokenAt;
            if (attribute === undefined) return tagAt;
          }
          continue;
        }
        if (index !== target) continue;
        if (ev === WbxmlEvent.Attribute) {
          if (++attr > attribute!) return tagAt;
          // The start token stands for its value prefix: a character of the prefix is the token.
          before = t.text.length;
          if (attr === attribute && char < before) return t.tokenAt;
        } else if (attr === attribute && ev === WbxmlEvent.AttributeValue) {
          if (char < before + t.text.length) return partOffset(t, input, char - before);
          before += t.text.length;
        } else if (attr === attribute && ev === WbxmlEvent.AttributeOpaque) {
          // A lone OPAQUE is read octet by octet (dates); `char` counts its octets.
          if (char < before + t.opaque.length) return t.opaque.byteOffset - input.byteOffset + char - before;
          before += t.opaque.length;
        } else if (ev === WbxmlEvent.AttributesEnd) {
          // The value ended before `char`: the END of the attribute list is where it stopped short.
          return attr === attribute ? t.tokenAt : tagAt;
        }
      }
    } catch {
      // The tree was built from this input, so the pass does not fail; if it did, the element is all there is.
      return tagAt;
    } finally {
      t.release();
    }
  }
}

/** The offset of character `k` of the string token at t.tokenAt (STR_I, STR_T; other tokens: the token). */
function partOffset(t: WbxmlTokenizer, input: Uint8Array, k: number): number {
  const at = t.tokenAt;
  const token = input[at];
  let start: number;
  if (token === GlobalToken.STR_I) start = at + 1;
  else if (token === GlobalToken.STR_T) start = t.header.stringTable[0] + uintvarAt(input, at + 1);
  else return at;
  return start + octetsOf(t.text.slice(0, k), t);
}

function octetsOf(prefix: string, t: WbxmlTokenizer): number {
  try {
    return encodeText(prefix, t.header.charset).length;
  } catch {
    return prefix.length;
  }
}

/** An mb_u_int32 the tokenizer has already read once without error. */
function uintvarAt(b: Uint8Array, at: number): number {
  let v = 0;
  for (let i = at; i < b.length && i < at + 5; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if ((b[i] & 0x80) === 0) break;
  }
  return v;
}
