/**
 * Element tree -> WBXML with a vocabulary: tag tokens with their attribute/content bits,
 * the attribute-start token with the longest matching value prefix, value tokens wherever
 * their text occurs in the rest of a value, OPAQUE for opaque attributes, and a string
 * table for strings that occur more than once (where it saves octets).
 */
import { charsetByName, type Charset } from '../charset/mibenum.js';
import { encodeText } from '../charset/text.js';
import { EncodeError } from '../errors.js';
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

export function encodeWbxml(root: WbxmlElement, vocab: Vocabulary, options: WbxmlEncodeOptions = {}): Uint8Array {
  const cs: Charset = charsetByName(options.charset ?? 'utf-8') ?? fail(`unknown charset ${options.charset}`);
  const valueTokens = valueTokensOf(vocab);

  // Pass 1: collect strings to decide the string table.
  const counts = new Map<string, number>();
  const literalNames = new Set<string>();
  const plans = new Map<WbxmlElement, Array<{ page: number; token: number; rest: Segment[]; opaque?: Uint8Array } | { literal: string; rest: Segment[] }>>();
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
        if (starts.length) throw new EncodeError('BAD_INPUT', `value ${JSON.stringify(a.value)} not allowed for attribute ${a.name}`);
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

  const table = new ByteWriter(64);
  const index = new Map<string, number>();
  const addToTable = (s: string) => {
    if (index.has(s)) return;
    index.set(s, table.pos);
    table.bytes(encodeText(s, cs));
    for (let i = 0; i < cs.unit; i++) table.u8(0);
  };
  for (const name of literalNames) addToTable(name);
  if (options.stringTable !== false) {
    for (const [s, n] of counts) {
      const len = encodeText(s, cs).length;
      // Inline each time: n * (len + 2). Table: len + 1 once, plus n references of 1 + uintvar.
      if (n >= 2 && n * (len + 2) > len + 1 + n * (1 + uintvarLength(table.pos))) addToTable(s);
    }
  }

  const w = new ByteWriter(256);
  w.u8(options.version ?? 0x02).uintvar(vocab.publicId).uintvar(cs.mib);
  const tbl = table.finish();
  w.uintvar(tbl.length).bytes(tbl);

  let tagPage = 0;
  let attrPage = 0;
  const writeString = (s: string) => {
    const i = index.get(s);
    if (i !== undefined) w.u8(GlobalToken.STR_T).uintvar(i);
    else {
      if (s.includes('\0')) throw new EncodeError('BAD_INPUT', 'strings cannot contain NUL');
      w.u8(GlobalToken.STR_I).bytes(encodeText(s, cs));
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
  if (!list) valueTokenLists.set(vocab, (list = vocab.attributeValues.map(([p, t, v]) => [p, t, v] as const).sort((a, b) => b[2].length - a[2].length)));
  return list;
}
/** Value tokens by their first character, longest first: built once per token list. */
const byFirstChar = new WeakMap<ReadonlyArray<ValueToken>, Map<string, ValueToken[]>>();

function indexTokens(tokens: ReadonlyArray<ValueToken>): Map<string, ValueToken[]> {
  let index = byFirstChar.get(tokens);
  if (!index) {
    index = new Map();
    for (const t of tokens) {
      if (!t[2].length) continue;
      const list = index.get(t[2][0]) ?? [];
      list.push(t);
      index.set(t[2][0], list);
    }
    for (const list of index.values()) list.sort((a, b) => b[2].length - a[2].length);
    byFirstChar.set(tokens, index);
  }
  return index;
}

/**
 * Splits a value around value tokens (longest first at each position). Only the tokens that
 * start with the character at hand are tried: PROV has some 70 value tokens.
 */
function splitValue(value: string, tokens: ReadonlyArray<ValueToken>): Segment[] {
  const index = indexTokens(tokens);
  const out: Segment[] = [];
  let text = '';
  let i = 0;
  outer: while (i < value.length) {
    const candidates = index.get(value[i]);
    if (candidates) {
      for (const [page, token, v] of candidates) {
        if (value.startsWith(v, i)) {
          if (text) out.push({ kind: 'text', text });
          text = '';
          out.push({ kind: 'token', page, token });
          i += v.length;
          continue outer;
        }
      }
    }
    text += value[i++];
  }
  if (text) out.push({ kind: 'text', text });
  return out;
}

function fail(msg: string): never {
  throw new EncodeError('BAD_INPUT', msg);
}
