/**
 * Service Indication (WAP-167-ServiceInd-20010731-a): object <-> element tree <-> WBXML.
 */
import type { Warned } from '../warnings.js';
import { DecodeError, EncodeError } from '../errors.js';
import { decodeDocument } from './document.js';
import { encodeWbxml, type WbxmlEncodeOptions } from './encoder.js';
import { missing } from './lenient.js';
import { dateAttribute, dateToOpaque } from './opaqueDate.js';
import { attributeIndex, offsetOf, type Where } from './origin.js';
import { attributeOf, textOf, type WbxmlAttribute, type WbxmlElement } from './tree.js';
import type { TokenizeOptions } from './tokenizer.js';
import { SI } from './vocabularies.js';

export type SiAction = 'signal-none' | 'signal-low' | 'signal-medium' | 'signal-high' | 'delete';
export const SI_ACTIONS: readonly SiAction[] = ['signal-none', 'signal-low', 'signal-medium', 'signal-high', 'delete'];
/** WAP-167 5.2.1: action defaults to signal-medium. */
export const SI_DEFAULT_ACTION: SiAction = 'signal-medium';

export interface SiItem {
  class: string;
  text: string;
}

export interface ServiceIndication extends Warned {
  type: 'si';
  href?: string;
  siId?: string;
  /** ISO 8601 UTC with seconds. */
  created?: string;
  /** ISO 8601 UTC with seconds (the si-expires attribute). */
  expires?: string;
  action: SiAction;
  text: string;
  /** info/item elements, when present. */
  items?: SiItem[];
}

export function siFromTree(root: WbxmlElement, where: Where = 0): ServiceIndication {
  if (root.name !== 'si')
    throw new DecodeError('BAD_DOCUMENT', offsetOf(where, root), `root element is <${root.name}>, not <si>`);
  // Built in the order the decode JSON shows: type, href, siId, created, expires, action, text.
  const si = { type: 'si' } as ServiceIndication;
  let action: SiAction = SI_DEFAULT_ACTION;
  let text = '';
  let items: SiItem[] | undefined;
  let indication = false;
  for (const child of root.children) {
    if (typeof child !== 'object' || !('name' in child)) continue;
    if (child.name === 'indication') {
      indication = true;
      const href = attributeOf(child, 'href');
      if (href) si.href = href.value;
      const id = attributeOf(child, 'si-id');
      if (id) si.siId = id.value;
      const created = attributeIndex(child, 'created');
      if (created >= 0) si.created = dateAttribute('created', child, created, where);
      const expires = attributeIndex(child, 'si-expires');
      if (expires >= 0) si.expires = dateAttribute('si-expires', child, expires, where);
      const a = attributeIndex(child, 'action');
      if (a >= 0) {
        const value = child.attributes[a].value;
        if (!SI_ACTIONS.includes(value as SiAction)) {
          throw new DecodeError(
            'BAD_DOCUMENT',
            offsetOf(where, child, a),
            `SI action ${JSON.stringify(value)} is not one of ${SI_ACTIONS.join(', ')}`,
          );
        }
        action = value as SiAction;
      }
      text = textOf(child);
    } else if (child.name === 'info') {
      let any = false;
      for (const item of child.children) {
        if (typeof item === 'object' && 'name' in item && item.name === 'item') {
          any = true;
          const cls = attributeOf(item, 'class');
          if (!cls) missing(offsetOf(where, item), '<item> without the class attribute its DTD requires');
          (items ??= []).push({ class: cls?.value ?? '', text: textOf(item) });
        }
      }
      if (!any) missing(offsetOf(where, child), '<info> without the <item> its DTD requires');
    }
  }
  if (!indication) siWithoutIndication(offsetOf(where, root));
  si.action = action;
  si.text = text;
  if (items) si.items = items;
  return si;
}

/** WAP-167's DTD: <si> holds one <indication>. Decoded without one, an SI has no fields but the defaults. */
export function siWithoutIndication(offset: number): void {
  missing(offset, '<si> without the <indication> its DTD requires');
}

export function siToTree(si: Omit<ServiceIndication, 'type' | 'action'> & { action?: SiAction }): WbxmlElement {
  const attrs: WbxmlAttribute[] = [];
  if (si.href !== undefined) attrs.push({ name: 'href', value: si.href });
  if (si.siId !== undefined) attrs.push({ name: 'si-id', value: si.siId });
  if (si.created !== undefined) attrs.push(opaqueDate('created', si.created));
  if (si.expires !== undefined) attrs.push(opaqueDate('si-expires', si.expires));
  if (si.action !== undefined && si.action !== SI_DEFAULT_ACTION) {
    if (!SI_ACTIONS.includes(si.action)) throw new EncodeError('BAD_INPUT', `unknown SI action ${si.action}`);
    attrs.push({ name: 'action', value: si.action });
  }
  const children: WbxmlElement[] = [{ name: 'indication', attributes: attrs, children: si.text ? [si.text] : [] }];
  if (si.items?.length) {
    children.push({
      name: 'info',
      attributes: [],
      children: si.items.map((it) => ({
        name: 'item',
        attributes: [{ name: 'class', value: it.class }],
        children: it.text ? [it.text] : [],
      })),
    });
  }
  return { name: 'si', attributes: [], children };
}

function opaqueDate(name: string, iso: string): WbxmlAttribute {
  const opaque = dateToOpaque(iso);
  return { name, value: iso, opaque };
}

export function decodeSi(input: Uint8Array, options?: Omit<TokenizeOptions, 'vocabulary'>): ServiceIndication {
  return decodeDocument(input, SI, siFromTree, options);
}

export function encodeSi(
  si: Omit<ServiceIndication, 'type' | 'action'> & { action?: SiAction },
  options?: WbxmlEncodeOptions,
): Uint8Array {
  return encodeWbxml(siToTree(si), SI, options);
}
