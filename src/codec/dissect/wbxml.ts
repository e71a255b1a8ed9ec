/**
 * The WBXML part of the tree: the document header field by field, the string table entry by
 * entry, then each token as the codec's own tokenizer reads it (WBXML 1.3 5.4-5.8), elements and
 * attributes as nodes holding their tokens, OPAQUE dates read as the SI/EMN decoders read them.
 */
import { charsetByName, type Charset } from '../charset/mibenum.js';
import { decodeText } from '../charset/text.js';
import { DecodeError } from '../errors.js';
import { toHex } from '../hex.js';
import type { Limits } from '../limits.js';
import { ByteReader } from '../reader.js';
import { dateFromOpaque } from '../wbxml/opaqueDate.js';
import { PUBLIC_ID_IN_STRING_TABLE } from '../wbxml/publicIds.js';
import { stringEnd } from '../wbxml/strings.js';
import { GlobalToken } from '../wbxml/tokens.js';
import { WbxmlEvent, WbxmlTokenizer } from '../wbxml/tokenizer.js';
import type { Vocabulary } from '../wbxml/vocabulary.js';
import type { TreeBuilder } from './node.js';

/** Attributes whose OPAQUE value is a date (WAP-167 8.2.2, OMA-Push-EMN 5). */
const DATE_ATTRIBUTES: ReadonlySet<string> = new Set(['created', 'si-expires', 'timestamp']);

/** Names of the global tokens (WBXML 1.3 7.1), for the leaves that stand for one. */
const GLOBAL_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(GlobalToken).map(([k, v]) => [v, k]));

export interface WbxmlDissectOptions {
  vocabulary?: Vocabulary;
  defaultCharset?: Charset;
  limits: Limits;
}

/**
 * Adds the document in input[start, end) to `b`. Errors come out with offsets in the input, as
 * the body decoder's do with its base offset.
 */
export function dissectWbxml(
  b: TreeBuilder,
  input: Uint8Array,
  start: number,
  end: number,
  o: WbxmlDissectOptions,
): void {
  const doc = input.subarray(start, end);
  try {
    walk(b, doc, start, o);
  } catch (e) {
    if (e instanceof DecodeError && start) throw new DecodeError(e.code, e.offset + start, e.message);
    throw e;
  }
}

function walk(b: TreeBuilder, doc: Uint8Array, base: number, o: WbxmlDissectOptions): void {
  b.open('WBXML document', base);
  header(b, doc, base);
  const t = new WbxmlTokenizer();
  const h = t.start(doc, { vocabulary: o.vocabulary, defaultCharset: o.defaultCharset, limits: o.limits });
  b.top.children[0].value = `WBXML ${h.version}, ${h.publicIdText ?? `public id ${h.publicId}`}, ${h.charset.name}`;
  const r = t.r;
  /** The attribute being read: its node's value is built from its tokens. */
  let attribute = '';
  let attributeValue = '';
  let inAttribute = false;
  const endAttribute = (at: number) => {
    if (inAttribute) b.close(at, attributeValue);
    inAttribute = false;
  };
  const texts: string[] = [];
  b.open('body', base + r.pos);
  for (;;) {
    const before = r.pos;
    const ev = t.next();
    const at = t.tokenAt;
    // SWITCH_PAGE tokens are read on the way to the next event: their own leaf.
    if (at > before && ev !== WbxmlEvent.End) {
      if (ev === WbxmlEvent.Attribute || ev === WbxmlEvent.AttributesEnd) endAttribute(base + before);
      b.leaf('SWITCH_PAGE', base + before, base + at, doc[before + 1]);
    }
    const leaf = (name: string, value?: string | number) => b.leaf(name, base + at, base + r.pos, value);
    switch (ev) {
      case WbxmlEvent.StartTag:
        b.open(`<${t.tagName}>`, base + at);
        texts.push('');
        leaf(
          'tag',
          `0x${hex(doc[at])} ${t.tagName}${t.hasAttributes ? ', attributes' : ''}${t.hasContent ? ', content' : ''}`,
        );
        break;
      case WbxmlEvent.Attribute:
        endAttribute(base + at);
        attribute = t.attributeName;
        attributeValue = t.text;
        b.open(attribute, base + at);
        inAttribute = true;
        leaf(
          doc[at] === GlobalToken.LITERAL ? 'LITERAL attribute start' : 'attribute start',
          `${attribute}="${t.text}"`,
        );
        break;
      case WbxmlEvent.AttributeValue:
        attributeValue += t.text;
        leaf(tokenName(doc[at], 'attribute value'), t.text);
        break;
      case WbxmlEvent.AttributeOpaque: {
        const v = DATE_ATTRIBUTES.has(attribute)
          ? dateFromOpaque(t.opaque, at + (r.pos - at - t.opaque.length))
          : toHex(t.opaque);
        attributeValue += v;
        leaf(DATE_ATTRIBUTES.has(attribute) ? 'OPAQUE date' : 'OPAQUE', v);
        break;
      }
      case WbxmlEvent.AttributesEnd:
        endAttribute(base + at);
        leaf('END (attributes)');
        break;
      case WbxmlEvent.Text:
        texts[texts.length - 1] += t.text;
        leaf(tokenName(doc[at], 'text'), t.text);
        break;
      case WbxmlEvent.Opaque:
        leaf('OPAQUE', toHex(t.opaque));
        break;
      case WbxmlEvent.EndTag: {
        // An element without content ends with its tag token: no END of its own.
        if (r.pos > before) leaf('END');
        const text = texts.pop();
        b.close(base + r.pos, text || undefined);
        break;
      }
      case WbxmlEvent.Extension:
        leaf(tokenName(doc[at], 'extension'), t.extValue);
        break;
      case WbxmlEvent.ProcessingInstruction:
        leaf('PI', `${t.attributeName} ${t.text}`);
        break;
      case WbxmlEvent.End:
        b.close(base + r.pos);
        b.leaf('trailing data (ignored)', base + r.pos, base + doc.length, `${t.trailing} octets`);
        b.close(base + doc.length);
        return;
    }
  }
}

/** The header, field by field (WBXML 1.3 5.4); the tokenizer checks it right after. */
function header(b: TreeBuilder, doc: Uint8Array, base: number): void {
  const r = new ByteReader(doc);
  b.open('header', base);
  const field = (name: string, read: () => number): number => {
    const at = r.pos;
    const v = read();
    b.leaf(name, base + at, base + r.pos, v);
    return v;
  };
  const version = field('version', () => r.u8());
  b.top.children[0].value = `${(version >> 4) + 1}.${version & 0x0f}`;
  if (field('publicid', () => r.uintvar()) === PUBLIC_ID_IN_STRING_TABLE) field('publicid index', () => r.uintvar());
  if (version >= 0x01) field('charset (MIBenum)', () => r.uintvar());
  const length = field('strtbl length', () => r.uintvar());
  const tableAt = r.pos;
  r.need(length, 'the string table');
  b.open('string table', base + tableAt, `${length} octets`);
  // Entries split at their NUL (the unit of a wide charset is not known here: single octets).
  for (let p = tableAt; p < tableAt + length;) {
    let stop = stringEnd(doc, p, tableAt + length, 1);
    stop = stop < 0 ? tableAt + length : stop + 1;
    b.leaf(`string at ${p - tableAt}`, base + p, base + stop, latin(doc, p, stop));
    p = stop;
  }
  b.close(base + tableAt + length);
  b.close(base + tableAt + length);
}

function tokenName(token: number, what: string): string {
  const g = GLOBAL_NAMES.get(token);
  return g ? `${g} ${what}` : `${what} token 0x${hex(token)}`;
}

function latin(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** A body that is not WBXML: an XML document as its text (charset from its content type), else its octets. */
export function dissectOther(
  b: TreeBuilder,
  input: Uint8Array,
  start: number,
  end: number,
  type: string,
  charset: Charset | undefined,
): void {
  if (end <= start) return;
  if (type.startsWith('text/')) {
    const cs = charset ?? charsetByName('utf-8')!;
    b.leaf('XML document', start, end, decodeText(input, start, end, cs));
  } else b.leaf('data', start, end, `${end - start} octets`);
}
