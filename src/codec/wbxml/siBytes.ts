/**
 * The SI fast path: a Service Indication read straight from its octets into the object, with
 * no tokenizer events and no element tree, for documents of the shape PPGs send - <si>, one
 * <indication> with attributes and text, optional <info>/<item>s, in UTF-8 or US-ASCII.
 *
 * It never throws. Anything it does not take (another charset, SWITCH_PAGE, LITERAL, an
 * extension, a PI, OPAQUE text, a repeated attribute, a limit reached, a malformed or
 * truncated document) returns undefined and the caller takes the tree path, whose result or
 * DecodeError is the definition: where this path answers, it must answer what the tree does
 * (test/codec/si-fast.test.ts and the si-fast fuzz target check exactly that).
 */
import { UTF8_MIB, type Charset } from '../charset/mibenum.js';
import { decodeLatin1, LATIN1_LOOP_MAX } from '../latin1.js';
import { EMPTY_OCTETS } from '../reader.js';
import { decodeUtf8 } from '../utf8.js';
import type { Limits } from '../limits.js';
import { bcdDate, isIsoDate } from './opaqueDate.js';
import {
  SI_ACTIONS,
  SI_DEFAULT_ACTION,
  siWithoutIndication,
  type ServiceIndication,
  type SiAction,
  type SiItem,
} from './si.js';
import { GlobalToken, TAG_HAS_ATTRIBUTES, TAG_HAS_CONTENT, TAG_ID_MASK } from './tokens.js';
import { SI } from './vocabularies.js';

/** The attributes the SI mapping reads, as indices into a reader's slots. */
// Module constants, as in tokenizer.ts: a field of a frozen object costs a load and a map check
// at each use on this path, where a constant costs nothing.
const HREF = 0;
const SI_ID = 1;
const CREATED = 2;
const EXPIRES = 3;
const ACTION = 4;
const CLASS = 5;
const ATTR_COUNT = 6;
type Attr = number;
const { END, ENTITY, OPAQUE, STR_I, STR_T } = GlobalToken;
const ATTR_BY_NAME: Readonly<Record<string, Attr>> = {
  href: HREF,
  'si-id': SI_ID,
  created: CREATED,
  'si-expires': EXPIRES,
  action: ACTION,
  class: CLASS,
};

// Code page 0 of the SI vocabulary (vocabularies.ts, WAP-167 8.3) flattened into arrays indexed
// by token, so a token costs one array read here instead of a Map lookup.
const START_ATTR = new Int8Array(0x80).fill(-1);
const START_PREFIX: string[] = new Array<string>(0x80).fill('');
const VALUE_TEXT: (string | undefined)[] = new Array<string | undefined>(0x100).fill(undefined);
for (const [page, token, name, prefix] of SI.attributeStarts) {
  if (page !== 0) continue;
  START_ATTR[token] = ATTR_BY_NAME[name];
  START_PREFIX[token] = prefix;
}
for (const [page, token, value] of SI.attributeValues) if (page === 0) VALUE_TEXT[token] = value;
const tagToken = (name: string): number => SI.tagToken(name)![1];
const TAG_SI = tagToken('si');
const TAG_INDICATION = tagToken('indication');
const TAG_INFO = tagToken('info');
const TAG_ITEM = tagToken('item');
const SI_PUBLIC_ID = SI.publicId;

/** US-ASCII's MIBenum: read as UTF-8, as decodeText does; the only charset this path takes besides UTF-8. */
const US_ASCII_MIB = 3;
/** The first octet of an mb_u_int32 that is not the shortest (WBXML 1.3 5.1). */
const LEADING_ZERO_SEPTET = 0x80;

/**
 * One reader, reused: the attribute slots and the cursor live here so a decode allocates
 * only its strings and the result (single-threaded JS: no decode interleaves with another).
 */
class SiReader {
  buf: Uint8Array = EMPTY_OCTETS;
  pos = 0;
  end = 0;
  /** Start of the string table; its end is `tableEnd`. */
  table = 0;
  tableEnd = 0;
  stringEnd = 0;
  /** The document as Latin-1 text, made on the first long ASCII string of a decode. */
  latin1: string | undefined;
  limits!: Limits;
  nodes = 0;
  /** Per attribute: its text, whether it is a lone OPAQUE (then `opaqueAt`/`opaqueLength`). */
  readonly text: string[] = new Array<string>(ATTR_COUNT).fill('');
  /** Per attribute: the `generation` of the decode that saw it (a counter, not a cleared array). */
  readonly seenIn = new Float64Array(ATTR_COUNT);
  generation = 0;
  readonly parts = new Uint8Array(ATTR_COUNT);
  readonly opaqueAt = new Int32Array(ATTR_COUNT);
  readonly opaqueLength = new Int32Array(ATTR_COUNT).fill(-1);

  seen(a: Attr): boolean {
    return this.seenIn[a] === this.generation;
  }

  /**
   * mb_u_int32 at pos (WBXML 1.3 5.1), or -1 for what the tree reports instead: a leading 0x80
   * (NON_MINIMAL), more than 5 octets or 32 bits, the end of the input. Its own reader, not
   * ByteReader.uintvar: one that never throws, on one class of object, stays small enough for
   * V8 to inline at each call here (bench/README.md, the SI fast path).
   */
  uintvar(): number {
    const buf = this.buf;
    if (this.pos < this.end && buf[this.pos] === LEADING_ZERO_SEPTET) return -1;
    let v = 0;
    for (let i = 0; i < 5 && this.pos < this.end; i++) {
      const b = buf[this.pos++];
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return v > 0xffffffff ? -1 : v;
    }
    return -1;
  }

  /** A NUL-terminated UTF-8/US-ASCII string from `start` (inside [start, limit)); `stringEnd` is left at its NUL. */
  stringAt(start: number, limit: number): string | undefined {
    const buf = this.buf;
    let q = start;
    let high = 0;
    while (q < limit && buf[q] !== 0) high |= buf[q++];
    if (q >= limit || q - start > this.limits.maxStringLength) return undefined;
    this.stringEnd = q;
    if (high >= 0x80 || q - start <= LATIN1_LOOP_MAX) return decodeUtf8(buf, start, q);
    // ASCII: a slice of the whole document read as Latin-1 once, instead of one native call per
    // string. A slice of 13 or more characters shares the document's text (V8 sliced strings),
    // so a kept href or text keeps at most one document-sized string alive with it.
    return (this.latin1 ??= decodeLatin1(buf, 0, this.end)).slice(start, q);
  }

  /** The string token just read (STR_I, STR_T or ENTITY), leaving pos after it. */
  string(token: number): string | undefined {
    if (token === STR_I) {
      const s = this.stringAt(this.pos, this.end);
      if (s !== undefined) this.pos = this.stringEnd + 1;
      return s;
    }
    if (token === STR_T) {
      const index = this.uintvar();
      if (index < 0 || this.table + index >= this.tableEnd) return undefined;
      return this.stringAt(this.table + index, this.tableEnd);
    }
    const cp = this.uintvar();
    return cp < 0 || cp > 0x10ffff ? undefined : String.fromCodePoint(cp);
  }

  /**
   * The attribute list of an element (pos after its tag token) into the slots, up to END.
   * `allowed` is a bit set of the Attr indices this element may carry; false: fall back.
   */
  attributes(allowed: number): boolean {
    const buf = this.buf;
    let current = -1;
    let count = 0;
    for (;;) {
      if (this.pos >= this.end) return false;
      const b = buf[this.pos++];
      if (b === END) return true;
      if (b === STR_I || b === STR_T || b === ENTITY) {
        if (current < 0) return false;
        const s = this.string(b);
        if (s === undefined) return false;
        this.append(current, s);
      } else if (b === OPAQUE) {
        // Only a lone OPAQUE is a date; OPAQUE beside text is rare enough for the tree.
        const length = this.uintvar();
        if (current < 0 || length < 0 || length > this.end - this.pos || this.parts[current] !== 0) return false;
        this.opaqueAt[current] = this.pos;
        this.opaqueLength[current] = length;
        this.parts[current]++;
        this.pos += length;
      } else if (b < 0x80) {
        // Global tokens (SWITCH_PAGE, LITERAL, extensions, PI) have no entry: the tree's, as are repeats.
        const a = START_ATTR[b];
        if (a < 0 || ((allowed >> a) & 1) === 0 || this.seen(a) || ++count > this.limits.maxAttributes) return false;
        current = a;
        this.seenIn[a] = this.generation;
        const prefix = START_PREFIX[b];
        this.text[a] = prefix;
        this.parts[a] = prefix ? 1 : 0;
        this.opaqueLength[a] = -1;
      } else {
        const v = VALUE_TEXT[b];
        if (current < 0 || v === undefined) return false;
        this.append(current, v);
      }
    }
  }

  /** A text part of an attribute; as in the tree, text after a lone OPAQUE replaces it. */
  private append(a: number, s: string): void {
    this.text[a] += s;
    this.parts[a]++;
    this.opaqueLength[a] = -1;
  }

  /** Text content up to the element's END (pos after its tag), or undefined. */
  content(): string | undefined {
    const buf = this.buf;
    let text = '';
    for (;;) {
      if (this.pos >= this.end) return undefined;
      const b = buf[this.pos++];
      if (b === END) return text;
      if (b !== STR_I && b !== STR_T && b !== ENTITY) return undefined;
      // The tokenizer counts each string token as a node against maxNodes.
      if (++this.nodes > this.limits.maxNodes) return undefined;
      const s = this.string(b);
      if (s === undefined) return undefined;
      text += s;
    }
  }

  /** A date attribute's value: a lone OPAQUE as BCD, or ISO 8601 text; undefined if neither. */
  date(a: Attr): string | undefined {
    const n = this.opaqueLength[a];
    if (n >= 0) return bcdDate(this.buf, this.opaqueAt[a], n);
    const text = this.text[a];
    return isIsoDate(text) ? text : undefined;
  }

  /** Lets go of the last input and its text: the reader lives as long as the process. */
  release(): void {
    this.buf = EMPTY_OCTETS;
    this.latin1 = undefined;
  }

  /** An element at `depth` within maxNodes and maxDepth, as the tokenizer counts them. */
  element(depth: number): boolean {
    return ++this.nodes <= this.limits.maxNodes && depth <= this.limits.maxDepth;
  }

  read(input: Uint8Array, defaultCharset: Charset | undefined, limits: Limits): ServiceIndication | undefined {
    if (input.length > limits.maxDocumentSize) return undefined;
    this.buf = input;
    this.pos = 0;
    this.end = input.length;
    this.limits = limits;
    this.nodes = 0;
    this.generation++;
    this.latin1 = undefined;
    // Header (WBXML 1.3 5.4): version, public id, charset (from 1.1), string table.
    if (this.end < 2) return undefined;
    const version = input[this.pos++];
    if (version > 0x03) return undefined;
    const publicId = this.uintvar();
    if (publicId < 0 || (publicId > 1 && publicId !== SI_PUBLIC_ID)) return undefined;
    // Public id 0: its text is in the string table at this index; the tree only checks it is there.
    const publicIdIndex = publicId === 0 ? this.uintvar() : 0;
    if (publicIdIndex < 0) return undefined;
    // Charset 0 (unknown) means the default: the content type's, else UTF-8 (as the tree reads it).
    let mib = defaultCharset?.mib ?? UTF8_MIB;
    if (version >= 0x01) {
      const given = this.uintvar();
      if (given < 0) return undefined;
      if (given !== 0) mib = given;
    }
    if (mib !== UTF8_MIB && mib !== US_ASCII_MIB) return undefined;
    const tableLength = this.uintvar();
    if (tableLength < 0 || tableLength > this.end - this.pos) return undefined;
    this.table = this.pos;
    this.tableEnd = this.pos += tableLength;
    if (
      publicId === 0 &&
      (this.table + publicIdIndex >= this.tableEnd ||
        this.stringAt(this.table + publicIdIndex, this.tableEnd) === undefined)
    )
      return undefined;

    // <si> with content, or an empty <si/> (without the <indication> its DTD requires: said below).
    const rootAt = this.pos;
    const root = input[this.pos++];
    if ((root !== (TAG_SI | TAG_HAS_CONTENT) && root !== TAG_SI) || !this.element(1)) return undefined;
    let text: string | undefined;
    let indications = 0;
    let items: SiItem[] | undefined;
    while (root !== TAG_SI) {
      if (this.pos >= this.end) return undefined;
      const b = input[this.pos++];
      if (b === END) break;
      const id = b & TAG_ID_MASK;
      if (!this.element(2)) return undefined;
      if (id === TAG_INDICATION) {
        if (++indications > 1) return undefined;
        const allowed = (1 << HREF) | (1 << SI_ID) | (1 << CREATED) | (1 << EXPIRES) | (1 << ACTION);
        if (b & TAG_HAS_ATTRIBUTES && !this.attributes(allowed)) return undefined;
        text = b & TAG_HAS_CONTENT ? this.content() : '';
        if (text === undefined) return undefined;
      } else if (id === TAG_INFO && (b & TAG_HAS_ATTRIBUTES) === 0) {
        // An <info> without <item>s lacks what its DTD requires: the tree says so.
        if ((b & TAG_HAS_CONTENT) === 0) return undefined;
        items ??= [];
        if (!this.info(items)) return undefined;
      } else return undefined;
    }
    // Only a processing instruction may follow the root, and the tree reads it; anything else is
    // said (TRAILING_DATA) by the tree too: let it.
    if (this.pos < this.end) return undefined;

    // Built in the order the decode JSON shows: type, href, siId, created, expires, action, text.
    const si = { type: 'si' } as ServiceIndication;
    const opaque = this.opaqueLength;
    if (this.seen(HREF)) {
      if (opaque[HREF] >= 0) return undefined;
      si.href = this.text[HREF];
    }
    if (this.seen(SI_ID)) {
      if (opaque[SI_ID] >= 0) return undefined;
      si.siId = this.text[SI_ID];
    }
    if (this.seen(CREATED)) {
      const d = this.date(CREATED);
      if (d === undefined) return undefined;
      si.created = d;
    }
    if (this.seen(EXPIRES)) {
      const d = this.date(EXPIRES);
      if (d === undefined) return undefined;
      si.expires = d;
    }
    let action: SiAction = SI_DEFAULT_ACTION;
    if (this.seen(ACTION)) {
      const a = this.text[ACTION] as SiAction;
      if (opaque[ACTION] >= 0 || !SI_ACTIONS.includes(a)) return undefined;
      action = a;
    }
    si.action = action;
    si.text = text ?? '';
    if (items?.length) si.items = items;
    if (indications === 0) siWithoutIndication(rootAt);
    return si;
  }

  /** The children of <info> (pos after its tag) up to its END: <item class="...">text</item>s. */
  private info(items: SiItem[]): boolean {
    const input = this.buf;
    const before = items.length;
    for (;;) {
      if (this.pos >= this.end) return false;
      const b = input[this.pos++];
      if (b === END) return items.length > before;
      if ((b & TAG_ID_MASK) !== TAG_ITEM || !this.element(3)) return false;
      this.seenIn[CLASS] = 0;
      if (b & TAG_HAS_ATTRIBUTES && !this.attributes(1 << CLASS)) return false;
      // An <item> without class lacks what its DTD requires: the tree says so.
      if (!this.seen(CLASS) || this.opaqueLength[CLASS] >= 0) return false;
      const text = b & TAG_HAS_CONTENT ? this.content() : '';
      if (text === undefined) return false;
      items.push({ class: this.text[CLASS], text });
    }
  }
}

const reader = new SiReader();

export function siFromBytes(
  input: Uint8Array,
  defaultCharset: Charset | undefined,
  limits: Limits,
): ServiceIndication | undefined {
  const si = reader.read(input, defaultCharset, limits);
  reader.release();
  return si;
}
