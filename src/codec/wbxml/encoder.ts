/**
 * Element tree -> WBXML with a vocabulary: tag tokens with their attribute/content bits,
 * the attribute-start token with the longest matching value prefix, value tokens wherever
 * their text occurs in the rest of a value, OPAQUE for opaque attributes, and a string
 * table for strings that occur more than once (where it saves octets).
 */
import { charsetByName, UTF8_MIB, type Charset } from '../charset/mibenum.js';
import { encodeText } from '../charset/text.js';
import { EncodeError } from '../errors.js';
import { utf8Length } from '../utf8.js';
import { ByteWriter, uintvarLength } from '../writer.js';
import { GlobalToken, TAG_HAS_ATTRIBUTES, TAG_HAS_CONTENT } from './tokens.js';
import type { WbxmlElement } from './tree.js';
import type { Vocabulary } from './vocabulary.js';

export interface WbxmlEncodeOptions {
  /** Version octet: 0x01 (1.1), 0x02 (1.2, the default, as the WAP push examples use), 0x03 (1.3). */
  version?: 0x01 | 0x02 | 0x03;
  /** Document charset name; default utf-8. */
  charset?: string;
  /** Use a string table for repeated strings. Default true. */
  stringTable?: boolean;
}

interface Segment {
  kind: 'text' | 'token';
  text?: string;
  page?: number;
  token?: number;
}

/**
 * The document and its string table are written into two writers kept for the next encode
 * (single-threaded: no encode runs inside another), and the result is one copy out of them.
 * A new pair of writers per encode cost two off-heap buffers (malloc, zeroing, sweeping) each
 * time. A writer grown past SCRATCH_KEEP_MAX by a large document is let go afterwards.
 */
const SCRATCH_KEEP_MAX = 64 * 1024;
let scratchOut = new ByteWriter(256);
let scratchTable = new ByteWriter(64);

/** A string in the document charset: straight into the writer for UTF-8, else through the charset converter (charset/text.ts). */
function writeText(w: ByteWriter, s: string, cs: Charset): void {
  if (cs.mib === UTF8_MIB) w.utf8(s);
  else w.bytes(encodeText(s, cs));
}

function textLength(s: string, cs: Charset): number {
  return cs.mib === UTF8_MIB ? utf8Length(s) : encodeText(s, cs).length;
}

export function encodeWbxml(root: WbxmlElement, vocab: Vocabulary, options: WbxmlEncodeOptions = {}): Uint8Array {
  try {
    return encodeInto(scratchOut.reset(), scratchTable.reset(), root, vocab, options);
  } finally {
    if (scratchOut.capacity > SCRATCH_KEEP_MAX) scratchOut = new ByteWriter(256);
    if (scratchTable.capacity > SCRATCH_KEEP_MAX) scratchTable = new ByteWriter(64);
  }
}

function encodeInto(
  w: ByteWriter,
  table: ByteWriter,
  root: WbxmlElement,
  vocab: Vocabulary,
  options: WbxmlEncodeOptions,
): Uint8Array {
  const cs: Charset = charsetByName(options.charset ?? 'utf-8') ?? fail(`unknown charset ${options.charset}`);
  const valueTokens = valueTokensOf(vocab);

  // Pass 1: collect strings to decide the string table.
  const counts = new Map<string, number>();
  const literalNames = new Set<string>();
  const plans = new Map<
    WbxmlElement,
    Array<{ page: number; token: number; rest: Segment[]; opaque?: Uint8Array } | { literal: string; rest: Segment[] }>
  >();
  const count = (s: string) => counts.set(s, (counts.get(s) ?? 0) + 1);
  const visit = (el: WbxmlElement, depth: number) => {
    if (depth > 256) throw new EncodeError('LIMIT', 'element tree nested deeper than 256');
    if (!vocab.tagToken(el.name)) literalNames.add(el.name);
    const plan = [];
    for (const a of el.attributes) {
      const starts = vocab.attributeStartsFor(a.name);
      if (a.opaque) {
        const s = starts.find(([, , prefix]) => prefix === '');
        if (!s) throw new EncodeError('BAD_INPUT', `attribute ${a.name} cannot carry opaque data in this vocabulary`);
        plan.push({ page: s[0], token: s[1], rest: [], opaque: a.opaque });
        continue;
      }
      const s = starts.find(([, , prefix]) => a.value.startsWith(prefix));
      if (!s) {
        if (starts.length)
          throw new EncodeError('BAD_INPUT', `value ${JSON.stringify(a.value)} not allowed for attribute ${a.name}`);
        literalNames.add(a.name);
        const rest = splitValue(a.value, valueTokens);
        rest.forEach((seg) => seg.kind === 'text' && count(seg.text!));
        plan.push({ literal: a.name, rest });
        continue;
      }
      const rest = splitValue(a.value.slice(s[2].length), valueTokens);
      rest.forEach((seg) => seg.kind === 'text' && count(seg.text!));
      plan.push({ page: s[0], token: s[1], rest });
    }
    plans.set(el, plan);
    for (const c of el.children) {
      if (typeof c === 'string') {
        if (c.length) count(c);
      } else if ('name' in c) visit(c, depth + 1);
    }
  };
  visit(root, 0);

  const index = new Map<string, number>();
  const addToTable = (s: string) => {
    if (index.has(s)) return;
    index.set(s, table.pos);
    writeText(table, s, cs);
    for (let i = 0; i < cs.unit; i++) table.u8(0);
  };
  for (const name of literalNames) addToTable(name);
  if (options.stringTable !== false) {
    for (const [s, n] of counts) {
      const len = textLength(s, cs);
      // Inline each time: n * (len + 2). Table: len + 1 once, plus n references of 1 + uintvar.
      if (n >= 2 && n * (len + 2) > len + 1 + n * (1 + uintvarLength(table.pos))) addToTable(s);
    }
  }

  w.u8(options.version ?? 0x02)
    .uintvar(vocab.publicId)
    .uintvar(cs.mib);
  const tbl = table.view();
  w.uintvar(tbl.length).bytes(tbl);

  let tagPage = 0;
  let attrPage = 0;
  const writeString = (s: string) => {
    const i = index.get(s);
    if (i !== undefined) w.u8(GlobalToken.STR_T).uintvar(i);
    else {
      if (s.includes('\0')) throw new EncodeError('BAD_INPUT', 'strings cannot contain NUL');
      w.u8(GlobalToken.STR_I);
      writeText(w, s, cs);
      for (let k = 0; k < cs.unit; k++) w.u8(0);
    }
  };
  const writeSegments = (segs: Segment[]) => {
    for (const seg of segs) {
      if (seg.kind === 'text') writeString(seg.text!);
      else {
        if (seg.page !== attrPage) w.u8(GlobalToken.SWITCH_PAGE).u8((attrPage = seg.page!));
        w.u8(seg.token!);
      }
    }
  };
  const emit = (el: WbxmlElement) => {
    const plan = plans.get(el)!;
    const hasContent = el.children.some((c) => typeof c !== 'string' || c.length > 0);
    const bits = (plan.length ? TAG_HAS_ATTRIBUTES : 0) | (hasContent ? TAG_HAS_CONTENT : 0);
    const tok = vocab.tagToken(el.name);
    if (tok) {
      if (tok[0] !== tagPage) w.u8(GlobalToken.SWITCH_PAGE).u8((tagPage = tok[0]));
      w.u8(tok[1] | bits);
    } else w.u8(GlobalToken.LITERAL | bits).uintvar(index.get(el.name)!);
    if (plan.length) {
      for (const p of plan) {
        if ('literal' in p) w.u8(GlobalToken.LITERAL).uintvar(index.get(p.literal)!);
        else {
          if (p.page !== attrPage) w.u8(GlobalToken.SWITCH_PAGE).u8((attrPage = p.page));
          w.u8(p.token);
          if (p.opaque) w.u8(GlobalToken.OPAQUE).uintvar(p.opaque.length).bytes(p.opaque);
        }
        writeSegments(p.rest);
      }
      w.u8(GlobalToken.END);
    }
    if (!hasContent) return;
    for (const c of el.children) {
      if (typeof c === 'string') {
        if (c.length) writeString(c);
      } else if ('name' in c) emit(c);
      else if ('opaque' in c) w.u8(GlobalToken.OPAQUE).uintvar(c.opaque.length).bytes(c.opaque);
      else if ('extension' in c) {
        const base = c.form === 'i' ? GlobalToken.EXT_I_0 : c.form === 't' ? GlobalToken.EXT_T_0 : GlobalToken.EXT_0;
        w.u8(base + c.extension);
        if (c.form === 'i') writeString(String(c.value));
        else if (c.form === 't') w.uintvar(Number(c.value));
      }
    }
    w.u8(GlobalToken.END);
  };
  emit(root);
  return w.finish();
}

type ValueToken = readonly [number, number, string];
const valueTokenLists = new WeakMap<Vocabulary, ReadonlyArray<ValueToken>>();

/** A vocabulary's value tokens, longest first: built once per vocabulary, not once per document. */
function valueTokensOf(vocab: Vocabulary): ReadonlyArray<ValueToken> {
  let list = valueTokenLists.get(vocab);
  if (!list)
    valueTokenLists.set(
      vocab,
      (list = vocab.attributeValues.map(([p, t, v]) => [p, t, v] as const).sort((a, b) => b[2].length - a[2].length)),
    );
  return list;
}
/**
 * Value tokens by the code of their first character, longest first: built once per token list.
 * A dense array for codes below 128 (every value token of the WAP vocabularies starts with
 * ASCII), a Map for any other.
 */
interface TokenIndex {
  ascii: Array<ValueToken[] | undefined>;
  other: Map<number, ValueToken[]>;
}
const byFirstChar = new WeakMap<ReadonlyArray<ValueToken>, TokenIndex>();

function indexTokens(tokens: ReadonlyArray<ValueToken>): TokenIndex {
  let index = byFirstChar.get(tokens);
  if (!index) {
    index = { ascii: new Array<ValueToken[] | undefined>(128).fill(undefined), other: new Map() };
    const lists: ValueToken[][] = [];
    for (const t of tokens) {
      if (!t[2].length) continue;
      const c = t[2].charCodeAt(0);
      let list = c < 128 ? index.ascii[c] : index.other.get(c);
      if (!list) {
        list = [];
        lists.push(list);
        if (c < 128) index.ascii[c] = list;
        else index.other.set(c, list);
      }
      list.push(t);
    }
    for (const list of lists) list.sort((a, b) => b[2].length - a[2].length);
    byFirstChar.set(tokens, index);
  }
  return index;
}

/**
 * Splits a value around value tokens (longest first at each position). Only the tokens that
 * start with the character at hand are tried: PROV has some 70 value tokens. Text between
 * tokens is one slice of the value.
 */
function splitValue(value: string, tokens: ReadonlyArray<ValueToken>): Segment[] {
  const index = indexTokens(tokens);
  const out: Segment[] = [];
  let textStart = 0;
  let i = 0;
  outer: while (i < value.length) {
    const c = value.charCodeAt(i);
    const candidates = c < 128 ? index.ascii[c] : index.other.get(c);
    if (candidates) {
      for (const [page, token, v] of candidates) {
        if (value.startsWith(v, i)) {
          if (i > textStart) out.push({ kind: 'text', text: value.slice(textStart, i) });
          out.push({ kind: 'token', page, token });
          i += v.length;
          textStart = i;
          continue outer;
        }
      }
    }
    i++;
  }
  if (i > textStart) out.push({ kind: 'text', text: value.slice(textStart, i) });
  return out;
}

function fail(msg: string): never {
  throw new EncodeError('BAD_INPUT', msg);
}
