/**
 * A generic element tree over the tokenizer: what SI, SL, CO (and any other vocabulary)
 * are read from and written to. Attribute values are text; an attribute whose value is a
 * single OPAQUE keeps the octets in `opaque` (SI dates travel that way).
 */
import type { Charset } from '../charset/mibenum.js';
import { decodeText } from '../charset/text.js';
import { DecodeError } from '../errors.js';
import type { WbxmlHeader } from './header.js';
import { WbxmlEvent, WbxmlTokenizer, type TokenizeOptions } from './tokenizer.js';

export interface WbxmlAttribute {
  name: string;
  value: string;
  /** Set when the value was exactly one OPAQUE (value is then ''; the octets are here). */
  opaque?: Uint8Array;
}

export type WbxmlNode =
  | WbxmlElement
  | string
  | { opaque: Uint8Array }
  | { extension: number; form: 'i' | 't' | '0'; value: string | number }
  | { pi: string; value: string };

export interface WbxmlElement {
  name: string;
  attributes: WbxmlAttribute[];
  children: WbxmlNode[];
}

export interface WbxmlDocument {
  header: WbxmlHeader;
  root: WbxmlElement;
  /** Octets after the root element that were ignored. */
  trailing: number;
}

// The switch's labels as module constants, read once from the frozen object (tokenizer.ts says why).
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

const tokenizer = new WbxmlTokenizer();

export function decodeWbxml(input: Uint8Array, options?: TokenizeOptions): WbxmlDocument {
  try {
    return buildTree(tokenizer, input, options);
  } finally {
    // The tokenizer lives as long as the process: it must not keep this input alive.
    tokenizer.release();
  }
}

function buildTree(t: WbxmlTokenizer, input: Uint8Array, options: TokenizeOptions | undefined): WbxmlDocument {
  const header = t.start(input, options);
  const vocab = options?.vocabulary;
  // A known public id that names another document type is not this document (1 = unknown).
  if (vocab && header.publicId !== undefined && header.publicId > 1 && header.publicId !== vocab.publicId) {
    throw new DecodeError(
      'BAD_DOCUMENT',
      1,
      `public id 0x${header.publicId.toString(16)} is not ${vocab.publicIdText}`,
    );
  }
  const stack: WbxmlElement[] = [];
  let root: WbxmlElement | undefined;
  let attr: WbxmlAttribute | undefined;
  let attrParts = 0;
  for (;;) {
    const ev = t.next();
    switch (ev) {
      case StartTag: {
        const el: WbxmlElement = { name: t.tagName, attributes: [], children: [] };
        if (stack.length) stack[stack.length - 1].children.push(el);
        else root = el;
        stack.push(el);
        break;
      }
      case Attribute:
        attr = { name: t.attributeName, value: t.text };
        attrParts = t.text ? 1 : 0;
        stack[stack.length - 1].attributes.push(attr);
        break;
      case AttributeValue:
        if (attr) {
          attr.value += t.text;
          attrParts++;
          // Only after a lone OPAQUE: a delete on every value part cost a runtime call each.
          if (attr.opaque !== undefined) delete attr.opaque;
        }
        break;
      case AttributeOpaque:
        if (attr) {
          if (attrParts === 0) {
            attr.opaque = t.opaque;
          } else {
            if (attr.opaque !== undefined) delete attr.opaque;
            attr.value += opaqueText(t.opaque, header.charset);
          }
          attrParts++;
        }
        break;
      case AttributesEnd:
        attr = undefined;
        break;
      case Text: {
        const children = stack[stack.length - 1].children;
        const last = children.length - 1;
        if (last >= 0 && typeof children[last] === 'string') children[last] += t.text;
        else children.push(t.text);
        break;
      }
      case Opaque:
        stack[stack.length - 1].children.push({ opaque: t.opaque });
        break;
      case Extension:
        if (stack.length)
          stack[stack.length - 1].children.push({ extension: t.extIndex, form: t.extForm, value: t.extValue });
        break;
      case ProcessingInstruction:
        if (stack.length) stack[stack.length - 1].children.push({ pi: t.attributeName, value: t.text });
        break;
      case EndTag:
        stack.pop();
        break;
      case End:
        return { header, root: root!, trailing: t.trailing };
    }
  }
}

/** Text content of an element: its string children joined. */
export function textOf(el: WbxmlElement): string {
  let s = '';
  for (const c of el.children) if (typeof c === 'string') s += c;
  return s;
}

export function attributeOf(el: WbxmlElement, name: string): WbxmlAttribute | undefined {
  for (const a of el.attributes) if (a.name === name) return a;
  return undefined;
}

function opaqueText(b: Uint8Array, cs: Charset): string {
  return decodeText(b, 0, b.length, cs);
}
