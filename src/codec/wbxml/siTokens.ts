/**
 * The SI fast path: a Service Indication read straight from the token stream into the object,
 * without the generic element tree, for documents of the usual shape - <si>, one <indication>
 * with attributes and text, optional <info>/<item>s. Anything else (a second indication, other
 * elements, an OPAQUE part mixed into an attribute, a repeated attribute) returns undefined and
 * the caller takes the tree path, whose result is the definition: this path must equal it.
 */
import { DecodeError } from '../errors.js';
import { dateAttribute } from './opaqueDate.js';
import { SI_ACTIONS, SI_DEFAULT_ACTION, type ServiceIndication, type SiAction, type SiItem } from './si.js';
import { WbxmlEvent, WbxmlTokenizer, type TokenizeOptions } from './tokenizer.js';
import { SI } from './vocabularies.js';

const t = new WbxmlTokenizer();
/** One options object of one shape, reused: a fresh spread per call cost about 1 us in V8 here. */
const startOptions: TokenizeOptions = { vocabulary: SI, strict: true, defaultCharset: undefined, limits: undefined };

interface Value {
  text: string;
  opaque: Uint8Array | undefined;
  parts: number;
}

export function siFromTokens(input: Uint8Array, options: Omit<TokenizeOptions, 'vocabulary'> = {}): ServiceIndication | undefined {
  startOptions.defaultCharset = options.defaultCharset;
  startOptions.limits = options.limits;
  startOptions.strict = options.strict ?? true;
  const header = t.start(input, startOptions);
  if (header.publicId !== undefined && header.publicId > 1 && header.publicId !== SI.publicId) return undefined;
  let depth = 0;
  let where: 'si' | 'indication' | 'info' | 'item' | 'other' = 'other';
  let indications = 0;
  let href: Value | undefined;
  let siId: Value | undefined;
  let created: Value | undefined;
  let expires: Value | undefined;
  let action: Value | undefined;
  let text = '';
  let items: SiItem[] | undefined;
  let item: SiItem | undefined;
  let itemClass: Value | undefined;
  let current: Value | undefined;
  for (;;) {
    const ev = t.next();
    switch (ev) {
      case WbxmlEvent.StartTag: {
        depth++;
        const name = t.tagName;
        if (depth === 1) {
          // The tree path reports a wrong root only after reading the whole document: let it.
          if (name !== 'si') return undefined;
          where = 'si';
        } else if (depth === 2 && name === 'indication' && ++indications === 1) where = 'indication';
        else if (depth === 2 && name === 'info') where = 'info';
        else if (depth === 3 && where === 'info' && name === 'item') {
          where = 'item';
          item = { class: '', text: '' };
          itemClass = undefined;
        } else return undefined;
        break;
      }
      case WbxmlEvent.Attribute: {
        const v: Value = { text: t.text, opaque: undefined, parts: t.text ? 1 : 0 };
        const name = t.attributeName;
        if (where === 'indication') {
          if (name === 'href') { if (href) return undefined; href = v; }
          else if (name === 'si-id') { if (siId) return undefined; siId = v; }
          else if (name === 'created') { if (created) return undefined; created = v; }
          else if (name === 'si-expires') { if (expires) return undefined; expires = v; }
          else if (name === 'action') { if (action) return undefined; action = v; }
          else return undefined;
        } else if (where === 'item' && name === 'class') {
          if (itemClass) return undefined;
          itemClass = v;
        } else return undefined;
        current = v;
        break;
      }
      case WbxmlEvent.AttributeValue:
        if (!current || current.opaque) return undefined;
        current.text += t.text;
        current.parts++;
        break;
      case WbxmlEvent.AttributeOpaque:
        if (!current || current.parts > 0) return undefined;
        current.opaque = t.opaque;
        current.parts++;
        break;
      case WbxmlEvent.AttributesEnd:
        current = undefined;
        break;
      case WbxmlEvent.Text:
        if (where === 'indication') text += t.text;
        else if (where === 'item') item!.text += t.text;
        else if (where !== 'si' && where !== 'info') return undefined;
        break;
      case WbxmlEvent.Opaque:
      case WbxmlEvent.Extension:
      case WbxmlEvent.ProcessingInstruction:
        // The tree keeps these as children the SI mapping skips; only inside text they would matter.
        if (where === 'indication' || where === 'item') return undefined;
        break;
      case WbxmlEvent.EndTag:
        if (where === 'item') {
          if (itemClass?.opaque) return undefined;
          if (itemClass) item!.class = itemClass.text;
          (items ??= []).push(item!);
          where = 'info';
        } else if (depth === 2) where = 'si';
        depth--;
        break;
      case WbxmlEvent.End: {
        // Built in the order the decode JSON shows: type, href, siId, created, expires, action, text.
        const si = { type: 'si' } as ServiceIndication;
        if (href) { if (href.opaque) return undefined; si.href = href.text; }
        if (siId) { if (siId.opaque) return undefined; si.siId = siId.text; }
        if (created) si.created = dateAttribute('created', created.text, created.opaque, 0);
        if (expires) si.expires = dateAttribute('si-expires', expires.text, expires.opaque, 0);
        let a: SiAction = SI_DEFAULT_ACTION;
        if (action) {
          if (action.opaque) return undefined;
          if (!SI_ACTIONS.includes(action.text as SiAction)) {
            throw new DecodeError('BAD_DOCUMENT', 0, `SI action ${JSON.stringify(action.text)} is not one of ${SI_ACTIONS.join(', ')}`);
          }
          a = action.text as SiAction;
        }
        si.action = a;
        si.text = text;
        if (items) si.items = items;
        return si;
      }
    }
  }
}
