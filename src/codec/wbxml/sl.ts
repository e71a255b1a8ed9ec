/** Service Loading (WAP-168-ServiceLoad-20010731-a): object <-> element tree <-> WBXML. */
import type { Warned } from '../warnings.js';
import { DecodeError, EncodeError } from '../errors.js';
import { decodeDocument } from './document.js';
import { encodeWbxml, type WbxmlEncodeOptions } from './encoder.js';
import type { TokenizeOptions } from './tokenizer.js';
import { attributeIndex, offsetOf, type Where } from './origin.js';
import { attributeOf, type WbxmlAttribute, type WbxmlElement } from './tree.js';
import { SL } from './vocabularies.js';

export type SlAction = 'execute-low' | 'execute-high' | 'cache';
export const SL_ACTIONS: readonly SlAction[] = ['execute-low', 'execute-high', 'cache'];
/** WAP-168 6.2: action defaults to execute-low. */
export const SL_DEFAULT_ACTION: SlAction = 'execute-low';

export interface ServiceLoading extends Warned {
  type: 'sl';
  href: string;
  action: SlAction;
}

export function slFromTree(root: WbxmlElement, where: Where = 0): ServiceLoading {
  if (root.name !== 'sl')
    throw new DecodeError('BAD_DOCUMENT', offsetOf(where, root), `root element is <${root.name}>, not <sl>`);
  const href = attributeOf(root, 'href');
  if (!href) throw new DecodeError('BAD_DOCUMENT', offsetOf(where, root), 'SL without the required href attribute');
  const a = attributeIndex(root, 'action');
  const action = a >= 0 ? root.attributes[a].value : SL_DEFAULT_ACTION;
  if (!SL_ACTIONS.includes(action as SlAction)) {
    throw new DecodeError(
      'BAD_DOCUMENT',
      offsetOf(where, root, a),
      `SL action ${JSON.stringify(action)} is not one of ${SL_ACTIONS.join(', ')}`,
    );
  }
  return { type: 'sl', href: href.value, action: action as SlAction };
}

export function slToTree(sl: { href: string; action?: SlAction }): WbxmlElement {
  const attrs: WbxmlAttribute[] = [{ name: 'href', value: sl.href }];
  if (sl.action !== undefined && sl.action !== SL_DEFAULT_ACTION) {
    if (!SL_ACTIONS.includes(sl.action)) throw new EncodeError('BAD_INPUT', `unknown SL action ${sl.action}`);
    attrs.push({ name: 'action', value: sl.action });
  }
  return { name: 'sl', attributes: attrs, children: [] };
}

export function decodeSl(input: Uint8Array, options?: Omit<TokenizeOptions, 'vocabulary'>): ServiceLoading {
  return decodeDocument(input, SL, slFromTree, options);
}

export function encodeSl(sl: { href: string; action?: SlAction }, options?: WbxmlEncodeOptions): Uint8Array {
  return encodeWbxml(slToTree(sl), SL, options);
}
